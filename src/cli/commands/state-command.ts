import { isFile, type PagerDutySettings, type TargetConnection } from '../../config/connections.js';
import type { LoadedConfig } from '../../config/load-config.js';
import { didYouMean } from '../../config/nearest-name.js';
import { ConfigError, EXIT_OK } from '../../errors.js';
import { destinationName, plan } from '../../plan/plan.js';
import { loadCatalogue } from '../../catalogue/load-catalogue.js';
import { folderCursors, forgetFolderCursor } from '../../sinks/files/folder-cursors.js';
import { ensureBookkeeping, listState, resetState } from '../../sinks/postgres/bookkeeping/bookkeeping.js';
import type { CommandContext } from '../context.js';
import { loadSettingsOfAnyTarget, replicationFile } from '../replication-file.js';
import { withDatabase } from '../target-database.js';

export interface StateOptions {
  /** The replication file; default ./replication.yaml. */
  file?: string;
  envFile?: string;
}

/** The replication's streams as planned: where each lands. */
async function plannedStreams(file: string, config: LoadedConfig<PagerDutySettings, TargetConnection>) {
  return plan({ catalogue: await loadCatalogue(), replication: config.replication, replicationPath: file, source: config.source, target: config.target, now: new Date() }).streams;
}

/** `pdsync state show`: each stream's saved cursor in the replication's target (pdsync.state, or a folder object's state file). */
export async function stateShow(opts: StateOptions, ctx: CommandContext): Promise<number> {
  const write = (s: string) => ctx.output.out(s);
  const file = replicationFile(opts.file, ctx.cwd, 'state show');
  const config = await loadSettingsOfAnyTarget(file, opts.envFile, ctx);
  const target = config.target;
  const rows = isFile(target)
    ? (await folderCursors(await plannedStreams(file, config))).map((r) => ({ ...r, updated_at: r.updatedAt }))
    : await withDatabase(target, config.replication.target ?? 'embedded', ctx, (t) => t.withClient('pdsync.state', (c) => listState(c)));
  if (rows.length === 0) write('no saved state: the next incremental run reads the whole history\n');
  for (const r of rows) {
    write(`${r.stream.padEnd(16)} ${r.object.padEnd(36)} cursor ${r.cursor?.toISOString() ?? '-'}  updated ${r.updated_at.toISOString()}\n`);
  }
  return EXIT_OK;
}

/** `pdsync state reset STREAM`: the stream's next incremental run into the replication's table starts from anchor_date. */
export async function stateReset(stream: string, opts: StateOptions, ctx: CommandContext): Promise<number> {
  const file = replicationFile(opts.file, ctx.cwd, 'state reset');
  const config = await loadSettingsOfAnyTarget(file, opts.envFile, ctx);
  const streams = await plannedStreams(file, config);
  const planned = streams.find((s) => s.name === stream);
  if (!planned) {
    const names = streams.map((s) => s.name);
    throw new ConfigError(`state reset: "${stream}" is not a stream of ${file}: ${didYouMean(stream, names)}expected one of ${names.join(', ')}`);
  }
  const object = destinationName(planned);
  const target = config.target;
  const n = isFile(target)
    ? await forgetFolderCursor(planned, () => ctx.output.err(`${stream}: waiting for another pdsync run writing ${object}`))
    : await withDatabase(target, config.replication.target ?? 'embedded', ctx, (t) =>
        t.withClient('pdsync.state', async (c) => {
          await ensureBookkeeping(c);
          return resetState(c, stream, planned.object);
        }),
      );
  ctx.output.err(`${stream}: ${n ? `forgot the saved cursor of ${object}` : `no saved state for ${object}`}; its next incremental run reads from anchor_date`);
  return EXIT_OK;
}
