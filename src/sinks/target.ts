import type { Plan, PlannedStream, RelationPlan } from '../plan/plan.js';
import type { StreamItem } from '../source/stream-item.js';

/**
 * The seam between the runner and where rows land (PostgreSQL tables, or files): the runner reads
 * streams and hands each stream's items to a Load; a Target opens loads and does what a run needs
 * of it before and after the streams. Only a target knows its storage.
 */
export interface Target<L extends Load = Load> {
  /** Records the run's start; returns what a killed run left that this one dropped. */
  startRun(runId: string, startedAt: string, replication: Plan['replication']): Promise<Dropped[]>;
  /** Before any stream: what row security needs (nothing for a target without it). */
  prepareRowSecurity(plan: Plan): Promise<void>;
  /** A stream's saved cursor and sync time, read only. */
  savedState(stream: PlannedStream): Promise<SavedState>;
  /** A stream's load. `onLost`: the target's connection broke: the stream should stop at once. */
  openLoad(stream: PlannedStream, o: LoadOptions, onLost: (e: Error) => void): Promise<L>;
  /** Runs one step of a load, its errors named after the stream's destination. */
  step<T>(load: L, stream: PlannedStream, fn: () => Promise<T>): Promise<T>;
  /** A load that did not publish: keeps only what a rerun could use. */
  discardFailedLoad(load: L): Promise<void>;
  endLoad(load: L): void;
  /** A stop: cancels at once what the target is waiting on. */
  cancelAll(): Promise<void>;
  /** After the streams: rows whose teams come from other streams, made current; failures by stream. */
  keepTeamIds(plan: Plan): Promise<{ stream: string; reason: string }[]>;
  /** After the streams: the analytics relations; undefined when not made. */
  keepRelations(plan: Plan, rebuild: boolean): Promise<RelationsDone | undefined>;
  /** Records the run's end, with its per-stream figures. */
  finishRun(runId: string, status: string, streams: unknown[], error: string | null): Promise<void>;
}

/** One stream's load: items in, then published (or discarded) whole. */
export interface Load {
  /** The saved cursor: the largest incremental key published. */
  readonly cursor: Date | undefined;
  /** When the last published run of this stream read up to. */
  readonly syncedUntil: Date | undefined;
  /** Parts a killed run staged that this load keeps: they are not read again. */
  readonly resumed: { parts: ReadonlySet<string>; startedAt: Date; until: Date } | undefined;
  /** A killed run's staging was dropped: its windows could not be proven current. */
  readonly droppedUnprovable: boolean;
  begin(plannedWindows: { since: Date; until: Date }[]): Promise<unknown>;
  /** Rows staged per resumed part, to count again at the source. */
  stagedKeys(): Promise<Map<string, number>>;
  /** Drops resumed parts found stale: they are read again. */
  dropParts(parts: string[]): Promise<void>;
  accept(item: StreamItem): Promise<void>;
  publish(signal: AbortSignal): Promise<WriteResult>;
}

export interface LoadOptions {
  runId: string;
  /** The replication running it (see Plan.replication): recorded with a staged load. */
  replication: string;
  until: string;
  trial: boolean;
  onWait: () => void;
  /** The relations kept by change: a publish records the scopes its changes touch. */
  relations?: RelationPlan | undefined;
}

export interface WriteResult {
  rowsRead: number;
  rowsWritten: number;
  /** Rows new or changed, and rows removed: what the destination's readers see differ. */
  rowsChanged: number;
  rowsRemoved: number;
  warnings: string[];
}

export interface SavedState {
  /** The largest incremental key seen. */
  cursor: Date | undefined;
  /** When the run that last published this stream began reading: changes are looked for from here. */
  syncedUntil: Date | undefined;
}

/** Something a killed run left for a stream, dropped at the start of this run, and why. */
export interface Dropped {
  stream: string;
  object: string;
  why: string;
}

export interface RelationsDone {
  /** Computed whole: new, or their definition changed (or a rebuild was asked for). */
  made: string[];
  /** Kept by change, with the rows computed again (none when nothing they read changed). */
  kept: { name: string; rows: number }[];
  failed: { name: string; reason: string }[];
}
