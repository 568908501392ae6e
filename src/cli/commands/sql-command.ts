import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isPostgres, type PostgresConnection } from '../../config/connections.js';
import { loadEnv, resolveConnection } from '../../config/env-file.js';
import { loadTarget } from '../../config/load-config.js';
import { ConfigError, EXIT_OK } from '../../errors.js';
import { formatTable } from '../../summary/format-table.js';
import { registerSecrets } from '../connection-secrets.js';
import { type CommandContext, envOptions } from '../context.js';
import { replicationLoad } from '../replication-file.js';
import { withDatabase } from '../target-database.js';

export interface SqlOptions {
  /** Query this replication's target. */
  replication?: string;
  /** Query this postgres connection. */
  connection?: string;
  /** The embedded server's data, when the database is the embedded one. */
  dataDir?: string;
  serve?: boolean;
  envFile?: string;
}

/**
 * Which database `pdsync sql` asks: a named connection, else a replication's target (the one
 * given, or ./replication.yaml unless --data-dir names an embedded one), else the demo's
 * embedded database.
 */
async function chooseDatabase(opts: SqlOptions, ctx: CommandContext): Promise<{ name: string; conn: PostgresConnection }> {
  let chosen: { name: string; conn: PostgresConnection };
  if (opts.connection) {
    const conn = resolveConnection(await loadEnv(envOptions(opts, ctx)), opts.connection, 'sql --connection');
    if (!isPostgres(conn)) throw new ConfigError(`sql: connection "${opts.connection}" is of type ${conn.type}: expected a postgres connection`);
    chosen = { name: opts.connection, conn };
  } else if (opts.replication || (!opts.dataDir && existsSync(resolve(ctx.cwd, 'replication.yaml')))) {
    const file = opts.replication ?? 'replication.yaml';
    const { name, target } = await loadTarget(replicationLoad(file, opts.envFile, ctx));
    chosen = { name, conn: target };
  } else {
    chosen = { name: 'embedded', conn: { type: 'postgres', url: 'embedded' } };
  }
  if (opts.dataDir && chosen.conn.url === 'embedded') chosen.conn = { ...chosen.conn, data_dir: opts.dataDir };
  return chosen;
}

/**
 * `pdsync sql "select ..."` runs a query and says which database answered; `pdsync sql --serve`
 * keeps the embedded PostgreSQL running and prints its URL for psql until Ctrl-C.
 */
export async function sqlCommand(query: string | undefined, opts: SqlOptions, ctx: CommandContext): Promise<number> {
  if (!query && !opts.serve) throw new ConfigError('sql: no query: pass one, as in pdsync sql "select count(*) from pagerduty.incidents", or --serve');
  const { name, conn } = await chooseDatabase(opts, ctx);
  registerSecrets(ctx.output, conn);
  if (opts.serve && conn.url !== 'embedded') {
    throw new ConfigError(`sql --serve: connection ${name} is a PostgreSQL server of its own: connect to it directly (psql)`);
  }
  return withDatabase(conn, name, ctx, async (target, label) => {
    if (opts.serve) {
      // Listening before saying so: a Ctrl-C right after the line stops the server in order.
      const stopped = new Promise<void>((resolveStop) => {
        process.once('SIGINT', () => resolveStop());
        process.once('SIGTERM', () => resolveStop());
      });
      ctx.output.err(`${label} is up: psql ${target.url}\nCtrl-C stops it`);
      await stopped;
      return EXIT_OK;
    }
    const result = await target.withClient('sql', (c) => c.query({ text: query!, rowMode: 'array' }));
    ctx.output.out(`${formatTable(result.fields.map((f) => f.name), result.rows as unknown[][])}\n`);
    const n = result.rowCount ?? result.rows.length;
    ctx.output.err(`(${n} row${n === 1 ? '' : 's'}, from ${label})`);
    return EXIT_OK;
  });
}
