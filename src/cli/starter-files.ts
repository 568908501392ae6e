import type { Catalogue } from '../catalogue/catalogue.js';
import { isFanOut } from '../catalogue/catalogue.js';

/** env.yaml for a real account: the key comes from the environment, never written down. */
export const STARTER_ENV = `# Connections for pdsync (Sling-compatible), written by \`pdsync init\`.
# \${VAR} expands from the environment; a .env file in this folder is loaded first.
connections:
  PAGERDUTY:
    type: pagerduty
    secrets:
      api_key: \${PAGERDUTY_API_KEY}       # a REST API key (read-only is enough)
    inputs:
      region: us                          # us | eu
      # anchor_date: "2024-01-01T00:00:00Z" # history start for incidents, log entries, notifications; default one year ago
      rate: 5                             # requests per second, shared by all streams (the key allows 16)
      concurrency: 3                      # requests in flight
  MY_POSTGRES:
    type: postgres
    url: embedded                         # pdsync's own PostgreSQL in ./.pdsync/pg; or postgresql://user:\${PGPASSWORD}@host:5432/db
`;

/** replication.yaml with the recommended settings: incremental where a stream supports it, fan-out streams offered but left out. */
export function starterReplication(catalogue: Catalogue): string {
  const streams = Object.entries(catalogue.streams);
  const incremental = streams.filter(([, s]) => s.incremental_key && !isFanOut(s)).map(([name]) => name);
  const fanOut = streams.filter(([, s]) => isFanOut(s));
  return [
    '# What to sync, written by `pdsync init`. `pdsync run replication.yaml --dry-run` shows the plan and its cost.',
    'source: PAGERDUTY',
    'target: MY_POSTGRES',
    'defaults:',
    `  mode: incremental         # ${incremental.join(', ')}; the other streams are small and read whole`,
    '  object: pagerduty.{stream_name}',
    'streams:',
    "  '*':                      # every stream but the fan-out ones below",
    '  # Fan-out streams cost one request per parent record: the first run, one per record of the',
    '  # history (100,000 incidents: about 5.5 hours at 5 requests/s); later runs, one per record',
    '  # created or changed since. Uncomment to sync them.',
    ...fanOut.map(([name, s]) => `  # ${`${name}:`.padEnd(24)}# one request per ${s.parent!.stream} record`),
    '',
  ].join('\n');
}
