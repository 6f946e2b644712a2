import { describe, expect, it } from 'vitest';
import {
  AwsNameError,
  canaryAwsNames,
  checkedName,
  FUNCTION_NAME,
  STACK_NAME,
  TASK_DEFINITION_FAMILY,
  vantageFunctionName,
} from '../../functions/shared/aws-names.js';

/** The documented rules, as literals (ECS RegisterTaskDefinition `family`, CloudWatch PutDashboard `DashboardName`). */
const FAMILY_RULE = /^[A-Za-z0-9_-]{1,255}$/;
const DASHBOARD_RULE = /^[A-Za-z0-9_-]{1,255}$/;
const STACK_RULE = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

describe('vantageFunctionName', () => {
  it("names a vantage's function port25-canary-<vantage canary>, with - for what Lambda does not accept", () => {
    expect(vantageFunctionName('mail-egress-eu')).toBe('port25-canary-mail-egress-eu');
    expect(vantageFunctionName('mail.egress.eu_1')).toBe('port25-canary-mail-egress-eu_1');
  });

  it("holds Lambda's documented rule: 64 letters, digits, hyphens and underscores", () => {
    expect(FUNCTION_NAME).toMatchObject({ allowed: 'A-Za-z0-9_-', maxLength: 64 });
  });
});

describe('canaryAwsNames', () => {
  it('keeps a name AWS accepts verbatim, so deployed canaries keep their resources', () => {
    const names = canaryAwsNames('mail-egress');

    expect(names.taskDefinitionFamily).toBe('mail-egress-probe');
    expect(names.dashboardName).toBe('port25-canary-mail-egress');
    expect(names.stackName).toBe('port25-canary-mail-egress');
    expect(names.targetAlarmName('relay')).toBe('port25-canary mail-egress relay expectation not met');
  });

  it('keeps the stack name of earlier releases for a dotted canary name: a dash for each dot, no hash', () => {
    expect(canaryAwsNames('mail.egress_v2').stackName).toBe('port25-canary-mail-egress-v2');
  });

  it('starts every alarm name with the alarm-name prefix, a space included', () => {
    const names = canaryAwsNames('mail-egress');

    expect(names.alarmNamePrefix).toBe('port25-canary mail-egress ');
    expect(names.canaryAlarmName('runs stopped')).toBe('port25-canary mail-egress runs stopped');
  });

  it('lets only the stack name insist on a leading letter', () => {
    const names = canaryAwsNames('25-relay');

    expect(names.taskDefinitionFamily).toBe('25-relay-probe');
    expect(checkedName('25-relay-probe', TASK_DEFINITION_FAMILY)).toBe('25-relay-probe');
  });

  it('derives a valid task-definition family and dashboard name from a dotted canary name', () => {
    const names = canaryAwsNames('mail.egress-v2');

    expect(names.taskDefinitionFamily).toMatch(FAMILY_RULE);
    expect(names.taskDefinitionFamily).toMatch(/^mail-egress-v2-[0-9a-f]{6}-probe$/);
    expect(names.dashboardName).toMatch(DASHBOARD_RULE);
    expect(names.stackName).toMatch(STACK_RULE);
  });

  it('never gives two canary names one family or dashboard', () => {
    const dotted = canaryAwsNames('mail.egress');
    const dashed = canaryAwsNames('mail-egress');

    expect(dotted.taskDefinitionFamily).not.toBe(dashed.taskDefinitionFamily);
    expect(dotted.dashboardName).not.toBe(dashed.dashboardName);
  });

  it('fits the longest canary and target names in every documented limit', () => {
    const longest = `a${'.'.repeat(62)}`;
    const names = canaryAwsNames(longest);

    expect(names.taskDefinitionFamily).toMatch(FAMILY_RULE);
    expect(names.dashboardName).toMatch(DASHBOARD_RULE);
    expect(names.stackName).toMatch(STACK_RULE);
    expect(names.topicDisplayName.length).toBeLessThanOrEqual(100);
    expect(names.targetAlarmName('t'.repeat(63)).length).toBeLessThanOrEqual(255);
  });

  it('refuses a name its rule does not allow, naming the resource', () => {
    expect(() => checkedName('1-starts-with-a-digit', STACK_NAME)).toThrow(AwsNameError);
    expect(() => checkedName('has.a.dot', STACK_NAME)).toThrow(/CloudFormation stack name "has.a.dot"/);
  });

  it('throws an error named AwsNameError that gives the rule', () => {
    const act = () => checkedName('has.a.dot', STACK_NAME);

    expect(act).toThrow(
      expect.objectContaining({
        name: 'AwsNameError',
        message:
          'CloudFormation stack name "has.a.dot" is not a valid AWS name: a letter, then letters, digits and hyphens, up to 128',
      }),
    );
  });
});
