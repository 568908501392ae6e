import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { formatZodIssue } from '../config/format-zod-error.js';

export const ColumnType = z.enum(['text', 'bigint', 'boolean', 'timestamptz', 'jsonb', 'double precision']);

const Column = z.strictObject({
  type: ColumnType,
  description: z.string().optional(),
});

const QueryValue = z.union([z.string(), z.number(), z.boolean()]);

const Window = z.strictObject({
  /** Widest window the API accepts, in days. */
  max_days: z.number().int().positive(),
  /** The API refuses a request without both since and until. */
  required: z.boolean(),
  /** Extra query parameters sent with every windowed request. */
  query: z.record(z.string(), QueryValue).default({}),
});

const Stream = z.strictObject({
  description: z.string().min(1),
  path: z.string().regex(/^\/[a-z_/]+$/),
  envelope: z.string().min(1),
  scope: z.string().min(1),
  primary_key: z.array(z.string().min(1)).min(1),
  incremental_key: z.string().optional(),
  window: Window.optional(),
  query: z.record(z.string(), QueryValue).default({}),
  include: z.array(z.string()).default([]),
  gate: z.strictObject({ feature: z.string() }).optional(),
  /** Read [run start, run start + days) when the connection input `input` asks for days ahead. */
  forward_range: z.strictObject({ input: z.string(), max_days: z.number().int().positive() }).optional(),
  changes: z
    .strictObject({
      /** The stream whose records, since the cursor, name the changed records. */
      stream: z.string(),
      /** The field of those records that holds the changed record in full. */
      record: z.string(),
      /** The `type` of the expanded record; anything else (a reference stub) is ignored. */
      record_type: z.string(),
      include: z.array(z.string()).default([]),
    })
    .optional(),
  columns: z.record(z.string().min(1), Column),
});

export const Catalogue = z
  .strictObject({
    page_limit: z.number().int().min(1).max(100),
    max_offset: z.number().int().positive(),
    streams: z.record(z.string().regex(/^[a-z_]+$/), Stream),
  })
  .superRefine((cat, ctx) => {
    for (const [name, s] of Object.entries(cat.streams)) {
      const keyRoots = s.primary_key.map((k) => k.split('.')[0]!);
      for (const root of [...keyRoots, ...(s.incremental_key ? [s.incremental_key] : [])]) {
        if (!(root in s.columns)) {
          ctx.addIssue({ code: 'custom', path: ['streams', name], message: `key field "${root}" is not a column` });
        }
      }
      if (s.changes) {
        const feed = cat.streams[s.changes.stream];
        if (!feed?.window || !feed.incremental_key) {
          ctx.addIssue({ code: 'custom', path: ['streams', name, 'changes'], message: `"${s.changes.stream}" is not a windowed stream` });
        }
      }
      if (s.incremental_key && !s.window) {
        ctx.addIssue({ code: 'custom', path: ['streams', name], message: 'an incremental stream needs a window' });
      }
    }
  });

export type Catalogue = z.infer<typeof Catalogue>;
export type StreamSpec = z.infer<typeof Stream> & { name: string };
export type ColumnSpec = z.infer<typeof Column>;
export type ColumnType = z.infer<typeof ColumnType>;

export const DEFAULT_CATALOGUE_PATH = fileURLToPath(new URL('../../specs/pagerduty.yaml', import.meta.url));

/** Reads and validates the stream catalogue. A broken catalogue is a configuration error. */
export async function loadCatalogue(path = DEFAULT_CATALOGUE_PATH): Promise<Catalogue> {
  const text = await readFile(path, 'utf8');
  const result = Catalogue.safeParse(parse(text));
  if (!result.success) {
    throw new ConfigError(`${path}: ${formatZodIssue(result.error.issues[0]!)}`);
  }
  return result.data;
}

export function streamSpec(catalogue: Catalogue, name: string): StreamSpec {
  const s = catalogue.streams[name];
  if (!s) throw new ConfigError(`unknown stream "${name}": run \`pdsync conns discover\` to list streams`);
  return { ...s, name };
}
