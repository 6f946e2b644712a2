import type * as z from 'zod';
import { closestName } from '../command-line/closest-name.js';
import type { ConfigProblem } from '../errors.js';
import { UNKNOWN_FIELD_MARK } from './fields.js';

type PathKey = PropertyKey;

/** `['targets', 0, 'port']` → `targets[0].port`, the path every problem and the docs name a field by. */
export function fieldPath(path: readonly PathKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text === '' ? String(key) : `${text}.${String(key)}`;
  }, '');
}

/** An unknown field's problem: the near miss when there is one, and the fields its object allows. */
function unknownFieldProblems(issue: z.core.$ZodIssue): ConfigProblem[] {
  const allowedText = issue.message.slice(UNKNOWN_FIELD_MARK.length);
  const allowed = allowedText.split(', ');
  const keys = (issue as z.core.$ZodIssueUnrecognizedKeys).keys;
  return keys.map((key) => {
    const nearMiss = closestName(key, allowed);
    const hint = nearMiss === undefined ? '' : `did you mean ${nearMiss}? `;
    return { field: fieldPath([...issue.path, key]), problem: `unknown field (${hint}allowed: ${allowedText})` };
  });
}

function toProblems(issue: z.core.$ZodIssue): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys' && issue.message.startsWith(UNKNOWN_FIELD_MARK)) {
    return unknownFieldProblems(issue);
  }
  return [{ field: fieldPath(issue.path), problem: issue.message }];
}

/** The path of every member and item of `document`, in the order a reader meets them (the file's, for a JSON file). */
function documentOrder(document: unknown): Map<string, number> {
  const order = new Map<string, number>();
  const visit = (value: unknown, path: string) => {
    order.set(path, order.size);
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        visit(item, `${path}[${index}]`);
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) visit(child, path === '' ? key : `${path}.${key}`);
    }
  };
  visit(document, '');
  return order;
}

/** `targets[0].port` → `targets[0]` → `targets` → `''`, the document. */
export function parentPath(path: string): string {
  return path.slice(0, Math.max(path.lastIndexOf('.'), path.lastIndexOf('['), 0));
}

const isInside = (field: string, outer: string) =>
  field !== outer && (field.startsWith(`${outer}.`) || field.startsWith(`${outer}[`));

/**
 * The problems zod found, as the config reports them: one per field (its first), none inside a field that has one
 * itself (a `targets` that is not a list does not also make each target's name "required"), in document order.
 */
export function configProblems(issues: readonly z.core.$ZodIssue[], document: unknown): ConfigProblem[] {
  const all = issues.flatMap(toProblems);
  const kept = all.filter(
    ({ field }, index) =>
      all.findIndex((other) => other.field === field) === index && !all.some((other) => isInside(field, other.field)),
  );
  const order = documentOrder(document);
  const rank = (field: string): number => {
    for (let current = field; ; current = parentPath(current)) {
      const found = order.get(current);
      if (found !== undefined || current === '') return found ?? 0;
    }
  };
  return kept
    .map((problem, index) => ({ problem, rank: rank(problem.field), index }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ problem }) => problem);
}
