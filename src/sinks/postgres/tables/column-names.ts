import type { ColumnCasing } from '../../../config/replication.js';

export type { ColumnCasing };

/** pdsync's own columns (`_pdsync_loaded_at`, staging's `_pdsync_seq`, ...) start with this. */
export const BOOKKEEPING_PREFIX = '_pdsync_';

/**
 * A record field as a column: snake_case (`conferenceAddress` -> `conference_address`), or as the
 * API spells it. A field named like pdsync's own columns gets `api` before it (`_pdsync_seq` ->
 * `api_pdsync_seq`), so it never takes or clashes with one of them.
 */
export function columnName(field: string, casing: ColumnCasing): string {
  const name = casing === 'source' ? field : field
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .toLowerCase();
  return name.toLowerCase().startsWith(BOOKKEEPING_PREFIX) ? `api${name}` : name;
}
