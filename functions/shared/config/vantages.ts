import * as z from 'zod';
import { ALWAYS, cidrBlock, flag, list, section, text } from './fields.js';
import { networkSchema } from './network.js';
import { ACCOUNT, PROFILE, REGION, ROLE_ARN, SINK_ARN, VANTAGE_NAME } from './patterns.js';

export const account = text(ACCOUNT, 'must be a 12-digit AWS account ID')
  .describe('A 12-digit AWS account ID.')
  .meta({ id: 'account' });
export const region = text(REGION, 'is not an AWS region name (like eu-west-1)')
  .describe('An AWS region name, like eu-west-1.')
  .meta({ id: 'region' });

const credentials = section({
  profile: text(PROFILE, 'is not a profile name').optional().describe('A named AWS profile.'),
  roleArn: text(ROLE_ARN, 'is not an IAM role ARN').optional().describe('An IAM role ARN.'),
})
  .superRefine((value, context) => {
    if (value.profile === undefined && value.roleArn === undefined) {
      context.addIssue('must name a profile, a roleArn or both');
    }
  })
  .transform(({ profile, roleArn }) => ({ profile, roleArn }))
  .meta({ minProperties: 1 })
  .describe('How invoke --fleet reaches the vantage: a profile, a role to assume, or both.');

export const vantageSchema = section({
  name: text(VANTAGE_NAME, 'must be 1-32 letters, digits or dashes').describe(
    '1-32 letters, digits or dashes; unique.',
  ),
  account,
  region,
  network: networkSchema.optional(),
  vpcPrimaryCidr: cidrBlock.optional(),
  port25Released: flag().optional(),
  /** Checked against the config's target names with the whole config (canary-config.ts). */
  targets: list(z.unknown())
    .min(1, { error: 'must name at least one target when given' })
    .optional()
    .meta({ items: { type: 'string' } })
    .describe('Names from targets (default: all).'),
  credentials: credentials.optional(),
})
  .superRefine((value, context) => {
    if (value.network === undefined) {
      context.addIssue({ code: 'custom', path: ['network'], message: 'is required: each vantage runs in its own VPC' });
    }
  }, ALWAYS)
  // The network is required: the refinement above says why, the JSON Schema says it as editors read it.
  .meta({ required: ['name', 'account', 'region', 'network'] });

/** `monitoring.existingSinks`: per region, an OAM sink the monitoring account already has (one per account and region). */
const existingSinks = z
  .record(z.string(), text(SINK_ARN, 'is not an OAM sink ARN (arn:aws:oam:<region>:<account>:sink/<id>)'), {
    error: 'must be a JSON object mapping a region to a sink ARN',
  })
  .default({})
  .meta({ propertyNames: { pattern: REGION.source } })
  .describe(
    'Sinks the monitoring account already has, by region ("eu-west-1": "arn:aws:oam:eu-west-1:<account>:sink/<id>"): an account has one sink per region, so the stack links to these instead of creating one.',
  );

export const monitoringSchema = section({
  account,
  region,
  existingSinks,
}).describe('Where the fleet is watched; needs vantages.');

export const vantagesSection = list(vantageSchema)
  .min(1, { error: 'must list at least one vantage when given' })
  .describe('A fleet: one canary per account and region (docs/fleet.md). Names are unique.');
