import { z } from 'zod';

/** backfill: re-read a window (`source_options.range`) of a windowed stream and merge it; the saved cursor is left alone. */
export const Mode = z.enum(['full-refresh', 'incremental', 'backfill']);
export type Mode = z.infer<typeof Mode>;

const KeyList = z.union([z.string().min(1).transform((k) => [k]), z.array(z.string().min(1)).min(1)]);

/** Options of the target tables (Sling's target_options). */
const TargetOptions = z.strictObject({
  /** normalize (default): snake_case column names (conferenceAddress -> conference_address); source: as the API spells them. */
  column_casing: z.enum(['normalize', 'source']).optional(),
  /** teams: row-level security on tables whose records carry teams, by pdsync.team_access. */
  row_security: z.enum(['teams']).optional(),
  /** false: do not create the analytics relations (incident_metrics, ...) in the target schema. */
  relations: z.boolean().optional(),
  /** A file target's format, when the object's extension does not say it (a folder object). */
  format: z.enum(['csv', 'jsonl', 'parquet']).optional(),
});

/** Options of the read (Sling's source_options). */
const SourceOptions = z.strictObject({
  /** For mode backfill: 'START,END', dates or ISO timestamps, both ends included (see plan/backfill-range.ts). */
  range: z.string().min(1).optional(),
});

const StreamSettings = z.strictObject({
  mode: Mode.optional(),
  /** `schema.table`; `{stream_name}` is replaced by the stream's name. */
  object: z.string().min(1).optional(),
  primary_key: KeyList.optional(),
  update_key: z.string().min(1).optional(),
  disabled: z.boolean().optional(),
  /** Top-level fields kept (`[id, name]`) or dropped (`[-email]`), as Sling's select. */
  select: z.array(z.string().min(1)).min(1).optional(),
  source_options: SourceOptions.optional(),
  target_options: TargetOptions.optional(),
});

export const Replication = z.strictObject({
  source: z.string().min(1),
  /** Left out: the embedded PostgreSQL. */
  target: z.string().min(1).optional(),
  defaults: StreamSettings.omit({ disabled: true }).default({}),
  streams: z.record(z.string().min(1), StreamSettings.nullable()),
});

export type Replication = z.infer<typeof Replication>;
export type StreamSettings = z.infer<typeof StreamSettings>;
export type TargetOptions = z.infer<typeof TargetOptions>;
export type ColumnCasing = NonNullable<TargetOptions['column_casing']>;
export type FileFormat = NonNullable<TargetOptions['format']>;
