import assert from 'node:assert/strict';
import { execFile, type ExecFileOptions } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { isFanOut } from '../../src/catalogue/catalogue.js';
import { loadCatalogue } from '../../src/catalogue/load-catalogue.js';
import { startSimulator } from '../../src/simulator/server.js';
import { envYaml, SIM_KEY, STAMP, workspace } from '../support/cli.js';
import { testDatabase } from '../support/database.js';
import { systemDir, tempDir } from '../support/temp.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const asRoot = process.getuid?.() === 0;
/** The tester's npm cache: a clone's `npm ci` need not download what the machine already has. */
const NPM_CACHE = process.env.npm_config_cache ?? join(homedir(), '.npm');

/** The machine's certificates and proxies: what lets npm reach the registry from here, whoever runs it. */
const MACHINE_TRUST = Object.fromEntries(
  Object.entries(process.env).filter((e): e is [string, string] =>
    /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|https?_proxy|HTTPS?_PROXY|no_proxy|NO_PROXY)$/.test(e[0]) && e[1] !== undefined,
  ),
);

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** A command as a newcomer types it, with a clean environment; never throws on a non-zero exit. stderr without pdsync's time of day. */
async function sh(file: string, args: string[], opts: ExecFileOptions & { env: Record<string, string> }): Promise<Ran> {
  const started = Date.now();
  const env = { PATH: process.env.PATH ?? '', ...MACHINE_TRUST, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...opts.env };
  return promisify(execFile)(file, args, { ...opts, env, maxBuffer: 64 * 1024 * 1024 }).then(
    (r) => ({ code: 0, stdout: String(r.stdout), stderr: String(r.stderr).replace(STAMP, ''), seconds: (Date.now() - started) / 1000 }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: String(e.stderr).replace(STAMP, ''), seconds: (Date.now() - started) / 1000 }),
  );
}

/** What a fresh clone of this repository holds: its committed files. */
async function freshClone(into: string): Promise<string> {
  const dir = join(into, 'pdsync');
  const r = await sh('git', ['clone', '--quiet', '--no-hardlinks', REPO, dir], { env: { HOME: into } });
  assert.equal(r.code, 0, r.stderr);
  return dir;
}

/** The streams the demo syncs: every one `'*'` selects. */
const DEMO_STREAMS = Object.values((await loadCatalogue()).streams).filter((s) => !isFanOut(s)).length;

/** Asserts README's first command answered the demo's questions. */
function assertDemoAnswered(r: Ran, what: string): void {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  assert.match(r.stderr, new RegExp(`^ok: ${DEMO_STREAMS} streams, \\d+ rows`, 'm'), what);
  assert.match(r.stdout, /Incidents by status and urgency/, what);
  assert.match(r.stdout, /Keep exploring \(the data stays in \S+\)/, what);
}

describe('installed and run as a newcomer would', () => {
  test('README\'s first command, from a fresh clone in a mode-700 home, as root where the server\'s OS user does not exist yet', async (t) => {
    const home = tempDir('home');
    chmodSync(home, 0o700);
    const clone = await freshClone(home);
    // A throwaway OS user name stands for a fresh image without a postgres user.
    const osUser = `pdsync_t${process.pid}`;
    const env = { HOME: home, npm_config_cache: NPM_CACHE, PDSYNC_SYSTEM_DIR: systemDir(), PDSYNC_EMBEDDED_OS_USER: osUser };
    try {
      const r = await sh('bash', ['-c', 'npm ci && npx pdsync demo'], { cwd: clone, env });
      assertDemoAnswered(r, 'in a 700 home');
      if (asRoot) {
        assert.match(r.stderr, new RegExp(`data in ${systemDir()}/data/\\S+ \\(as root the server runs as OS user ${osUser}, which cannot enter ${home}\\)`));
        assert.equal((await sh('id', ['-u', osUser], { env: {} })).code, 0, 'the OS user was created');
      } else {
        assert.match(r.stderr, new RegExp(`data in ${clone}/\\.pdsync/pg$`, 'm'));
      }
      t.diagnostic(`${asRoot ? 'as root' : 'as a normal user'} in a 700 home: npm ci && npx pdsync demo took ${r.seconds.toFixed(1)} s`);
    } finally {
      if (asRoot) {
        await sh('userdel', [osUser], { env: {} });
        await sh('groupdel', [osUser], { env: {} });
      }
    }
  });

  test('README\'s first command, from a fresh clone, as a normal user', async (t) => {
    const home = tempDir('home');
    chmodSync(home, 0o755);
    const clone = await freshClone(home);
    const run = (cmd: string) =>
      asRoot
        ? sh('runuser', ['-u', 'nobody', '--', 'env', `HOME=${home}`, `PATH=${process.env.PATH}`, 'bash', '-c', cmd], { cwd: clone, env: {} })
        : sh('bash', ['-c', cmd], { cwd: clone, env: { HOME: home } });
    if (asRoot) await sh('chown', ['-R', 'nobody:nogroup', home], { env: {} });
    const r = await run('npm ci && npx pdsync demo');
    assertDemoAnswered(r, 'as a normal user');
    assert.match(r.stderr, new RegExp(`data in ${clone}/\\.pdsync/pg$`, 'm'));
    t.diagnostic(`as a normal user: npm ci && npx pdsync demo took ${r.seconds.toFixed(1)} s`);
  });

  test('installed once from an npm pack tarball, pdsync runs from any folder: --version, and a sync of the simulator', async (t) => {
    const dir = tempDir('install');
    const pack = await sh('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: REPO, env: { HOME: dir, npm_config_cache: NPM_CACHE } });
    assert.equal(pack.code, 0, pack.stderr);
    const tarball = join(dir, pack.stdout.trim().split('\n').at(-1)!);
    const prefix = join(dir, 'prefix');
    mkdirSync(prefix);
    const install = await sh('npm', ['install', '--global', '--prefix', prefix, tarball], { cwd: dir, env: { HOME: dir, npm_config_cache: NPM_CACHE } });
    assert.equal(install.code, 0, install.stderr);
    const bin = join(prefix, 'bin', 'pdsync');
    t.diagnostic(`npm pack took ${pack.seconds.toFixed(1)} s, npm install -g of its tarball ${install.seconds.toFixed(1)} s`);

    const elsewhere = workspace({});
    const version = await sh(bin, ['--version'], { cwd: elsewhere, env: { HOME: elsewhere } });
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);

    const sim = await startSimulator({ port: 0 });
    const db = await testDatabase('install');
    try {
      const cwd = workspace({
        'env.yaml': envYaml(sim.url, db.url, { rate: 100 }),
        'replication.yaml': `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${db.schema}.{stream_name}\nstreams:\n  users:\n  incidents:\n`,
      });
      const r = await sh(bin, ['run', 'replication.yaml'], { cwd, env: { HOME: cwd, PAGERDUTY_API_KEY: SIM_KEY } });
      assert.equal(r.code, 0, r.stderr);
      for (const stream of ['users', 'incidents']) {
        assert.deepEqual((await db.ids(stream)).sort(), sim.dataset.ids(stream).sort(), stream);
      }
    } finally {
      await sim.close();
      await db.drop();
    }
  });
});
