import type { AuthorizationRequest, LocalPrincipal, PolicyDocument } from './iam.js';
import type { JsonObject } from './protocol.js';

/**
 * What each operation the local AWS serves asks of IAM: the action, the resource ARN and the condition keys AWS puts in
 * the request context (Service Authorization Reference, "Actions, resources, and condition keys" of ECS, CloudWatch
 * Logs, CloudWatch, EventBridge, Lambda, EC2, CloudFormation). RunTask also checks iam:PassRole of the task
 * definition's task and execution roles, with iam:PassedToService ecs-tasks.amazonaws.com (ECS Developer Guide,
 * "Amazon ECS task execution IAM role": the caller needs iam:PassRole for the roles the task uses).
 */

export interface AuthorizationState {
  readonly region: string;
  readonly accountId: string;
  readonly clusterArn: string;
  /** `arn:...:task-definition/FAMILY:REVISION` */
  readonly taskDefinitionArn: string;
  readonly taskRoleArn: string | undefined;
  readonly executionRoleArn: string | undefined;
  /** A function's ARN and resource policy by name; undefined for a function the endpoint does not know. */
  readonly functionOf: (name: string) => { readonly arn: string; readonly policy: PolicyDocument } | undefined;
  /** The unique part of a stack's ID (the UUID after its name), as its ARN carries it. */
  readonly stackIdOf: (name: string) => string;
  /** A bus's resource policy by name (undefined: none). */
  readonly busPolicyOf: (name: string) => PolicyDocument | undefined;
}

function taskArns(state: AuthorizationState, input: JsonObject): string[] {
  const tasks = Array.isArray(input.tasks) ? input.tasks : typeof input.task === 'string' ? [input.task] : [];
  const clusterName = state.clusterArn.split('/').at(-1);
  return tasks.map((task) =>
    String(task).startsWith('arn:')
      ? String(task)
      : `arn:aws:ecs:${state.region}:${state.accountId}:task/${clusterName}/${String(task)}`,
  );
}

/** The IAM checks of one JSON-protocol request (X-Amz-Target `prefix.Operation`). */
export function jsonRequestChecks(
  target: string,
  input: JsonObject,
  caller: LocalPrincipal,
  state: AuthorizationState,
): AuthorizationRequest[] {
  const { region, accountId } = state;
  const base = { caller, resourceAccount: accountId };
  const ecsContext = { 'ecs:cluster': state.clusterArn };
  const [, operation] = target.split('.');
  switch (operation) {
    case 'RunTask': {
      const passRoles = [state.taskRoleArn, state.executionRoleArn].filter(
        (role): role is string => role !== undefined,
      );
      const tags = Array.isArray(input.tags) && input.tags.length > 0;
      return [
        { ...base, action: 'ecs:RunTask', resource: state.taskDefinitionArn, context: ecsContext },
        ...(tags
          ? [
              {
                ...base,
                action: 'ecs:TagResource',
                resource: `arn:aws:ecs:${region}:${accountId}:task/${state.clusterArn.split('/').at(-1)}/*`,
                context: { ...ecsContext, 'ecs:CreateAction': 'RunTask' },
              },
            ]
          : []),
        ...passRoles.map((role) => ({
          ...base,
          action: 'iam:PassRole',
          resource: role,
          context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
        })),
      ];
    }
    case 'DescribeTasks':
      return taskArns(state, input).map((resource) => ({
        ...base,
        action: 'ecs:DescribeTasks',
        resource,
        context: ecsContext,
      }));
    case 'StopTask':
      return taskArns(state, input).map((resource) => ({
        ...base,
        action: 'ecs:StopTask',
        resource,
        context: ecsContext,
      }));
    case 'GetLogEvents': {
      const group = String(input.logGroupName ?? '');
      const stream = String(input.logStreamName ?? '');
      return [
        {
          ...base,
          action: 'logs:GetLogEvents',
          resource: `arn:aws:logs:${region}:${accountId}:log-group:${group}:log-stream:${stream}`,
        },
      ];
    }
    case 'PutMetricData':
      return [
        {
          ...base,
          action: 'cloudwatch:PutMetricData',
          resource: '*',
          context: { 'cloudwatch:namespace': String(input.Namespace ?? '') },
        },
      ];
    case 'PutEvents': {
      const buses = new Set(
        (Array.isArray(input.Entries) ? input.Entries : []).map((entry) =>
          String((entry as JsonObject).EventBusName ?? 'default'),
        ),
      );
      return [...buses].map((bus) => {
        const arn = bus.startsWith('arn:') ? bus : `arn:aws:events:${region}:${accountId}:event-bus/${bus}`;
        const owner = arn.split(':')[4] ?? accountId;
        const name = arn.split('/').at(-1) ?? bus;
        return {
          caller,
          action: 'events:PutEvents',
          resource: arn,
          resourceAccount: owner,
          resourcePolicy: state.busPolicyOf(name),
        };
      });
    }
    default:
      return [];
  }
}

/** Lambda Invoke: lambda:InvokeFunction on the function, with the function's resource policy. */
export function invokeChecks(
  functionName: string,
  caller: LocalPrincipal,
  state: AuthorizationState,
): AuthorizationRequest[] {
  const known = state.functionOf(functionName);
  // A bare name means a function in the caller's own account, as Lambda resolves it.
  const arn =
    known?.arn ??
    (functionName.startsWith('arn:')
      ? functionName
      : `arn:aws:lambda:${state.region}:${caller.accountId}:function:${functionName}`);
  return [
    {
      caller,
      action: 'lambda:InvokeFunction',
      resource: arn,
      resourceAccount: arn.split(':')[4] ?? state.accountId,
      resourcePolicy: known?.policy,
    },
  ];
}

/** The query protocols (EC2, CloudFormation): the action named by `Action`. */
export function queryChecks(
  action: string,
  form: URLSearchParams,
  caller: LocalPrincipal,
  state: AuthorizationState,
): AuthorizationRequest[] {
  const base = { caller, resourceAccount: state.accountId };
  switch (action) {
    case 'DescribeSubnets':
    case 'DescribeVpcs':
      // EC2's Describe actions accept no resource-level permissions: the resource is always `*`.
      return [{ ...base, action: `ec2:${action}`, resource: '*' }];
    case 'DescribeStacks': {
      const name = form.get('StackName') ?? '*';
      const resource = name.startsWith('arn:')
        ? name
        : `arn:aws:cloudformation:${state.region}:${state.accountId}:stack/${name}/${state.stackIdOf(name)}`;
      return [{ ...base, action: 'cloudformation:DescribeStacks', resource }];
    }
    default:
      return [];
  }
}
