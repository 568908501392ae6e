import { isTimestamp } from '../postgres/load/pg-values.js';

/**
 * A timestamp as ISO 8601 in UTC (`2024-05-01T12:00:00Z`, milliseconds only when it has some), or
 * undefined when the value is not a real time (`2024-02-30T00:00:00Z`), which is then kept as sent.
 */
export function utcTime(v: unknown): Date | undefined {
  if (typeof v !== 'string' || !isTimestamp(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

export function isoUtc(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}

/** The id of a reference object (`{id, type, ...}`), null for anything else. */
export function idOf(ref: unknown): unknown {
  return ref !== null && typeof ref === 'object' ? ((ref as { id?: unknown }).id ?? null) : null;
}
