import type * as z from 'zod';
import { CONFIG_DEFAULTS } from '../config-defaults.js';
import { flag, integer, list, section, text, textList } from './fields.js';
import { CONTAINER_NAME, LOG_STREAM_PREFIX, SECURITY_GROUP_ID, SUBNET_ID, VPC_ID } from './patterns.js';

/**
 * AWS limits a config must respect before anything reaches AWS. RunTask's awsvpcConfiguration takes at most 16
 * subnets and 5 security groups. The list `run` and the handler send is `network.securityGroups` (the handler's comes
 * from the stack: its probe security group plus the file's), so they check 5; the stack adds its own group to the
 * file's, so synth checks 4 (infra/stack-settings.ts).
 */
export const AWS_LIMITS = {
  subnets: 16,
  runTaskSecurityGroups: 5,
  stackSecurityGroups: 4,
} as const;

/** A list of IDs RunTask takes at most `max` of. */
function idList(pattern: RegExp, hint: string, max: number, what: string) {
  return textList(pattern, hint).max(max, {
    error: (issue) =>
      `lists ${(issue.input as unknown[]).length}, at most ${max} are allowed: RunTask takes at most ${max} ${what}`,
  });
}

export const FARGATE_SPOT = 'FARGATE_SPOT';

const strategyItem = section({
  capacityProvider: text().describe('FARGATE or FARGATE_SPOT.'),
  weight: integer(0, 1000).optional().describe('Relative share.'),
  base: integer(0, 100_000).optional().describe('Tasks placed here first.'),
});

export const networkSchema = section({
  cluster: text().optional().describe('ECS cluster name or ARN.'),
  taskDefinition: text().optional().describe('Probe task definition family, family:revision or ARN.'),
  containerName: text(CONTAINER_NAME, 'must be 1-255 letters, digits, hyphens or underscores (an ECS container name)')
    .default(CONFIG_DEFAULTS.containerName)
    .describe("The probe container's name: 1-255 letters, digits, hyphens or underscores."),
  vpcId: text(VPC_ID, 'is not a VPC ID (vpc-...)').optional().describe("The VPC's ID."),
  subnets: idList(SUBNET_ID, 'is not a subnet ID (subnet-...)', AWS_LIMITS.subnets, 'subnets')
    .default([])
    .describe(`At most ${AWS_LIMITS.subnets} (RunTask's limit).`),
  securityGroups: idList(
    SECURITY_GROUP_ID,
    'is not a security group ID (sg-...)',
    AWS_LIMITS.runTaskSecurityGroups,
    'security groups',
  )
    .default([])
    .describe(
      `At most ${AWS_LIMITS.runTaskSecurityGroups} (RunTask's limit; the stack adds its own, so at most ${AWS_LIMITS.stackSecurityGroups} there).`,
    ),
  assignPublicIp: flag().default(false).describe('Give each task a public IP (public subnets without NAT).'),
  capacityProviderStrategy: list(strategyItem)
    .min(1, { error: 'must not be empty when given' })
    .optional()
    .describe(
      'Used by RunTask instead of the FARGATE launch type (e.g. FARGATE_SPOT, which needs deployment.cpuArchitecture X86_64).',
    ),
  logGroup: text().optional().describe("The probe tasks' log group."),
  logStreamPrefix: text(LOG_STREAM_PREFIX, 'must not contain ":" or "*" (they cannot be in a log stream name)')
    .default(CONFIG_DEFAULTS.logStreamPrefix)
    .describe('awslogs stream prefix; no ":" or "*".'),
})
  .describe('Where probe tasks run. Fields the stack creates may be absent and come from the environment.')
  .meta({ id: 'network' });

export type NetworkInput = z.input<typeof networkSchema>;
