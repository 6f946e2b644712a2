import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuleInvocationRecord } from './deliveries.js';
import { AccessDeniedError, type LocalIam } from './local-aws/iam.js';
import { type LocalSns, SnsPublishError } from './local-aws/sns.js';
import type { SynthesizedStack } from './local-deployment.js';
import { type DeployedRule, type StackResources, stackResources } from './stack-resources.js';

/**
 * The fleet's cloud assembly deployed locally: every stack `cdk synth -c config=<fleet config>` wrote (each vantage,
 * the sink stacks, the monitoring stack) in its own account and Region, each vantage function checked against its
 * own config, and run events routed as EventBridge routes them: a vantage's forwarding rule puts the event on the
 * fleet bus with the rule's role (the role's identity policy and the bus policy must both allow it, across accounts:
 * EventBridge User Guide, "Sending and receiving events between AWS accounts"), and the monitoring stack's rule
 * publishes it to the fleet topic as events.amazonaws.com (the topic policy decides).
 */

/** The file the orchestrator reads from its task root (the asset directory). */
export const ASSET_CONFIG_FILE = 'canary.config.json';

export interface FleetVantageExpectation {
  readonly name: string;
  readonly canaryName: string;
  readonly functionName: string;
  readonly port25Released: boolean;
  readonly targets: readonly string[];
}

/** Deploys each stack in the account and Region its environment names (CloudFormation's quotas checked). */
export function deployAssembly(stacks: readonly SynthesizedStack[]): StackResources[] {
  return stacks.map((stack) => {
    if (stack.account === undefined || stack.region === undefined) {
      throw new Error(`${stack.stackName}: a fleet stack must name its account and Region`);
    }
    return stackResources(stack, { accountId: stack.account, region: stack.region });
  });
}

/** The stack holding a vantage's function. */
export function vantageStack(
  resources: readonly StackResources[],
  vantage: FleetVantageExpectation,
): StackResources | undefined {
  return resources.find((stack) => stack.functions.some((fn) => fn.name === vantage.functionName));
}

/** Each vantage function must run its own config: its canary name, its targets, its port25Released. */
export async function vantageAssetProblems(
  resources: readonly StackResources[],
  vantages: readonly FleetVantageExpectation[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const vantage of vantages) {
    const fn = vantageStack(resources, vantage)?.functions.find((candidate) => candidate.name === vantage.functionName);
    if (fn === undefined) {
      problems.push(`${vantage.name}: no stack of the fleet's assembly deploys the function ${vantage.functionName}`);
      continue;
    }
    const file = join(fn.codeDirectory, ASSET_CONFIG_FILE);
    const config = JSON.parse(await readFile(file, 'utf8')) as {
      canaryName?: string;
      port25Released?: boolean;
      targets?: { name: string }[];
    };
    const targets = (config.targets ?? []).map((target) => target.name);
    if (config.canaryName !== vantage.canaryName) {
      problems.push(
        `${vantage.name}: the function ${fn.name} deploys the config of canary ${config.canaryName} (${file}), not its own ${vantage.canaryName}`,
      );
    }
    if ((config.port25Released ?? false) !== vantage.port25Released) {
      problems.push(`${vantage.name}: its asset's config says port25Released ${config.port25Released}`);
    }
    if (targets.join(',') !== vantage.targets.join(',')) {
      problems.push(
        `${vantage.name}: its asset's config probes ${targets.join(', ')}, not ${vantage.targets.join(', ')}`,
      );
    }
  }
  return problems;
}

type Pattern = Record<string, unknown>;

/** EventBridge's event pattern matching, for the patterns the templates use: value lists, prefix, nested fields. */
export function matchesPattern(pattern: Pattern | undefined, event: Record<string, unknown>): boolean {
  if (pattern === undefined) return false;
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = event[key];
    if (Array.isArray(expected)) {
      return expected.some((candidate) => {
        if (typeof candidate === 'object' && candidate !== null && 'prefix' in candidate) {
          return typeof actual === 'string' && actual.startsWith(String((candidate as { prefix: unknown }).prefix));
        }
        return actual === candidate;
      });
    }
    if (typeof expected === 'object' && expected !== null) {
      return typeof actual === 'object' && actual !== null && matchesPattern(expected as Pattern, actual as Pattern);
    }
    return false;
  });
}

