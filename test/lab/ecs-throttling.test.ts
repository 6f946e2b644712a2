import { describe, expect, it } from 'vitest';
import { EcsThrottling } from '../../lab/local-aws/ecs-throttling.js';

describe('EcsThrottling.msUntilFull', () => {
  it('is 0 while every bucket is full', () => {
    expect(new EcsThrottling(() => 0).msUntilFull()).toBe(0);
  });

  it("is the slowest bucket's refill: 100 Fargate launches take 5 s back at 20 a second", () => {
    let now = 0;
    const throttling = new EcsThrottling(() => now);
    // One RunTask of 10 tasks 10 times: 100 launch tokens (20 a second) and 10 modify tokens (40 a second).
    for (let call = 0; call < 10; call += 1) throttling.admit('RunTask', 10);

    expect(throttling.msUntilFull()).toBe(5000);
    now = 2000;
    expect(throttling.msUntilFull()).toBe(3000);
    now = 5000;
    expect(throttling.msUntilFull()).toBe(0);
  });
});
