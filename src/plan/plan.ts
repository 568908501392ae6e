import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import { type Catalogue, isFanOut, pageLimit, type StreamSpec, streamSpec } from '../catalogue/catalogue.js';
import { changeFeed, forwardDays, parentOf, parseObject, relationPlan, teamAccess } from './stream-parts.js';
import { isFile, type PagerDutyConnection, type TargetConnection } from '../config/connections.js';
import type { FileObject } from './file-object.js';
import { fileStream } from './file-plan.js';
import { didYouMean } from '../config/nearest-name.js';
import type { ColumnCasing, Mode, Replication, StreamSettings } from '../config/replication.js';
import { type BackfillRange, streamRange } from './backfill-range.js';
import { checkDefaultsSelect, type FieldSelect, neededFields, resolveSelect } from './field-select.js';

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

const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

/** Expands `'*'`, resolves mode, object and key per stream. Pure: reads nothing, writes nothing. */
export function plan(input: PlanInput): Plan {
  const { catalogue, replication, replicationPath: file } = input;
  const fail = (path: string, msg: string): never => {
    throw new ConfigError(`${file}: ${path}: ${msg}`);
  };
  const known = Object.keys(catalogue.streams);
  const named = Object.keys(replication.streams).filter((n) => n !== '*');
  for (const n of named) {
    if (!known.includes(n)) fail(`streams.${n}`, `unknown stream "${n}": ${didYouMean(n, known)}expected one of ${known.join(', ')}`);
  }
  const entries: [string, StreamSettings | null, boolean][] = named.map((n) => [n, replication.streams[n] ?? null, true]);
  // A fan-out stream costs a request per incident: `'*'` never opts a replication into that.
  if ('*' in replication.streams) {
    for (const n of known) if (!named.includes(n) && !isFanOut(catalogue.streams[n]!)) entries.push([n, replication.streams['*'] ?? null, false]);
  }
  if (input.only) {
    for (const n of input.only) {
      if (entries.some(([e]) => e === n)) continue;
      const fanOut = known.includes(n) && isFanOut(catalogue.streams[n]!);
      throw new ConfigError(
        fanOut
          ? `--streams: "${n}" is a fan-out stream (one request per ${catalogue.streams[n]!.parent!.stream} record), which '*' does not select: name it under streams: in ${file}`
          : `--streams: "${n}" is not a stream of ${file}: ${didYouMean(n, entries.map(([e]) => e))}expected one of ${entries.map(([e]) => e).join(', ')}`,
      );
    }
  }
  // Whole seconds: PagerDuty's timestamps have no milliseconds, so window edges must not either.
  const now = Math.floor(input.now.getTime() / 1000) * 1000;
  const anchor = input.source.inputs.anchor_date
    ? new Date(Math.floor(Date.parse(input.source.inputs.anchor_date) / 1000) * 1000).toISOString()
    : new Date(now - ONE_YEAR_MS).toISOString();

  if (input.range !== undefined && input.mode !== 'backfill') throw new ConfigError('--range: a range is read by --mode backfill only: add --mode backfill');
  const files = isFile(input.target) ? fileURLToPath(input.target.url) : undefined;
  const objectOf = (name: string, settings: StreamSettings | null, keyPath: string): TableName => {
    if (files !== undefined) return { schema: '', table: name };
    const template = settings?.object ?? replication.defaults.object ?? 'pagerduty.{stream_name}';
    const path = settings?.object ? `${keyPath}.object` : 'defaults.object';
    if (template.startsWith('file://')) fail(path, `"${template}" is a file object: set target: LOCAL (or a type: file connection) to write files`);
    if (settings?.target_options?.format ?? replication.defaults.target_options?.format) {
      fail(`${settings?.target_options?.format ? keyPath : 'defaults'}.target_options.format`, 'is for file targets: remove it, or set target: LOCAL');
    }
    return parseObject(template, name, (msg) => fail(path, msg));
  };
  const loaded = entries.filter(([, s]) => !s?.disabled);
  const tables = new Map(loaded.map(([name, settings, explicit]) => [name, objectOf(name, settings, explicit ? `streams.${name}` : 'streams.*')]));
  const streams = loaded
    .filter(([n]) => !input.only || input.only.includes(n))
    .map(([name, settings, explicit]): PlannedStream => {
      const spec = streamSpec(catalogue, name);
      const keyPath = explicit ? `streams.${name}` : `streams.*`;
      // The defaults' mode is not a fan-out stream's: a full refresh of it costs a request per parent, every run.
      const wanted = input.mode ?? settings?.mode ?? (isFanOut(spec) ? 'incremental' : replication.defaults.mode) ?? 'full-refresh';
      const explicitIncremental = input.mode === 'incremental' || settings?.mode === 'incremental';
      let mode: Mode = wanted;
      if (wanted === 'incremental' && !spec.incremental_key) {
        // A default applies where it can; asking for it by name where it cannot is a mistake.
        if (explicitIncremental && explicit) {
          fail(`${keyPath}.mode`, `stream "${name}" has no incremental key (the API cannot list only its changes): use full-refresh`);
        }
        mode = 'full-refresh';
      }
      const rowSecurity = (settings?.target_options?.row_security ?? replication.defaults.target_options?.row_security) === 'teams';
      const placed = files === undefined ? undefined : fileStream({ name, spec, settings, replication, base: files, mode, explicitIncremental, rowSecurity, keyPath, fail });
      if (placed) mode = placed.mode;
      const updateKey = settings?.update_key ?? replication.defaults.update_key;
      if (updateKey && spec.incremental_key && updateKey !== spec.incremental_key) {
        fail(`${keyPath}.update_key`, `PagerDuty filters ${name} by "${spec.incremental_key}" only: remove update_key or set it to ${spec.incremental_key}`);
      }
      const primaryKey = settings?.primary_key ?? replication.defaults.primary_key ?? spec.primary_key;
      for (const k of primaryKey) {
        if (!(k.split('.')[0]! in spec.columns)) {
          fail(`${settings?.primary_key ? keyPath : 'defaults'}.primary_key`, `"${k}" is not a field of ${name}: expected one of ${Object.keys(spec.columns).join(', ')}`);
        }
      }
      const range = mode === 'backfill' ? streamRange({ catalogue, spec, settings, defaults: replication.defaults, keyPath, cli: input, runUntil: now }, fail) : undefined;
      const list = settings?.select ?? replication.defaults.select;
      const chosen = list && resolveSelect(spec, list, neededFields(spec, primaryKey, rowSecurity), !settings?.select, (msg) => fail(`${settings?.select ? keyPath : 'defaults'}.select`, msg));
      return {
        name,
        mode,
        object: tables.get(name)!,
        ...(placed ? { file: placed.file } : {}),
        spec: chosen ? { ...spec, columns: chosen.columns } : spec,
        primaryKey,
        ...(spec.window ? { since: range?.since ?? anchor } : {}),
        ...(range ? { range } : {}),
        ...(chosen ? { select: chosen.select } : {}),
        ...forwardDays(spec, input.source.inputs),
        ...changeFeed(catalogue, spec),
        pageLimit: pageLimit(catalogue, spec),
        columnCasing: settings?.target_options?.column_casing ?? replication.defaults.target_options?.column_casing ?? 'normalize',
        ...parentOf(catalogue, spec, anchor),
        ...teamAccess(spec, rowSecurity, tables, (msg) => fail(`${keyPath}`, msg)),
      };
    });
  if (streams.length === 0) fail('streams', 'no stream selected: name streams or add \'*\'');
  if (replication.defaults.select) checkDefaultsSelect(replication.defaults.select, streams.filter((s) => !replication.streams[s.name]?.select).map((s) => streamSpec(catalogue, s.name)), (msg) => fail('defaults.select', msg));
  const objects = new Map<string, string>();
  for (const s of streams) {
    const key = s.file?.path ?? `${s.object.schema}.${s.object.table}`;
    const other = objects.get(key);
    if (other) fail(`streams.${s.name}.object`, `"${s.file?.label ?? key}" is also the object of stream ${other}: give each stream its own ${s.file ? 'file' : 'table'}`);
    objects.set(key, s.name);
  }
  return {
    source: { name: replication.source, connection: { inputs: input.source.inputs } },
    target: { name: replication.target ?? 'embedded', connection: input.target },
    until: new Date(now).toISOString(),
    streams,
    ...(files === undefined ? relationPlan(catalogue, replication, streams) : {}),
    notices: files === undefined || replication.defaults.target_options?.relations === false ? [] : [RELATIONS_SKIPPED],
    replication: { id: input.replicationId ?? file, objects: [...tables].map(([stream, o]) => ({ stream, object: `${o.schema}.${o.table}` })) },
  };
}

const RELATIONS_SKIPPED = 'the analytics relations (incident_metrics, ...) are made in PostgreSQL only: not made for a file target';

/** What a stream's rows land in, for people: its table, or its file object. */
export function destinationName(stream: Pick<PlannedStream, 'object' | 'file'>): string {
  return stream.file?.label ?? `${stream.object.schema}.${stream.object.table}`;
}

/** Re-read this much before the cursor, for records written late. */
export const CURSOR_OVERLAP_MS = 10 * 60 * 1000;

/** Where an incremental read starts: the cursor less the overlap, never before the anchor. */
export function incrementalSince(stream: PlannedStream, cursor: Date | undefined): Date | undefined {
  if (!stream.since) return undefined;
  const anchor = Date.parse(stream.since);
  if (stream.mode !== 'incremental' || !cursor) return new Date(anchor);
  return new Date(Math.max(anchor, cursor.getTime() - CURSOR_OVERLAP_MS));
}

/** Where a stream's read ends: its backfill range's end, else the run's fixed `until`. */
export function readUntil(stream: PlannedStream, plan: Pick<Plan, 'until'>): Date {
  return new Date(stream.range?.until ?? plan.until);
}
