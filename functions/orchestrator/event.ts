import { type CanaryConfig, type CanaryTarget, LIMITS } from '../shared/config.js';
import { ConfigError } from '../shared/errors.js';
import { isPlainObject } from './plain-object.js';

/** What one run is asked to do; every field is optional and falls back to the config. */
export interface CanaryRunInput {
  /** Names of the config's targets to probe; all of them when absent. */
  readonly targets?: readonly string[] | undefined;
  /** Judge as if the port-25 restriction were lifted; overrides config.port25Released. */
  readonly released?: boolean | undefined;
  /** Probe attempts per target; overrides config.probe.attempts. */
  readonly attempts?: number | undefined;
}

/** The input with the config applied: targets resolved, defaults filled in. */
export interface ResolvedRunInput {
  readonly targets: readonly CanaryTarget[];
  readonly released: boolean;
  readonly attempts: number;
}

const PAYLOAD_FIELDS = ['targets', 'released', 'attempts'] as const;
const SCHEDULED_EVENT = { detailType: 'Scheduled Event', source: 'aws.events' } as const;

function isScheduledEvent(event: Record<string, unknown>): boolean {
  return event['detail-type'] === SCHEDULED_EVENT.detailType && event.source === SCHEDULED_EVENT.source;
}

/**
 * Parses what the Lambda was invoked with: an EventBridge scheduled event (probe every target with the config's
 * settings) or an on-demand payload `{ targets?, released?, attempts? }`. Throws ConfigError naming the bad field.
 */
export function parseCanaryEvent(event: unknown): CanaryRunInput {
  // An invocation without a payload arrives as null: a plain on-demand run.
  if (event === null || event === undefined) return {};
  if (!isPlainObject(event)) {
    throw new ConfigError(
      '(payload)',
      `must be a JSON object like {"targets": ["name"]}, got ${JSON.stringify(event)}`,
    );
  }
  if (isScheduledEvent(event)) return {};
  if ('detail-type' in event) {
    throw new ConfigError(
      'detail-type',
      `only EventBridge "${SCHEDULED_EVENT.detailType}" events from ${SCHEDULED_EVENT.source} start a run, got ${JSON.stringify(event['detail-type'])}`,
    );
  }
  const unknown = Object.keys(event).find((key) => !(PAYLOAD_FIELDS as readonly string[]).includes(key));
  if (unknown !== undefined) {
    throw new ConfigError(unknown, `unknown field (allowed: ${PAYLOAD_FIELDS.join(', ')})`);
  }
  return {
    targets: parseTargetNames(event.targets),
    released: parseReleased(event.released),
    attempts: parseAttempts(event.attempts),
  };
}

function parseTargetNames(raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw))
    throw new ConfigError('targets', `must be an array of target names, got ${JSON.stringify(raw)}`);
  if (raw.length === 0) throw new ConfigError('targets', 'must name at least one target when given');
  return raw.map((name, index) => {
    if (typeof name !== 'string' || name === '') {
      throw new ConfigError(`targets[${index}]`, `must be a target name, got ${JSON.stringify(name)}`);
    }
    return name;
  });
}

function parseReleased(raw: unknown): boolean | undefined {
  if (raw === undefined || typeof raw === 'boolean') return raw;
  throw new ConfigError('released', `must be true or false, got ${JSON.stringify(raw)}`);
}

function parseAttempts(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const { min, max } = LIMITS.attempts;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) {
    throw new ConfigError('attempts', `must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

const NAMES_SHOWN = 20;

function knownNames(targets: readonly CanaryTarget[]): string {
  const shown = targets
    .slice(0, NAMES_SHOWN)
    .map((target) => target.name)
    .join(', ');
  return targets.length > NAMES_SHOWN ? `${shown}, ... (${targets.length} in all)` : shown;
}

/** Resolves target names against the config and fills in defaults; throws ConfigError before anything is launched. */
export function resolveRunInput(config: CanaryConfig, input: CanaryRunInput): ResolvedRunInput {
  const attempts = parseAttempts(input.attempts) ?? config.probe.attempts;
  const released = parseReleased(input.released) ?? config.port25Released;
  if (input.targets === undefined) return { targets: config.targets, released, attempts };
  const names = parseTargetNames(input.targets) ?? [];
  const byName = new Map(config.targets.map((target) => [target.name, target]));
  const seen = new Set<string>();
  const targets = names.map((name, index) => {
    const target = byName.get(name);
    if (target === undefined) {
      throw new ConfigError(
        `targets[${index}]`,
        `unknown target ${JSON.stringify(name)} (the config has: ${knownNames(config.targets)})`,
      );
    }
    if (seen.has(name)) throw new ConfigError(`targets[${index}]`, `target ${JSON.stringify(name)} is named twice`);
    seen.add(name);
    return target;
  });
  return { targets, released, attempts };
}
