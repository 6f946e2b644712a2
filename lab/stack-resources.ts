import { resolve } from 'node:path';
import type { NamedPolicy, PolicyDocument } from './local-aws/iam.js';
import {
  type CloudFormationResource,
  DeploymentError,
  functionEnvironment,
  LocalResolver,
  quotaProblems,
  type SynthesizedStack,
} from './local-deployment.js';
import { managedPolicy } from './managed-policies.js';

/**
 * A local "deploy" of one synthesized stack: every resource the lab models, read from the template with the lab's
 * physical names in the stack's account and Region — IAM roles with all their policies (inline, AWS::IAM::Policy, AWS
 * managed), functions with their own asset directory, environment, role and resource policy (from
 * AWS::Lambda::Permission), SNS topics with their topic policy and subscriptions, EventBridge rules and buses with
 * their policies, and alarms with their actions. Every other resource type is listed, never dropped silently.
 */

type Json = Record<string, unknown>;

export interface DeployedRole {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly policies: readonly NamedPolicy[];
}

export interface DeployedFunction {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** The function's own asset directory: its handler bundle (and config file), as uploaded. */
  readonly codeDirectory: string;
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly roleArn: string;
  /** The function policy Lambda builds from the stack's AWS::Lambda::Permission resources. */
  readonly resourcePolicy: PolicyDocument;
}

export interface DeployedSubscription {
  readonly protocol: string;
  readonly endpoint: string;
}

export interface DeployedTopic {
  readonly logicalId: string;
  readonly arn: string;
  readonly name: string;
  readonly displayName: string | undefined;
  /** The topic policy; undefined when the stack sets none and SNS's default policy applies. */
  readonly policy: PolicyDocument | undefined;
  readonly subscriptions: readonly DeployedSubscription[];
}

export interface DeployedRuleTarget {
  readonly id: string;
  readonly arn: string;
  readonly roleArn: string | undefined;
  readonly input: string | undefined;
}

export interface DeployedRule {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly busName: string;
  readonly scheduleExpression: string | undefined;
  readonly eventPattern: Json | undefined;
  readonly targets: readonly DeployedRuleTarget[];
}

export interface DeployedBus {
  readonly name: string;
  readonly arn: string;
  readonly policy: PolicyDocument | undefined;
}

export interface DeployedAlarmActions {
  readonly alarmName: string;
  readonly arn: string;
  readonly alarmActions: readonly string[];
  readonly okActions: readonly string[];
  readonly insufficientDataActions: readonly string[];
}

export interface DeployedTaskDefinition {
  readonly logicalId: string;
  readonly family: string;
  readonly taskRoleArn: string | undefined;
  readonly executionRoleArn: string | undefined;
}

export interface StackResources {
  readonly stackName: string;
  readonly accountId: string;
  readonly region: string;
  readonly roles: readonly DeployedRole[];
  readonly functions: readonly DeployedFunction[];
  readonly topics: readonly DeployedTopic[];
  readonly rules: readonly DeployedRule[];
  readonly buses: readonly DeployedBus[];
  readonly alarms: readonly DeployedAlarmActions[];
  readonly taskDefinitions: readonly DeployedTaskDefinition[];
  /** Resource types of the template the lab does not model, with how many of each. */
  readonly notModelled: Readonly<Record<string, number>>;
}

/** The types the local deploy reads; the rest are listed as not modelled. */
export const MODELLED_TYPES = new Set([
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::Lambda::Function',
  'AWS::Lambda::Permission',
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::SNS::Subscription',
  'AWS::Events::Rule',
  'AWS::Events::EventBus',
  'AWS::Events::EventBusPolicy',
  'AWS::CloudWatch::Alarm',
  'AWS::ECS::Cluster',
  'AWS::ECS::TaskDefinition',
  'AWS::Logs::LogGroup',
  'AWS::EC2::VPC',
  'AWS::EC2::Subnet',
  'AWS::EC2::SecurityGroup',
]);

const POLICY_VERSION = '2012-10-17';

