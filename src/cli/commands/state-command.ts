import { resolve } from 'node:path';
import { loadConfig } from '../../config/load-config.js';
import { ConfigError, EXIT_OK } from '../../errors.js';
import { loadCatalogue } from '../../spec/catalogue.js';
import { ensureBookkeeping, listState, resetState } from '../../target/bookkeeping.js';
import { PostgresTarget } from '../../target/postgres-target.js';

export interface StateOptions {
  replication: string;
  envFile?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

async function withTarget<T>(opts: StateOptions, fn: (target: PostgresTarget) => Promise<T>): Promise<T> {
  const cwd = opts.cwd ?? process.cwd();
  const config = await loadConfig({
    replicationPath: resolve(cwd, opts.replication),
    replicationLabel: opts.replication,
    ...(opts.envFile ? { envFile: opts.envFile } : {}),
    cwd,
    env: opts.env ?? process.env,
  });
  const target = await PostgresTarget.connect(config.target.url, 1);
  try {
    return await fn(target);
  } finally {
    await target.close();
  }
}

/** `pdsync state show`: each stream's saved cursor in the replication's target. */
export async function stateShow(opts: StateOptions, write = (s: string) => process.stdout.write(s)): Promise<number> {
  const rows = await withTarget(opts, (t) =>
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

/** `pdsync state reset STREAM`: the stream's next incremental run starts from anchor_date. */
export async function stateReset(stream: string, opts: StateOptions, write = (s: string) => process.stderr.write(s)): Promise<number> {
  const catalogue = await loadCatalogue();
  if (!(stream in catalogue.streams)) {
    throw new ConfigError(`state reset: unknown stream "${stream}": expected one of ${Object.keys(catalogue.streams).join(', ')}`);
  }
  const n = await withTarget(opts, (t) =>
    t.withClient('pdsync.state', async (c) => {
      await ensureBookkeeping(c);
      return resetState(c, stream);
    }),
  );
  write(`${stream}: ${n ? `forgot ${n} saved cursor${n > 1 ? 's' : ''}` : 'had no saved state'}; its next incremental run reads from anchor_date\n`);
  return EXIT_OK;
}
