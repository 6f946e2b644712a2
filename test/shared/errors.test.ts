import { describe, expect, it } from 'vitest';
import { AddressParseError, ConfigError, INPUT_ERROR_NAMES, InputError } from '../../functions/shared/errors.js';

// Where only an error's name survives (a Lambda error payload), these names are what make it exit 2.
describe('the names of input errors', () => {
  it.each([
    ['InputError', new InputError('bad --deadline')],
    ['AddressParseError', new AddressParseError('300.1.1.1', 'address')],
    ['ConfigError', new ConfigError('port', 'must be a number')],
  ])('%s keeps its name, one of INPUT_ERROR_NAMES', (name, error) => {
    expect(error.name).toBe(name);
    expect(INPUT_ERROR_NAMES).toContain(error.name);
  });
});

describe('ConfigError', () => {
  it('refuses to be made of no problems', () => {
    expect(() => ConfigError.of([])).toThrow(new RangeError('ConfigError.of needs at least one problem'));
    expect(() => ConfigError.of([])).toThrow(RangeError);
  });

  it('lists exactly 20 problems without counting any more', () => {
    const problems = Array.from({ length: 20 }, (_, index) => ({ field: `targets[${index}].host`, problem: 'bad' }));

    expect(ConfigError.of(problems).message).toMatch(
      /^20 problems in the config:\n( {2}targets\[\d+\]\.host: bad\n?){20}$/,
    );
  });

  it('counts the problems past the 20th', () => {
    const problems = Array.from({ length: 21 }, (_, index) => ({ field: `targets[${index}].host`, problem: 'bad' }));

    expect(ConfigError.of(problems).message).toMatch(/\n {2}targets\[19\]\.host: bad\n {2}and 1 more$/);
  });

  it('keeps the original error as the cause of a rewritten one', () => {
    const original = new ConfigError('port', 'must be a number');

    const rewritten = original.map(({ field, problem }) => ({ field: `canary.json: ${field}`, problem }));

    expect(rewritten.field).toBe('canary.json: port');
    expect(rewritten.cause).toBe(original);
  });
});
