import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXISTING_VPC_CONFIG, withField } from './fixtures.js';
import { type SynthesizedCanary, synthesizeCanary, Workspace } from './synthesize.js';

/**
 * The names a synthesized stack really uses, beside test/infra/aws-names.test.ts. Kept apart because `npm run mutate`
 * runs that file: a stack synthesized in a hook would make every config mutant a static one, reloaded for each.
 */

/** The documented rules, as literals (ECS RegisterTaskDefinition `family`, CloudWatch PutDashboard `DashboardName`). */
const FAMILY_RULE = /^[A-Za-z0-9_-]{1,255}$/;
const DASHBOARD_RULE = /^[A-Za-z0-9_-]{1,255}$/;

type Json = Record<string, unknown>;

function propertiesOfType(canary: SynthesizedCanary, type: string): Json[] {
  return Object.values(canary.template.findResources(type)).map((resource) => (resource as Json).Properties as Json);
}

describe('a canary with a dotted name', () => {
  let workspace: Workspace;
  let canary: SynthesizedCanary;
  beforeAll(() => {
    workspace = new Workspace();
    canary = synthesizeCanary(workspace, withField(EXISTING_VPC_CONFIG, ['canaryName'], 'mail.egress-v2'));
  });
  afterAll(() => {
    workspace.remove();
  });

  it('synthesizes a task-definition family ECS accepts', () => {
    const [taskDefinition] = propertiesOfType(canary, 'AWS::ECS::TaskDefinition');

    expect(taskDefinition?.Family).toMatch(FAMILY_RULE);
  });

  it('scopes RunTask to the family it registered', () => {
    const family = propertiesOfType(canary, 'AWS::ECS::TaskDefinition')[0]?.Family as string;
    const policies = JSON.stringify(propertiesOfType(canary, 'AWS::IAM::Policy'));

    expect(policies).toContain(`:task-definition/${family}:*`);
    expect(policies).not.toContain('task-definition/mail.egress');
  });

  it('names its dashboard as CloudWatch allows', () => {
    const [dashboard] = propertiesOfType(canary, 'AWS::CloudWatch::Dashboard');

    expect(dashboard?.DashboardName).toMatch(DASHBOARD_RULE);
  });
});
