import type { z } from 'zod';
import { ApiError } from '../errors';

/** Where a value came from, named in errors when no single field is at fault. */
export type InputPart = 'body' | 'params' | 'query';

/**
 * Parses request input with a zod schema; the first problem becomes a 400 VALIDATION_FAILED
 * whose `field` names the offending field (`amount`, `id`, `cursor` …).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, part: InputPart): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = fieldOf(issue, part);
  const message = field === part ? describeWhole(part, issue) : issue.code === 'unrecognized_keys' ? `${field} is not a known field` : `${field} ${issue.message}`;
  throw new ApiError('VALIDATION_FAILED', message, { field });
}

/**
 * A key worth naming back: a plausible field name. Any other unknown key (huge, unicode,
 * control characters, or a secret pasted by mistake) is not echoed into responses and logs.
 */
const NAMEABLE_KEY = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

function fieldOf(issue: z.core.$ZodIssue, part: InputPart): string {
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    const key = issue.keys[0]!;
    return NAMEABLE_KEY.test(key) ? key : part;
  }
  return issue.path.length > 0 ? issue.path.map(String).join('.') : part;
}

function describeWhole(part: InputPart, issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `${part} has a field that is not known`;
  if (issue.code === 'invalid_type') return part === 'body' ? 'request body must be a JSON object' : `${part} is invalid`;
  return `${part}: ${issue.message}`;
}
