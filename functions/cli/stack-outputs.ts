import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { AWS_REQUEST_TIMEOUT_MS, type AwsClientOptions, awsClientSettings } from '../orchestrator/aws-clients.js';
import { AwsCallError, errorName } from '../orchestrator/errors.js';
import { UsageError } from '../shared/command-line/usage-error.js';
import { InputError } from '../shared/errors.js';
import { STACK_OUTPUTS, type StackOutputKey } from '../shared/runtime-environment.js';

/** A stack name (CloudFormation: a letter, then letters, digits and hyphens, at most 128) or a stack ID (ARN). */
const STACK_NAME = /^[A-Za-z][-A-Za-z0-9]{0,127}$/;
const STACK_ARN = /^arn:aws[-a-z]*:cloudformation:[a-z0-9-]+:\d{12}:stack\/[A-Za-z][-A-Za-z0-9]{0,127}\/[-0-9a-f]+$/;

export function stackNameOption(value: string | undefined): string | undefined {
  if (value === undefined || STACK_NAME.test(value) || STACK_ARN.test(value)) return value;
  throw new UsageError(
    `--stack must be a CloudFormation stack name (a letter, then letters, digits and hyphens, at most 128) or a stack ID, got ${JSON.stringify(value)}`,
  );
}

/** The stack does not exist, or lacks the outputs a run needs (deployed by an older version): bad input, exit 2. */
export class StackOutputsError extends InputError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StackOutputsError';
  }
}

/** One attempt within the usual request timeout, like the run's other clients; the SDK's default chain decides the rest. */
export function createCloudFormationClient(options: AwsClientOptions): CloudFormationClient {
  return new CloudFormationClient({
    requestHandler: { requestTimeout: AWS_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    ...awsClientSettings(options),
  });
}

// Written by every stack this version deploys; the VPC's primary CIDR only when the stack knows it.
const REQUIRED_OUTPUTS: readonly StackOutputKey[] = [
  'ProbeCluster',
  'ProbeTaskDefinition',
  'ProbeContainerName',
  'ProbeSubnets',
  'ProbeSecurityGroups',
  'ProbeAssignPublicIp',
  'ProbeLogGroup',
  'ProbeLogStreamPrefix',
];

/**
 * The run settings the stack outputs, as the runtime variables they stand for (PORT25_CLUSTER, ...), to be applied to
 * the config exactly as the deployed function applies its environment.
 */
export async function readStackRunSettings(
  client: CloudFormationClient,
  stackName: string,
): Promise<Record<string, string>> {
  let stack: Stack | undefined;
  try {
    stack = (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (error) {
    // CloudFormation answers a stack it does not know with ValidationError "Stack with id X does not exist".
    if (errorName(error) === 'ValidationError') {
      throw new StackOutputsError(`--stack ${stackName}: ${(error as Error).message}`, { cause: error });
    }
    throw new AwsCallError(`CloudFormation DescribeStacks (stack ${stackName})`, error);
  }
  if (stack === undefined) throw new StackOutputsError(`--stack ${stackName}: CloudFormation returned no such stack`);
  const outputs = new Map((stack.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]));
  const missing = REQUIRED_OUTPUTS.filter((key) => outputs.get(key) === undefined);
  if (missing.length > 0) {
    throw new StackOutputsError(
      `--stack ${stackName}: the stack has no output ${missing.join(', ')} (status ${stack.StackStatus ?? 'unknown'}); deploy it with this version of port25-canary`,
    );
  }
  const settings: Record<string, string> = {};
  for (const [key, variable] of Object.entries(STACK_OUTPUTS)) {
    const value = outputs.get(key);
    if (value !== undefined && value !== '') settings[variable] = value;
  }
  return settings;
}
