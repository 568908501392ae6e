import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';

const DEFAULT_FILE = 'replication.yaml';

/** The replication file a command reads: the one given, else ./replication.yaml when there is one. */
export function replicationFile(given: string | undefined, cwd: string, command: string): string {
  if (given) return given;
  if (existsSync(resolve(cwd, DEFAULT_FILE))) return DEFAULT_FILE;
  throw new ConfigError(
    `${command}: no replication file given and no ${DEFAULT_FILE} here: pass one, as in \`pdsync ${command} -r examples/replication.yaml\``,
  );
}
