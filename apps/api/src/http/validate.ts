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

function fieldOf(issue: z.core.$ZodIssue, part: InputPart): string {
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) return issue.keys[0]!;
  return issue.path.length > 0 ? issue.path.map(String).join('.') : part;
}

function describeWhole(part: InputPart, issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return part === 'body' ? 'request body must be a JSON object' : `${part} is invalid`;
  return `${part}: ${issue.message}`;
}
