import { join } from 'node:path';
import {
  type CanaryConfig,
  type CapacityProviderStrategyItem,
  type ConfigSource,
  locateProblem,
  parseCanaryConfig,
  readConfigSource,
} from '../shared/config.js';
import { ConfigError } from '../shared/errors.js';
import { BUNDLED_CONFIG_FILE_NAME, RUNTIME_ENVIRONMENT } from '../shared/runtime-environment.js';
import type { ResolvedRunInput } from './event.js';
import { isPlainObject } from './plain-object.js';
import type { JudgingContext } from './report-building.js';
import { checkConfiguredPrimaryCidr, type VpcCidrs } from './vpc-cidrs.js';

type OverrideKind = 'string' | 'list' | 'boolean';

/** Config fields the stack hands over through the environment, with the JSON path each one replaces. */
const ENVIRONMENT_OVERRIDES: readonly {
  readonly path: readonly string[];
  readonly env: string;
  readonly kind: OverrideKind;
}[] = [
  { path: ['network', 'cluster'], env: RUNTIME_ENVIRONMENT.cluster, kind: 'string' },
  { path: ['network', 'taskDefinition'], env: RUNTIME_ENVIRONMENT.taskDefinition, kind: 'string' },
  { path: ['network', 'containerName'], env: RUNTIME_ENVIRONMENT.containerName, kind: 'string' },
  { path: ['network', 'subnets'], env: RUNTIME_ENVIRONMENT.subnets, kind: 'list' },
  { path: ['network', 'securityGroups'], env: RUNTIME_ENVIRONMENT.securityGroups, kind: 'list' },
  { path: ['network', 'assignPublicIp'], env: RUNTIME_ENVIRONMENT.assignPublicIp, kind: 'boolean' },
  { path: ['network', 'logGroup'], env: RUNTIME_ENVIRONMENT.logGroup, kind: 'string' },
  { path: ['network', 'logStreamPrefix'], env: RUNTIME_ENVIRONMENT.logStreamPrefix, kind: 'string' },
  { path: ['vpcPrimaryCidr'], env: RUNTIME_ENVIRONMENT.vpcPrimaryCidr, kind: 'string' },
];

export interface ConfigLocation {
  /** An explicit path (the CLI's --config); wins over PORT25_CONFIG_FILE. */
  readonly configFile?: string | undefined;
  /** Where the bundled canary.config.json lives when neither is given. */
  readonly defaultDirectory: string;
}

export function configFilePath(env: NodeJS.ProcessEnv, location: ConfigLocation): string {
  return (
    location.configFile ??
    nonEmpty(env[RUNTIME_ENVIRONMENT.configFile]) ??
    join(location.defaultDirectory, BUNDLED_CONFIG_FILE_NAME)
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function overrideValue(env: string, kind: OverrideKind, raw: string): unknown {
  if (kind === 'list')
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  if (kind === 'boolean') {
    if (/^true$/i.test(raw)) return true;
    if (/^false$/i.test(raw)) return false;
    throw new ConfigError(env, `must be "true" or "false", got ${JSON.stringify(raw)}`);
  }
  return raw;
}

/** Applies the environment's overrides to the raw JSON so the one config parser validates them too. */
function withEnvironmentOverrides(
  raw: unknown,
  env: NodeJS.ProcessEnv,
): { raw: unknown; applied: Map<string, string> } {
  const applied = new Map<string, string>();
  if (!isPlainObject(raw) || (raw.network !== undefined && !isPlainObject(raw.network))) return { raw, applied };
  const merged: Record<string, unknown> = { ...raw, network: { ...((raw.network as Record<string, unknown>) ?? {}) } };
  for (const override of ENVIRONMENT_OVERRIDES) {
    const value = nonEmpty(env[override.env]);
    if (value === undefined) continue;
    const parent = (override.path.length === 2 ? merged.network : merged) as Record<string, unknown>;
    parent[override.path[override.path.length - 1] as string] = overrideValue(override.env, override.kind, value);
    applied.set(override.path.join('.'), override.env);
  }
  return { raw: merged, applied };
}

/** Names, for each problem, the environment variable the bad value came from, or else the file, line and column. */
function blameSource(error: ConfigError, source: ConfigSource, applied: Map<string, string>): ConfigError {
  return error.map((problem) => {
    const env = applied.get(problem.field.replace(/\[\d+\]$/, ''));
    return env === undefined ? locateProblem(problem, source) : { ...problem, field: `${env} (${problem.field})` };
  });
}

/**
 * Reads the canary config file and applies the PORT25_* environment overrides (see RUNTIME_ENVIRONMENT).
 * Errors name the file and field, or the environment variable the bad value came from.
 */
export async function loadRuntimeConfig(env: NodeJS.ProcessEnv, location: ConfigLocation): Promise<CanaryConfig> {
  const source = await readConfigSource(configFilePath(env, location));
  const { raw, applied } = withEnvironmentOverrides(source.document, env);
  try {
    return parseCanaryConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) throw blameSource(error, source, applied);
    throw error;
  }
}

/** Everything RunTask and the log reader need, present and typed. */
export interface ProbeTaskSettings {
  readonly cluster: string;
  readonly taskDefinition: string;
  readonly containerName: string;
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  readonly assignPublicIp: boolean;
  readonly capacityProviderStrategy: readonly CapacityProviderStrategyItem[] | undefined;
  readonly logGroup: string;
  readonly logStreamPrefix: string;
}

function required<T>(value: T | undefined, field: string, env: string): T {
  if (value === undefined) {
    throw new ConfigError(field, `is required to launch probe tasks: set it in the config file or in ${env}`);
  }
  return value;
}

/** Checks the settings a run cannot start without; called before anything is launched. */
export function probeTaskSettings(config: CanaryConfig): ProbeTaskSettings {
  const { network } = config;
  const subnets = network.subnets.length === 0 ? undefined : network.subnets;
  return {
    cluster: required(network.cluster, 'network.cluster', RUNTIME_ENVIRONMENT.cluster),
    taskDefinition: required(network.taskDefinition, 'network.taskDefinition', RUNTIME_ENVIRONMENT.taskDefinition),
    containerName: network.containerName,
    subnets: required(subnets, 'network.subnets', RUNTIME_ENVIRONMENT.subnets),
    securityGroups: network.securityGroups,
    assignPublicIp: network.assignPublicIp,
    capacityProviderStrategy: network.capacityProviderStrategy,
    logGroup: required(network.logGroup, 'network.logGroup', RUNTIME_ENVIRONMENT.logGroup),
    logStreamPrefix: network.logStreamPrefix,
  };
}

/**
 * The rule context for judging, from the VPC as EC2 reports it: its primary CIDR (exempt) and its secondary ones
 * (named as not exempt). A configured vpcPrimaryCidr must match the real one (ConfigError naming both otherwise).
 */
export function judgingContext(config: CanaryConfig, run: ResolvedRunInput, vpc: VpcCidrs): JudgingContext {
  checkConfiguredPrimaryCidr(config.vpcPrimaryCidr, vpc);
  return { vpcPrimaryCidr: vpc.primaryCidr, vpcSecondaryCidrs: vpc.secondaryCidrs, released: run.released };
}
