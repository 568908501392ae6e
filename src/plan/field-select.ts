import type { StreamSpec } from '../catalogue/catalogue.js';
import { idColumnName } from '../catalogue/id-column-name.js';
import { editDistance } from '../config/nearest-name.js';
import type { ApiRecord } from '../record.js';

/** A stream's `select` (Sling's), resolved against the catalogue. */
export interface FieldSelect {
  /** keep: only `fields` (and `implied`) are written; drop: every field but `fields`. */
  kind: 'keep' | 'drop';
  fields: string[];
  /** Kept although a keep list does not name them: what pdsync merges, orders and secures rows by. */
  implied: string[];
  /** Columns the table has without select that this one leaves out: the fields, and the id columns made from them. */
  omitted: string[];
}

/** A field pdsync needs in every row of a stream, and why (the message when a select drops it). */
export interface NeededField {
  field: string;
  why: string;
}

/** The fields a stream's rows need: its key, its cursor's field, what a merge compares, its parent's id, its teams under row security. */
export function neededFields(spec: StreamSpec, primaryKey: string[], rowSecurity: boolean): NeededField[] {
  const out: NeededField[] = primaryKey.map((k) => ({ field: k.split('.')[0]!, why: `the key pdsync merges ${spec.name} by` }));
  if (spec.incremental_key) out.push({ field: spec.incremental_key, why: `the field ${spec.name}'s cursor is kept by` });
  if (spec.newer_by) out.push({ field: spec.newer_by, why: 'what a merge compares to keep the later copy of a row' });
  if (spec.parent) out.push({ field: spec.parent.column, why: `the id of its ${spec.parent.stream} record` });
  if (rowSecurity) {
    const rule = spec.team_ids;
    const why = 'what its team_ids come from (row_security: teams)';
    const byColumn = (column: string) =>
      Object.entries(spec.columns).find(([f, c]) => f === column || (c.ref !== undefined && idColumnName(f, c.ref === 'many') === column))?.[0] ?? column;
    if (!rule && 'teams' in spec.columns) out.push({ field: 'teams', why });
    if (rule && 'column' in rule) out.push({ field: rule.column, why });
    if (rule && 'from' in rule) for (const f of rule.from) out.push({ field: byColumn(f.by), why });
  }
  return out;
}

/** The known name nearest to a typed one, however far. */
function nearest(typed: string, names: string[]): string {
  return names.reduce((best, n) => (editDistance(typed, n) < editDistance(typed, best) ? n : best), names[0]!);
}

/** Whether a written list is Sling's drop form (every item `-field`) or keep form; a mix is refused. */
export function selectKind(list: string[], fail: (msg: string) => never): 'keep' | 'drop' {
  const drops = list.filter((f) => f.startsWith('-'));
  if (drops.length > 0 && drops.length < list.length) {
    const keep = list.find((f) => !f.startsWith('-'))!;
    fail(`mixes a field to keep ("${keep}") with fields to drop ("${drops[0]}"): list the fields to keep, or only fields to drop, each with "-"`);
  }
  return drops.length ? 'drop' : 'keep';
}

/**
 * A stream's select against its catalogue fields: a field the stream does not have is an error
 * naming the nearest one (`lenient`, for a list from defaults: skipped, as the list is checked
 * against all its streams), and so is dropping a field pdsync needs; a keep list keeps those
 * needed fields implicitly. Returns the select and the columns left to the stream.
 */
export function resolveSelect(spec: StreamSpec, list: string[], needed: NeededField[], lenient: boolean, fail: (msg: string) => never): { select: FieldSelect; columns: StreamSpec['columns'] } {
  const kind = selectKind(list, fail);
  const known = Object.keys(spec.columns);
  const named = [...new Set(list.map((f) => (kind === 'drop' ? f.slice(1) : f)))];
  for (const f of named) {
    if (!known.includes(f) && !lenient) fail(`${spec.name} has no field "${f}": the nearest is "${nearest(f, known)}"`);
  }
  const fields = named.filter((f) => known.includes(f));
  const mustKeep = [...new Set(needed.map((n) => n.field))];
  if (kind === 'drop') {
    const dropped = needed.find((n) => fields.includes(n.field));
    if (dropped) fail(`"-${dropped.field}": ${dropped.field} is ${dropped.why}; it cannot be dropped`);
  }
  const implied = kind === 'keep' ? mustKeep.filter((f) => !fields.includes(f)) : [];
  const written = (f: string) => (kind === 'keep' ? fields.includes(f) || implied.includes(f) : !fields.includes(f));
  const columns = Object.fromEntries(Object.entries(spec.columns).filter(([f]) => written(f)));
  const omitted = Object.entries(spec.columns)
    .filter(([f]) => !written(f))
    .flatMap(([f, c]) => [f, ...(c.ref ? [idColumnName(f, c.ref === 'many')] : [])])
    .filter((c) => !(c in columns));
  return { select: { kind, fields, implied, omitted }, columns };
}

/** What a select leaves of a record, top-level fields only; records pass as they are without one. */
export function fieldPicker(select: FieldSelect | undefined): (r: ApiRecord) => ApiRecord {
  if (!select) return (r) => r;
  const listed = new Set(select.fields);
  const kept = new Set([...select.fields, ...select.implied]);
  const keep = select.kind === 'keep' ? (f: string) => kept.has(f) : (f: string) => !listed.has(f);
  return (r) => Object.fromEntries(Object.entries(r).filter(([f]) => keep(f)));
}

/** A select in defaults applies to many streams, each taking the fields it has: a field none of them has is a typo. */
export function checkDefaultsSelect(list: string[], specs: StreamSpec[], fail: (msg: string) => never): void {
  if (specs.length === 0) return;
  const known = [...new Set(specs.flatMap((s) => Object.keys(s.columns)))];
  for (const f of list.map((f) => f.replace(/^-/, ''))) {
    if (!known.includes(f)) fail(`no stream it applies to has a field "${f}" (${specs.map((s) => s.name).join(', ')}): the nearest is "${nearest(f, known)}"`);
  }
}
