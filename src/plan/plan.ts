import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import { isFanOut, pageLimit, streamSpec } from '../catalogue/catalogue.js';
import { changeFeed, forwardDays, parentOf, parseObject, relationPlan, teamAccess } from './stream-parts.js';
import { isFile } from '../config/connections.js';
import { fileStream } from './file-plan.js';
import { didYouMean } from '../config/nearest-name.js';
import type { Mode, StreamSettings } from '../config/replication.js';
import { streamRange } from './backfill-range.js';
import { checkDefaultsSelect, neededFields, resolveSelect } from './field-select.js';

export type { ChangeFeed, Plan, PlanInput, PlannedStream, RelationPlan, SourceSettings, TableName, TeamIdsRule } from './plan-types.js';
import type { Plan, PlanInput, PlannedStream, TableName } from './plan-types.js';

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
