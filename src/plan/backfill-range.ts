import type { Catalogue, StreamSpec } from '../catalogue/catalogue.js';
import type { Mode, StreamSettings } from '../config/replication.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;
const DAY_MS = 86_400_000;
const EXAMPLE = "'2024-01-01,2024-03-01' (dates or ISO timestamps, both ends included)";

/** A backfill's window: records whose time is in [since, until) are read. */
export interface BackfillRange {
  since: string;
  until: string;
  /** As written, for the plan report. */
  text: string;
}

/** Whether `YYYY-MM-DD` names a real day: Date.parse rolls 2024-02-30 over into March. */
function realDay(text: string): boolean {
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/** One end of a range in ms (UTC when no zone is given), whole seconds; undefined when it is no real date or time. */
function instant(text: string): number | undefined {
  if ((!DATE.test(text) && !TIMESTAMP.test(text)) || !realDay(text)) return undefined;
  const iso = text.replace(' ', 'T');
  const ms = Date.parse(DATE.test(text) || ZONE.test(iso) ? iso : `${iso}Z`);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000) * 1000;
}

/**
 * `source_options.range` of a backfill, read as Sling reads it (`update_key >= START and
 * update_key <= END`): both ends included. An END written as a date includes that whole day (as
 * a date column does in Sling); a timestamp END includes its own second (PagerDuty's times have
 * whole seconds, and its windows end before `until`). An END past the run's start is cut to it.
 */
export function backfillRange(text: string | undefined, runUntil: number, fail: (msg: string) => never): BackfillRange {
  if (text === undefined) fail(`mode backfill needs source_options.range, e.g. ${EXAMPLE}`);
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 2 || parts.some((p) => p === '')) fail(`range "${text}": expected START,END, e.g. ${EXAMPLE}`);
  const [start, end] = parts as [string, string];
  const since = instant(start);
  const last = instant(end);
  if (since === undefined) fail(`range "${text}": START "${start}" is not a date or ISO timestamp, e.g. ${EXAMPLE}`);
  if (last === undefined) fail(`range "${text}": END "${end}" is not a date or ISO timestamp, e.g. ${EXAMPLE}`);
  const until = DATE.test(end) ? last + DAY_MS : last + 1000;
  if (since >= until) fail(`range "${text}": START is after END`);
  if (since >= runUntil) fail(`range "${text}": START is not in the past, so there is nothing to read`);
  return { since: new Date(since).toISOString(), until: new Date(Math.min(until, runUntil)).toISOString(), text };
}

export interface RangeInput {
  catalogue: Catalogue;
  spec: StreamSpec;
  settings: StreamSettings | null;
  defaults: Pick<StreamSettings, 'source_options'>;
  /** The stream's key path in the replication file (`streams.incidents`, `streams.*`). */
  keyPath: string;
  /** `--mode` and `--range`. */
  cli: { mode?: Mode; range?: string };
  runUntil: number;
}

/** A backfill stream's range: from `--range`, its entry's source_options or the defaults'; a stream without a time window has none to read again. */
export function streamRange(i: RangeInput, fail: (path: string, msg: string) => never): BackfillRange {
  const { spec, settings, keyPath } = i;
  if (!spec.window) {
    const windowed = Object.keys(i.catalogue.streams).filter((n) => i.catalogue.streams[n]!.window).join(', ');
    fail(i.cli.mode ? '--mode' : settings?.mode ? `${keyPath}.mode` : 'defaults.mode', `stream "${spec.name}" has no time window to backfill (PagerDuty lists it whole; these have one: ${windowed}): ${i.cli.mode ? 'pick those with --streams' : 'read it with full-refresh'}`);
  }
  const own = settings?.source_options?.range;
  const shared = i.defaults.source_options?.range;
  const at = i.cli.range !== undefined ? '--range' : own !== undefined || shared === undefined ? `${keyPath}.source_options.range` : 'defaults.source_options.range';
  return backfillRange(i.cli.range ?? own ?? shared, i.runUntil, (msg) => fail(at, msg));
}
