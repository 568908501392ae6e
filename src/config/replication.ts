import { z } from 'zod';

export const Mode = z.enum(['full-refresh', 'incremental']);
export type Mode = z.infer<typeof Mode>;

const KeyList = z.union([z.string().min(1).transform((k) => [k]), z.array(z.string().min(1)).min(1)]);

const StreamSettings = z.strictObject({
  mode: Mode.optional(),
  /** `schema.table`; `{stream_name}` is replaced by the stream's name. */
  object: z.string().min(1).optional(),
  primary_key: KeyList.optional(),
  update_key: z.string().min(1).optional(),
  disabled: z.boolean().optional(),
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
