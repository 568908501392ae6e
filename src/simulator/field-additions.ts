import type { Rec } from './refs.js';

export type FieldValue = (record: Record<string, unknown>) => unknown;

/**
 * Top-level fields tests add to every record of a stream, for schema-evolution tests. Computed
 * when a record is read, so records added or changed later get them too; a value a record holds
 * itself (set by updateRecord or addRecord) wins.
 */
export class FieldAdditions {
  private readonly byStream = new Map<string, [string, FieldValue][]>();

  add(stream: string, field: string, valueOf: FieldValue): void {
    const fields = this.byStream.get(stream) ?? [];
    if (fields.some(([f]) => f === field)) throw new Error(`${stream}: field ${field} was already added`);
    this.byStream.set(stream, [...fields, [field, valueOf]]);
  }

  apply(stream: string, r: Rec): Rec {
    let out = r;
    for (const [field, valueOf] of this.byStream.get(stream) ?? []) {
      if (!(field in out)) out = { ...out, [field]: valueOf(out) };
    }
    return out;
  }
}
