import { canaryConfigSchema } from './config/canary-config.js';
import { configProblems } from './config/problems.js';
import { type ConfigSource, readConfigSource } from './config/source.js';
import type { CanaryConfig } from './config/types.js';
import { ConfigError, type ConfigProblem } from './errors.js';

/**
 * The canary config's public face. The config is declared once, as zod schemas by section (functions/shared/config/:
 * targets, probe, network, deployment, vantages, and canary-config.ts for the whole and the rules across sections); the
 * types, the validation below and schema/canary.config.schema.json (scripts/config-schema.mjs) all come from it.
 */

export { vantageCanaryName } from './config/fleet-rules.js';
export { AWS_LIMITS } from './config/network.js';
export { type ConfigSource, parseConfigText, readConfigSource, type TextPosition } from './config/source.js';
export { IMPLICIT_TLS_PORT } from './config/targets.js';
export type * from './config/types.js';
// Kept apart so the probe's argument parser can import them without the schema or the rule engine (ip-address).
export { CONFIG_DEFAULTS, LIMITS } from './config-defaults.js';

/**
 * Validates a parsed JSON value as a canary config. Throws one ConfigError listing every problem, each naming its
 * field, in the order of the document.
 */
export function parseCanaryConfig(raw: unknown): CanaryConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError('(root)', 'must be a JSON object');
  const result = canaryConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  throw ConfigError.of(configProblems(result.error.issues, raw));
}

/** A problem of the file's content, named by the file, the field, and the line and column of the field. */
export function locateProblem({ field, problem }: ConfigProblem, source: ConfigSource): ConfigProblem {
  const { line, column } = source.locate(field);
  return { field: `${source.path}: ${field}`, problem: `${problem} (line ${line}, column ${column})` };
}

/** Every problem located in the file (see locateProblem), in the order they appear in it. */
export function locateProblems(error: ConfigError, source: ConfigSource): ConfigError {
  const located = error.problems
    .map((problem) => ({ position: source.locate(problem.field), problem: locateProblem(problem, source) }))
    .sort((a, b) => a.position.line - b.position.line || a.position.column - b.position.column);
  return ConfigError.of(
    located.map(({ problem }) => problem),
    { cause: error },
  );
}

/** Validates a config file's JSON; errors name the file, and each field with its line and column. */
export function parseConfigSource(source: ConfigSource): CanaryConfig {
  try {
    return parseCanaryConfig(source.document);
  } catch (error) {
    if (error instanceof ConfigError) throw locateProblems(error, source);
    throw error;
  }
}

/** Reads and validates a config file; errors name the file, and each field with its line and column. */
export async function loadCanaryConfig(path: string): Promise<CanaryConfig> {
  return parseConfigSource(await readConfigSource(path));
}
