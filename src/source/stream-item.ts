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
  /** Every record of this part has been delivered; `piece`: a piece of a window split under the offset cap, not a window. */
  | { kind: 'done'; part: string; piece?: boolean }
  /** A child stream: every record of this parent has been delivered (its children replace those it had). */
  | { kind: 'parent'; part: string; key: string };

export type Sink = (item: StreamItem) => Promise<void>;

/** The part a time window's records belong to: its bounds, as the API was asked. */
export function windowPart(w: { since: Date; until: Date }): string {
  return `${w.since.toISOString()}/${w.until.toISOString()}`;
}

/** The window a part names, if it names one. */
export function partWindow(part: string): { since: Date; until: Date } | undefined {
  const [since, until] = part.split('/');
  if (!since || !until) return undefined;
  return { since: new Date(since), until: new Date(until) };
}

/** Whether a finished part (a window, or a piece of one) lies inside one of these windows: a resumed load keeps it. */
export function insideAny(part: string, windows: { since: Date; until: Date }[]): boolean {
  const w = partWindow(part);
  return w !== undefined && windows.some((x) => x.since <= w.since && w.until <= x.until);
}

/** The part of a list without time windows. */
export const WHOLE_LIST = 'list';
/** The part of records found through a change feed. */
export const CHANGES = 'changes';
/** The part of a child stream's records (read per parent record). */
export const CHILDREN = 'children';
