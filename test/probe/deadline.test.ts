import { afterEach, describe, expect, it, vi } from 'vitest';
import { Deadline, DeadlineExpiredError } from '../../functions/probe/deadline.js';

/** Fake timers and a clock the test moves: the deadline is decided by `now`, the timer only wakes it up. */
describe('Deadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function clockAt(startMs: number) {
    let nowMs = startMs;
    return {
      now: () => nowMs,
      advance: (ms: number) => {
        nowMs += ms;
        vi.advanceTimersByTime(ms);
      },
    };
  }

  it('lets a step that settles first win the race', async () => {
    vi.useFakeTimers();
    const clock = clockAt(1_000);
    const deadline = new Deadline(500, clock.now);

    await expect(deadline.race(Promise.resolve('greeting'))).resolves.toBe('greeting');
    deadline.clear();
  });

  it('rejects a step still pending at the deadline with DeadlineExpiredError naming the deadline', async () => {
    vi.useFakeTimers();
    const clock = clockAt(1_000);
    const deadline = new Deadline(500, clock.now);
    const race = deadline.race(new Promise<never>(() => undefined));
    const settled = race.catch((error: unknown) => error);

    clock.advance(500);

    const error = await settled;
    expect(error).toBeInstanceOf(DeadlineExpiredError);
    expect(error).toMatchObject({
      name: 'DeadlineExpiredError',
      message: 'deadline of 500 ms expired',
      deadlineMs: 500,
    });
  });

  it('counts the time left from its own start, never below zero', () => {
    vi.useFakeTimers();
    const clock = clockAt(1_000);
    const deadline = new Deadline(500, clock.now);

    expect(deadline.remainingMs()).toBe(500);
    clock.advance(200);
    expect(deadline.remainingMs()).toBe(300);
    clock.advance(400);
    expect(deadline.remainingMs()).toBe(0);
    deadline.clear();
  });

  it('does not expire when its timer fires before the clock has reached the deadline, but re-arms for the rest', async () => {
    // setImmediate stays real: awaiting it lets every promise reaction the early timer could have queued run first.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let nowMs = 0;
    const deadline = new Deadline(500, () => nowMs);
    let expired = false;
    deadline.race(new Promise<never>(() => undefined)).catch(() => {
      expired = true;
    });

    // The timer fires at 500 ms of timer time while the clock says 460 ms: 40 ms are still left.
    nowMs = 460;
    vi.advanceTimersByTime(500);
    await new Promise((resolve) => setImmediate(resolve));
    expect(expired).toBe(false);

    nowMs = 500;
    vi.advanceTimersByTime(40);
    await vi.waitFor(() => expect(expired).toBe(true));
  });

  it('leaves no timer behind once cleared', () => {
    vi.useFakeTimers();
    const deadline = new Deadline(500, () => 0);

    deadline.clear();

    expect(vi.getTimerCount()).toBe(0);
  });
});
