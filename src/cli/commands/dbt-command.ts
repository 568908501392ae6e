import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { dbtSources } from '../../dbt/sources-yaml.js';
import { ConfigError, EXIT_OK } from '../../errors.js';
import { plan } from '../../plan/plan.js';
import { loadCatalogue } from '../../catalogue/load-catalogue.js';
import type { CommandContext } from '../context.js';
import { loadReplicationSettings, replicationFile } from '../replication-file.js';

export interface DbtOptions {
  file?: string;
  output?: string;
  envFile?: string;
}

/** `pdsync dbt sources`: a dbt sources.yml for the tables of a replication, written to --output (or stdout with -). */
export async function dbtSourcesCommand(opts: DbtOptions, ctx: CommandContext): Promise<number> {
  const file = replicationFile(opts.file, ctx.cwd, 'dbt sources');
  const config = await loadReplicationSettings(file, opts.envFile, ctx);
  const thePlan = plan({ catalogue: await loadCatalogue(), replication: config.replication, replicationPath: file, source: config.source, target: config.target, now: new Date() });
  const yaml = dbtSources(thePlan);
  const output = opts.output ?? 'sources.yml';
  if (output === '-') {
    ctx.output.out(yaml);
    return EXIT_OK;
  }
  const path = resolve(ctx.cwd, output);
  await writeFile(path, yaml).catch((e: NodeJS.ErrnoException) => {
    throw new ConfigError(`dbt sources: cannot write ${output} (${e.code ?? e.message}): check the folder exists and is writable`);
  });
  ctx.output.err(`dbt sources: ${thePlan.streams.length} tables${thePlan.relations ? ' and the analytics relations' : ''} written to ${path}`);
  return EXIT_OK;
}
