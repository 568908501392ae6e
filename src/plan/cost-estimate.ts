import { CURSOR_OVERLAP_MS, incrementalSince, type Plan, type PlannedStream, readUntil } from './plan.js';
import { timeWindows } from '../source/time-windows.js';

/** Requests a run makes, about; `known` false when a table it depends on is not synced yet (then a floor). */
export interface Cost {
  requests: number;
  known: boolean;
}

export interface StreamCost {
  stream: string;
  thisRun: Cost;
  /** A later run with nothing changed at the source. */
  idleRun: Cost;
}

/** What the target holds now: rows per stream (undefined when its table does not exist) and saved cursors. */
export interface TargetNow {
  rows: Map<string, number | undefined>;
  cursors: Map<string, Date>;
}

const add = (a: Cost, b: Cost): Cost => ({ requests: a.requests + b.requests, known: a.known && b.known });

/** Pages of a list: an unstable list (no window) overlaps its pages by one record. */
function pages(rows: number | undefined, limit: number, overlap: boolean): Cost {
  if (rows === undefined) return { requests: 1, known: false };
  return { requests: Math.max(1, Math.ceil(rows / (overlap ? limit - 1 : limit))), known: true };
}

/** A stream's own list from `since`: one first page per window, then pages of `rows` (all of them, or none new). */
function listCost(s: PlannedStream, until: Date, since: Date | undefined, rows: number | undefined): Cost {
  if (!s.spec.window || !since) return pages(rows, s.pageLimit, true);
  const windows = timeWindows(since, until, s.spec.window.max_days).length;
  return { requests: windows + (rows === undefined ? 0 : Math.floor(rows / s.pageLimit)), known: rows !== undefined };
}

/** Where an idle run after this one starts reading: the overlap before this run's end. */
function idleSince(s: PlannedStream, until: Date): Date | undefined {
  return s.since ? new Date(Math.max(Date.parse(s.since), until.getTime() - CURSOR_OVERLAP_MS)) : undefined;
}

/** The change feed an incremental run reads (log entries since the last run): a page, when nothing changed. */
const FEED: Cost = { requests: 1, known: true };
const NOTHING: Cost = { requests: 0, known: true };

/**
 * A child stream: its parents' list, then a request per parent read. All parents in a full refresh
 * or a first run; in an incremental run those created or changed since the last (none, when idle).
 * Sibling fan-out streams share one read of their parents.
 */
function childCost(s: PlannedStream, until: Date, now: TargetNow, cursor: Date | undefined, parentsRead: Set<string>): Omit<StreamCost, 'stream'> {
  const parent = s.parent!;
  const parentRows = now.rows.get(parent.spec.name);
  const shared = parentsRead.has(parent.spec.name);
  parentsRead.add(parent.spec.name);
  const asParent = { ...s, spec: parent.spec, since: parent.since } as PlannedStream;
  const anchor = parent.since ? new Date(parent.since) : undefined;
  const all: Cost = add(shared ? NOTHING : listCost(asParent, until, anchor, parentRows), { requests: parentRows ?? 0, known: parentRows !== undefined });
  const changedSince = (since: Date | undefined): Cost => (shared ? NOTHING : add(listCost(asParent, until, since, 0), parent.changes ? FEED : NOTHING));
  if (s.mode !== 'incremental') return { thisRun: all, idleRun: all };
  return {
    thisRun: cursor ? changedSince(new Date(cursor.getTime() - CURSOR_OVERLAP_MS)) : all,
    idleRun: changedSince(idleSince(asParent, until)),
  };
}

function streamCost(plan: Plan, s: PlannedStream, now: TargetNow, parentsRead: Set<string>): StreamCost {
  const until = readUntil(s, plan);
  const rows = now.rows.get(s.name);
  const cursor = s.mode === 'incremental' ? now.cursors.get(s.name) : undefined;
  if (s.parent) return { stream: s.name, ...childCost(s, until, now, cursor, parentsRead) };
  const feed = s.changes && s.mode === 'incremental' && !plan.streams.some((p) => p.name === s.changes!.spec.name && p.mode === 'incremental') ? FEED : NOTHING;
  const thisRun = cursor ? add(listCost(s, until, incrementalSince(s, cursor), 0), feed) : listCost(s, until, incrementalSince(s, undefined), rows);
  const idleRun = s.mode === 'incremental' && s.spec.incremental_key ? add(listCost(s, until, idleSince(s, until), 0), feed) : listCost(s, until, incrementalSince(s, undefined), rows);
  return { stream: s.name, thisRun, idleRun };
}

/**
 * What this run costs in requests, stream by stream, and what a later run costs when nothing
 * changed: estimated from the rows the target holds now (exact page counts need the API's totals,
 * which a dry run does not ask for).
 */
export function estimateCost(plan: Plan, now: TargetNow): StreamCost[] {
  const parentsRead = new Set<string>();
  return plan.streams.map((s) => streamCost(plan, s, now, parentsRead));
}

export function totalCost(costs: StreamCost[], which: 'thisRun' | 'idleRun'): Cost {
  return costs.reduce((sum, c) => add(sum, c[which]), NOTHING);
}
