import { type Cost, estimateCost, type TargetNow, totalCost } from '../plan/cost-estimate.js';
import { destinationName, incrementalSince, type Plan, type PlannedStream, readUntil } from '../plan/plan.js';
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
  /** `select`: the fields listed (kept, or dropped with `-`), and those kept although not listed (key, cursor field, ...). */
  select: { fields: string[]; implied: string[] } | null;
  /** A backfill's range, as written. */
  range: string | null;
  /** Requests, about: for this run, and for a later run with nothing changed (`known` false: a floor, tables not synced yet). */
  cost: { this_run: Cost; idle_run: Cost };
}

/** The whole plan's cost, and the time it takes at the connection's rate. */
export interface PlanCost {
  rate: number;
  this_run: Cost & { seconds: number };
  idle_run: Cost & { seconds: number };
}

/** What `--dry-run` shows: per stream its mode, table, key, saved cursor and time windows. */
export function planReport(plan: Plan, now: TargetNow): { streams: PlannedStreamReport[]; cost: PlanCost } {
  const costs = estimateCost(plan, now);
  const rate = plan.source.connection.inputs.rate;
  const timed = (c: Cost) => ({ ...c, seconds: Math.ceil(c.requests / rate) });
  const cost = { rate, this_run: timed(totalCost(costs, 'thisRun')), idle_run: timed(totalCost(costs, 'idleRun')) };
  return { streams: streamReports(plan, now, costs), cost };
}

function streamReports(plan: Plan, now: TargetNow, costs: ReturnType<typeof estimateCost>): PlannedStreamReport[] {
  const { cursors } = now;
  return plan.streams.map((s, i) => {
    const cursor = s.mode === 'incremental' ? cursors.get(s.name) : undefined;
    const since = incrementalSince(s, cursor);
    const windows =
      since && s.spec.window
        ? {
            count: timeWindows(since, readUntil(s, plan), s.spec.window.max_days).length,
            since: since.toISOString(),
            until: readUntil(s, plan).toISOString(),
            max_days: s.spec.window.max_days,
          }
        : null;
    return {
      stream: s.name,
      mode: s.mode,
      object: destinationName(s),
      primary_key: s.primaryKey,
      cursor: cursor?.toISOString() ?? null,
      windows,
      select: selectReport(s),
      range: s.range?.text ?? null,
      children: s.parent ? { parent: s.parent.spec.name, parents: now.rows.get(s.parent.spec.name) ?? null } : null,
      cost: { this_run: costs[i]!.thisRun, idle_run: costs[i]!.idleRun },
    };
  });
}

function selectReport(s: PlannedStream): PlannedStreamReport['select'] {
  if (!s.select) return null;
  return { fields: s.select.fields.map((f) => (s.select!.kind === 'drop' ? `-${f}` : f)), implied: s.select.implied };
}

/** `  select id, name (kept too: key id)`, `  range 2024-01-01,2024-03-01`: what a stream's entry narrows. */
function narrowing(r: PlannedStreamReport): string {
  const implied = r.select?.implied.length ? ` (kept too: ${r.select.implied.join(', ')})` : '';
  return `${r.select ? `  select ${r.select.fields.join(', ')}${implied}` : ''}${r.range ? `  range ${r.range}` : ''}`;
}

/** About N requests, or at least N when a table the estimate needs is not synced yet. */
export function requestsText(c: Cost): string {
  return `${c.known ? 'about' : 'at least'} ${c.requests} request${c.requests === 1 ? '' : 's'}`;
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function formatPlanReport(report: { streams: PlannedStreamReport[]; cost: PlanCost }): string {
  const lines = report.streams.map((r) => {
    const c = r.cursor ? `  cursor ${r.cursor}` : '';
    const cost = (extra = '') => `  (${requestsText(r.cost.this_run)}${extra}; idle rerun ${r.cost.idle_run.requests})`;
    if (r.children) {
      const { parent, parents } = r.children;
      const n = parents === null ? '' : ` (${parents} ${parent} synced now)`;
      const unknown = parents === null && !r.cost.this_run.known ? `, plus one per ${parent} record` : '';
      return `${r.stream.padEnd(20)} ${r.mode.padEnd(12)} -> ${r.object}${c}  one request (or more) per ${parent} record${n}${narrowing(r)}${cost(unknown)}`;
    }
    const w = r.windows ? `  ${r.windows.count} window(s) of <= ${r.windows.max_days} days, ${r.windows.since} .. ${r.windows.until}` : '  no time windows';
    return `${r.stream.padEnd(20)} ${r.mode.padEnd(12)} -> ${r.object}${c}${w}${narrowing(r)}${cost()}`;
  });
  const { this_run: now, idle_run: idle, rate } = report.cost;
  const timed = (c: Cost & { seconds: number }) => `${requestsText(c)} (${c.known ? '' : 'at least '}${duration(c.seconds)})`;
  lines.push(`cost at ${rate} requests/s: this run ${timed(now)}; a later run with nothing changed ${timed(idle)}`);
  if (!now.known || !idle.known) {
    lines.push('(a floor where a table is not synced yet: a dry run counts the rows the target holds, and asks the API for nothing but the credential check)');
  }
  return lines.join('\n');
}
