import { resolve } from 'node:path';
import { loadConfig } from '../../config/load-config.js';
import { ConfigError, EXIT_OK } from '../../errors.js';
import { loadCatalogue } from '../../spec/catalogue.js';
import { plan } from '../../plan/plan.js';
import { ensureBookkeeping, listState, resetState } from '../../target/bookkeeping.js';
import { openDatabase } from '../../target/embedded-postgres.js';
import { PostgresTarget } from '../../target/postgres-target.js';
import type { PostgresConnection } from '../../config/connections.js';
import type { Output } from '../output.js';
import { registerSecrets } from './run-command.js';

export interface StateOptions {
  replication: string;
  envFile?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

async function configOf(opts: StateOptions, output: Output) {
  const cwd = opts.cwd ?? process.cwd();
  const config = await loadConfig({
    replicationPath: resolve(cwd, opts.replication),
    replicationLabel: opts.replication,
    ...(opts.envFile ? { envFile: opts.envFile } : {}),
    cwd,
    env: opts.env ?? process.env,
  });
  registerSecrets(output, config);
  return config;
}

async function withTarget<T>(conn: PostgresConnection, fn: (target: PostgresTarget) => Promise<T>): Promise<T> {
  const database = await openDatabase(conn, process.cwd());
  try {
    const target = await PostgresTarget.connect(database.url, 1);
    try {
      return await fn(target);
    } finally {
      await target.close();
    }
  } finally {
    await database.close();
  }
}

/** `pdsync state show`: each stream's saved cursor in the replication's target. */
export async function stateShow(opts: StateOptions, output: Output): Promise<number> {
  const write = (s: string) => output.out(s);
  const config = await configOf(opts, output);
  const rows = await withTarget(config.target, (t) =>
    t.withClient('pdsync.state', async (c) => {
      await ensureBookkeeping(c);
      return listState(c);
    }),
  );
  if (rows.length === 0) write('no saved state: the next incremental run reads the whole history\n');
  for (const r of rows) {
    write(`${r.stream.padEnd(16)} ${r.object.padEnd(36)} cursor ${r.cursor?.toISOString() ?? '-'}  updated ${r.updated_at.toISOString()}\n`);
  }
  return EXIT_OK;
}

/** `pdsync state reset STREAM`: the stream's next incremental run into the replication's table starts from anchor_date. */
export async function stateReset(stream: string, opts: StateOptions, output: Output): Promise<number> {
  const config = await configOf(opts, output);
  const planned = plan({
    catalogue: await loadCatalogue(),
    replication: config.replication,
    replicationPath: opts.replication,
    source: config.source,
    target: config.target,
    now: new Date(),
  }).streams.find((s) => s.name === stream);
  if (!planned) throw new ConfigError(`state reset: "${stream}" is not a stream of ${opts.replication}`);
  const object = `${planned.object.schema}.${planned.object.table}`;
  const n = await withTarget(config.target, (t) =>
    t.withClient('pdsync.state', async (c) => {
      await ensureBookkeeping(c);
      return resetState(c, stream, planned.object);
    }),
  );
  output.err(`${stream}: ${n ? `forgot the saved cursor of ${object}` : `no saved state for ${object}`}; its next incremental run reads from anchor_date`);
  return EXIT_OK;
}
