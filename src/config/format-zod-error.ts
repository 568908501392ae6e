import type { z } from 'zod';

/** One readable line for a zod issue: the key path, then what was expected. */
export function formatZodIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
  return `${path}: ${issue.message}`;
}
