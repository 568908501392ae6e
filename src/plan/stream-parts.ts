import { ConfigError } from '../errors.js';
import type { Replication } from '../config/replication.js';
import { type Catalogue, type StreamSpec, streamSpec } from '../catalogue/catalogue.js';
import type { ChangeFeed, Plan, PlannedStream, TableName, TeamIdsRule } from './plan-types.js';

/** The relations' schema (the incidents table's) and input tables, unless the replication turns them off. */
export function relationPlan(catalogue: Catalogue, replication: Replication, streams: PlannedStream[]): Pick<Plan, 'relations'> {
  const options = replication.defaults.target_options;
  if (options?.relations === false) return {};
  const template = replication.defaults.object ?? 'pagerduty.{stream_name}';
  const tables = Object.fromEntries(
    Object.keys(catalogue.streams).map((name) => [
      name,
      streams.find((s) => s.name === name)?.object ?? parseObject(template, name, (msg) => { throw new ConfigError(`defaults.object: ${msg}`); }),
    ]),
  );
  const rowSecurity = options?.row_security === 'teams' || streams.some((s) => s.rowSecurity);
  return { relations: { schema: tables.incidents!.schema, tables, rowSecurity } };
}

export function parseObject(template: string, stream: string, fail: (msg: string) => never): TableName {
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

/** A stream's change feed: the records of another stream that name its changed records. */
export function changeFeed(catalogue: Catalogue, spec: StreamSpec): { changes?: ChangeFeed } {
  if (!spec.changes) return {};
  const feed = streamSpec(catalogue, spec.changes.stream);
  return { changes: { spec: { ...feed, include: spec.changes.include }, record: spec.changes.record, recordType: spec.changes.record_type } };
}

/** A child stream's parent, read for its keys from the anchor (and through its change feed, in incremental runs). */
export function parentOf(catalogue: Catalogue, spec: StreamSpec, anchor: string): Pick<PlannedStream, 'parent'> {
  if (!spec.parent) return {};
  const parent = streamSpec(catalogue, spec.parent.stream);
  return {
    parent: { spec: parent, field: spec.parent.field, column: spec.parent.column, ...(parent.window ? { since: anchor } : {}), ...changeFeed(catalogue, parent) },
  };
}

/** The days ahead a connection input asks of a stream with a forward range, if any. */
export function forwardDays(spec: StreamSpec, inputs: Record<string, unknown>): { forwardDays?: number } {
  const range = spec.forward_range;
  const days = range ? Number(inputs[range.input] ?? 0) : 0;
  if (!range || !(days > 0)) return {};
  if (days > range.max_days) {
    throw new ConfigError(`inputs.${range.input}: ${days} days: PagerDuty answers ${spec.name} at most ${range.max_days} days ahead`);
  }
  return { forwardDays: days };
}

/**
 * A stream's row security: on or off, and where its team_ids come from (see the catalogue's
 * team_ids). A stream whose teams come from other streams needs them loaded by the replication:
 * without their tables its rows would stay hidden from every team.
 */
export function teamAccess(spec: StreamSpec, on: boolean, tables: Map<string, TableName>, fail: (msg: string) => never): Pick<PlannedStream, 'rowSecurity' | 'teamIds'> {
  const rule = spec.team_ids;
  if (!on || !rule) return { rowSecurity: on };
  if ('column' in rule) return { rowSecurity: true, teamIds: rule };
  const missing = rule.from.filter((f) => !tables.has(f.stream)).map((f) => f.stream);
  if (missing.length) {
    fail(`row_security: teams: ${spec.name} rows take their teams from ${rule.from.map((f) => f.stream).join(', ')}; this replication does not load ${missing.join(', ')}: add ${missing.length > 1 ? 'them' : 'it'} under streams`);
  }
  const teamIds: TeamIdsRule = { from: rule.from.map((f) => ({ stream: f.stream, table: tables.get(f.stream)!, by: f.by })) };
  return { rowSecurity: true, teamIds };
}
