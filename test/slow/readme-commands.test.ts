import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runWorkflow } from '../support/actions-workflow.js';
import { SIM_KEY } from '../support/cli.js';
import { freshClone, NODE_DIR, npmUserEnv, sh } from '../support/newcomer-shell.js';
import { crontabEntry, readmeBlocks } from '../support/readme-blocks.js';
import { type SyncFixture, only, summaryOf, syncFixture } from '../support/sync-fixture.js';
import { tempDir } from '../support/temp.js';

/** A line pdsync printed, with or without the time of day it starts with when no terminal reads it. */
const line = (text: string) => new RegExp(`^(?:\\d\\d:\\d\\d:\\d\\d )?${text}`, 'm');
const STREAMS = ['users', 'services', 'incidents'];

/** Each stream's rows in the database are exactly the simulator's. */
async function assertLandedExactly(f: SyncFixture): Promise<void> {
  for (const s of STREAMS) assert.deepEqual(await f.landed(s), f.truth(s), `${s}: the database holds exactly the simulator's records`);
}

/** README's install-once block, pasted in order into a newcomer's shell in a folder of their own; done once for the tests that need pdsync installed. */
let installed: Promise<{ prefix: string; clone: string; elsewhere: string; ran: Awaited<ReturnType<typeof sh>> }> | undefined;
function installOnce() {
  installed ??= (async () => {
    const home = tempDir('home');
    const prefix = tempDir('prefix');
    const env = npmUserEnv(home, prefix);
    const clone = await freshClone(join(home, 'pdsync'));
    const ci = await sh('npm', ['ci'], { cwd: clone, env });
    assert.equal(ci.code, 0, `npm ci in the clone: ${ci.stderr}`);
    const block = readmeBlocks('Install once, use from any folder', 'sh')[0]!;
    assert.match(block, /\/path\/to\/pdsync/, 'the block names the checkout as /path/to/pdsync');
    const elsewhere = tempDir('elsewhere');
    // -e: a line that fails stops the paste here; -x: the trace names it.
    const ran = await sh('bash', ['-ex', '-c', block.replaceAll('/path/to/pdsync', clone)], { cwd: elsewhere, env });
    return { prefix, clone, elsewhere, ran };
  })();
  return installed;
}

describe('README\'s commands, pasted as written', () => {
  test('the install-once block, run in order from another folder, installs pdsync on PATH; the tarball lands where it was run, not in the checkout', async (t) => {
    const { prefix, clone, elsewhere, ran } = await installOnce();
    assert.equal(ran.code, 0, `the install block failed:\n${ran.stderr}`);
    const version = (JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal(ran.stdout.trim().split('\n').at(-1), version, 'its last line, pdsync --version, prints the version');
    const which = await sh('bash', ['-c', 'command -v pdsync'], { cwd: elsewhere, env: npmUserEnv(elsewhere, prefix) });
    assert.equal(which.stdout.trim(), join(prefix, 'bin', 'pdsync'), 'pdsync is the one installed under npm\'s global prefix');
    assert.ok(existsSync(join(elsewhere, `pdsync-${version}.tgz`)), 'npm pack wrote the tarball in the current folder');
    assert.ok(!existsSync(join(clone, `pdsync-${version}.tgz`)), 'npm pack left the checkout as it was');
    t.diagnostic(`the install block (npm install -g, npm pack, npm install -g of the tarball) took ${ran.seconds.toFixed(1)} s`);
  });

  test('the cron line, in cron\'s bare environment, takes the key from the folder\'s .env and appends warnings and the summary to its log', async () => {
    const { prefix } = await installOnce();
    const f = await syncFixture({ name: 'readme_cron', replication: only(...STREAMS) });
    try {
      const entry = crontabEntry(readmeBlocks('Cron and CI', 'sh')[0]!);
      assert.ok(entry.env.PATH?.includes('/usr/local/bin'), `the crontab puts npm's usual global bin folder on PATH: ${JSON.stringify(entry.env)}`);
      const log = join(tempDir('log'), 'pdsync.log');
      const command = entry.command.replace('/srv/pagerduty-sync', f.cwd).replace('/var/log/pdsync.log', log);
      assert.ok(command.includes(f.cwd) && command.includes(log), `the entry names its folder and its log: ${entry.command}`);
      // What cron gives a job: HOME, LOGNAME, SHELL, PATH=/usr/bin:/bin, then the crontab's variables
      // (README's /usr/local/bin is npm's global bin folder: here, the test's prefix).
      const home = tempDir('cron-home');
      const cronEnv = { HOME: home, LOGNAME: 'cron', SHELL: '/bin/sh', PATH: '/usr/bin:/bin', ...entry.env };
      cronEnv.PATH = cronEnv.PATH.replace('/usr/local/bin', `${join(prefix, 'bin')}:${NODE_DIR}`);
      const cron = () => sh('/bin/sh', ['-c', command], { cwd: home, env: cronEnv });

      const bare = await cron();
      assert.equal(bare.code, 2, 'without .env the key is missing: cron passes no variables');
      assert.match(readFileSync(log, 'utf8'), /environment variable PAGERDUTY_API_KEY is not set/);

      writeFileSync(join(f.cwd, '.env'), `PAGERDUTY_API_KEY=${SIM_KEY}\n`, { mode: 0o600 });
      const ran = await cron();
      const text = readFileSync(log, 'utf8');
      assert.equal(ran.code, 0, text);
      assert.equal(ran.stdout + ran.stderr, '', 'everything went to the log');
      assert.match(text, line(`ok: ${STREAMS.length} streams, \\d+ rows`), 'the log holds the summary');
      assert.ok(!text.includes(SIM_KEY), 'the key is not in the log');
      await assertLandedExactly(f);
    } finally {
      await f.close();
    }
  });

  test('the GitHub Actions workflow, its steps run in the user\'s repository with its secrets, installs pdsync from its repository and syncs; summary.json says ok', async (t) => {
    const f = await syncFixture({
      name: 'readme_ci',
      // The user's repository: env.yaml (the key as ${PAGERDUTY_API_KEY}) and a replication into the
      // connection the workflow gives whole from one variable.
      replication: (schema) => `source: PAGERDUTY\ntarget: MY_POSTGRES\ndefaults:\n  object: ${schema}.{stream_name}\nstreams:\n${STREAMS.map((s) => `  ${s}:\n`).join('')}`,
    });
    try {
      const workflow = readmeBlocks('Cron and CI', 'yaml')[0]!;
      const steps = await runWorkflow(workflow, {
        workspace: f.cwd,
        secrets: { PAGERDUTY_API_KEY: SIM_KEY, WAREHOUSE_URL: f.db.url },
        env: npmUserEnv(tempDir('runner-home'), tempDir('runner-prefix')),
        async checkout(repository, into) {
          assert.match(repository, /\/pdsync$/, 'the second checkout is pdsync');
          await freshClone(into);
        },
      });
      for (const s of steps) assert.equal(s.code, 0, `${s.step}:\n${s.stderr}`);
      assert.ok(steps.some((s) => s.step.startsWith('uses: actions/upload-artifact')), 'the summary was uploaded');
      const summary = summaryOf(readFileSync(join(f.cwd, 'summary.json'), 'utf8'));
      assert.equal(summary.status, 'ok');
      assert.deepEqual(summary.streams.map((s) => s.stream).sort(), [...STREAMS].sort());
      await assertLandedExactly(f);
      t.diagnostic(`workflow steps: ${steps.map((s) => `${s.step.split('\n')[0]} ${s.seconds.toFixed(1)} s`).join('; ')}`);
    } finally {
      await f.close();
    }
  });
});
