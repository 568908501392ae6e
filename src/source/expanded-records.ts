import type { ApiRecord } from '../record.js';

/** PagerDuty's reference to an object: what a list answers without include[] for it. */
export function reference(o: ApiRecord): ApiRecord {
  return {
    id: o.id,
    type: `${String(o.type)}_reference`,
    summary: o.summary,
    self: o.self,
    ...(o.html_url !== undefined ? { html_url: o.html_url } : {}),
  };
}

/**
 * Takes the objects a page's include[] expanded in `field` (the incident of each log entry), keyed
 * by id, and returns the page as it reads without that include: each one back to its reference.
 */
export function takeExpanded(records: ApiRecord[], field: string, type: string, found: Map<string, ApiRecord>): ApiRecord[] {
  return records.map((r) => {
    const v = r[field];
    if (!v || typeof v !== 'object' || (v as ApiRecord).type !== type) return r;
    const expanded = v as ApiRecord;
    found.set(String(expanded.id), expanded);
    return { ...r, [field]: reference(expanded) };
  });
}
