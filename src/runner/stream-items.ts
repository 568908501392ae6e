import { CURSOR_OVERLAP_MS, type Plan, type PlannedStream } from '../plan/plan.js';
import type { ApiRecord } from '../record.js';
import { type FetchPage, readStream, type ReadOptions } from '../source/stream-reader.js';
import { CHANGES, type StreamItem } from '../source/stream-item.js';
import { compositeKeyOf } from '../target/copy-row-encoder.js';
import type { RunEvents } from './run-events.js';

export interface ItemsInput {
  stream: PlannedStream;
  plan: Plan;
  fetchPage: FetchPage;
  events: RunEvents;
  pageLimit: number;
  maxOffset: number;
  since: Date | undefined;
  /** Read the change feed from here: the saved cursor, or when a resumed load was staged. */
  changesSince: Date | undefined;
  /** Parts staged by an earlier run, not read again. */
  skip: ReadonlySet<string>;
  rowLimit: number | undefined;
}

/** How records of a stream are told apart across pages: its key, as the load forms it. */
export function keyFunction(stream: PlannedStream): (r: ApiRecord) => string {
  const pk = stream.primaryKey;
  return pk.length === 1 && !pk[0]!.includes('.') ? (r) => String(r[pk[0]!]) : (r) => compositeKeyOf(r, pk);
}

/** The records a change feed names, in full: a bare reference stub would blank a row. */
async function* changedRecords(input: ItemsInput, read: ReadOptions): AsyncGenerator<StreamItem> {
  const changes = input.stream.changes!;
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
  const read: ReadOptions = {
    pageLimit: input.pageLimit,
    maxOffset: input.maxOffset,
    until: new Date(input.plan.until),
    ...(input.since ? { since: input.since } : {}),
    ...(stream.forwardDays ? { forwardDays: stream.forwardDays } : {}),
    skip: input.skip,
    keyOf: keyFunction(stream),
    onTotal: (n) => events.totalKnown(stream.name, (total += n)),
  };
  async function* all(): AsyncGenerator<StreamItem> {
    yield* readStream(stream.spec, input.fetchPage, read);
    if (stream.changes && input.changesSince) yield* changedRecords(input, read);
  }
  let rows = 0;
  let pages = 0;
  const perPart = new Map<string, number>();
  for await (const item of all()) {
    if (item.kind === 'restart') {
      events.notice(stream.name, 'the list changed while it was read: reading it again');
      perPart.set(item.part, 0);
    }
    if (item.kind === 'done') {
      const [since, until] = item.part.split('/');
      if (since && until) events.windowDone(stream.name, new Date(since), new Date(until), perPart.get(item.part) ?? 0);
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
    yield { ...item, records };
    if (input.rowLimit !== undefined && rows >= input.rowLimit) return;
  }
}

/** Where the change feed starts for a load: the cursor less the overlap; for a resumed full refresh, when its staging began. */
export function changesFrom(stream: PlannedStream, cursor: Date | undefined, resumedAt: Date | undefined): Date | undefined {
  if (!stream.changes) return undefined;
  const from = cursor ?? resumedAt;
  return from ? new Date(from.getTime() - CURSOR_OVERLAP_MS) : undefined;
}
