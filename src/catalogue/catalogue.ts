import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { formatZodIssue } from '../config/format-zod-error.js';
import { didYouMean } from '../config/nearest-name.js';
import { checkStreams } from './catalogue-rules.js';

export const ColumnType = z.enum(['text', 'bigint', 'boolean', 'timestamptz', 'jsonb', 'double precision', 'text[]']);

const Column = z.strictObject({
  type: ColumnType,
  description: z.string().optional(),
  /** A reference object (one) or an array of them (many): its id(s) get a column of their own, for joins. */
  ref: z.enum(['one', 'many']).optional(),
});

const QueryValue = z.union([z.string(), z.number(), z.boolean()]);

const Window = z.strictObject({
  /** Widest window the API accepts, in days. */
  max_days: z.number().int().positive(),
  /** The API refuses a request without both bounds. */
  required: z.boolean(),
  /** Extra query parameters sent with every windowed request. */
  query: z.record(z.string(), QueryValue).default({}),
  /** Where the bounds go: query parameters, or fields of the JSON body (dotted paths). */
  in: z.enum(['query', 'body']).default('query'),
  since: z.string().min(1).default('since'),
  until: z.string().min(1).default('until'),
});

/**
 * How a list is paged. offset: limit/offset/total/more (10,000 cap, windows split to fit);
 * cursor: limit and the previous answer's next_cursor; analytics: a JSON body's limit and the
 * previous answer's `last` as starting_after; none: one request answers all.
 */
export const Paginator = z.enum(['offset', 'cursor', 'analytics', 'none']);

/**
 * The field names each paginator sends and reads: `limit` (page size), `offset`, `total` (asked
 * for, and answered), `more` (another page follows), `cursor` (sent: where to go on from) and
 * `next` (answered: the cursor of the next page, null or absent at the end).
 */
const OffsetFields = z.strictObject({ limit: z.string().min(1), offset: z.string().min(1), total: z.string().min(1), more: z.string().min(1) });
const CursorFields = z.strictObject({ limit: z.string().min(1), cursor: z.string().min(1), next: z.string().min(1) });
const AnalyticsFields = CursorFields.extend({ more: z.string().min(1) });
const Paging = z.strictObject({ offset: OffsetFields, cursor: CursorFields, analytics: AnalyticsFields, none: z.strictObject({}).default({}) });

const Stream = z.strictObject({
  description: z.string().min(1),
  method: z.enum(['GET', 'POST']).default('GET'),
  /** `{id}` is filled with each parent record's key, for a child stream. */
  path: z.string().regex(/^\/[a-z_/{}]+$/),
  envelope: z.string().min(1),
  scope: z.string().min(1),
  paginator: Paginator.default('offset'),
  /** Records per page, where the endpoint's maximum differs from the catalogue's page_limit. */
  page_limit: z.number().int().positive().optional(),
  primary_key: z.array(z.string().min(1)).min(1),
  incremental_key: z.string().optional(),
  /** A merge keeps a row whose value here is later than the copy being merged (the record changed since it was read). */
  newer_by: z.string().optional(),
  /** Records never change once listed (they may be deleted, or listed late): a window's count says whether staged rows are current. */
  append_only: z.boolean().default(false),
  window: Window.optional(),
  query: z.record(z.string(), QueryValue).default({}),
  /** A JSON body sent with every request (a POST). */
  body: z.record(z.string(), z.unknown()).optional(),
  include: z.array(z.string()).default([]),
  gate: z.strictObject({ feature: z.string() }).optional(),
  /** Read [run start, run start + days) when the connection input `input` asks for days ahead. */
  forward_range: z.strictObject({ input: z.string(), max_days: z.number().int().positive() }).optional(),
  /**
   * One request (and its pages) per record of another stream: `field` of each parent record
   * fills `{id}` in the path, and is written to `column` of every child row.
   */
  parent: z
    .strictObject({
      stream: z.string(),
      field: z.string(),
      column: z.string(),
      /** The parents grow with the account's history: selected by name only, read by parent change unless asked otherwise. */
      fan_out: z.boolean().default(false),
    })
    .optional(),
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
  /**
   * Where a row's `team_ids` (row security by team) come from when the record has no `teams` of its
   * own: one column of it (a team's id), or the team_ids of the rows of other streams it names (`by`,
   * a column holding their key or keys): a note's incident, a change event's services.
   */
  team_ids: z
    .union([
      z.strictObject({ column: z.string().min(1) }),
      z.strictObject({ from: z.array(z.strictObject({ stream: z.string(), by: z.string().min(1) })).min(1) }),
    ])
    .optional(),
  /** One record by its key: `{id}` in the path is filled with it; `envelope` holds the record. */
  record: z.strictObject({ path: z.string().regex(/^\/[a-z_/]*\{id\}[a-z_/]*$/), envelope: z.string().min(1) }).optional(),
  columns: z.record(z.string().min(1), Column),
});

export const Catalogue = z
  .strictObject({
    page_limit: z.number().int().min(1).max(100),
    max_offset: z.number().int().positive(),
    paging: Paging,
    streams: z.record(z.string().regex(/^[a-z_]+$/), Stream),
  })
  .superRefine(checkStreams);

export type Catalogue = z.infer<typeof Catalogue>;
export type Paging = z.infer<typeof Paging>;
export type PagingFields = Paging[keyof Paging];
/** A stream as the engine reads it: its catalogue entry, its name, and its paginator's field names. */
export type StreamSpec = z.infer<typeof Stream> & { name: string; paging: PagingFields };
export type ColumnSpec = z.infer<typeof Column>;
export type ColumnType = z.infer<typeof ColumnType>;


/** A catalogue's YAML text, parsed and validated; `path` names it in the error. */
export async function checkCatalogue(text: string, path: string): Promise<Catalogue> {
  const { parse } = await import('yaml');
  const result = Catalogue.safeParse(parse(text));
  if (!result.success) {
    throw new ConfigError(`${path}: ${formatZodIssue(result.error.issues[0]!)}`);
  }
  return result.data;
}

export function streamSpec(catalogue: Catalogue, name: string): StreamSpec {
  const s = catalogue.streams[name];
  if (!s) throw new ConfigError(`unknown stream "${name}": ${didYouMean(name, Object.keys(catalogue.streams))}run \`pdsync conns discover\` to list streams`);
  return { ...s, name, paging: catalogue.paging[s.paginator] };
}

/** What a stream's cost is counted in: pages of its own list, or requests per record of its parent. */
export function costKind(spec: Pick<StreamSpec, 'parent'>): 'per page' | 'per parent' {
  return spec.parent ? 'per parent' : 'per page';
}

/** A stream whose requests grow with the account's history (one per incident): chosen by name, never by `'*'`. */
export function isFanOut(spec: Pick<StreamSpec, 'parent'>): boolean {
  return spec.parent?.fan_out === true;
}

/** Records per page a stream asks for. */
export function pageLimit(catalogue: Catalogue, spec: StreamSpec): number {
  return spec.page_limit ?? catalogue.page_limit;
}

/**
 * Whether a killed run's staged windows of this stream can be proven current, so a rerun may keep
 * them: each window can be counted again at the source (offset paging), and a record in it either
 * never changes or has a change feed that names it when it does.
 */
export function stagedWindowsProvable(spec: Pick<StreamSpec, 'paginator' | 'append_only' | 'changes'>): boolean {
  return spec.paginator === 'offset' && (spec.append_only || spec.changes !== undefined);
}
