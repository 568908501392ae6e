import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PagerDutyConnection, PagerDutySettings, TargetConnection } from '../config/connections.js';
import { loadConfig, type LoadedConfig, loadSettings, loadSettingsWithFiles } from '../config/load-config.js';
import { ConfigError } from '../errors.js';
import { registerSecrets } from './connection-secrets.js';
import { type CommandContext, warnTo } from './context.js';

const DEFAULT_FILE = 'replication.yaml';

/** The replication file a command reads: the one given, else ./replication.yaml when there is one. */
export function replicationFile(given: string | undefined, cwd: string, command: string): string {
  if (given) return given;
  if (existsSync(resolve(cwd, DEFAULT_FILE))) return DEFAULT_FILE;
  throw new ConfigError(
    `${command}: no replication file given and no ${DEFAULT_FILE} here: pass one, as in \`pdsync ${command} -r examples/replication.yaml\``,
  );
}

/** How a command loads `file` (relative to its folder) with its env file, warnings to its output. */
export function replicationLoad(file: string, envFile: string | undefined, ctx: CommandContext) {
  return { replicationPath: resolve(ctx.cwd, file), replicationLabel: file, ...(envFile ? { envFile } : {}), cwd: ctx.cwd, env: ctx.env, warn: warnTo(ctx) };
}

/** A replication's config, with its connections' secrets registered for scrubbing before anything is printed. */
export async function loadReplication(file: string, envFile: string | undefined, ctx: CommandContext): Promise<LoadedConfig<PagerDutyConnection, TargetConnection>> {
  const config = await loadConfig(replicationLoad(file, envFile, ctx));
  registerSecrets(ctx.output, config.source, config.target);
  return config;
}

/** For a command that never calls PagerDuty: the source's settings without its secrets (see loadSettings). */
export async function loadReplicationSettings(file: string, envFile: string | undefined, ctx: CommandContext): Promise<LoadedConfig<PagerDutySettings>> {
  const config = await loadSettings(replicationLoad(file, envFile, ctx));
  registerSecrets(ctx.output, config.target);
  return config;
}

/** The same for a command that also works with a file target (state). */
export async function loadSettingsOfAnyTarget(file: string, envFile: string | undefined, ctx: CommandContext): Promise<LoadedConfig<PagerDutySettings, TargetConnection>> {
  const config = await loadSettingsWithFiles(replicationLoad(file, envFile, ctx));
  registerSecrets(ctx.output, config.target);
  return config;
}
