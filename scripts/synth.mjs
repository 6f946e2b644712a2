// `npm run synth`: `cdk synth --quiet` with everything that would reach the network switched off, so synth runs offline
// and without credentials (the app makes no lookups: a vantage's account and region are in the config, and a single
// canary's stack is environment-agnostic). Extra arguments go to `cdk synth` (`npm run synth -- -c config=my.json`).
//
// What the CDK CLI would otherwise do (AWS CDK Toolkit, "Configure CDK CLI settings" / `cdk synth` options):
// - notices: fetched from the notices endpoint; off by `--no-notices` (and `"notices": false` in cdk.json);
// - the version check: asks the npm registry for a newer CLI; off by CDK_DISABLE_VERSION_CHECK;
// - telemetry: sent for every command; off by CDK_DISABLE_CLI_TELEMETRY=true (and `"cli-telemetry": false`);
// - version reporting: the AWS::CDK::Metadata resource; off by `--no-version-reporting` (and `"versionReporting": false`);
// - the default account: the CLI walks the SDK's credential chain and, with credentials found, calls STS
//   GetCallerIdentity to pass CDK_DEFAULT_ACCOUNT to the app. `--no-lookups` does not stop that. Here the chain finds
//   nothing: no credential variables, no profile, shared config and credentials files that do not exist, and
//   AWS_EC2_METADATA_DISABLED=true so it never asks the instance metadata service either.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const nowhere = fileURLToPath(new URL('../node_modules/.port25-canary-no-aws-config', import.meta.url));

const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
];

export function offlineEnvironment(environment) {
  const env = { ...environment };
  for (const name of CREDENTIAL_VARIABLES) delete env[name];
  return {
    ...env,
    AWS_CONFIG_FILE: nowhere,
    AWS_SHARED_CREDENTIALS_FILE: nowhere,
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_VERSION_CHECK: '1',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
}

export const SYNTH_ARGUMENTS = ['synth', '--quiet', '--no-notices', '--no-version-reporting'];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const cdk = fileURLToPath(new URL('../node_modules/aws-cdk/bin/cdk', import.meta.url));
  const result = spawnSync(process.execPath, [cdk, ...SYNTH_ARGUMENTS, ...process.argv.slice(2)], {
    cwd: root,
    env: offlineEnvironment(process.env),
    stdio: 'inherit',
  });
  process.exitCode = result.status ?? 1;
}
