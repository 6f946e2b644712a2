import { describe, expect, it } from 'vitest';
import {
  AWS_RETRY_POLICY,
  backoffDelayMs,
  callWithRetry,
  isThrottlingError,
  isTransientError,
} from '../../functions/orchestrator/aws-retry.js';
import { AwsCallError } from '../../functions/orchestrator/errors.js';
import { fakeClock } from './fakes.js';

function named(name: string, message = 'failed'): Error {
  return Object.assign(new Error(message), { name });
}

describe('the retry policy', () => {
  it('backs off 1, 2, 4, 8, 16 s over five retries, never longer than 16 s', () => {
    expect(AWS_RETRY_POLICY).toEqual({ maxRetries: 5, baseDelayMs: 1_000, maxDelayMs: 16_000 });
    expect([0, 1, 2, 3, 4, 5, 6].map((retry) => backoffDelayMs(AWS_RETRY_POLICY, retry))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 16_000, 16_000,
    ]);
  });
});

describe('isThrottlingError', () => {
  it.each([
    'ThrottlingException',
    'Throttling',
    'ThrottledException',
    'TooManyRequestsException',
    'RequestLimitExceeded',
    'RequestThrottled',
    'RequestThrottledException',
  ])('knows %s', (name) => {
    expect(isThrottlingError(named(name))).toBe(true);
  });

  it('knows ECS’s ClientException "Rate exceeded" by its message, in any case', () => {
    expect(isThrottlingError(named('ClientException', 'Rate Exceeded'))).toBe(true);
  });

  it('takes the name of a plain object too, but reads a message only from an Error', () => {
    expect(isThrottlingError({ name: 'ThrottlingException' })).toBe(true);
    expect(isThrottlingError({ name: 'ClientException', message: 'Rate exceeded' })).toBe(false);
    expect(isThrottlingError('Rate exceeded')).toBe(false);
  });

  it('is false for a denied call', () => {
    expect(isThrottlingError(named('AccessDeniedException', 'not authorized'))).toBe(false);
  });
});

describe('isTransientError', () => {
  it.each([
    'ServerException',
    'ServiceUnavailableException',
    'InternalFailure',
    'RequestTimeout',
    'RequestTimeoutException',
  ])('retries the server error %s', (name) => {
    expect(isTransientError(named(name))).toBe(true);
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'])(
    'retries the network failure %s',
    (code) => {
      expect(isTransientError(Object.assign(new Error('network'), { code }))).toBe(true);
    },
  );

  it.each([429, 500, 502, 503, 504])('retries an HTTP %i answer', (httpStatusCode) => {
    expect(isTransientError(Object.assign(named('Unknown'), { $metadata: { httpStatusCode } }))).toBe(true);
  });

  it.each([400, 403, 404, 501])('does not retry an HTTP %i answer', (httpStatusCode) => {
    expect(isTransientError(Object.assign(named('Unknown'), { $metadata: { httpStatusCode } }))).toBe(false);
  });

  it('does not retry an unknown code, a numeric code, or something that is not an error', () => {
    expect(isTransientError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe(false);
    expect(isTransientError(Object.assign(new Error('x'), { code: 104 }))).toBe(false);
    expect(isTransientError(Object.assign(named('Unknown'), { $metadata: { httpStatusCode: '503' } }))).toBe(false);
    expect(isTransientError(null)).toBe(false);
    expect(isTransientError(undefined)).toBe(false);
  });
});

describe('callWithRetry', () => {
  it('retries a throttled call five times with the backoff, then gives up naming the operation and the attempts', async () => {
    const clock = fakeClock();
    let calls = 0;
    const call = async () => {
      calls += 1;
      throw named('ThrottlingException', 'Rate exceeded');
    };

    const error = await callWithRetry('ECS DescribeTasks (cluster c)', call, clock, {
      notAfter: clock.now() + 3_600_000,
    }).catch((caught: unknown) => caught);

    expect(calls).toBe(6);
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).toMatchObject({
      code: 'ThrottlingException',
      message: 'ECS DescribeTasks (cluster c) failed (after 6 attempts): ThrottlingException: Rate exceeded',
    });
  });

  it('gives up at once on an error that is not transient, after one attempt', async () => {
    const clock = fakeClock();

    const error = await callWithRetry(
      'ECS RunTask',
      async () => {
        throw named('AccessDeniedException', 'not authorized');
      },
      clock,
      { notAfter: clock.now() + 3_600_000 },
    ).catch((caught: unknown) => caught);

    expect(clock.sleeps).toEqual([]);
    expect(error).toMatchObject({ message: 'ECS RunTask failed: AccessDeniedException: not authorized' });
  });

  it('retries when the backoff ends exactly at notAfter, not when it would end after it', async () => {
    const clock = fakeClock();
    const start = clock.now();
    let calls = 0;
    const call = async () => {
      calls += 1;
      if (calls < 3) throw named('ThrottlingException');
      return 'ok';
    };

    await expect(callWithRetry('op', call, clock, { notAfter: start + 3_000 })).resolves.toBe('ok');
    expect(clock.sleeps).toEqual([1_000, 2_000]);

    calls = 0;
    const late = fakeClock();
    await expect(callWithRetry('op', call, late, { notAfter: late.now() + 2_999 })).rejects.toThrow(AwsCallError);
    expect(late.sleeps).toEqual([1_000]);
  });
});
