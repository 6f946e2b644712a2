import { UsageError } from './usage-error.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
export type DurationUnit = keyof typeof UNIT_MS;
const UNIT_NAMES: Record<DurationUnit, string> = { ms: 'milliseconds', s: 'seconds', m: 'minutes', h: 'hours' };

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;

/** `90000` → `90s`, `120000` → `2m`, `2500` → `2500ms`: the largest unit that keeps a whole number. */
export function formatDuration(ms: number): string {
  if (ms >= UNIT_MS.h && ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`;
  if (ms >= UNIT_MS.m && ms % UNIT_MS.m === 0) return `${ms / UNIT_MS.m}m`;
  if (ms >= UNIT_MS.s && ms % UNIT_MS.s === 0) return `${ms / UNIT_MS.s}s`;
  return `${ms}ms`;
}

export interface DurationLimits {
  /** What a number without a unit means: each option keeps the unit it always had. */
  readonly bareUnit: DurationUnit;
  readonly minMs: number;
  readonly maxMs: number;
}

// Examples for each bare unit; every option a person types uses seconds, so a bare number means what it does to nc.
const EXAMPLES: Record<DurationUnit, string> = {
  ms: '10s, 2500ms',
  s: '120, 90s, 2500ms, 5m',
  m: '5m, 1h',
  h: '1h, 90m',
};

/** For help texts and errors: `e.g. 10s, 2500ms; a bare number is milliseconds`. */
export function durationHint(bareUnit: DurationUnit): string {
  return `e.g. ${EXAMPLES[bareUnit]}; a bare number is ${UNIT_NAMES[bareUnit]}`;
}

/**
 * Parses a duration option (`10s`, `2500ms`, `1.5m`, or a bare number in the option's own unit) into whole
 * milliseconds within the limits; the error names the option, the range and what a bare number means.
 */
export function durationOption(name: string, value: string | undefined, limits: DurationLimits): number | undefined {
  if (value === undefined) return undefined;
  const match = DURATION.exec(value.trim());
  const unit = (match?.[2] ?? limits.bareUnit) as DurationUnit;
  const ms = match === null ? Number.NaN : Number(match[1]) * UNIT_MS[unit];
  if (!Number.isSafeInteger(ms) || ms < limits.minMs || ms > limits.maxMs) {
    throw new UsageError(
      `--${name} must be a duration from ${formatDuration(limits.minMs)} to ${formatDuration(limits.maxMs)} (${durationHint(limits.bareUnit)}), got ${JSON.stringify(value)}`,
    );
  }
  return ms;
}
