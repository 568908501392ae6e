import { incrementalSince, type Plan } from '../plan/plan.js';
import { timeWindows } from '../source/time-windows.js';

export interface PlannedStreamReport {
  stream: string;
  mode: string;
  object: string;
  primary_key: string[];
  cursor: string | null;
  windows: { count: number; since: string; until: string; max_days: number } | null;
  /** A child stream: one request (or more) per parent record; `parents`: how many its table holds now, when known. */
  children: { parent: string; parents: number | null } | null;
}

/** What `--dry-run` shows: per stream its mode, table, key, saved cursor and time windows. */
export function planReport(plan: Plan, cursors: Map<string, Date>, parentRows: Map<string, number> = new Map()): PlannedStreamReport[] {
  return plan.streams.map((s) => {
    const cursor = s.mode === 'incremental' ? cursors.get(s.name) : undefined;
    const since = incrementalSince(s, cursor);
    const windows =
      since && s.spec.window
        ? {
            count: timeWindows(since, new Date(plan.until), s.spec.window.max_days).length,
            since: since.toISOString(),
            until: plan.until,
            max_days: s.spec.window.max_days,
          }
        : null;
    return {
      stream: s.name,
      mode: s.mode,
      object: `${s.object.schema}.${s.object.table}`,
      primary_key: s.primaryKey,
      cursor: cursor?.toISOString() ?? null,
      windows,
      children: s.parent ? { parent: s.parent.spec.name, parents: parentRows.get(s.name) ?? null } : null,
    };
  });
}

export function formatPlanReport(rows: PlannedStreamReport[]): string {
  return rows
    .map((r) => {
      const w = r.windows ? `  ${r.windows.count} window(s) of <= ${r.windows.max_days} days, ${r.windows.since} .. ${r.windows.until}` : '  no time windows';
      const c = r.cursor ? `  cursor ${r.cursor}` : '';
      if (r.children) {
        const n = r.children.parents === null ? '' : ` (${r.children.parents} ${r.children.parent} synced now: about ${r.children.parents} requests for a first run)`;
        return `${r.stream.padEnd(20)} ${r.mode.padEnd(12)} -> ${r.object}${c}  one request (or more) per ${r.children.parent} record${n}`;
      }
      return `${r.stream.padEnd(20)} ${r.mode.padEnd(12)} -> ${r.object}${c}${w}`;
    })
    .join('\n');
}
