import type { z } from 'zod';

/** One readable line for a zod issue: the key path, then what was expected. */
export function formatZodIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
    return `${path}: missing: expected ${issue.expected}`;
  }
  return `${path}: ${issue.message}`;
}