function ofType(resources: Readonly<Record<string, CloudFormationResource>>, type: string) {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function referencedIds(value: unknown): string[] {
  return asArray(value).flatMap((item) => {
    const ref = (item as Json | null)?.Ref;
    return typeof ref === 'string' ? [ref] : [];
  });
}

function document(value: unknown): PolicyDocument {
  const policy = value as PolicyDocument | undefined;
  if (!policy || policy.Statement === undefined) throw new DeploymentError('a policy without statements');
  return { Version: policy.Version ?? POLICY_VERSION, Statement: asArray(policy.Statement) };
}

/** Lambda's function policy statement for one AWS::Lambda::Permission (Lambda Developer Guide, resource policies). */
function permissionStatement(logicalId: string, properties: Json, functionArn: string): Json {
  const principal = String(properties.Principal);
  const condition: Json = {};
  if (properties.SourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': properties.SourceArn };
  if (properties.SourceAccount !== undefined)
    condition.StringEquals = { 'AWS:SourceAccount': properties.SourceAccount };
  return {
    Sid: logicalId,
    Effect: 'Allow',
    Principal: principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
    Action: properties.Action,
    Resource: functionArn,
    ...(Object.keys(condition).length === 0 ? {} : { Condition: condition }),
  };
}

export function stackResources(
  stack: SynthesizedStack,
  account: { readonly accountId: string; readonly region: string },
): StackResources {
  const problems = quotaProblems(stack);
  if (problems.length > 0) throw new DeploymentError(`CloudFormation would refuse the stack:\n${problems.join('\n')}`);
  const resolver = new LocalResolver(stack, account.region, account.accountId);
  const { Resources: resources } = stack.template;
  const deep = (value: unknown) => resolver.resolveDeep(value);

  const policiesByRole = new Map<string, NamedPolicy[]>();
  const addPolicy = (roleId: string, policy: NamedPolicy) =>
    policiesByRole.set(roleId, [...(policiesByRole.get(roleId) ?? []), policy]);
  for (const [logicalId, resource] of ofType(resources, 'AWS::IAM::Policy')) {
    const properties = resource.Properties ?? {};
    const policy = document(deep(properties.PolicyDocument));
    for (const roleId of referencedIds(properties.Roles)) {
      addPolicy(roleId, { name: String(properties.PolicyName ?? logicalId), policy });
    }
  }
  const roles = ofType(resources, 'AWS::IAM::Role').map(([logicalId, resource]): DeployedRole => {
    const properties = resource.Properties ?? {};
    const inline = asArray(properties.Policies).map((raw) => {
      const entry = raw as Json;
      return { name: String(entry.PolicyName), policy: document(deep(entry.PolicyDocument)) };
    });
    const managed = asArray(properties.ManagedPolicyArns).map((raw) => {
      const arn = resolver.resolve(raw);
      const carried = managedPolicy(arn);
      if (!carried) {
        throw new DeploymentError(
          `${stack.stackName}/${logicalId} attaches ${arn}, an AWS managed policy the lab does not carry (lab/managed-policies.ts)`,
        );
      }
      return { name: arn, policy: carried.document };
    });
    return {
      logicalId,
      name: resolver.ref(logicalId),
      arn: resolver.getAtt(logicalId, 'Arn'),
      policies: [...inline, ...managed, ...(policiesByRole.get(logicalId) ?? [])],
    };
  });

  const permissions = ofType(resources, 'AWS::Lambda::Permission');
  const functions = ofType(resources, 'AWS::Lambda::Function').flatMap(([logicalId, resource]): DeployedFunction[] => {
    const properties = resource.Properties ?? {};
    const assetPath = resource.Metadata?.['aws:asset:path'];
    // Functions whose code is not a bundled asset of this project (CDK's custom-resource providers) run at deploy
    // time only; the lab lists them with what it does not model.
    if (resource.Metadata?.['aws:asset:is-bundled'] !== true || typeof assetPath !== 'string') return [];
    const codeDirectory = resolve(stack.assemblyDirectory, assetPath);
    const environment = functionEnvironment(properties, codeDirectory, resolver);
    const arn = resolver.getAtt(logicalId, 'Arn');
    const statements = permissions
      .filter(([, permission]) => {
        const target = resolver.resolve(permission.Properties?.FunctionName);
        return target === arn || target === resolver.ref(logicalId);
      })
      .map(([permissionId, permission]) =>
        permissionStatement(permissionId, deep(permission.Properties ?? {}) as Json, arn),
      );
    return [
      {
        logicalId,
        name: resolver.ref(logicalId),
        arn,
        codeDirectory,
        handler: resolver.resolve(properties.Handler),
        timeoutSeconds: Number(properties.Timeout ?? 3),
        memorySizeMb: Number(properties.MemorySize ?? 128),
        environment,
        roleArn: resolver.resolve(properties.Role),
        resourcePolicy: { Version: POLICY_VERSION, Statement: statements },
      },
    ];
  });

  const topicPolicies = ofType(resources, 'AWS::SNS::TopicPolicy');
  const subscriptions = ofType(resources, 'AWS::SNS::Subscription').map(([, resource]) => ({
    topicArn: resolver.resolve(resource.Properties?.TopicArn),
    protocol: String(resource.Properties?.Protocol),
    endpoint: resolver.resolve(resource.Properties?.Endpoint),
  }));
  const topics = ofType(resources, 'AWS::SNS::Topic').map(([logicalId, resource]): DeployedTopic => {
    const arn = resolver.ref(logicalId);
    const policies = topicPolicies.filter(([, policy]) =>
      asArray(policy.Properties?.Topics).some((topic) => resolver.resolve(topic) === arn),
    );
    if (policies.length > 1)
      throw new DeploymentError(`${stack.stackName}: ${arn} has ${policies.length} topic policies`);
    const inline = asArray(resource.Properties?.Subscription).map((raw) => {
      const entry = raw as Json;
      return { protocol: String(entry.Protocol), endpoint: resolver.resolve(entry.Endpoint) };
    });
    return {
      logicalId,
      arn,
      name: arn.split(':').at(-1) as string,
      displayName: typeof resource.Properties?.DisplayName === 'string' ? resource.Properties.DisplayName : undefined,
      policy: policies[0] ? document(deep(policies[0][1].Properties?.PolicyDocument)) : undefined,
      subscriptions: [
        ...inline,
        ...subscriptions
          .filter((subscription) => subscription.topicArn === arn)
          .map(({ protocol, endpoint }) => ({ protocol, endpoint })),
      ],
    };
  });

  const rules = ofType(resources, 'AWS::Events::Rule').map(([logicalId, resource]): DeployedRule => {
    const properties = resource.Properties ?? {};
    return {
      logicalId,
      name: resolver.ref(logicalId),
      arn: resolver.getAtt(logicalId, 'Arn'),
      busName: properties.EventBusName === undefined ? 'default' : resolver.resolve(properties.EventBusName),
      scheduleExpression: typeof properties.ScheduleExpression === 'string' ? properties.ScheduleExpression : undefined,
      eventPattern: properties.EventPattern as Json | undefined,
      targets: asArray(properties.Targets).map((raw) => {
        const target = raw as Json;
        return {
          id: String(target.Id),
          arn: resolver.resolve(target.Arn),
          roleArn: target.RoleArn === undefined ? undefined : resolver.resolve(target.RoleArn),
          input: typeof target.Input === 'string' ? target.Input : undefined,
        };
      }),
    };
  });

  const busPolicies = ofType(resources, 'AWS::Events::EventBusPolicy').map(([logicalId, resource]) => {
    const properties = deep(resource.Properties ?? {}) as Json;
    const statement =
      properties.Statement !== undefined
        ? { Sid: properties.StatementId ?? logicalId, ...(properties.Statement as Json) }
        : {
            Sid: properties.StatementId ?? logicalId,
            Effect: 'Allow',
            Principal: { AWS: properties.Principal },
            Action: properties.Action,
            Resource: '*',
          };
    return { busName: String(properties.EventBusName ?? 'default'), statement };
  });
  const busPolicyOf = (name: string): PolicyDocument | undefined => {
    const statements = busPolicies.filter((policy) => policy.busName === name).map((policy) => policy.statement);
    return statements.length === 0 ? undefined : { Version: POLICY_VERSION, Statement: statements };
  };
  const buses: DeployedBus[] = ofType(resources, 'AWS::Events::EventBus').map(([logicalId]) => {
    const name = resolver.ref(logicalId);
    return { name, arn: resolver.getAtt(logicalId, 'Arn'), policy: busPolicyOf(name) };
  });
  if (busPolicies.some((policy) => policy.busName === 'default')) {
    buses.push({
      name: 'default',
      arn: `arn:aws:events:${account.region}:${account.accountId}:event-bus/default`,
      policy: busPolicyOf('default'),
    });
  }

  const alarms = ofType(resources, 'AWS::CloudWatch::Alarm').map(([logicalId, resource]): DeployedAlarmActions => {
    const properties = resource.Properties ?? {};
    const actions = (key: string) => asArray(properties[key]).map((action) => resolver.resolve(action));
    return {
      alarmName: resolver.ref(logicalId),
      arn: resolver.getAtt(logicalId, 'Arn'),
      alarmActions: actions('AlarmActions'),
      okActions: actions('OKActions'),
      insufficientDataActions: actions('InsufficientDataActions'),
    };
  });

  const taskDefinitions = ofType(resources, 'AWS::ECS::TaskDefinition').map(
    ([logicalId, resource]): DeployedTaskDefinition => {
      const properties = resource.Properties ?? {};
      const role = (key: string) => (properties[key] === undefined ? undefined : resolver.resolve(properties[key]));
      return {
        logicalId,
        family: resolver.taskDefinitionFamily(logicalId),
        taskRoleArn: role('TaskRoleArn'),
        executionRoleArn: role('ExecutionRoleArn'),
      };
    },
  );

  const notModelled: Record<string, number> = {};
  for (const [logicalId, resource] of Object.entries(resources)) {
    const modelled =
      MODELLED_TYPES.has(resource.Type) &&
      (resource.Type !== 'AWS::Lambda::Function' || functions.some((fn) => fn.logicalId === logicalId));
    if (!modelled) notModelled[resource.Type] = (notModelled[resource.Type] ?? 0) + 1;
  }

  return {
    stackName: stack.stackName,
    accountId: account.accountId,
    region: account.region,
    roles,
    functions,
    topics,
    rules,
    buses,
    alarms,
    taskDefinitions,
    notModelled,
  };
}

/** One line per stack: what the lab does not model, listed once at deploy. */
export function notModelledLine(resources: StackResources): string {
  const entries = Object.entries(resources.notModelled).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return `${resources.stackName}: every resource type is modelled`;
  return `${resources.stackName}: not modelled: ${entries.map(([type, count]) => `${type} ×${count}`).join(', ')}`;
}
