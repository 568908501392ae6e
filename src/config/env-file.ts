import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { Connection } from './connections.js';
import { expandVariables } from './expand-variables.js';
import { parseYamlText, readYamlFile, validate } from './read-yaml-file.js';

const EnvFile = z.strictObject({
  connections: z.record(z.string().min(1), z.unknown()).default({}),
  variables: z.record(z.string(), z.unknown()).optional(),
});

export interface EnvOptions {
  /** `--env-file`: used instead of the default locations. */
  envFile?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  warn?: (line: string) => void;
}

export interface LoadedEnv {
  /** The env.yaml that was read, if any. */
  path: string | undefined;
  /** Raw connection values by name, before validation. */
  raw: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
}

/** Where env.yaml is looked for: `--env-file`, then `./env.yaml`, then `~/.pdsync/env.yaml`. */
export function locateEnvFile(opts: EnvOptions): string | undefined {
  const cwd = opts.cwd ?? process.cwd();
  if (opts.envFile) {
    const p = resolve(cwd, opts.envFile);
    if (!existsSync(p)) throw new ConfigError(`${opts.envFile}: env file not found (given by --env-file): check the path`);
    return p;
  }
  const home = opts.env?.HOME ?? homedir();
  return [join(cwd, 'env.yaml'), join(home, '.pdsync', 'env.yaml')].find((p) => existsSync(p));
}

/** Loads `.env` into the environment, then env.yaml's connections with `${VAR}` expanded. */
export async function loadEnv(opts: EnvOptions = {}): Promise<LoadedEnv> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  loadDotenv({ path: join(cwd, '.env'), processEnv: env as Record<string, string>, quiet: true });
  const path = locateEnvFile({ ...opts, env });
  if (!path) return { path, raw: {}, env };
  const parsed = validate(EnvFile, (await readYamlFile(path, 'env file')) ?? {}, path);
  const plaintext = plaintextSecret(parsed.connections);
  // Group- or world-readable: anyone on the machine could read the secret.
  if (plaintext && (statSync(path).mode & 0o044) !== 0) {
    opts.warn?.(
      `${path} is readable by other users and holds a plaintext secret (connections.${plaintext}): chmod 600 it, or use \${VAR} with the secret in the environment`,
    );
  }
  const raw = expandVariables(parsed.connections, env, path, ['connections']) as Record<string, unknown>;
  return { path, raw, env };
}

/** A connection from an environment variable of its name: a postgres URL or a YAML/JSON object. */
function connectionFromVariable(name: string, value: string): unknown {
  if (/^postgres(ql)?:\/\//.test(value)) return { type: 'postgres', url: value };
  return parseYamlText(value, `environment variable ${name}`);
}

/** Resolves one connection by name: env.yaml first, then an environment variable of that name. */
export function resolveConnection(loaded: LoadedEnv, name: string, usedAs: string): Connection {
  if (name in loaded.raw) {
    return validate(Connection, loaded.raw[name], loaded.path!, ['connections', name]);
  }
  const fromVar = loaded.env[name];
  if (fromVar !== undefined) {
    return validate(Connection, connectionFromVariable(name, fromVar), `environment variable ${name}`);
  }
  const where = loaded.path ? `${loaded.path} has no connection "${name}"` : 'no env.yaml found';
  throw new ConfigError(
    `${usedAs}: connection "${name}" not found (${where}): define it under connections: in env.yaml or as environment variable ${name}`,
  );
}

/** Every connection known: env.yaml's, then environment variables that hold one. */
export function listConnectionNames(loaded: LoadedEnv): { name: string; from: string }[] {
  const names = Object.keys(loaded.raw).map((name) => ({ name, from: loaded.path! }));
  for (const [name, value] of Object.entries(loaded.env)) {
    if (!value || name in loaded.raw || !/^[A-Z][A-Z0-9_]*$/.test(name)) continue;
    if (/^postgres(ql)?:\/\//.test(value) || /^\s*\{[^]*\btype\s*:/.test(value)) names.push({ name, from: 'environment' });
  }
  return names;
}

/** The key path of the first secret written in the file itself rather than as `${VAR}`. */
function plaintextSecret(connections: Record<string, unknown>): string | undefined {
  for (const [name, c] of Object.entries(connections)) {
    if (!c || typeof c !== 'object') continue;
    const conn = c as { secrets?: Record<string, unknown>; url?: unknown };
    for (const [k, v] of Object.entries(conn.secrets ?? {})) {
      if (typeof v === 'string' && v && !v.includes('${')) return `${name}.secrets.${k}`;
    }
    if (typeof conn.url === 'string' && !conn.url.includes('${')) {
      try {
        if (new URL(conn.url).password) return `${name}.url`;
      } catch {
        // Not a URL: validation reports it.
      }
    }
  }
  return undefined;
}
