import { ConfigError } from '../errors.js';
import { type PagerDutyConnection, type PostgresConnection, isPagerDuty, isPostgres } from './connections.js';
import { loadEnv, resolveConnection } from './env-file.js';
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

/** Reads the replication file and resolves its source and target connections. */
export async function loadConfig(opts: LoadConfigOptions): Promise<LoadedConfig> {
  const label = opts.replicationLabel;
  const raw = await readYamlFile(opts.replicationPath, 'replication file', label);
  const replication = validate(Replication, raw ?? {}, label);
  const env = await loadEnv({
    ...(opts.envFile ? { envFile: opts.envFile } : {}),
    cwd: opts.cwd,
    env: opts.env,
    ...(opts.warn ? { warn: opts.warn } : {}),
  });
  const source = resolveConnection(env, replication.source, `${label}: source`);
  if (!isPagerDuty(source)) {
    throw new ConfigError(`${label}: source: connection "${replication.source}" is of type ${source.type}: expected a PagerDuty connection (type: pagerduty)`);
  }
  const target = replication.target
    ? resolveConnection(env, replication.target, `${label}: target`)
    : ({ type: 'postgres', url: 'embedded' } as const);
  if (!isPostgres(target)) {
    throw new ConfigError(`${label}: target: connection "${replication.target}" is of type ${target.type}: expected a postgres connection`);
  }
  return { replication, source, target };
}
