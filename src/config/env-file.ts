import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { Connection, type ConnectionSettings, isPagerDuty, withoutSecrets } from './connections.js';
import { expandVariables } from './expand-variables.js';
import { didYouMean } from './nearest-name.js';
import { parseYamlText, readYamlFile, validate } from './read-yaml-file.js';

const EnvFile = z.strictObject({
  connections: z.record(z.string().min(1), z.unknown()).default({}),
  variables: z.record(z.string(), z.unknown()).optional(),
});

export interface EnvOptions {
  /** `--env`/`--env-file`: used instead of the default locations (else `PDSYNC_ENV_FILE`). */
  envFile?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  warn?: (line: string) => void;
}

export interface LoadedEnv {
  /** The env.yaml that was read, if any. */
  path: string | undefined;
  /** Connection values by name as written: `${VAR}` is expanded when a connection is used, so an unset variable only matters to the connections that use it. */
  raw: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  warn: (line: string) => void;
  /** Connections whose override by the environment was already reported. */
  reported: Set<string>;
}

/**
 * Where env.yaml is looked for: `--env`/`--env-file`, then `PDSYNC_ENV_FILE`, then
 * `./env.yaml`, then `~/.pdsync/env.yaml`.
 */
export function locateEnvFile(opts: EnvOptions): string | undefined {
  const cwd = opts.cwd ?? process.cwd();
  const given = opts.envFile ? { path: opts.envFile, by: '--env' } : opts.env?.PDSYNC_ENV_FILE ? { path: opts.env.PDSYNC_ENV_FILE, by: 'PDSYNC_ENV_FILE' } : undefined;
  if (given) {
    const p = resolve(cwd, given.path);
    if (!existsSync(p)) throw new ConfigError(`${given.path}: env file not found (given by ${given.by}): check the path`);
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
  const warn = opts.warn ?? (() => undefined);
  if (!path) return { path, raw: {}, env, warn, reported: new Set() };
  const parsed = validate(EnvFile, (await readYamlFile(path, 'env file')) ?? {}, path);
  const plaintext = plaintextSecret(parsed.connections);
  // Group- or world-readable: anyone on the machine could read the secret.
  if (plaintext && (statSync(path).mode & 0o044) !== 0) {
    opts.warn?.(
      `${path} is readable by other users and holds a plaintext secret (connections.${plaintext}): chmod 600 it, or use \${VAR} with the secret in the environment`,
    );
  }
  return { path, raw: parsed.connections, env, warn, reported: new Set() };
}

/** Whether an environment variable's value is a connection: a postgres URL or a YAML/JSON object with a type. */
function holdsConnection(value: string | undefined): value is string {
  return value !== undefined && (/^postgres(ql)?:\/\//.test(value) || /^\s*\{[^]*\btype\s*:/.test(value));
}

/** A connection from an environment variable of its name: a postgres URL or a YAML/JSON object. */
function connectionFromVariable(name: string, value: string): unknown {
  if (/^postgres(ql)?:\/\//.test(value)) return { type: 'postgres', url: value };
  return parseYamlText(value, `environment variable ${name}`);
}

/** Where a connection of this name comes from: the environment wins over env.yaml (twelve-factor). */
export function connectionOrigin(loaded: LoadedEnv, name: string): 'environment' | 'file' | undefined {
  if (holdsConnection(loaded.env[name])) return 'environment';
  if (name in loaded.raw) return 'file';
  return loaded.env[name] !== undefined ? 'environment' : undefined;
}

/** Resolves one connection by name: an environment variable of that name, else env.yaml's. */
export function resolveConnection(loaded: LoadedEnv, name: string, usedAs: string): Connection {
  return resolveAs(loaded, name, usedAs, true);
}

/**
 * A connection for a command that never calls PagerDuty (state, dbt, sql, conns list): a PagerDuty
 * connection's secrets are neither expanded nor kept, so a `${VAR}` unset there does not stop it.
 */
export function resolveSettings(loaded: LoadedEnv, name: string, usedAs: string): ConnectionSettings {
  const c = resolveAs(loaded, name, usedAs, false);
  return isPagerDuty(c) ? withoutSecrets(c) : c;
}

/** A PagerDuty connection as written: its secrets, left unexpanded when they are not needed. */
function isPagerDutyRaw(raw: unknown): raw is { secrets?: unknown } {
  const type = (raw as { type?: unknown } | null)?.type;
  return type === 'pagerduty' || type === 'api';
}

function resolveAs(loaded: LoadedEnv, name: string, usedAs: string, expandSecrets: boolean): Connection {
  const origin = connectionOrigin(loaded, name);
  if (origin === 'environment') {
    if (name in loaded.raw && !loaded.reported.has(name)) {
      loaded.reported.add(name);
      loaded.warn(`connection ${name}: the environment variable ${name} is used; ${loaded.path} also defines it (the environment wins)`);
    }
    return validate(Connection, connectionFromVariable(name, loaded.env[name]!), `environment variable ${name}`);
  }
  if (origin === 'file') {
    const raw = loaded.raw[name];
    const expand = (v: unknown) => expandVariables(v, loaded.env, loaded.path!, ['connections', name]);
    // Unexpanded, `${VAR}` is still a string of the right shape: the secrets are checked, not read.
    const expanded = !expandSecrets && isPagerDutyRaw(raw) ? { ...(expand({ ...raw, secrets: undefined }) as object), secrets: raw.secrets } : expand(raw);
    return validate(Connection, expanded, loaded.path!, ['connections', name]);
  }
  const where = loaded.path ? `${loaded.path} has no connection "${name}"` : 'no env.yaml found';
  throw new ConfigError(
    `${usedAs}: connection "${name}" not found (${where}): ${didYouMean(name, listConnectionNames(loaded).map((n) => n.name))}define it under connections: in env.yaml or as environment variable ${name}`,
  );
}

/** Every connection known, with where it comes from: the environment's first, then env.yaml's. */
export function listConnectionNames(loaded: LoadedEnv): { name: string; from: string }[] {
  const names: { name: string; from: string }[] = [];
  for (const [name, value] of Object.entries(loaded.env)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name) || !holdsConnection(value)) continue;
    names.push({ name, from: name in loaded.raw ? `environment, overriding ${loaded.path}` : 'environment' });
  }
  for (const name of Object.keys(loaded.raw)) {
    if (!names.some((n) => n.name === name)) names.push({ name, from: loaded.path! });
  }
  return names.sort((a, b) => a.name.localeCompare(b.name));
}

/** A connection to an API on this machine (the simulator): its key guards nothing. */
function isLoopbackApi(conn: { inputs?: Record<string, unknown> }): boolean {
  const base = conn.inputs?.base_url;
  if (typeof base !== 'string' || !URL.canParse(base)) return false;
  return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(base).hostname);
}

/** The key path of the first secret written in the file itself rather than as `${VAR}`. */
function plaintextSecret(connections: Record<string, unknown>): string | undefined {
  for (const [name, c] of Object.entries(connections)) {
    if (!c || typeof c !== 'object') continue;
    const conn = c as { secrets?: Record<string, unknown>; url?: unknown; inputs?: Record<string, unknown> };
    for (const [k, v] of Object.entries(isLoopbackApi(conn) ? {} : (conn.secrets ?? {}))) {
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
