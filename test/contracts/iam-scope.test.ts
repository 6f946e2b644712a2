import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXISTING_VPC_CONFIG, withField } from '../infra/fixtures.js';
import { type SynthesizedCanary, synthesizeCanary, Workspace } from '../infra/synthesize.js';

/**
 * The orchestrator may start, tag, describe and stop tasks in the canary's own cluster only. The task ARNs are written
 * out here, not taken from the stack's own properties, so widening the stack's ARN (`task/*` + `/*`) fails here.
 */

type Json = Record<string, unknown>;

/** A CloudFormation string expression as text: `<Ref>` for a reference, `<Resource.Attribute>` for GetAtt. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Json;
  if ('Ref' in node) return `<${String(node.Ref)}>`;
  if ('Fn::GetAtt' in node) return `<${(node['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::Join' in node) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(asText).join(separator);
  }
  throw new Error(`unexpected expression ${JSON.stringify(value)}`);
}

function orchestratorStatements(canary: SynthesizedCanary): Json[] {
  const policies = Object.values(canary.template.findResources('AWS::IAM::Policy')) as Json[];
  return policies.flatMap((policy) => ((policy.Properties as Json).PolicyDocument as { Statement: Json[] }).Statement);
}

function statementsAllowing(canary: SynthesizedCanary, action: string): Json[] {
  return orchestratorStatements(canary).filter((statement) => {
    const actions = statement.Action;
    return Array.isArray(actions) ? actions.includes(action) : actions === action;
  });
}

function resourcesOf(statement: Json): string[] {
  const resource = statement.Resource;
  return (Array.isArray(resource) ? resource : [resource]).map(asText);
}

const TASK_ARN_PREFIX = 'arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/';

let workspace: Workspace;
beforeAll(() => {
  workspace = new Workspace();
});
afterAll(() => {
  workspace.remove();
});

describe('the task ARN in the orchestrator policy, with the cluster the stack creates', () => {
  let canary: SynthesizedCanary;
  let clusterId: string;
  beforeAll(() => {
    canary = synthesizeCanary(workspace, EXISTING_VPC_CONFIG);
    const clusters = Object.keys(canary.template.findResources('AWS::ECS::Cluster'));
    expect(clusters).toHaveLength(1);
    clusterId = clusters[0] as string;
  });

  it.each(['ecs:TagResource', 'ecs:DescribeTasks', 'ecs:StopTask'])(
    'names the tasks of the created cluster for %s, not any cluster',
    (action) => {
      const statements = statementsAllowing(canary, action);

      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements)
        expect(resourcesOf(statement)).toEqual([`${TASK_ARN_PREFIX}<${clusterId}>/*`]);
    },
  );

  it('allows RunTask only with the created cluster as its ecs:cluster', () => {
    const statements = statementsAllowing(canary, 'ecs:RunTask');

    expect(statements).toHaveLength(1);
    const condition = (statements[0] as Json).Condition as { ArnEquals: Json };
    expect(asText(condition.ArnEquals['ecs:cluster'])).toBe(`<${clusterId}.Arn>`);
  });
});

describe('the task ARN in the orchestrator policy, with an existing cluster', () => {
  let canary: SynthesizedCanary;
  beforeAll(() => {
    canary = synthesizeCanary(workspace, withField(EXISTING_VPC_CONFIG, ['network', 'cluster'], 'shared-probes'));
  });

  it.each(['ecs:TagResource', 'ecs:DescribeTasks', 'ecs:StopTask'])(
    'names the tasks of cluster shared-probes for %s',
    (action) => {
      const statements = statementsAllowing(canary, action);

      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) expect(resourcesOf(statement)).toEqual([`${TASK_ARN_PREFIX}shared-probes/*`]);
    },
  );

  it('allows RunTask only with cluster shared-probes as its ecs:cluster', () => {
    const [statement] = statementsAllowing(canary, 'ecs:RunTask');

    const condition = (statement as Json).Condition as { ArnEquals: Json };
    expect(asText(condition.ArnEquals['ecs:cluster'])).toBe(
      'arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:cluster/shared-probes',
    );
  });
});
