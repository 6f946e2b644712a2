import { describe, expect, it } from 'vitest';
import { quotaProblems, type SynthesizedStack } from '../../lab/local-deployment.js';
import { notModelledLine, stackResources } from '../../lab/stack-resources.js';

/** The local deploy's edges: CloudFormation's quotas, the types it lists as not modelled, unknown managed policies. */

const ACCOUNT = { accountId: '000000000000', region: 'us-east-1' };

function stack(resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>, extra = {}) {
  return {
    stackName: 's',
    template: { Resources: resources },
    assemblyDirectory: '/tmp',
    templateBytes: 100,
    ...extra,
  } as SynthesizedStack;
}

function topics(count: number) {
  return Object.fromEntries(Array.from({ length: count }, (_, index) => [`T${index}`, { Type: 'AWS::SNS::Topic' }]));
}

describe("CloudFormation's quotas", () => {
  it('accept 500 resources, 200 outputs and a 1 MB body', () => {
    const outputs = Object.fromEntries(Array.from({ length: 200 }, (_, index) => [`O${index}`, { Value: 'x' }]));
    const fits = stack(topics(500), {
      templateBytes: 1_048_576,
      template: { Resources: topics(500), Outputs: outputs },
    });

    expect(quotaProblems(fits)).toEqual([]);
  });

  it("refuse one more of each with CloudFormation's errors", () => {
    const outputs = Object.fromEntries(Array.from({ length: 201 }, (_, index) => [`O${index}`, { Value: 'x' }]));
    const over = stack(topics(501), {
      templateBytes: 1_048_577,
      template: { Resources: topics(501), Outputs: outputs },
    });

    expect(quotaProblems(over)).toEqual([
      's: Template may not exceed 1048576 bytes in size.',
      's: Template format error: Number of resources, 501, is greater than maximum allowed, 500',
      's: Template format error: Number of outputs, 201, is greater than maximum allowed, 200',
    ]);
    expect(() => stackResources(over, ACCOUNT)).toThrow(/^CloudFormation would refuse the stack:\ns: Template may not/);
  });
});

describe('the local deploy', () => {
  it('lists the types it does not model, once each with a count', () => {
    const resources = stackResources(
      stack({ D1: { Type: 'AWS::CloudWatch::Dashboard' }, D2: { Type: 'AWS::CloudWatch::Dashboard' }, ...topics(1) }),
      ACCOUNT,
    );

    expect(notModelledLine(resources)).toBe('s: not modelled: AWS::CloudWatch::Dashboard ×2');
    expect(resources.topics.map((topic) => topic.arn)).toEqual(['arn:aws:sns:us-east-1:000000000000:s-T0']);
  });

  it('refuses an AWS managed policy it does not carry, naming it', () => {
    const role = {
      Type: 'AWS::IAM::Role',
      Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
    };

    expect(() => stackResources(stack({ R: role }), ACCOUNT)).toThrow(
      's/R attaches arn:aws:iam::aws:policy/AdministratorAccess, an AWS managed policy the lab does not carry (lab/managed-policies.ts)',
    );
  });
});
