import { describe, expect, it } from 'vitest';
import { AddressParseError, ConfigError, INPUT_ERROR_NAMES } from '../../functions/shared/errors.js';

describe('AddressParseError', () => {
  it('keeps a name that marks it as bad input where only the name survives', () => {
    const error = new AddressParseError('300.1.1.1', 'address');

    expect(error.name).toBe('AddressParseError');
    expect(INPUT_ERROR_NAMES).toContain(error.name);
  });
});

describe('ConfigError', () => {
  it('refuses to be made of no problems', () => {
    expect(() => ConfigError.of([])).toThrow(new RangeError('ConfigError.of needs at least one problem'));
    expect(() => ConfigError.of([])).toThrow(RangeError);
  });

  it('keeps the original error as the cause of a rewritten one', () => {
    const original = new ConfigError('port', 'must be a number');

    const rewritten = original.map(({ field, problem }) => ({ field: `canary.json: ${field}`, problem }));

    expect(rewritten.field).toBe('canary.json: port');
    expect(rewritten.cause).toBe(original);
  });
});
