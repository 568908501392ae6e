import { CURSOR_OVERLAP_MS, type Plan, type PlannedStream, readUntil } from '../plan/plan.js';
import { fieldPicker } from '../plan/field-select.js';
import type { ApiRecord } from '../record.js';
import { type FetchPage, readStream, type ReadOptions, streamWindows } from '../source/stream-reader.js';
import { CHANGES, insideAny, partWindow, type StreamItem, windowPart } from '../source/stream-item.js';
import { compositeKeyOf } from '../sinks/postgres/load/copy-row-encoder.js';
import type { RunEvents } from './run-events.js';
import type { ParentReads } from './parent-reads.js';
import type { SharedFeed } from './shared-feed.js';

export interface ItemsInput {
  stream: PlannedStream;
  plan: Plan;
  fetchPage: FetchPage;
  events: RunEvents;
  pageLimit: number;
  maxOffset: number;
  since: Date | undefined;
  /** Read the change feed from here: the saved cursor, or when a resumed load was staged. */
  changesSince?: Date | undefined;
  /** Parts staged by an earlier run, not read again. */
  skip: ReadonlySet<string>;
  rowLimit: number | undefined;
  /** This stream's read also serves another's change feed (log entries for incidents). */
  provides?: SharedFeed | undefined;
  /** This stream's change feed comes from another stream of the run. */
  consumes?: SharedFeed | undefined;
  /** A child stream's parent keys: read from here (the anchor, or when the last run read up to), and changed since `changesSince`. */
  parentSince?: Date | undefined;
  /** Parent reads shared by the run's child streams. */
  parentReads?: ParentReads;
}

/** How records of a stream are told apart across pages: its key, as the load forms it. */
export function keyFunction(stream: PlannedStream): (r: ApiRecord) => string {
  const pk = stream.primaryKey;
  return pk.length === 1 && !pk[0]!.includes('.') ? (r) => String(r[pk[0]!]) : (r) => compositeKeyOf(r, pk);
}

/** The records a change feed names, in full: a bare reference stub would blank a row. */
async function* changedRecords(input: ItemsInput, read: ReadOptions): AsyncGenerator<StreamItem> {
  const changes = input.stream.changes!;
  if (input.consumes && (await input.consumes.done)) {
    const records = input.consumes.records();
    input.events.changesFound(input.stream.name, changes.spec.name, records.length);
    yield { kind: 'records', part: CHANGES, records };
    yield { kind: 'done', part: CHANGES };
    return;
  }
  let found = 0;
  const feed = readStream(changes.spec, input.fetchPage, { ...read, since: input.changesSince!, skip: new Set(), keyOf: (r) => String(r.id), onTotal: () => undefined });
  for await (const item of feed) {
    if (item.kind !== 'records') continue;
    const records = item.records
      .map((r) => r[changes.record])
      .filter((v): v is ApiRecord => v !== null && typeof v === 'object' && (v as ApiRecord).type === changes.recordType);
    found += records.length;
    yield { kind: 'records', part: CHANGES, records };
  }
  input.events.changesFound(input.stream.name, changes.spec.name, found);
  yield { kind: 'done', part: CHANGES };
}

/**
 * Everything a stream reads in this run, as items for its load: its windows from `since` (less
 * those a resumed load kept), then the records changed since the cursor through its change feed;
 * cut at `--limit`. Progress is reported as it goes.
 */
