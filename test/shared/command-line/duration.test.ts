import { describe, expect, it } from 'vitest';
import { durationOption, formatDuration } from '../../../functions/shared/command-line/duration.js';
import { UsageError } from '../../../functions/shared/command-line/usage-error.js';

const TIMEOUT = { bareUnit: 'ms', minMs: 100, maxMs: 120_000 } as const;
const DEADLINE = { bareUnit: 's', minMs: 150_000, maxMs: 21_600_000 } as const;

describe('durationOption', () => {
  it.each([
    ['10s', 10_000],
    ['2500ms', 2500],
    ['1m', 60_000],
    ['1.5s', 1500],
    ['2500', 2500],
    ['100', 100],
    ['2m', 120_000],
  ])('reads --timeout %s as %i ms (a bare number is milliseconds)', (value, ms) => {
    expect(durationOption('timeout', value, TIMEOUT)).toBe(ms);
  });

  it.each([
    ['300', 300_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['150000ms', 150_000],
  ])('reads --deadline %s as %i ms (a bare number is seconds)', (value, ms) => {
    expect(durationOption('deadline', value, DEADLINE)).toBe(ms);
  });

  it('ignores blanks around the value', () => {
    expect(durationOption('timeout', ' 10s ', TIMEOUT)).toBe(10_000);
  });

  it('leaves an absent option undefined', () => {
    expect(durationOption('timeout', undefined, TIMEOUT)).toBeUndefined();
  });

  it.each(['soon', '', '10 s', '-5', '1e4', '10sec', '1.0005s', '99', '99ms', '121s', '3m'])(
    'rejects --timeout %j naming the option, the range and the bare unit',
    (value) => {
      const act = () => durationOption('timeout', value, TIMEOUT);

      expect(act).toThrow(UsageError);
      expect(act).toThrow(
        `--timeout must be a duration from 100ms to 2m (e.g. 10s, 2500ms; a bare number is milliseconds), got ${JSON.stringify(value)}`,
      );
    },
  );

  it('says a bare --deadline is seconds', () => {
    expect(() => durationOption('deadline', '10', DEADLINE)).toThrow(
      '--deadline must be a duration from 150s to 6h (e.g. 120, 90s, 2500ms, 5m; a bare number is seconds), got "10"',
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [100, '100ms'],
    [1000, '1s'],
    [2500, '2500ms'],
    [10_000, '10s'],
    [90_000, '90s'],
    [60_000, '1m'],
    [120_000, '2m'],
    [5_400_000, '90m'],
    [3_600_000, '1h'],
    [21_600_000, '6h'],
  ])('writes %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
