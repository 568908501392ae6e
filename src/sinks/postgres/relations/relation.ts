/** The input tables a relation reads, by stream name (and the relations it reads, by name), quoted for SQL. */
export type Tables = Record<string, string>;

/** A column of a relation's scope. A NULL in a touched scope stands for every value (a user's every week). */
export interface ScopeColumn {
  name: string;
  type: 'text' | 'timestamptz';
}

/**
 * An analytics relation pdsync keeps in the target schema, computed from synced tables and kept
 * by change: when rows of an input change, the relation's rows of the scopes they touch (the
 * incidents, the service-weeks, ...) are computed again, and only those.
 */
export interface Relation {
  name: string;
  /** Streams whose tables it needs; without them it is not made. With none, it needs one of `uses`. */
  needs: string[];
  /** Streams whose tables it uses when they exist (else their figures are empty). */
  uses?: string[];
  /** Other relations it reads (kept first). */
  after?: string[];
  /** What it computes and from what: its COMMENT ON. */
  comment: string;
  /** Its columns, in order, with what each holds (dbt sources lists them; a test holds them to the SQL). */
  columns: Record<string, string>;
  /** Columns naming one row: its primary key. */
  key: string[];
  /** Indexes beyond the key: a column, or columns together (the time a query filters on, join columns), or an index of another method (GIN on a tsvector). */
  indexed: (string | string[] | { using: 'gin'; columns: string[] })[];
  /** The columns naming the rows computed together. */
  scope: ScopeColumn[];
  /** Its rows: all of them, or, given a table of scopes (columns as `scope`), those of the scopes at least. */
  sql(t: Tables, available: (stream: string) => boolean, scope?: string): string;
  /** Per input (a stream, or a relation of `after`): a SELECT of the scopes that rows of it touch; `rows` is a FROM item of them. */
  touches: Record<string, (rows: string) => string>;
  /** Indexes on its input tables that computing a few scopes needs (pdsync makes them when it may). */
  inputIndexes?: InputIndex[];
}

export interface InputIndex {
  stream: string;
  columns: string[];
  /** Columns the index carries besides, so the relation's reads need not visit the table (an index-only scan). */
  include?: string[];
  /** A partial index: the rows the relation reads. */
  where?: string;
}

/**
 * The scopes as ranges of time per key that do not overlap (a key's every-week scope covers its
 * single weeks, and stands for all time): `key`, `lo`, `hi` (lo is -infinity for all time).
 */
export function scopeRanges(scope: string, key: string): string {
  return `SELECT x.${key} AS key, coalesce(x.week, '-infinity'::timestamptz) AS lo, coalesce(x.week + interval '168 hours', 'infinity'::timestamptz) AS hi
      FROM ${scope} x WHERE x.week IS NULL OR NOT EXISTS (SELECT 1 FROM ${scope} y WHERE y.${key} = x.${key} AND y.week IS NULL)`;
}

/**
 * The rows of `table` (as `alias`) whose `column` is a scope's and whose `time` falls in its week
 * (any time, for a scope without a week), that also meet `where` (a condition on `alias`): no row
 * comes twice. Each range is read by its own scan of an index on (column, time): OFFSET 0 keeps
 * the planner from flattening it into a join, which, misjudging a few scopes, scanned the table whole.
 */
export function inScopeWeeks(scope: string, key: string, table: string, alias: string, column: string, time: string, where?: string): string {
  const also = where ? ` AND ${where}` : '';
  return `(${scopeRanges(scope, key)}) r CROSS JOIN LATERAL (SELECT * FROM ${table} ${alias}
      WHERE ${alias}.${column} = r.key AND ${alias}.${time} >= r.lo AND ${alias}.${time} < r.hi${also} OFFSET 0) ${alias}`;
}

export const WEEK = (t: string) => `date_trunc('week', ${t}, 'UTC')`;
