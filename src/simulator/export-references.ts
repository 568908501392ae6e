import { streamOfReference } from './refs.js';

/**
 * Adds to `into` the streams whose records this value points at: every nested object with an id
 * and the type of a stream's records, whether a `*_reference` stub or included whole. Objects that
 * live inside their owner (contact methods, notification rules, integrations) belong to no stream.
 */
export function referencedStreams(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) referencedStreams(v, into);
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
    if (v !== null && typeof v === 'object') referencedStreams(v, into);
  }
}