export interface RoutedEvent {
  /** The buses the event reached, by ARN. */
  readonly buses: readonly string[];
  /** The topics the event was published to. */
  readonly topics: readonly string[];
  /** Each delivery that failed, in AWS's words. */
  readonly failures: readonly string[];
}

/**
 * Routes one event put on a vantage's default bus: every matching rule of the vantage's stack delivers it to its
 * targets (another account's bus with the rule's role), and on each bus reached every matching rule of the stack that
 * owns the bus delivers it on (an SNS topic as events.amazonaws.com). Failures are recorded as the rule's
 * FailedInvocations.
 */
export async function routeEvent(
  event: Record<string, unknown>,
  source: StackResources,
  fleet: readonly StackResources[],
  iam: LocalIam,
  sns: LocalSns,
  records: RuleInvocationRecord[],
): Promise<RoutedEvent> {
  const buses: string[] = [];
  const topics: string[] = [];
  const failures: string[] = [];
  const fail = (rule: DeployedRule, target: string, message: string) => {
    failures.push(`${rule.name} → ${target}: ${message} (the rule's FailedInvocations counts 1)`);
    records.push({ ruleArn: rule.arn, targetArn: target, failed: true, error: message });
  };
  const deliverOnBus = async (owner: StackResources, busName: string, received: Record<string, unknown>) => {
    for (const rule of owner.rules.filter((candidate) => candidate.busName === busName)) {
      if (!matchesPattern(rule.eventPattern, received)) continue;
      for (const target of rule.targets) {
        if (target.arn.startsWith('arn:aws:sns:')) {
          try {
            await sns.publish({
              caller: { service: 'events.amazonaws.com' },
              topicArn: target.arn,
              message: JSON.stringify(received),
              sourceArn: rule.arn,
              sourceAccount: owner.accountId,
            });
            topics.push(target.arn);
            records.push({ ruleArn: rule.arn, targetArn: target.arn, failed: false, error: undefined });
          } catch (error) {
            if (!(error instanceof SnsPublishError)) throw error;
            fail(rule, target.arn, error.message);
          }
        } else if (target.arn.includes(':event-bus/')) {
          await toBus(owner, rule, target.arn, target.roleArn, received);
        }
      }
    }
  };
  const toBus = async (
    owner: StackResources,
    rule: DeployedRule,
    busArn: string,
    roleArn: string | undefined,
    received: Record<string, unknown>,
  ) => {
    const busAccount = busArn.split(':')[4] ?? '';
    const busName = busArn.split('/').at(-1) ?? '';
    const busOwner = fleet.find(
      (stack) => stack.accountId === busAccount && stack.buses.some((bus) => bus.arn === busArn),
    );
    const role = owner.roles.find((candidate) => candidate.arn === roleArn);
    if (busOwner === undefined || role === undefined) {
      fail(rule, busArn, busOwner === undefined ? 'no stack of the assembly creates this bus' : 'the rule has no role');
      return;
    }
    try {
      await iam.authorize({
        caller: {
          arn: `arn:aws:sts::${owner.accountId}:assumed-role/${role.name}/${rule.name}`.slice(0, 512),
          accountId: owner.accountId,
          policies: role.policies,
        },
        action: 'events:PutEvents',
        resource: busArn,
        resourceAccount: busAccount,
        resourcePolicy: busOwner.buses.find((bus) => bus.arn === busArn)?.policy,
      });
    } catch (error) {
      if (!(error instanceof AccessDeniedError)) throw error;
      fail(rule, busArn, error.message);
      return;
    }
    records.push({ ruleArn: rule.arn, targetArn: busArn, failed: false, error: undefined });
    buses.push(busArn);
    await deliverOnBus(busOwner, busName, received);
  };
  await deliverOnBus(source, 'default', event);
  return { buses, topics, failures };
}
