import type { ApiRecord } from '../record.js';

/**
 * What a stream reader delivers, in order. Records come tagged with the part of the stream they
 * belong to (a time window, the whole list, or the change feed), so a load can keep the parts a
 * killed run finished and drop a part whose list moved while it was read.
 */
export type StreamItem =
  | { kind: 'records'; part: string; records: ApiRecord[] }
  /** The list moved while it was read: what was delivered for this part is void; it is read again. */
  | { kind: 'restart'; part: string }
  /** Every record of this part has been delivered. */
  | { kind: 'done'; part: string };

export type Sink = (item: StreamItem) => Promise<void>;

/** The part a time window's records belong to: its bounds, as the API was asked. */
export function windowPart(w: { since: Date; until: Date }): string {
  return `${w.since.toISOString()}/${w.until.toISOString()}`;
}

/** The part of a list without time windows. */
export const WHOLE_LIST = 'list';
/** The part of records found through a change feed. */
export const CHANGES = 'changes';
