import { spawn } from 'node:child_process';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, type LocalAws, startLocalAws } from '../../lab/local-aws/server.js';

/** The lab endpoint's CloudFormation DescribeStacks, read by the real SDK client (awsQuery request, XML answer). */

let endpoint: LocalAws;
let client: CloudFormationClient;

beforeAll(async () => {
  endpoint = await startLocalAws({
    region: 'eu-west-1',
    accountId: '111122223333',
    clusterName: 'p25cfn-cluster',
    taskDefinition: { family: 'p25cfn-probe', revision: 1, containerName: 'probe', defaultCommand: [] },
    logGroup: '/p25cfn',
    logStreamPrefix: 'probe',
    launchContainer: () => spawn(process.execPath, ['-e', ''], { stdio: ['ignore', 'pipe', 'pipe'] }),
    stacks: [
      {
        stackName: 'port25-canary-p25cfn',
        outputs: [
          { key: 'ProbeCluster', value: 'arn:aws:ecs:eu-west-1:111122223333:cluster/p25cfn-cluster', description: 'c' },
          { key: 'ProbeSubnets', value: 'subnet-01,subnet-02' },
          { key: 'Escaped', value: '<a & "b">' },
        ],
      },
    ],
  });
  client = new CloudFormationClient({
    region: endpoint.region,
    endpoint: endpoint.url,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await endpoint.close();
});

describe('the lab endpoint’s CloudFormation', () => {
  it('answers DescribeStacks with the stack, its status and its outputs, as the SDK parses them', async () => {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: 'port25-canary-p25cfn' }));

    expect(Stacks).toHaveLength(1);
    expect(Stacks?.[0]).toMatchObject({
      StackName: 'port25-canary-p25cfn',
      StackId: expect.stringMatching(/^arn:aws:cloudformation:eu-west-1:111122223333:stack\/port25-canary-p25cfn\//),
      StackStatus: 'CREATE_COMPLETE',
      CreationTime: expect.any(Date),
      Outputs: [
        {
          OutputKey: 'ProbeCluster',
          OutputValue: 'arn:aws:ecs:eu-west-1:111122223333:cluster/p25cfn-cluster',
          Description: 'c',
        },
        { OutputKey: 'ProbeSubnets', OutputValue: 'subnet-01,subnet-02' },
        { OutputKey: 'Escaped', OutputValue: '<a & "b">' },
      ],
    });
  });

  it('answers an unknown stack with CloudFormation’s ValidationError', async () => {
    const error = await client
      .send(new DescribeStacksCommand({ StackName: 'no-such-stack' }))
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      name: 'ValidationError',
      message: 'Stack with id no-such-stack does not exist',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('refuses a request signed with other credentials', async () => {
    const stranger = new CloudFormationClient({
      region: endpoint.region,
      endpoint: endpoint.url,
      credentials: { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'x' },
      maxAttempts: 1,
    });

    await expect(stranger.send(new DescribeStacksCommand({}))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
  });
});
