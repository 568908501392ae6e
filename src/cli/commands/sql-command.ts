import { ConfigError, EXIT_OK } from '../../errors.js';
import { DEFAULT_EMBEDDED_DIR, startEmbeddedPostgres } from '../../target/embedded-postgres.js';
import { PostgresTarget } from '../../target/postgres-target.js';
import { formatTable } from '../../summary/format-table.js';
import type { Output } from '../output.js';

export interface SqlOptions {
  dataDir?: string;
  serve?: boolean;
  cwd?: string;
}

/**
 * `pdsync sql "select ..."` runs a query against the embedded PostgreSQL (the demo's
 * database); `pdsync sql --serve` keeps it running and prints its URL for psql until Ctrl-C.
 */
export async function sqlCommand(query: string | undefined, opts: SqlOptions, output: Output): Promise<number> {
  if (!query && !opts.serve) throw new ConfigError('sql: no query: pass one, as in pdsync sql "select count(*) from pagerduty.incidents", or --serve');
  const server = await startEmbeddedPostgres(opts.dataDir ?? DEFAULT_EMBEDDED_DIR, opts.cwd ?? process.cwd());
  try {
    if (opts.serve) {
      output.err(`embedded PostgreSQL (data in ${server.dataDir}) is up: psql ${server.url}\nCtrl-C stops it`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      return EXIT_OK;
    }
    const target = await PostgresTarget.connect(server.url, 1);
    try {
      const result = await target.withClient('sql', (c) => c.query({ text: query!, rowMode: 'array' }));
      const columns = result.fields.map((f) => f.name);
      output.out(`${formatTable(columns, result.rows as unknown[][])}\n`);
      output.err(`(${result.rowCount ?? result.rows.length} row${result.rows.length === 1 ? '' : 's'})`);
      return EXIT_OK;
    } finally {
      await target.close();
    }
  } finally {
    await server.stop();
  }
}
