import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadCatalogue } from '../../catalogue/load-catalogue.js';
import { ConfigError, EXIT_OK } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { pdsyncCommand } from '../invocation.js';
import { STARTER_ENV, starterReplication } from '../starter-files.js';

/**
 * `pdsync init [DIR]`: env.yaml (mode 600, the key as ${PAGERDUTY_API_KEY}) and replication.yaml with
 * the recommended settings. Never overwrites: an existing file is the user's.
 */
export async function initCommand(dir: string | undefined, ctx: CommandContext): Promise<number> {
  const folder = resolve(ctx.cwd, dir ?? '.');
  const files = { env: join(folder, 'env.yaml'), replication: join(folder, 'replication.yaml') };
  for (const path of Object.values(files)) {
    if (existsSync(path)) throw new ConfigError(`${path} already exists: pdsync init never overwrites; remove it or choose another folder`);
  }
  const replication = starterReplication(await loadCatalogue());
  mkdirSync(folder, { recursive: true });
  writeFileSync(files.env, STARTER_ENV, { mode: 0o600, flag: 'wx' });
  writeFileSync(files.replication, replication, { flag: 'wx' });
  const pdsync = pdsyncCommand(ctx.env);
  const cd = relative(ctx.cwd, folder) ? `cd ${relative(ctx.cwd, folder)} && ` : '';
  ctx.output.out(
    `wrote ${files.env} (mode 600) and ${files.replication}\n` +
      `next: export PAGERDUTY_API_KEY=<your key> (MY_POSTGRES is the embedded database until you set its url), then\n` +
      `  ${cd}${pdsync} conns test PAGERDUTY\n` +
      `  ${cd}${pdsync} run replication.yaml --dry-run\n`,
  );
  return EXIT_OK;
}
