import { describe, expect, it } from 'vitest';
import { AccessDeniedError, LocalIam, type NamedPolicy } from '../../lab/local-aws/iam.js';

const ACCOUNT = '000000000000';
const ROLE = `arn:aws:sts::${ACCOUNT}:assumed-role/orchestrator/fn`;
const TASK_DEFINITION = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/probe:1`;
const CLUSTER = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/lab`;
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:alarms`;
const ALARM = `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:lab`;

const runTaskPolicy = {
  name: 'run',
  policy: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'ecs:RunTask',
        Resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/probe:*`,
        Condition: { ArnEquals: { 'ecs:cluster': CLUSTER } },
      },
    ],
  },
};

function orchestrator(iam: LocalIam, policies: readonly NamedPolicy[] = [runTaskPolicy]) {
  const credentials = iam.addPrincipal({ arn: ROLE, accountId: ACCOUNT, policies });
  return iam.principalFor(credentials.accessKeyId);
}

async function denial(promise: Promise<void>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AccessDeniedError);
  return (error as Error).message;
}

describe('the local IAM', () => {
  it('maps each access key to its principal', () => {
    const iam = new LocalIam();
    const one = iam.addPrincipal({ arn: ROLE, accountId: ACCOUNT, policies: [] });
    const two = iam.addPrincipal({ arn: `${ROLE}2`, accountId: ACCOUNT, policies: [] });
    expect(one.accessKeyId).not.toBe(two.accessKeyId);
    expect(iam.principalFor(two.accessKeyId)?.arn).toBe(`${ROLE}2`);
    expect(iam.principalFor('AKIAUNKNOWN')).toBeUndefined();
  });

  it('allows what an identity policy allows, condition met', async () => {
    const iam = new LocalIam();
    const caller = orchestrator(iam);
    if (!caller) throw new Error('no principal');
    await iam.authorize({
      caller,
      action: 'ecs:RunTask',
      resource: TASK_DEFINITION,
      resourceAccount: ACCOUNT,
      context: { 'ecs:cluster': CLUSTER },
    });
    expect(iam.decisions.at(-1)?.allowed).toBe(true);
  });

  it('denies for want of an identity policy, in AWS words', async () => {
    const iam = new LocalIam();
    const caller = orchestrator(iam, []);
    if (!caller) throw new Error('no principal');
    const request = { caller, action: 'ecs:RunTask', resource: TASK_DEFINITION, resourceAccount: ACCOUNT };
    expect(await denial(iam.authorize(request))).toBe(
      `User: ${ROLE} is not authorized to perform: ecs:RunTask on resource: ${TASK_DEFINITION} because no identity-based policy allows the ecs:RunTask action`,
    );
    expect(iam.denials()).toHaveLength(1);
  });

  it('denies when the condition is not met (another cluster)', async () => {
    const iam = new LocalIam();
    const caller = orchestrator(iam);
    if (!caller) throw new Error('no principal');
    const context = { 'ecs:cluster': `${CLUSTER}-other` };
    const request = { caller, action: 'ecs:RunTask', resource: TASK_DEFINITION, resourceAccount: ACCOUNT, context };
    expect(await denial(iam.authorize(request))).toContain('because no identity-based policy allows');
  });

  it('denies a service the resource policy does not name', async () => {
    const iam = new LocalIam();
    const resourcePolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 'sns:Publish',
          Resource: TOPIC,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    };
    const request = {
      caller: { service: 'cloudwatch.amazonaws.com' },
      action: 'sns:Publish',
      resource: TOPIC,
      resourceAccount: ACCOUNT,
      context: { 'aws:SourceArn': ALARM, 'aws:SourceAccount': ACCOUNT, 'aws:SecureTransport': 'true' },
      resourcePolicy,
    };
    expect(await denial(iam.authorize(request))).toBe(
      `User: cloudwatch.amazonaws.com is not authorized to perform: sns:Publish on resource: ${TOPIC} because no resource-based policy allows the sns:Publish action`,
    );
    const allowing = {
      ...resourcePolicy,
      Statement: [
        ...resourcePolicy.Statement,
        {
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: TOPIC,
          Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:*` } },
        },
      ],
    };
    await iam.authorize({ ...request, resourcePolicy: allowing });
    expect(iam.decisions.at(-1)?.allowed).toBe(true);
  });

  it('lets an explicit deny win over an allow', async () => {
    const iam = new LocalIam();
    const deny = {
      name: 'deny',
      policy: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'ecs:*', Resource: '*' }] },
    };
    const caller = orchestrator(iam, [runTaskPolicy, deny]);
    if (!caller) throw new Error('no principal');
    const request = {
      caller,
      action: 'ecs:RunTask',
      resource: TASK_DEFINITION,
      resourceAccount: ACCOUNT,
      context: { 'ecs:cluster': CLUSTER },
    };
    expect(await denial(iam.authorize(request))).toBe(
      `User: ${ROLE} is not authorized to perform: ecs:RunTask on resource: ${TASK_DEFINITION} with an explicit deny in an identity-based policy`,
    );
  });
});
