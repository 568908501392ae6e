import type { Catalogue, StreamSpec } from '../catalogue/catalogue.js';
import type { PagerDutyConnection, TargetConnection } from '../config/connections.js';
import type { ColumnCasing, Mode, Replication } from '../config/replication.js';
import type { BackfillRange } from './backfill-range.js';
import type { FieldSelect } from './field-select.js';
import type { FileObject } from './file-object.js';

/** What a plan is made of: the types `plan()` returns, which the parts of a plan (stream-parts.ts) build too. */

export interface TableName {
  schema: string;
  table: string;
}

export interface PlannedStream {
  name: string;
  mode: Mode;
  /** Its table, with a PostgreSQL target (with a file target, `file` says where its rows go). */
  object: TableName;
  /** With a file target: the file or folder its rows go to. */
  file?: FileObject;
  spec: StreamSpec;
  primaryKey: string[];
  /** For windowed streams: history is read from `since` to the run's `until` (a backfill: to its range's). */
  since?: string;
  /** Mode backfill: the window read and merged; the saved cursor is left as it is. */
  range?: BackfillRange;
  /** `select`: which fields are written (`spec.columns` holds only those). */
  select?: FieldSelect;
  /** Days ahead of the run's start to read, for a stream with a forward range. */
  forwardDays?: number;
  /** For streams with a change feed: the feed's stream, the field holding a changed record, and that record's type. Read after the first incremental run, and by a resumed load. */
  changes?: ChangeFeed;
  /** Records per page this stream asks for. */
  pageLimit: number;
  /** How record fields are named as columns. */
  columnCasing: ColumnCasing;
  /** For a child stream: the parent stream its requests are made for, read from `since` (and its change feed). */
  parent?: { spec: StreamSpec; field: string; column: string; since?: string; changes?: ChangeFeed };
  /** `row_security: teams` (in defaults or its own entry): its table shows a role only its teams' rows. */
  rowSecurity: boolean;
  /** With row security, where `team_ids` comes from when the record has no teams of its own (the catalogue's team_ids). */
  teamIds?: TeamIdsRule;
}

/** A team's own id column, or the team_ids of rows of other streams' tables named by a column (`by`). */
export type TeamIdsRule = { column: string } | { from: { stream: string; table: TableName; by: string }[] };

export interface ChangeFeed {
  spec: StreamSpec;
  record: string;
  recordType: string;
}

/** What a plan takes from the PagerDuty connection: its inputs (anchor_date, rate, ...). */
export type SourceSettings = Pick<PagerDutyConnection, 'inputs'>;

export interface Plan {
  /** The source's settings: a plan never holds its secrets. */
  source: { name: string; connection: SourceSettings };
  target: { name: string; connection: TargetConnection };
  /** Fixed when the run starts: every window ends here, so records created during the run shift nothing. */
  until: string;
  streams: PlannedStream[];
  /** Where the analytics relations go and the tables they read, by stream; none when turned off. */
  relations?: RelationPlan;
  /** Said once when the run starts: what this target leaves out (the relations, for files). */
  notices: string[];
  /**
   * The replication as a whole: its file, and every stream and table it loads (whatever
   * `--streams` picks), so a run can drop what a killed run of it staged for a stream or table it
   * no longer loads.
   */
  replication: { id: string; objects: { stream: string; object: string }[] };
}

export interface RelationPlan {
  schema: string;
  /** Each stream's table: the plan's, else what the defaults' object names it. */
  tables: Record<string, TableName>;
  /** Row-level security by team on tables whose records carry teams. */
  rowSecurity: boolean;
}

export interface PlanInput {
  catalogue: Catalogue;
  replication: Replication;
  replicationPath: string;
  /** What names the replication in pdsync.loads (its absolute path); default replicationPath. */
  replicationId?: string;
  source: SourceSettings;
  target: TargetConnection;
  now: Date;
  /** `--streams`: only these. */
  only?: string[];
  /** `--mode`: overrides every stream's mode. */
  mode?: Mode;
  /** `--range`: a backfill's range, over every stream's source_options.range. */
  range?: string;
}
