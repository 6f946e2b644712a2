import { spawn } from 'node:child_process';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTasksCommand, ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCredentials, LocalIam } from '../../lab/local-aws/iam.js';
import { type LocalAws, startLocalAws } from '../../lab/local-aws/server.js';

/**
 * The endpoint with IAM on: each caller's key names its principal, and a denied request answers as the service does,
 * through the real SDK clients (their deserializers read the error code from each protocol's own place).
 */

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/lab`;
const CALLER = `arn:aws:sts::${ACCOUNT}:assumed-role/caller/session`;
const TASK_ROLE = `arn:aws:iam::${ACCOUNT}:role/task`;

let endpoint: LocalAws;
let iam: LocalIam;
let allowed: LocalCredentials;
let nobody: LocalCredentials;

function config(credentials: LocalCredentials) {
  return { region: REGION, endpoint: endpoint.url, credentials, maxAttempts: 1 };
}

beforeAll(async () => {
  iam = new LocalIam();
  allowed = iam.addPrincipal({
    arn: CALLER,
    accountId: ACCOUNT,
    policies: [
      {
        name: 'run',
        policy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['ecs:RunTask', 'ecs:DescribeTasks'],
              Resource: '*',
              Condition: { ArnEquals: { 'ecs:cluster': CLUSTER_ARN } },
            },
            { Effect: 'Deny', Action: 'cloudwatch:PutMetricData', Resource: '*' },
          ],
        },
      },
    ],
  });
  nobody = iam.addPrincipal({
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/nobody/session`,
    accountId: ACCOUNT,
    policies: [],
  });
  endpoint = await startLocalAws({
    region: REGION,
    accountId: ACCOUNT,
    iam,
    resourcePolicies: {
      taskRoleArn: TASK_ROLE,
      functionPolicy: (name) =>
        name === 'fn'
          ? {
              arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fn`,
              policy: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Principal: { Service: 'events.amazonaws.com' },
                    Action: 'lambda:InvokeFunction',
                    Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fn`,
                  },
                ],
              },
            }
          : undefined,
    },
    clusterName: 'lab',
    taskDefinition: { family: 'probe', revision: 1, containerName: 'probe', defaultCommand: [] },
    logGroup: 'g',
    logStreamPrefix: 'probe',
    launchContainer: () => spawn(process.execPath, ['-e', ''], { stdio: ['ignore', 'pipe', 'pipe'] }),
    ecsLatencyMs: { RunTask: 0, DescribeTasks: 0, StopTask: 0 },
  });
});

afterAll(async () => {
  await endpoint.close();
});

describe('the endpoint with IAM', () => {
  it('serves a request the identity policy allows', async () => {
    const ecs = new ECSClient(config(allowed));
    const answer = await ecs.send(new DescribeTasksCommand({ cluster: 'lab', tasks: ['0123'] }));
    ecs.destroy();

    expect(answer.failures?.[0]?.reason).toBe('MISSING');
  });

  it('answers ECS 400 AccessDeniedException naming the missing iam:PassRole', async () => {
    const ecs = new ECSClient(config(allowed));
    const request = ecs.send(
      new RunTaskCommand({
        cluster: 'lab',
        taskDefinition: 'probe:1',
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'] } },
      }),
    );

    await expect(request).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
      message: `User: ${CALLER} is not authorized to perform: iam:PassRole on resource: ${TASK_ROLE} because no identity-based policy allows the iam:PassRole action`,
    });
    ecs.destroy();
  });

  it('answers CloudWatch 403 AccessDenied for an explicit deny', async () => {
    const cloudWatch = new CloudWatchClient(config(allowed));
    const request = cloudWatch.send(
      new PutMetricDataCommand({ Namespace: 'Port25Canary', MetricData: [{ MetricName: 'm', Value: 1 }] }),
    );

    await expect(request).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
      message: `User: ${CALLER} is not authorized to perform: cloudwatch:PutMetricData on resource: * with an explicit deny in an identity-based policy`,
    });
    cloudWatch.destroy();
  });

  it('answers Lambda 403 AccessDeniedException when no policy allows the caller', async () => {
    const lambda = new LambdaClient(config(nobody));
    const request = lambda.send(new InvokeCommand({ FunctionName: 'fn' }));

    await expect(request).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
      message: expect.stringMatching(
        /is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:000000000000:function:fn because no (identity|resource)-based policy allows/,
      ),
    });
    lambda.destroy();
  });

  it('refuses a key the local IAM never issued', async () => {
    const ecs = new ECSClient(config({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' }));
    const request = ecs.send(new DescribeTasksCommand({ cluster: 'lab', tasks: ['0123'] }));

    await expect(request).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    ecs.destroy();
  });
});
