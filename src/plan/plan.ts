import { ConfigError } from '../errors.js';
import { type Catalogue, type StreamSpec, streamSpec } from '../spec/catalogue.js';
import type { PagerDutyConnection, PostgresConnection } from '../config/connections.js';
import type { Mode, Replication, StreamSettings } from '../config/replication.js';

export interface TableName {
  schema: string;
  table: string;
}

export interface PlannedStream {
  name: string;
  mode: Mode;
  object: TableName;
  spec: StreamSpec;
  primaryKey: string[];
  /** For windowed streams: history is read from `since` to the run's `until`. */
  since?: string;
  /** Days ahead of the run's start to read, for a stream with a forward range. */
  forwardDays?: number;
  /** For streams with a change feed: the feed's stream, the field holding a changed record, and that record's type. Read after the first incremental run, and by a resumed load. */
  changes?: { spec: StreamSpec; record: string; recordType: string };
}

export interface Plan {
  source: { name: string; connection: PagerDutyConnection };
  target: { name: string; connection: PostgresConnection };
  /** Fixed when the run starts: every window ends here, so records created during the run shift nothing. */
  until: string;
  streams: PlannedStream[];
}

export interface PlanInput {
  catalogue: Catalogue;
  replication: Replication;
  replicationPath: string;
  source: PagerDutyConnection;
  target: PostgresConnection;
  now: Date;
  /** `--streams`: only these. */
  only?: string[];
  /** `--mode`: overrides every stream's mode. */
  mode?: Mode;
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
    if (!known.includes(n)) fail(`streams.${n}`, `unknown stream "${n}": expected one of ${known.join(', ')}`);
  }
  const entries: [string, StreamSettings | null, boolean][] = named.map((n) => [n, replication.streams[n] ?? null, true]);
  if ('*' in replication.streams) {
    for (const n of known) if (!named.includes(n)) entries.push([n, replication.streams['*'] ?? null, false]);
  }
  if (input.only) {
    for (const n of input.only) {
      if (!entries.some(([e]) => e === n)) {
        throw new ConfigError(`--streams: "${n}" is not a stream of ${file}: expected one of ${entries.map(([e]) => e).join(', ')}`);
      }
    }
  }
  // Whole seconds: PagerDuty's timestamps have no milliseconds, so window edges must not either.
  const now = Math.floor(input.now.getTime() / 1000) * 1000;
  const anchor = input.source.inputs.anchor_date
    ? new Date(Math.floor(Date.parse(input.source.inputs.anchor_date) / 1000) * 1000).toISOString()
    : new Date(now - ONE_YEAR_MS).toISOString();

  const streams = entries
    .filter(([n, s]) => !s?.disabled && (!input.only || input.only.includes(n)))
    .map(([name, settings, explicit]): PlannedStream => {
      const spec = streamSpec(catalogue, name);
      const keyPath = explicit ? `streams.${name}` : `streams.*`;
      const wanted = input.mode ?? settings?.mode ?? replication.defaults.mode ?? 'full-refresh';
      const explicitIncremental = input.mode === 'incremental' || settings?.mode === 'incremental';
      let mode: Mode = wanted;
      if (wanted === 'incremental' && !spec.incremental_key) {
        // A default applies where it can; asking for it by name where it cannot is a mistake.
        if (explicitIncremental && explicit) {
          fail(`${keyPath}.mode`, `stream "${name}" has no incremental key (the API cannot list only its changes): use full-refresh`);
        }
        mode = 'full-refresh';
      }
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
      const objectTemplate = settings?.object ?? replication.defaults.object ?? 'pagerduty.{stream_name}';
      return {
        name,
        mode,
        object: parseObject(objectTemplate, name, (msg) => fail(settings?.object ? `${keyPath}.object` : 'defaults.object', msg)),
        spec,
        primaryKey,
        ...(spec.window ? { since: anchor } : {}),
        ...forwardDays(spec, input.source.inputs),
        ...(spec.changes
          ? {
              changes: {
                spec: { ...streamSpec(catalogue, spec.changes.stream), include: spec.changes.include },
                record: spec.changes.record,
                recordType: spec.changes.record_type,
              },
            }
          : {}),
      };
    });
  if (streams.length === 0) fail('streams', 'no stream selected: name streams or add \'*\'');
  const objects = new Map<string, string>();
  for (const s of streams) {
    const key = `${s.object.schema}.${s.object.table}`;
    const other = objects.get(key);
    if (other) fail(`streams.${s.name}.object`, `"${key}" is also the object of stream ${other}: give each stream its own table`);
    objects.set(key, s.name);
  }
  return {
    source: { name: replication.source, connection: input.source },
    target: { name: replication.target ?? 'embedded', connection: input.target },
    until: new Date(now).toISOString(),
    streams,
  };
}

function parseObject(template: string, stream: string, fail: (msg: string) => never): TableName {
  const unknown = template.match(/\{(?!stream_name\})[^}]*\}/);
  if (unknown) fail(`unknown placeholder ${unknown[0]}: only {stream_name} is supported`);
  const name = template.replaceAll('{stream_name}', stream);
  const parts = name.split('.');
  if (parts.length > 2 || parts.some((p) => p.length === 0)) fail(`"${name}" is not a table name: expected schema.table`);
  // PostgreSQL counts 63 bytes, not characters, and silently cuts longer names: two streams could land in one table.
  const long = parts.find((p) => Buffer.byteLength(p, 'utf8') > 63);
  if (long) fail(`"${long}" is ${Buffer.byteLength(long, 'utf8')} bytes in UTF-8: PostgreSQL keeps names to 63 bytes and would cut it: shorten it`);
  return parts.length === 2 ? { schema: parts[0]!, table: parts[1]! } : { schema: 'public', table: parts[0]! };
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

/** The days ahead a connection input asks of a stream with a forward range, if any. */
function forwardDays(spec: StreamSpec, inputs: Record<string, unknown>): { forwardDays?: number } {
  const range = spec.forward_range;
  const days = range ? Number(inputs[range.input] ?? 0) : 0;
  if (!range || !(days > 0)) return {};
  if (days > range.max_days) {
    throw new ConfigError(`inputs.${range.input}: ${days} days: PagerDuty answers ${spec.name} at most ${range.max_days} days ahead`);
  }
  return { forwardDays: days };
}
