import { ConfigError } from '../functions/shared/errors.js';

const SCHEDULE_FIELD = 'deployment.schedule';
const MINUTES_PER_DAY = 24 * 60;
const SECONDS_PER_UNIT = { minute: 60, hour: 3_600, day: 86_400 } as const;

/** The longest alarm period we accept: a canary that runs less than daily cannot page anyone in time. */
export const MAX_SCHEDULE_INTERVAL_SECONDS = 86_400;

/**
 * The longest gap, in seconds, between two runs of an EventBridge schedule expression. Alarms use it as their period,
 * so every period holds at least one run. Cron expressions are supported when they restrict only minutes and hours.
 */
export function scheduleIntervalSeconds(expression: string): number {
  const interval = expression.startsWith('rate(') ? rateSeconds(expression) : cronGapSeconds(expression);
  if (interval > MAX_SCHEDULE_INTERVAL_SECONDS) {
    throw new ConfigError(SCHEDULE_FIELD, `${expression} runs less often than once a day; alarms need a daily run`);
  }
  return interval;
}

function rateSeconds(expression: string): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!match) {
    throw new ConfigError(SCHEDULE_FIELD, `${expression} is not rate(<n> minute[s]|hour[s]|day[s])`);
  }
  const value = Number(match[1]);
  const unit = match[2] as string;
  const singular = unit.replace(/s$/, '') as keyof typeof SECONDS_PER_UNIT;
  // EventBridge rejects "rate(1 minutes)" and "rate(5 minute)" at deploy time; say so at synth.
  if (value < 1) throw new ConfigError(SCHEDULE_FIELD, `${expression}: the rate must be at least 1`);
  if ((value === 1) !== (unit === singular)) {
    throw new ConfigError(
      SCHEDULE_FIELD,
      `${expression}: EventBridge wants "${value === 1 ? singular : `${singular}s`}" with ${value}`,
    );
  }
  return value * SECONDS_PER_UNIT[singular];
}

function cronGapSeconds(expression: string): number {
  const match = /^cron\((.+)\)$/.exec(expression);
  const fields = match?.[1]?.trim().split(/\s+/) ?? [];
  if (fields.length !== 6) {
    throw new ConfigError(
      SCHEDULE_FIELD,
      `${expression} is not cron(minutes hours day-of-month month day-of-week year)`,
    );
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const everyDay = ['*', '?'].includes(dayOfMonth) && ['*', '?'].includes(dayOfWeek) && month === '*' && year === '*';
  if (!everyDay) {
    throw new ConfigError(
      SCHEDULE_FIELD,
      `${expression} restricts days, months or years; the alarm period cannot be derived from it, use rate(...) or a daily cron`,
    );
  }
  const minuteValues = cronFieldValues(minutes, 0, 59, expression);
  const hourValues = cronFieldValues(hours, 0, 23, expression);
  const firings = hourValues.flatMap((hour) => minuteValues.map((minute) => hour * 60 + minute)).sort((a, b) => a - b);
  const gaps = firings.map((firing, index) => {
    const next = firings[index + 1] ?? (firings[0] as number) + MINUTES_PER_DAY;
    return next - firing;
  });
  return Math.max(...gaps) * 60;
}

/** Values of one cron minutes/hours field: `*`, `n`, `a-b`, `a,b`, `*\/n`, `a/n`, `a-b/n`. */
function cronFieldValues(field: string, min: number, max: number, expression: string): number[] {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(part);
    if (!match) throw new ConfigError(SCHEDULE_FIELD, `${expression}: cannot read the cron field "${field}"`);
    const start = match[1] === '*' ? min : Number(match[1]);
    const end = match[2] !== undefined ? Number(match[2]) : match[1] === '*' || match[3] !== undefined ? max : start;
    const step = match[3] === undefined ? 1 : Number(match[3]);
    if (start < min || end > max || start > end || step < 1) {
      throw new ConfigError(SCHEDULE_FIELD, `${expression}: "${part}" is outside ${min}-${max}`);
    }
    for (let value = start; value <= end; value += step) values.add(value);
  }
  return [...values];
}
