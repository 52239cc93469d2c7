/**
 * Zod issues as problems a person can act on: a field path written as in the file
 * (`spec.approval[0].required`) and a short message ("must be at least 1") instead of zod's
 * developer wording ("Too small: expected number to be >=1").
 */
import type { z } from 'zod';

export type PathSegment = string | number;

export interface FieldProblem {
  path: PathSegment[];
  message: string;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The per-parse error map: messages set on a schema itself still win. */
export function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array') return min === 1 ? 'must not be empty' : `must have at least ${plural(min, 'entry')}`;
      if (issue.origin === 'string') return min === 1 ? 'must not be empty' : `must be at least ${plural(min, 'character')}`;
      return `must be at least ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array') return `must have at most ${plural(max, 'entry')}`;
      if (issue.origin === 'string') return `must be at most ${plural(max, 'character')}`;
      return `must be at most ${max}`;
    }
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${String(issue.values[0])}` : `must be one of: ${issue.values.map(String).join(', ')}`;
    default:
      return undefined;
  }
}

/**
 * Flattens zod's issues into field problems. An unknown key becomes a problem at that key; a union
 * (e.g. one approval rule or a list of them) reports the branch that matched the value's shape, not
 * "invalid input".
 */
export function fieldProblems(issues: readonly z.core.$ZodIssue[], prefix: PathSegment[] = []): FieldProblem[] {
  return issues.flatMap((issue): FieldProblem[] => {
    const path = [...prefix, ...(issue.path as PathSegment[])];
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => ({ path: [...path, k], message: 'is not a known field' }));
    if (issue.code === 'invalid_union') {
      const wrongShape = (branch: z.core.$ZodIssue[]) => branch.length === 1 && branch[0]?.code === 'invalid_type' && branch[0].path.length === 0;
      const branch = issue.errors.find((b) => !wrongShape(b));
      if (branch) return fieldProblems(branch, path);
    }
    return [{ path, message: issue.message }];
  });
}

/** `spec.approval[0].required`, as a person would point at it in the file. */
export function formatPath(path: readonly PathSegment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
