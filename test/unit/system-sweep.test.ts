import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { recordOrigin, SOURCE_FILE, sweepSystemDir } from '../../src/sinks/postgres/embedded/system-sweep.js';
import { tempDir } from '../support/temp.js';

/** A data folder moved to the system folder for a folder asked for under `workspace`. */
function movedData(sysDir: string, name: string, workspace: string): string {
  const dir = join(sysDir, 'data', name);
  mkdirSync(join(dir, 'base'), { recursive: true });
  recordOrigin(dir, join(workspace, '.pdsync', 'pg'), workspace);
  return dir;
}

function binariesCopy(sysDir: string, name: string, source: string | undefined): string {
  const dir = join(sysDir, name);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  if (source) writeFileSync(join(dir, SOURCE_FILE), `${source}\n`);
  return dir;
}

describe('the system folder (as root) keeps only what still serves', () => {
  test('data of a deleted folder and binaries of a deleted checkout go; the rest stays', () => {
    const sysDir = tempDir('sys');
    const kept = tempDir('kept');
    mkdirSync(join(kept, '.pdsync'));
    const gone = join(tempDir('gone'), 'deleted-demo');
    const orphan = movedData(sysDir, 'orphan', gone);
    const live = movedData(sysDir, 'live', kept);
    const unknown = join(sysDir, 'data', 'older-pdsync');
    mkdirSync(unknown);
    const staleCopy = binariesCopy(sysDir, 'postgres-aaaa', join(gone, 'node_modules', 'native'));
    const usedCopy = binariesCopy(sysDir, 'postgres-bbbb', kept);
    const olderCopy = binariesCopy(sysDir, 'postgres-cccc', undefined);
    assert.deepEqual(sweepSystemDir(sysDir).sort(), [orphan, staleCopy].sort());
    for (const dir of [live, unknown, usedCopy, olderCopy]) assert.ok(existsSync(dir), dir);
    assert.ok(!existsSync(`${orphan}.origin`));
  });

  test('data in use by a running process stays, even when its folder is gone', async () => {
    const sysDir = tempDir('sys');
    const orphan = movedData(sysDir, 'busy', join(tempDir('gone'), 'deleted'));
    // A process naming the folder on its command line, as a server started on it does (postgres -D DIR).
    const server = spawn('sh', ['-c', 'sleep 30', orphan], { stdio: 'ignore' });
    await new Promise((resolve) => server.once('spawn', resolve));
    try {
      assert.deepEqual(sweepSystemDir(sysDir), []);
      assert.ok(existsSync(orphan));
    } finally {
      server.kill();
    }
  });
});
