import { createHash } from 'node:crypto';

/**
 * Every AWS resource name derived from `canaryName`, in one place. A canary name may hold letters, digits, dots,
 * dashes and underscores (config.ts), but AWS names differ in what they accept; each rule below is the documented one.
 * Where a resource cannot take a character of the canary name, it becomes `-` and a short hash of the whole canary
 * name is appended, so `mail.egress` and `mail-egress` in one account never share a family or a dashboard.
 */

export class AwsNameError extends Error {
  constructor(resource: string, name: string, rule: string) {
    super(`${resource} ${JSON.stringify(name)} is not a valid AWS name: ${rule}`);
    this.name = 'AwsNameError';
  }
}

interface NameRule {
  readonly resource: string;
  /** Characters the resource accepts, as a regular-expression class body. */
  readonly allowed: string;
  readonly maxLength: number;
  readonly rule: string;
}

/** ECS RegisterTaskDefinition `family`: up to 255 letters, digits, hyphens and underscores. */
export const TASK_DEFINITION_FAMILY: NameRule = {
  resource: 'ECS task-definition family',
  allowed: 'A-Za-z0-9_-',
  maxLength: 255,
  rule: 'up to 255 letters, digits, hyphens and underscores',
};

/** CloudWatch PutDashboard `DashboardName`: up to 255 of A-Z, a-z, 0-9, `-` and `_`. */
export const DASHBOARD_NAME: NameRule = {
  resource: 'CloudWatch dashboard name',
  allowed: 'A-Za-z0-9_-',
  maxLength: 255,
  rule: 'up to 255 letters, digits, hyphens and underscores',
};

/** CloudFormation stack name: a letter first, then letters, digits and hyphens, up to 128. */
export const STACK_NAME: NameRule = {
  resource: 'CloudFormation stack name',
  allowed: 'A-Za-z0-9-',
  maxLength: 128,
  rule: 'a letter, then letters, digits and hyphens, up to 128',
};

/** CloudWatch PutMetricAlarm `AlarmName`: 1-255 characters, no control characters. */
export const ALARM_NAME: NameRule = {
  resource: 'CloudWatch alarm name',
  allowed: '\\u0020-\\u007E',
  maxLength: 255,
  rule: 'up to 255 printable characters',
};

/** SNS topic `DisplayName`: up to 100 characters (ASCII, spaces allowed). */
export const TOPIC_DISPLAY_NAME: NameRule = {
  resource: 'SNS topic display name',
  allowed: '\\u0020-\\u007E',
  maxLength: 100,
  rule: 'up to 100 printable ASCII characters',
};

/** Lambda `FunctionName`: up to 64 letters, digits, hyphens and underscores. */
export const FUNCTION_NAME: NameRule = {
  resource: 'Lambda function name',
  allowed: 'A-Za-z0-9_-',
  maxLength: 64,
  rule: 'up to 64 letters, digits, hyphens and underscores',
};

const PREFIX = 'port25-canary';

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 6);
}

/** The canary name as `rule` accepts it: verbatim when it can be, else with `-` for the rest and a hash suffix. */
function nameFor(canaryName: string, rule: NameRule): string {
  const safe = canaryName.replace(new RegExp(`[^${rule.allowed}]`, 'g'), '-');
  return safe === canaryName ? safe : `${safe}-${shortHash(canaryName)}`;
}

/** Throws AwsNameError unless `name` satisfies `rule`; every derived name passes through here. */
export function checkedName(name: string, rule: NameRule): string {
  const pattern = new RegExp(`^[${rule.allowed}]{1,${rule.maxLength}}$`);
  if (!pattern.test(name) || (rule === STACK_NAME && !/^[A-Za-z]/.test(name))) {
    throw new AwsNameError(rule.resource, name, rule.rule);
  }
  return name;
}

/**
 * The deployed function of a fleet vantage's canary (`<canaryName>-<vantage name>`), so `invoke --fleet` finds it from
 * the config alone. Its length is not checked here: config validation names the field that makes it too long.
 */
export function vantageFunctionName(vantageCanaryName: string): string {
  return `${PREFIX}-${vantageCanaryName}`.replace(new RegExp(`[^${FUNCTION_NAME.allowed}]`, 'g'), '-');
}

export interface CanaryAwsNames {
  /** The CDK/CloudFormation stack. */
  readonly stackName: string;
  /** The probe's ECS task-definition family (and so its ARN `task-definition/<family>:*`). */
  readonly taskDefinitionFamily: string;
  readonly dashboardName: string;
  /** The SNS alarm topic's display name. */
  readonly topicDisplayName: string;
  /** The name of the alarm on one target. */
  targetAlarmName(targetName: string): string;
  /** What every alarm name of the canary starts with, a space included (the fleet forwards alarm changes by it). */
  readonly alarmNamePrefix: string;
  /** The name of a canary-level alarm, e.g. `runs stopped`. */
  canaryAlarmName(what: string): string;
}

export function canaryAwsNames(canaryName: string): CanaryAwsNames {
  const alarmPrefix = `${PREFIX} ${canaryName}`;
  return {
    // Kept as earlier releases named it (`_` and `.` become `-`, no hash) so deployed stacks update in place.
    stackName: checkedName(`${PREFIX}-${canaryName.replace(/[^A-Za-z0-9-]/g, '-')}`, STACK_NAME),
    taskDefinitionFamily: checkedName(`${nameFor(canaryName, TASK_DEFINITION_FAMILY)}-probe`, TASK_DEFINITION_FAMILY),
    dashboardName: checkedName(`${PREFIX}-${nameFor(canaryName, DASHBOARD_NAME)}`, DASHBOARD_NAME),
    topicDisplayName: checkedName(`${alarmPrefix} alarms`, TOPIC_DISPLAY_NAME),
    alarmNamePrefix: `${alarmPrefix} `,
    targetAlarmName: (targetName) => checkedName(`${alarmPrefix} ${targetName} expectation not met`, ALARM_NAME),
    canaryAlarmName: (what) => checkedName(`${alarmPrefix} ${what}`, ALARM_NAME),
  };
}
