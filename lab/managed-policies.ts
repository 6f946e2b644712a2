import type { PolicyDocument } from './local-aws/iam.js';

/**
 * The AWS managed policies the synthesized templates attach (ManagedPolicyArns), as documents the lab carries: AWS
 * writes and versions them, so the lab keeps a copy of the default version and says where it came from. A template
 * attaching one the lab does not carry fails the deploy (nothing is granted silently).
 */

export interface ManagedPolicy {
  readonly arn: string;
  /** Where the document was copied from, and which version. */
  readonly copiedFrom: string;
  readonly document: PolicyDocument;
}

export const MANAGED_POLICIES: readonly ManagedPolicy[] = [
  {
    arn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    copiedFrom:
      'AWS Managed Policy Reference Guide, https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html (version v1, edited 2015-04-09)',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: '*',
        },
      ],
    },
  },
];

export function managedPolicy(arn: string): ManagedPolicy | undefined {
  return MANAGED_POLICIES.find((policy) => policy.arn === arn);
}
