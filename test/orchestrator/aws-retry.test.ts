import { describe, expect, it } from 'vitest';
import { callWithRetry, isTransientError } from '../../functions/orchestrator/aws-retry.js';
import { fakeClock, recordingPacing, throttlingError } from './fakes.js';

function failing(errors: unknown[], result = 'ok') {
  let calls = 0;
  const call = async () => {
    const error = errors[calls];
    calls += 1;
    if (error !== undefined) throw error;
    return result;
  };
  return { call, calls: () => calls };
}

describe('isTransientError', () => {
  it.each([
    ['a connection reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a request timeout', Object.assign(new Error('request timed out'), { name: 'TimeoutError' })],
    ['a 503 answer', Object.assign(new Error('unavailable'), { name: 'Unknown', $metadata: { httpStatusCode: 503 } })],
  ])('treats %s as transient now that the SDK makes a single attempt', (_, error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it('does not retry a denied call', () => {
    expect(isTransientError(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))).toBe(false);
  });
});

describe('callWithRetry', () => {
  it('retries a connection reset', async () => {
    const flaky = failing([Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })]);

    await expect(
      callWithRetry('ECS DescribeTasks', flaky.call, fakeClock(), { notAfter: Number.MAX_SAFE_INTEGER }),
    ).resolves.toBe('ok');
    expect(flaky.calls()).toBe(2);
  });

  it('never sleeps past notAfter', async () => {
    const throttled = failing([throttlingError(), throttlingError(), throttlingError()]);
    const clock = fakeClock();

    const call = callWithRetry('ECS DescribeTasks', throttled.call, clock, { notAfter: clock.now() + 2_500 });

    await expect(call).rejects.toThrow('ECS DescribeTasks failed (after 2 attempts): ThrottlingException');
    expect(clock.sleeps).toEqual([1_000]);
  });

  it('slows the pacing down after a throttling answer only, not after another transient error', async () => {
    const flaky = failing([Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), throttlingError()]);
    const { pacing, events } = recordingPacing();

    await callWithRetry('ECS DescribeTasks', flaky.call, fakeClock(), { notAfter: Number.MAX_SAFE_INTEGER, pacing });

    expect(events).toEqual(['take', 'take', 'throttled', 'take', 'answered']);
  });
});
