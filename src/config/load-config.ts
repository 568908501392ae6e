import { ConfigError } from '../errors.js';
import { type PagerDutyConnection, type PostgresConnection, isPagerDuty, isPostgres } from './connections.js';
import { type LoadedEnv, loadEnv, resolveConnection } from './env-file.js';
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

export interface LoadedConfig {
  replication: Replication;
  source: PagerDutyConnection;
  target: PostgresConnection;
}

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

function targetOf(replication: Replication, env: LoadedEnv, label: string): PostgresConnection {
  if (!replication.target) return { type: 'postgres', url: 'embedded' };
  const target = resolveConnection(env, replication.target, `${label}: target`);
  if (!isPostgres(target)) {
    throw new ConfigError(`${label}: target: connection "${replication.target}" is of type ${target.type}: expected a postgres connection`);
  }
  return target;
}

/** Reads the replication file and resolves its source and target connections. */
export async function loadConfig(opts: LoadConfigOptions): Promise<LoadedConfig> {
  const label = opts.replicationLabel;
  const { replication, env } = await readReplication(opts);
  const source = resolveConnection(env, replication.source, `${label}: source`);
  if (!isPagerDuty(source)) {
    throw new ConfigError(`${label}: source: connection "${replication.source}" is of type ${source.type}: expected a PagerDuty connection (type: pagerduty)`);
  }
  return { replication, source, target: targetOf(replication, env, label) };
}

/** Only the replication's target: for commands that read the database and never call the API. */
export async function loadTarget(opts: LoadConfigOptions): Promise<{ name: string; target: PostgresConnection }> {
  const { replication, env } = await readReplication(opts);
  return { name: replication.target ?? 'embedded', target: targetOf(replication, env, opts.replicationLabel) };
}
