/** What `pdsync simulator --export` offers, apart from the code that writes it, so the command line loads fast. */

/** What a synthetic-data user asks for first: people, teams, services, and incidents with their priorities and history. */
export const EXPORT_STREAMS: readonly string[] = ['users', 'teams', 'services', 'incidents', 'priorities', 'log_entries'];
export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** The account's newest time: fixed, so the same seed gives the same bytes whenever it runs. */
export const EXPORT_DATA_END = new Date('2026-01-01T00:00:00Z');
