import { streamOfReference } from './generators.js';

/** Streams whose rows are about another stream's records, under the same id. */
const SAME_ID: Readonly<Record<string, string>> = { analytics_incidents: 'incidents' };

/** The stream an id field points into: `incident_id` -> incidents, `resolved_by_user_id` -> users; none for `incident_type_id`. */
function streamOfIdField(field: string): string | undefined {
  const words = field.slice(0, -'_id'.length).split('_');
  for (let i = 0; i < words.length; i++) {
    const stream = streamOfReference({ type: words.slice(i).join('_') });
    if (stream) return stream;
  }
  return undefined;
}

/** Every nested object with an id and the type of a stream's records, whether a `*_reference` stub or included whole. */
function addObjectReferences(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) addObjectReferences(v, into);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  if (typeof obj.id === 'string' && typeof obj.type === 'string') {
    const stream = streamOfReference(obj);
    if (stream) into.add(stream);
  }
  for (const k in obj) {
    const v = obj[k];
    if (v !== null && typeof v === 'object') addObjectReferences(v, into);
  }
}

/**
 * Adds to `into` the streams a record of `stream` points at: through objects (references and
 * included records; contact methods, notification rules and integrations live inside their owner
 * and belong to no stream), through id fields (a child's `incident_id`, analytics' `service_id`),
 * and through its own id where its rows are about another stream's records.
 */
export function referencedStreams(stream: string, record: Readonly<Record<string, unknown>>, into: Set<string>): void {
  const same = SAME_ID[stream];
  if (same) into.add(same);
  for (const field in record) {
    if (field.endsWith('_id') && typeof record[field] === 'string') {
      const target = streamOfIdField(field);
      if (target) into.add(target);
    }
  }
  addObjectReferences(record, into);
}
