import { describe, expect, it } from 'vitest';
import { formatUsageError, UsageError } from '../../../functions/shared/command-line/usage-error.js';
import { InputError } from '../../../functions/shared/errors.js';

describe('UsageError', () => {
  it('is an input error named UsageError, keeping its cause', () => {
    const cause = new Error('parseArgs says no');
    const error = new UsageError('unknown option --jsn', { cause });

    expect(error).toBeInstanceOf(InputError);
    expect(error.name).toBe('UsageError');
    expect(error.cause).toBe(cause);
  });
});

describe('formatUsageError', () => {
  it('prints the reason, then one line pointing to the help', () => {
    const text = formatUsageError('port25-canary', new UsageError('unknown option --jsn'), 'port25-canary run --help');

    expect(text).toBe("port25-canary: unknown option --jsn\nRun 'port25-canary run --help' for the options.\n");
  });
});
