import { describe, expect, it } from 'vitest';
import { callWithRetry } from '../../functions/orchestrator/aws-retry.js';
import { EcsRequestPacer, PACING_SHARE, TokenBucket } from '../../functions/orchestrator/request-pacing.js';
import { ECS_OPERATION_BUCKETS, ECS_RATE_BUCKETS } from '../../functions/shared/ecs-rate-limits.js';
import { fakeClock, throttlingError } from './fakes.js';

/** Takes `count` turns at once and returns when each was granted, in ms from the start. */
async function turns(pacer: EcsRequestPacer, operation: 'RunTask' | 'StopTask' | 'DescribeTasks', count: number) {
  const clock = pacerClock.get(pacer) as ReturnType<typeof fakeClock>;
  const startedAt = clock.now();
  const pacing = pacer.for(operation);
  return Promise.all(
    Array.from({ length: count }, async () => {
      await pacing.take(Number.MAX_SAFE_INTEGER);
      return clock.now() - startedAt;
    }),
  );
}

const pacerClock = new WeakMap<EcsRequestPacer, ReturnType<typeof fakeClock>>();
function pacerOnFakeClock() {
  const clock = fakeClock();
  const pacer = new EcsRequestPacer(clock);
  pacerClock.set(pacer, clock);
  return { clock, pacer };
}

describe('ECS rate buckets', () => {
  it('are the documented ones: RunTask and StopTask 100 burst, 40 a second; DescribeTasks 100, 20; Fargate launches 100, 20', () => {
    expect(ECS_RATE_BUCKETS).toEqual({
      clusterResourceModify: { burst: 100, perSecond: 40 },
      clusterResourceRead: { burst: 100, perSecond: 20 },
      fargateTaskLaunch: { burst: 100, perSecond: 20 },
    });
    expect(ECS_OPERATION_BUCKETS).toEqual({
      RunTask: ['clusterResourceModify', 'fargateTaskLaunch'],
      StopTask: ['clusterResourceModify'],
      DescribeTasks: ['clusterResourceRead'],
    });
    expect(PACING_SHARE).toBe(0.9);
  });
});

describe('TokenBucket', () => {
  it('holds 90 % of the documented burst and refills at 90 % of the documented rate', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ burst: 100, perSecond: 20 }, clock.now);

    expect(bucket.burst).toBe(90);
    expect(bucket.perSecond).toBe(18);
  });

  it('halves its rate on throttling, never below a sixteenth, and wins it back as calls are answered', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ burst: 100, perSecond: 20 }, clock.now);

    bucket.slowDown();
    expect(bucket.perSecond).toBe(9);
    for (let index = 0; index < 10; index += 1) bucket.slowDown();
    expect(bucket.perSecond).toBe(18 / 16);
    for (let index = 0; index < 20; index += 1) bucket.recover();
    expect(bucket.perSecond).toBe(18);
  });
});

describe('EcsRequestPacer', () => {
  it('lets 90 RunTask calls go at once, then one every 1/18 s (Fargate launches are the tighter bucket)', async () => {
    const { pacer } = pacerOnFakeClock();

    const at = await turns(pacer, 'RunTask', 126);

    expect(at.slice(0, 90)).toEqual(Array(90).fill(0));
    expect(at[90]).toBeCloseTo(1000 / 18, 2);
    expect(at[125]).toBeCloseTo((36 * 1000) / 18, 2);
  });

  it('paces DescribeTasks by the cluster-resource read bucket, 90 then 18 a second', async () => {
    const { pacer } = pacerOnFakeClock();

    const at = await turns(pacer, 'DescribeTasks', 91);

    expect(at[89]).toBe(0);
    expect(at[90]).toBeCloseTo(1000 / 18, 2);
  });

  it('counts RunTask and StopTask against one cluster-resource modify bucket', async () => {
    const { pacer } = pacerOnFakeClock();

    await turns(pacer, 'RunTask', 90);
    const stops = await turns(pacer, 'StopTask', 1);

    // The modify bucket is empty after 90 RunTasks; it refills at 36 a second.
    expect(stops[0]).toBeCloseTo(1000 / 36, 2);
  });

  it('stops bursting after a ThrottlingException and waits at half the rate', async () => {
    const { pacer } = pacerOnFakeClock();
    const runTask = pacer.for('RunTask');

    runTask.throttled();
    const at = await turns(pacer, 'RunTask', 2);

    expect(pacer.throttledAnswers).toBe(1);
    // Modify 36/s → 18/s and launch 18/s → 9/s: the launch bucket sets the pace.
    expect(at).toEqual([expect.closeTo(1000 / 9, 2), expect.closeTo(2000 / 9, 2)]);
  });

  it('gives no turn after notAfter and does not spend a token on it', async () => {
    const { clock, pacer } = pacerOnFakeClock();
    await turns(pacer, 'RunTask', 90);
    const runTask = pacer.for('RunTask');

    const granted = await runTask.take(clock.now() + 10);

    expect(granted).toBe(false);
    expect(clock.sleeps).toEqual([]);
    expect(pacer.bucket('fargateTaskLaunch').nextTokenAt()).toBeCloseTo(clock.now() + 1000 / 18, 2);
  });
});

describe('callWithRetry with pacing', () => {
  it('waits for a turn before every attempt and slows the pacer down on each throttling answer', async () => {
    const { clock, pacer } = pacerOnFakeClock();
    let calls = 0;
    const call = async () => {
      calls += 1;
      if (calls < 3) throw throttlingError();
      return 'task';
    };

    const answer = await callWithRetry('ECS RunTask', call, clock, {
      notAfter: Number.MAX_SAFE_INTEGER,
      pacing: pacer.for('RunTask'),
    });

    expect(answer).toBe('task');
    expect(pacer.throttledAnswers).toBe(2);
    // Two halvings, then one answered call: 18/4 + 1.8 a second.
    expect(pacer.bucket('fargateTaskLaunch').perSecond).toBeCloseTo(18 / 4 + 1.8, 2);
  });

  it('throws without calling when the turn would come after notAfter', async () => {
    const { clock, pacer } = pacerOnFakeClock();
    await turns(pacer, 'RunTask', 90);
    let calls = 0;

    const attempt = callWithRetry(
      'ECS RunTask',
      async () => {
        calls += 1;
        return 'task';
      },
      clock,
      { notAfter: clock.now() + 10, pacing: pacer.for('RunTask') },
    );

    await expect(attempt).rejects.toThrow(/ECS RunTask failed: RequestNotSentError: not sent/);
    expect(calls).toBe(0);
  });
});
