import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import { type Connection, type ConnectionSettings, isFile, isPagerDuty, isPostgres, type PagerDutyConnection, type PagerDutySettings, type PostgresConnection, type FileConnection, type TargetConnection } from './connections.js';
import { type LoadedEnv, loadEnv, resolveConnection, resolveSettings } from './env-file.js';
import { readYamlFile, validate } from './read-yaml-file.js';
import { Replication } from './replication.js';

export interface LoadConfigOptions {
  replicationPath: string;
  /** How the file is named in messages: as the user wrote it. */
  replicationLabel: string;
  envFile?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  warn?: (line: string) => void;
}

export interface LoadedConfig<Source = PagerDutyConnection, Target = PostgresConnection> {
  replication: Replication;
  source: Source;
  target: Target;
}

/** Sling's built-in target for files on this machine: objects are relative to the replication file's folder. */
export const LOCAL = 'LOCAL';

async function readReplication(opts: LoadConfigOptions): Promise<{ replication: Replication; env: LoadedEnv }> {
  const raw = await readYamlFile(opts.replicationPath, 'replication file', opts.replicationLabel);
  const replication = validate(Replication, raw ?? {}, opts.replicationLabel);
  const env = await loadEnv({
    ...(opts.envFile ? { envFile: opts.envFile } : {}),
    cwd: opts.cwd,
    env: opts.env,
    ...(opts.warn ? { warn: opts.warn } : {}),
  });
  return { replication, env };
}

/** The replication's target: a database or a folder of files. */
function anyTargetOf(replication: Replication, env: LoadedEnv, opts: LoadConfigOptions): TargetConnection {
  const label = opts.replicationLabel;
  if (!replication.target) return { type: 'postgres', url: 'embedded' };
  if (replication.target === LOCAL) return { type: 'file', url: pathToFileURL(`${dirname(opts.replicationPath)}/`).href };
  const target = resolveSettings(env, replication.target, `${label}: target`);
  if (!isPostgres(target) && !isFile(target)) {
    throw new ConfigError(`${label}: target: connection "${replication.target}" is of type ${target.type}: expected a postgres connection, a file connection or LOCAL`);
  }
  return target;
}

/** The target of a command that reads a database (sql, state, search, dbt): files are refused. */
function targetOf(replication: Replication, env: LoadedEnv, opts: LoadConfigOptions): PostgresConnection {
  const target = anyTargetOf(replication, env, opts);
  if (isFile(target)) {
    throw new ConfigError(`${opts.replicationLabel}: target: ${replication.target} writes files: this command reads a PostgreSQL target`);
  }
  return target;
}

function sourceOf<C extends Connection | ConnectionSettings>(replication: Replication, source: C, label: string): Exclude<C, PostgresConnection | FileConnection> {
  if (!isPagerDuty(source)) {
    throw new ConfigError(`${label}: source: connection "${replication.source}" is of type ${source.type}: expected a PagerDuty connection (type: pagerduty)`);
  }
  return source;
}

/** Reads the replication file and resolves its source and target connections. */
export async function loadConfig(opts: LoadConfigOptions): Promise<LoadedConfig<PagerDutyConnection, TargetConnection>> {
  const label = opts.replicationLabel;
  const { replication, env } = await readReplication(opts);
  const source = sourceOf(replication, resolveConnection(env, replication.source, `${label}: source`), label);
  return { replication, source, target: anyTargetOf(replication, env, opts) };
}

/** The same for a command that never calls PagerDuty: the source's secrets are neither expanded nor kept. */
export async function loadSettings(opts: LoadConfigOptions): Promise<LoadedConfig<PagerDutySettings>> {
  const label = opts.replicationLabel;
  const { replication, env } = await readReplication(opts);
  const source = sourceOf(replication, resolveSettings(env, replication.source, `${label}: source`), label);
  return { replication, source, target: targetOf(replication, env, opts) };
}

/** The same for a command that also works with a file target (state). */
export async function loadSettingsWithFiles(opts: LoadConfigOptions): Promise<LoadedConfig<PagerDutySettings, TargetConnection>> {
  const label = opts.replicationLabel;
  const { replication, env } = await readReplication(opts);
  const source = sourceOf(replication, resolveSettings(env, replication.source, `${label}: source`), label);
  return { replication, source, target: anyTargetOf(replication, env, opts) };
}

/** Only the replication's target: for commands that read the database and never call the API. */
export async function loadTarget(opts: LoadConfigOptions): Promise<{ name: string; target: PostgresConnection }> {
  const { replication, env } = await readReplication(opts);
  return { name: replication.target ?? 'embedded', target: targetOf(replication, env, opts) };
}
