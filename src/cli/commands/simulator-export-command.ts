import { relative } from 'node:path';
import { EXIT_OK } from '../../errors.js';
import { exportAccount, type ExportOptions } from '../../simulator/account-export.js';
import type { CommandContext } from '../context.js';

/** `pdsync simulator --export DIR`: writes the account's files, then one line saying what was written. */
export async function simulatorExportCommand(opts: ExportOptions, ctx: CommandContext): Promise<number> {
  const started = performance.now();
  const files = await exportAccount(opts);
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const list = files.map((f) => `${f.stream} ${f.records}`).join(', ');
  const megabytes = (files.reduce((n, f) => n + f.bytes, 0) / 1e6).toFixed(1);
  const added = files.filter((f) => f.referenced).map((f) => f.stream);
  const why = added.length ? ` (${added.join(', ')}: the other files refer to them)` : '';
  const where = relative(ctx.cwd, opts.dir) || '.';
  ctx.output.err(`pdsync simulator: seed ${opts.seed} written to ${where}/ as ${opts.format} (${megabytes} MB) in ${seconds} s: ${list}${why}`);
  return EXIT_OK;
}
