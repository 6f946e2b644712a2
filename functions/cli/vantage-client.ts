import { LambdaClient } from '@aws-sdk/client-lambda';
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { VantageCredentials } from '../shared/config.js';
import type { ResolvedVantage } from '../shared/fleet.js';
import { INVOKE_REQUEST_TIMEOUT_MS } from './commands/invoke.js';

/** Names the caller in CloudTrail of the vantage account. */
export const ROLE_SESSION_NAME = 'port25-canary-invoke-fleet';

type CredentialProvider = NonNullable<ConstructorParameters<typeof LambdaClient>[0]>['credentials'];

/**
 * The vantage's credentials: a profile (fromIni), a role assumed with STS (with the profile's credentials, or the
 * default chain's), or the default chain when the config names neither.
 */
export function vantageCredentials(credentials: VantageCredentials | undefined, region: string): CredentialProvider {
  if (credentials === undefined) return undefined;
  const profile = credentials.profile === undefined ? undefined : fromIni({ profile: credentials.profile });
  if (credentials.roleArn === undefined) return profile;
  return fromTemporaryCredentials({
    params: { RoleArn: credentials.roleArn, RoleSessionName: ROLE_SESSION_NAME },
    ...(profile === undefined ? {} : { masterCredentials: profile }),
    clientConfig: { region },
  });
}

/** A Lambda client in the vantage's region with its credentials; one attempt, as `invoke` (not idempotent). */
export function createVantageLambdaClient(vantage: ResolvedVantage): LambdaClient {
  const { region, credentials } = vantage.settings;
  return new LambdaClient({
    region,
    credentials: vantageCredentials(credentials, region),
    maxAttempts: 1,
    requestHandler: { requestTimeout: INVOKE_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
  });
}
