import * as z from 'zod';
import { parseCidr } from '../port25-rule.js';
import { CIDR } from './patterns.js';

/**
 * The building blocks every config section is declared with: each carries the message a user reads when the value is
 * wrong (the field's path and, for a located file, its line and column are added by problems.ts), and zod turns each
 * into the same rule in the generated JSON Schema (schema/canary.config.schema.json).
 */

type Issue = { readonly input?: unknown; readonly code?: string };

const shown = (value: unknown) => JSON.stringify(value);

/** A zod issue code's message: `is required` for an absent field, else `problem(input)`. */
const unlessAbsent = (problem: (input: unknown) => string) => (issue: Issue) =>
  issue.input === undefined ? 'is required' : problem(issue.input);

/** A non-blank string; with a pattern, a value it does not match is quoted and `hint` says what was wanted. */
export function text(pattern?: RegExp, hint = 'is not valid') {
  const string = z.string({ error: unlessAbsent(() => 'must be a non-empty string') });
  if (pattern === undefined) return string.regex(/\S/, { error: 'must be a non-empty string' });
  // A refinement, not a second pattern: the JSON Schema carries `pattern` alone, which refuses blanks too.
  return string
    .refine((value) => value.trim() !== '', { error: 'must be a non-empty string', abort: true })
    .regex(pattern, { error: (issue) => `${shown(issue.input)} ${hint}` });
}

/** An integer within [min, max]; the message gives the range and the value. */
export function integer(min: number, max: number) {
  const error = unlessAbsent((input) => `must be an integer from ${min} to ${max}, got ${shown(input)}`);
  return z.number({ error }).int({ error, abort: true }).min(min, { error }).max(max, { error });
}

export function flag() {
  return z.boolean({ error: unlessAbsent((input) => `must be true or false, got ${shown(input)}`) });
}

export function oneOf<const T extends readonly [string, ...string[]]>(choices: T) {
  return z.enum(choices, {
    error: unlessAbsent((input) => `must be one of ${choices.join(', ')}, got ${shown(input)}`),
  });
}

/** A list of strings, each matching `pattern` (a bad item is quoted with `hint`). */
export function textList(pattern: RegExp, hint: string) {
  const item = z.string({ error: (issue) => `${shown(issue.input)} ${hint}` }).regex(pattern, {
    error: (issue) => `${shown(issue.input)} ${hint}`,
  });
  return z.array(item, { error: unlessAbsent(() => 'must be an array of strings') });
}

/** A list whose items are checked by `item`. */
export function list<T extends z.ZodType>(item: T, notAList = 'must be an array') {
  return z.array(item, { error: unlessAbsent(() => notAList) });
}

/**
 * An object that takes only the fields declared in `shape`. An unknown field's problem lists the allowed ones
 * (problems.ts adds the near miss); a value that is no object is one problem, and nothing inside it is read.
 */
export function section<T extends z.core.$ZodLooseShape>(shape: T) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `${UNKNOWN_FIELD_MARK}${allowed}`
        : issue.input === undefined
          ? 'is required'
          : 'must be a JSON object',
  });
}

/** Starts the message of an unknown field; problems.ts reads the allowed fields after it. */
export const UNKNOWN_FIELD_MARK = 'unknown field, allowed: ';

export const shownValue = shown;

/**
 * Runs a refinement even where a field inside already failed, so one run reports every problem; the refinement reads
 * its value defensively (a failed field holds its raw input).
 */
export const ALWAYS = { when: () => true } as const;

/** A network CIDR block: the pattern editors check, and the host bits only code can (`10.0.0.1/16` is refused). */
export const cidrBlock = text(CIDR, 'is not a network CIDR block')
  .superRefine((value, context) => {
    try {
      parseCidr(value);
    } catch (error) {
      const reason = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
      context.addIssue(`${shown(value)} is not a network CIDR block${reason}`);
    }
  })
  .describe('A network CIDR block (host bits zero), IPv4 or IPv6.')
  .meta({ id: 'cidr' });
