import type * as z from 'zod';
import { CONFIG_DEFAULTS } from '../config-defaults.js';
import { ALWAYS, cidrBlock, flag, integer, oneOf, section, shownValue, text, textList } from './fields.js';
import { AVAILABILITY_ZONE, EMAIL, SCHEDULE } from './patterns.js';

const MAX_CREATED_AZS = 6;
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const createVpc = section({
  cidr: cidrBlock,
  maxAzs: integer(1, MAX_CREATED_AZS)
    .optional()
    .meta({ default: CONFIG_DEFAULTS.createVpcMaxAzs })
    .describe("How many of the region's first availability zones to use; not with availabilityZones."),
  availabilityZones: textList(AVAILABILITY_ZONE, 'is not an availability zone name (like eu-west-1a)')
    .min(1, { error: `must name 1 to ${MAX_CREATED_AZS} availability zones` })
    .max(MAX_CREATED_AZS, { error: `must name 1 to ${MAX_CREATED_AZS} availability zones` })
    .optional()
    .meta({ uniqueItems: true })
    .describe('The availability zones to use, all in one region (Fargate is not in every AZ); not with maxAzs.'),
})
  .superRefine(({ maxAzs, availabilityZones: zones }, context) => {
    if (!Array.isArray(zones)) return;
    const at = (issue: string, ...path: (string | number)[]) =>
      context.addIssue({ code: 'custom', path: ['availabilityZones', ...path], message: issue });
    if (maxAzs !== undefined) at('names the AZs; give it or maxAzs, not both');
    const first = String(zones[0]).slice(0, -1);
    zones.forEach((zone, index) => {
      if (typeof zone !== 'string') return;
      if (zones.indexOf(zone) !== index) at(`${zone} is listed twice`, index);
      else if (zone.slice(0, -1) !== first) at(`${zone} is not in ${first}: a VPC lies in one region`, index);
    });
  }, ALWAYS)
  .transform(({ cidr, maxAzs, availabilityZones }) => ({
    cidr,
    /** How many of the region's AZs to use, the first ones; the count of `availabilityZones` when it names them. */
    maxAzs: availabilityZones?.length ?? maxAzs ?? CONFIG_DEFAULTS.createVpcMaxAzs,
    /** The AZs by name (Fargate is not offered in every AZ of some regions); undefined takes the region's first. */
    availabilityZones,
  }))
  .meta({ not: { required: ['maxAzs', 'availabilityZones'], properties: { maxAzs: true, availabilityZones: true } } })
  .describe('Create a small VPC (public subnets, no NAT gateway) instead of using network.vpcId.');

/**
 * In an EventBridge cron expression "You can't use * in both the Day-of-month and Day-of-week
 * fields" (EventBridge User Guide, "Schedule expressions for rules", cron expressions): one of them is `?`.
 */
function cronProblem(schedule: string): string | undefined {
  const body = /^cron\((.*)\)$/.exec(schedule)?.[1];
  if (body === undefined) return undefined;
  // Six fields, as SCHEDULE made sure: minutes hours day-of-month month day-of-week year.
  const [, , dayOfMonth, , dayOfWeek] = body.trim().split(/\s+/);
  if (dayOfMonth === '*' && dayOfWeek === '*') {
    return `${shownValue(schedule)} has * in both day-of-month and day-of-week, which EventBridge refuses ("You can't use * in both the Day-of-month and Day-of-week fields"): write ? in one of them`;
  }
  return undefined;
}

const schedule = text(SCHEDULE, 'must be an EventBridge rate(...) or cron(...) expression')
  .superRefine((value, context) => {
    const problem = cronProblem(value);
    if (problem !== undefined) context.addIssue(problem);
  })
  .default(CONFIG_DEFAULTS.schedule)
  .describe('EventBridge rate(...) or cron(...) expression; a cron has ? in day-of-month or day-of-week.');

/** `deployment`: read by the CDK app (detailedTargetMetrics by the orchestrator too). */
export const deploymentSection = section({
  createVpc: createVpc.optional(),
  schedule,
  alarmEvaluationPeriods: integer(1, 100)
    .default(CONFIG_DEFAULTS.alarmEvaluationPeriods)
    .describe('Periods each alarm evaluates.'),
  alarmDatapointsToAlarm: integer(1, 100)
    .default(CONFIG_DEFAULTS.alarmDatapointsToAlarm)
    .describe('Breaching periods that raise the alarm; at most alarmEvaluationPeriods.'),
  notifyEmails: textList(EMAIL, 'is not an email address').default([]).describe('Addresses the alarm topic notifies.'),
  logRetentionDays: integer(1, 3653)
    .refine((days) => LOG_RETENTION_DAYS.includes(days), {
      error: `must be one of CloudWatch Logs' values: ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(CONFIG_DEFAULTS.logRetentionDays)
    .meta({ enum: LOG_RETENTION_DAYS })
    .describe("One of CloudWatch Logs' retention values."),
  cpuArchitecture: oneOf(['ARM64', 'X86_64'])
    .default(CONFIG_DEFAULTS.cpuArchitecture)
    .describe('Of the probe task; FARGATE_SPOT runs X86_64 only.'),
  probeImageUri: text().optional().describe('A prebuilt probe image; without it the stack builds one.'),
  detailedTargetMetrics: flag()
    .default(false)
    .describe(
      'Publish Port25Reachable, ConnectTime and Inconclusive per target besides ExpectationMet (each costs per target and month).',
    ),
})
  .superRefine(({ alarmEvaluationPeriods: periods, alarmDatapointsToAlarm: datapoints }, context) => {
    if (typeof periods === 'number' && typeof datapoints === 'number' && datapoints > periods) {
      context.addIssue({
        code: 'custom',
        path: ['alarmDatapointsToAlarm'],
        message: `must not exceed alarmEvaluationPeriods (${periods})`,
      });
    }
  }, ALWAYS)
  .describe('Read by the CDK app; detailedTargetMetrics by the orchestrator too.');

export type DeploymentOutput = z.output<typeof deploymentSection>;
