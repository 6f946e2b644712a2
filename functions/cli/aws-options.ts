import type { AwsClientOptions } from '../orchestrator/aws-clients.js';
import { UsageError } from '../shared/command-line/usage-error.js';

/** `--profile` and `--region`, as the AWS CLI has them, for the commands that call AWS. */
export const AWS_OPTIONS = {
  profile: { type: 'string' },
  region: { type: 'string' },
} as const;

export const AWS_OPTIONS_HELP = `  --profile NAME     the named profile from ~/.aws/config and ~/.aws/credentials (default: $AWS_PROFILE, else default)
  --region REGION    the AWS Region, e.g. eu-west-1 (default: $AWS_REGION, else the profile's region)`;

// Region names: two letters, one or more words, a number (us-east-1, us-gov-west-1, ap-southeast-5, eu-isoe-west-1).
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
// Profile names are free-form in the config files but cannot hold whitespace or brackets there.
const PROFILE = /^[^\s[\]]{1,128}$/;

export function awsClientOptions(values: {
  profile?: string | undefined;
  region?: string | undefined;
}): AwsClientOptions {
  const { profile, region } = values;
  if (region !== undefined && !REGION.test(region)) {
    throw new UsageError(`--region must be an AWS Region name such as eu-west-1, got ${JSON.stringify(region)}`);
  }
  if (profile !== undefined && !PROFILE.test(profile)) {
    throw new UsageError(
      `--profile must be a profile name from ~/.aws/config (no spaces or brackets), got ${JSON.stringify(profile)}`,
    );
  }
  return { region, profile };
}
