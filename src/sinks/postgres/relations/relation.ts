/** The input tables a relation reads, by stream name, quoted for SQL. */
export type Tables = Record<string, string>;

/** An analytics relation pdsync keeps in the target schema, computed from synced tables. */
export interface Relation {
  name: string;
  /** Streams whose tables it needs; without them it is not made. */
  needs: string[];
  /** Streams whose tables it uses when they exist (else their figures are empty). */
  uses?: string[];
  /** Other relations it reads (made first). */
  after?: string[];
  /** What it computes and from what: its COMMENT ON. */
  comment: string;
  /** Columns naming one row: the unique index that lets it refresh without blocking readers. */
  key: string[];
  /** Columns worth an index of their own (the time a query filters on, join columns). */
  indexed: string[];
  sql(t: Tables, available: (stream: string) => boolean): string;
}
