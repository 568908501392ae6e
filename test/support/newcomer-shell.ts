import assert from 'node:assert/strict';
import { execFile, type ExecFileOptions } from 'node:child_process';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** The tester's npm cache: a clone's `npm ci` need not download what the machine already has. */
export const NPM_CACHE = process.env.npm_config_cache ?? join(homedir(), '.npm');

/** The machine's certificates and proxies: what lets npm reach the registry from here, whoever runs it. */
export const MACHINE_TRUST = Object.fromEntries(
  Object.entries(process.env).filter((e): e is [string, string] =>
    /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|https?_proxy|HTTPS?_PROXY|no_proxy|NO_PROXY)$/.test(e[0]) && e[1] !== undefined,
  ),
);

/** The folder of the node running the tests, for a PATH that holds little else. */
export const NODE_DIR = dirname(process.execPath);

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** A command run with exactly the environment given; never throws on a non-zero exit. */
export async function sh(file: string, args: string[], opts: ExecFileOptions & { env: Record<string, string> }): Promise<Ran> {
  const started = Date.now();
  return promisify(execFile)(file, args, { ...opts, maxBuffer: 64 * 1024 * 1024 }).then(
    (r) => ({ code: 0, stdout: String(r.stdout), stderr: String(r.stderr), seconds: (Date.now() - started) / 1000 }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: String(e.stdout), stderr: String(e.stderr), seconds: (Date.now() - started) / 1000 }),
  );
}

/**
 * A newcomer's shell: HOME of its own, npm's global folder at `prefix` (so `npm install -g` never
 * touches the machine's) with its bin first on PATH, the tester's npm cache, and nothing else of the
 * tester's environment but what reaching the registry needs.
 */
export function npmUserEnv(home: string, prefix: string): Record<string, string> {
  return {
    ...MACHINE_TRUST,
    HOME: home,
    PATH: `${join(prefix, 'bin')}:${NODE_DIR}:/usr/bin:/bin`,
    npm_config_prefix: prefix,
    npm_config_cache: NPM_CACHE,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
}

/** What a fresh clone of this repository holds: its committed files. */
export async function freshClone(dir: string): Promise<string> {
  const r = await sh('git', ['clone', '--quiet', '--no-hardlinks', REPO, dir], { env: { PATH: process.env.PATH ?? '', HOME: dirname(dir) } });
  assert.equal(r.code, 0, r.stderr);
  return dir;
}
