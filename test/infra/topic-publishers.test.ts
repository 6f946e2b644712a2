import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeConfigFile, Workspace } from './synthesize.js';

/**
 * Every SNS topic of the synthesized app against every publisher wired to it: each alarm whose actions name the topic
 * and each EventBridge rule that targets it must find an Allow for its service principal whose conditions hold for
 * that publisher's own ARN and account. Read from the templates as written to the cloud assembly.
 */

type Json = Record<string, unknown>;
interface Resource {
  readonly Type: string;
  readonly Properties?: Json;
}
interface Publisher {
  readonly what: string;
  readonly principal: string;
  readonly sourceArn: string;
}

const PARTITION = 'aws';

/** A template value with its pseudo parameters filled in and other references written as `<Ref:X>`/`<X.Attr>`. */
function evaluate(value: unknown, pseudo: Readonly<Record<string, string>>): string {
  if (typeof value === 'string') return value;
  const node = value as Json;
  if (typeof node.Ref === 'string') return pseudo[node.Ref] ?? `<Ref:${node.Ref}>`;
  if (Array.isArray(node['Fn::GetAtt'])) return `<${(node['Fn::GetAtt'] as string[]).join('.')}>`;
  if (Array.isArray(node['Fn::Join'])) {
    const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => evaluate(part, pseudo)).join(delimiter);
  }
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** IAM's `*` and `?` wildcards (ArnLike, StringLike). */
function likeMatches(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}

/** Whether every condition of `statement` holds for a request with these context keys (unknown operators do not). */
function conditionsHold(statement: Json, context: Readonly<Record<string, string>>, pseudo: Record<string, string>) {
  const conditions = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
  if (conditions.ArnLike?.['aws:SourceArn'] === undefined && conditions.ArnEquals?.['aws:SourceArn'] === undefined)
    return false;
  return Object.entries(conditions).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const actual = context[key];
      if (actual === undefined) return false;
      const values = asList(expected).map((item) => evaluate(item, pseudo));
      if (operator === 'ArnLike' || operator === 'StringLike') return values.some((v) => likeMatches(v, actual));
      if (operator === 'ArnEquals' || operator === 'StringEquals') return values.includes(actual);
      return false;
    }),
  );
}

/** Every topic of one template, with each publisher wired to it and the reason it is not allowed, if any. */
function unauthorizedPublishers(template: { Resources: Record<string, Resource> }, account: string, region: string) {
  const pseudo = { 'AWS::Partition': PARTITION, 'AWS::Region': region, 'AWS::AccountId': account };
  const resources = Object.entries(template.Resources);
  const topicIds = resources.filter(([, r]) => r.Type === 'AWS::SNS::Topic').map(([id]) => id);
  const refersTo = (value: unknown, topicId: string) => JSON.stringify(value) === JSON.stringify({ Ref: topicId });
  const report: { topic: string; publishers: number; refused: string[] }[] = [];
  for (const topicId of topicIds) {
    const publishers: Publisher[] = [];
    for (const [id, resource] of resources) {
      const props = resource.Properties ?? {};
      if (resource.Type === 'AWS::CloudWatch::Alarm') {
        const actions = [...asList(props.AlarmActions), ...asList(props.OKActions)];
        if (!actions.some((action) => refersTo(action, topicId))) continue;
        publishers.push({
          what: `alarm ${String(props.AlarmName)}`,
          principal: 'cloudwatch.amazonaws.com',
          sourceArn: `arn:${PARTITION}:cloudwatch:${region}:${account}:alarm:${String(props.AlarmName)}`,
        });
      }
      if (resource.Type === 'AWS::Events::Rule') {
        if (!asList(props.Targets).some((target) => refersTo((target as Json).Arn, topicId))) continue;
        publishers.push({ what: `rule ${id}`, principal: 'events.amazonaws.com', sourceArn: `<${id}.Arn>` });
      }
    }
    const statements = resources
      .filter(([, r]) => r.Type === 'AWS::SNS::TopicPolicy')
      .filter(([, r]) => asList(r.Properties?.Topics).some((topic) => refersTo(topic, topicId)))
      .flatMap(([, r]) => asList((r.Properties?.PolicyDocument as Json | undefined)?.Statement) as Json[]);
    const refused = publishers
      .filter(
        (publisher) =>
          !statements.some(
            (statement) =>
              statement.Effect === 'Allow' &&
              asList(statement.Action).includes('sns:Publish') &&
              asList((statement.Principal as Json | undefined)?.Service).includes(publisher.principal) &&
              asList(statement.Resource).some((resource) => refersTo(resource, topicId)) &&
              conditionsHold(statement, { 'aws:SourceArn': publisher.sourceArn, 'aws:SourceAccount': account }, pseudo),
          ),
      )
      .map((publisher) => publisher.what);
    report.push({ topic: topicId, publishers: publishers.length, refused });
  }
  return report;
}

function topicsOf(assembly: CloudAssembly) {
  return assembly.stacks.map((stack) => {
    const account = stack.environment.account === 'unknown-account' ? '123456789012' : stack.environment.account;
    const region = stack.environment.region === 'unknown-region' ? 'eu-central-1' : stack.environment.region;
    return { stack: stack.stackName, topics: unauthorizedPublishers(stack.template, account, region) };
  });
}

let workspace: Workspace;
let single: CloudAssembly;
let fleet: CloudAssembly;
beforeAll(async () => {
  workspace = new Workspace();
  single = await synthesizeConfigFile(workspace, 'examples/canary.config.json');
  fleet = await synthesizeConfigFile(workspace, 'examples/fleet.config.json');
});
afterAll(() => {
  workspace.remove();
});

describe('topic publishers', () => {
  it('lets every alarm of the single stack publish', () => {
    const [stack] = topicsOf(single);

    expect(stack?.topics).toHaveLength(1);
    expect(stack?.topics[0]?.publishers).toBeGreaterThan(3);
    expect(stack?.topics[0]?.refused).toEqual([]);
  });

  it('lets every publisher of every fleet topic publish', () => {
    const stacks = topicsOf(fleet).filter((stack) => stack.topics.length > 0);

    // Four vantage alarm topics and the monitoring stack's topic, each with someone wired to it.
    expect(stacks).toHaveLength(5);
    for (const { topics } of stacks) {
      expect(topics).toHaveLength(1);
      expect(topics[0]?.publishers).toBeGreaterThan(0);
      expect(topics[0]?.refused).toEqual([]);
    }
  });

  it('keeps the SSL-only deny on every topic', () => {
    for (const assembly of [single, fleet]) {
      for (const stack of assembly.stacks) {
        const resources = Object.values(stack.template.Resources as Record<string, Resource>);
        const topics = resources.filter((r) => r.Type === 'AWS::SNS::Topic').length;
        const denies = resources
          .filter((r) => r.Type === 'AWS::SNS::TopicPolicy')
          .flatMap((r) => asList((r.Properties?.PolicyDocument as Json | undefined)?.Statement) as Json[])
          .filter((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport'));

        expect(denies).toHaveLength(topics);
      }
    }
  });

  it('scopes the alarm grant to this canary: another canary sharing a name prefix is refused', () => {
    const [stack] = single.stacks;
    const template = structuredClone(stack?.template) as { Resources: Record<string, Resource> };
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type === 'AWS::CloudWatch::Alarm' && resource.Properties !== undefined) {
        resource.Properties.AlarmName = `port25-canary other ${String(resource.Properties.AlarmName)}`;
      }
    }

    expect(unauthorizedPublishers(template, '123456789012', 'eu-central-1')[0]?.refused.length).toBeGreaterThan(3);
  });
});