export async function* streamItems(input: ItemsInput): AsyncGenerator<StreamItem> {
  const { stream, events } = input;
  let total = 0;
  const since = earliest(input.since, input.provides?.since);
  const read: ReadOptions = {
    pageLimit: input.pageLimit,
    maxOffset: input.maxOffset,
    until: readUntil(stream, input.plan),
    ...(since ? { since } : {}),
    ...(stream.forwardDays ? { forwardDays: stream.forwardDays } : {}),
    skip: input.skip,
    keyOf: keyFunction(stream),
    onTotal: (n) => events.totalKnown(stream.name, (total += n)),
  };
  const feed = input.provides;
  const spec = feed ? { ...stream.spec, include: [...new Set([...stream.spec.include, ...feed.tap.include])] } : stream.spec;
  async function* all(): AsyncGenerator<StreamItem> {
    const parentKeys = stream.parent ? await keysOfParents(input, read) : undefined;
    const windows = stream.parent ? undefined : streamWindows(spec, read.since, read.until)?.filter((w) => !read.skip?.has(windowPart(w)));
    if (windows) events.windowsKnown(stream.name, windows.length);
    for await (const item of readStream(spec, input.fetchPage, { ...read, ...(parentKeys ? { parentKeys } : {}) })) {
      yield feed && item.kind === 'records' ? { ...item, records: feed.take(item.records) } : item;
    }
    feed?.finish(true);
    if (stream.changes && input.changesSince) yield* changedRecords(input, read);
  }
  // What a select leaves out is gone before any target sees the records.
  const pick = fieldPicker(stream.select);
  let rows = 0;
  let pages = 0;
  const perPart = new Map<string, number>();
  // A window's rows: its own, or those of its pieces.
  const rowsOf = (part: string) => [...perPart].filter(([p]) => p === part || insideAny(p, [partWindow(part)!])).reduce((n, [, r]) => n + r, 0);
  for await (const item of all()) {
    if (item.kind === 'restart') {
      events.notice(stream.name, 'the list changed while it was read: reading it again');
      perPart.set(item.part, 0);
    }
    if (item.kind === 'parent') events.parentDone(stream.name);
    if (item.kind === 'done' && !item.piece) {
      const w = partWindow(item.part);
      if (w) events.windowDone(stream.name, w.since, w.until, rowsOf(item.part));
    }
    if (item.kind !== 'records') {
      yield item;
      continue;
    }
    const room = input.rowLimit === undefined ? item.records.length : input.rowLimit - rows;
    const records = room < item.records.length ? item.records.slice(0, room) : item.records;
    rows += records.length;
    pages += 1;
    perPart.set(item.part, (perPart.get(item.part) ?? 0) + records.length);
    events.rowsRead(stream.name, rows, pages);
    yield { ...item, records: stream.select ? records.map(pick) : records };
    if (input.rowLimit !== undefined && rows >= input.rowLimit) return;
  }
}

/**
 * The parent records a child stream is read for: in a full refresh every parent in range; in an
 * incremental run those created since the last run and those changed since (the parent's change
 * feed), so an idle rerun reads no child at all.
 */
async function keysOfParents(input: ItemsInput, read: ReadOptions): Promise<string[]> {
  const parent = input.stream.parent!;
  const readKeys = () => readParentKeys(input, read);
  const keys = await (input.parentReads?.once(parent.spec.name, input.parentSince, input.changesSince, readKeys) ?? readKeys());
  input.events.parentsKnown(input.stream.name, parent.spec.name, keys.length);
  return keys;
}

async function readParentKeys(input: ItemsInput, read: ReadOptions): Promise<string[]> {
  const parent = input.stream.parent!;
  const keys = new Set<string>();
  const add = (records: ApiRecord[]) => {
    for (const r of records) if (r[parent.field] !== undefined && r[parent.field] !== null) keys.add(String(r[parent.field]));
  };
  const parentRead = { ...read, ...(input.parentSince ? { since: input.parentSince } : {}), skip: new Set<string>(), keyOf: (r: ApiRecord) => String(r[parent.field]), onTotal: () => undefined };
  for await (const item of readStream(parent.spec, input.fetchPage, parentRead)) if (item.kind === 'records') add(item.records);
  if (parent.changes && input.changesSince) {
    const changed = { ...input, stream: { ...input.stream, changes: parent.changes }, consumes: undefined };
    for await (const item of changedRecords(changed, parentRead)) if (item.kind === 'records') add(item.records);
  }
  return [...keys];
}

function earliest(a: Date | undefined, b: Date | undefined): Date | undefined {
  return a && b ? (a < b ? a : b) : a;
}

/**
 * A child stream's parents: in a full refresh, or a first incremental run, all from the parent's
 * anchor; after that, those created since the last run read (less the overlap) and, through the
 * parent's change feed, those changed since.
 */
export function parentRange(stream: PlannedStream, syncedUntil: Date | undefined): { parentSince?: Date; changesSince?: Date } {
  const parent = stream.parent!;
  const anchor = parent.since ? Date.parse(parent.since) : undefined;
  const last = stream.mode === 'incremental' && syncedUntil ? syncedUntil.getTime() - CURSOR_OVERLAP_MS : undefined;
  return {
    ...(anchor !== undefined ? { parentSince: new Date(Math.max(anchor, last ?? anchor)) } : {}),
    ...(last !== undefined && parent.changes ? { changesSince: new Date(last) } : {}),
  };
}

/**
 * Where the change feed starts for a load, less the overlap: when the last published run read up
 * to (else its cursor); for a resumed full refresh, the end of history of the run that staged it
 * (records it staged were read after that). A first run reads no feed.
 */
export function changesFrom(stream: PlannedStream, last: { cursor?: Date | undefined; syncedUntil?: Date | undefined }, resumedUntil: Date | undefined): Date | undefined {
  if (!stream.changes) return undefined;
  const from = last.syncedUntil ?? last.cursor ?? resumedUntil;
  return from ? new Date(from.getTime() - CURSOR_OVERLAP_MS) : undefined;
}
