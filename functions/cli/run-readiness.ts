import type { CanaryConfig } from '../shared/config.js';
import { InputError } from '../shared/errors.js';
import { RUNTIME_ENVIRONMENT } from '../shared/runtime-environment.js';

/** A config `run` cannot launch from: a fleet config, or one without the network fields. Bad input, exit 2. */
export class RunConfigError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'RunConfigError';
  }
}

/** The network fields RunTask and the log reader cannot do without, with the variable that can supply each. */
const REQUIRED_NETWORK_FIELDS = [
  ['cluster', RUNTIME_ENVIRONMENT.cluster],
  ['taskDefinition', RUNTIME_ENVIRONMENT.taskDefinition],
  ['subnets', RUNTIME_ENVIRONMENT.subnets],
  ['logGroup', RUNTIME_ENVIRONMENT.logGroup],
] as const;

function isMissing(config: CanaryConfig, field: (typeof REQUIRED_NETWORK_FIELDS)[number][0]): boolean {
  const value = config.network[field];
  return value === undefined || (Array.isArray(value) && value.length === 0);
}

/**
 * Checks, before any client is built, that `run` can launch from this config: every missing network field in one
 * error naming `--stack` as the fix (the first hour's config has none of them), and a fleet config pointed to
 * `invoke --fleet`.
 */
export function checkRunnableConfig(config: CanaryConfig, configFile: string): void {
  if (config.fleet !== undefined) {
    throw new RunConfigError(
      `${configFile} is a fleet config (it lists vantages), which run cannot launch from one workstation: invoke every vantage with port25-canary invoke --fleet --config ${configFile}`,
    );
  }
  const missing = REQUIRED_NETWORK_FIELDS.filter(([field]) => isMissing(config, field));
  if (missing.length === 0) return;
  const fields = missing.map(([field]) => `network.${field}`).join(', ');
  const variables = missing.map(([, variable]) => variable).join(', ');
  throw new RunConfigError(
    `${configFile} has no ${fields} to launch probe tasks with: add --stack STACK_NAME to take them from the deployed stack's outputs, or set them in the file (or ${variables})`,
  );
}
