import { describe, expect, it } from 'vitest';
import { scheduleIntervalSeconds } from '../../infra/schedule-period.js';

describe('scheduleIntervalSeconds', () => {
  it('reads rate expressions in minutes, hours and days', () => {
    expect(scheduleIntervalSeconds('rate(15 minutes)')).toBe(900);
    expect(scheduleIntervalSeconds('rate(1 minute)')).toBe(60);
    expect(scheduleIntervalSeconds('rate(2 hours)')).toBe(7_200);
    expect(scheduleIntervalSeconds('rate(1 day)')).toBe(86_400);
  });

  it('rejects the singular and plural mix-ups EventBridge rejects at deploy time', () => {
    expect(() => scheduleIntervalSeconds('rate(1 minutes)')).toThrow(/deployment\.schedule: .*wants "minute"/);
    expect(() => scheduleIntervalSeconds('rate(5 minute)')).toThrow(/deployment\.schedule: .*wants "minutes"/);
  });

  it('rejects schedules slower than daily, which no alarm period can match', () => {
    expect(() => scheduleIntervalSeconds('rate(2 days)')).toThrow(/deployment\.schedule: .*less often than once a day/);
  });

  it('takes the longest gap of a cron schedule, across midnight too', () => {
    expect(scheduleIntervalSeconds('cron(0/15 * * * ? *)')).toBe(900);
    expect(scheduleIntervalSeconds('cron(*/10 * * * ? *)')).toBe(600);
    expect(scheduleIntervalSeconds('cron(0 8-17 * * ? *)')).toBe(15 * 3_600);
    expect(scheduleIntervalSeconds('cron(0,10,45 * * * ? *)')).toBe(35 * 60);
    expect(scheduleIntervalSeconds('cron(30 6 * * ? *)')).toBe(86_400);
  });

  it('refuses cron schedules that skip days, naming the field', () => {
    expect(() => scheduleIntervalSeconds('cron(0 12 ? * MON-FRI *)')).toThrow(
      /deployment\.schedule: .*restricts days, months or years/,
    );
  });

  it('refuses cron fields it cannot read and values out of range', () => {
    expect(() => scheduleIntervalSeconds('cron(0 12 * *)')).toThrow(/deployment\.schedule: .*is not cron\(/);
    expect(() => scheduleIntervalSeconds('cron(0 25 * * ? *)')).toThrow(/deployment\.schedule: .*outside 0-23/);
    expect(() => scheduleIntervalSeconds('cron(0 L * * ? *)')).toThrow(/deployment\.schedule: .*cannot read/);
  });
});
