import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunSummary } from '../../src/summary/run-summary.js';
import { only, type SyncFixture, syncFixture } from '../support/sync-fixture.js';
import { stderrMatching } from '../support/wait.js';

/** Starts a run as a process and kills it once `windows` windows holding rows are staged. */
async function killAfterWindows(f: SyncFixture, stream: string, windows: number): Promise<void> {
  const run = f.start();
  await stderrMatching(run, new RegExp(`(${stream}: window \\S+ \\.\\. \\S+ done, [1-9]\\d* rows\\n[^]*){${windows}}`));
  run.child.kill('SIGKILL');
  await run.done;
}

describe('a killed run is resumed, not read again', () => {
  test('a full refresh killed after some windows: the rerun reuses them, reads only the rest, and lands exactly', async () => {
    const f = await syncFixture({ name: 'resume', sim: { latencyMs: 60 }, inputs: { rate: 50 }, replication: only('log_entries') });
    try {
      const full = await f.run(['--json']);
      assert.equal(full.code, 0, full.stderr);
      const fullRequests = (JSON.parse(full.stdout) as RunSummary).streams[0]!.requests;
      // The third window done means the second is marked done in pdsync.loads.
      await killAfterWindows(f, 'log_entries', 3);
      const r = await f.run(['--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /log_entries: started \(full-refresh -> \S+, from \S+, resuming \d+ windows staged at /);
      const s = (JSON.parse(r.stdout) as RunSummary).streams[0]!;
      assert.ok(s.warnings.some((w) => /^resumed: \d+ rows of \d+ windows? staged by an earlier run/.test(w)), s.warnings.join('\n'));
      assert.ok(s.requests < fullRequests, `the rerun made ${s.requests} requests, a full read ${fullRequests}\n${r.stderr}`);
      assert.ok(s.rowsRead < f.truth('log_entries').length, 'it read fewer rows than the whole history');
      assert.deepEqual(await f.landed('log_entries'), f.truth('log_entries'));
    } finally {
      await f.close();
    }
  });

  test('a resumed full refresh of incidents still catches incidents changed since the killed run staged them', async () => {
    // The account's clock is real time here: changes are found by when they happened, as on PagerDuty.
    const f = await syncFixture({ name: 'resumechg', sim: { latencyMs: 60, now: () => new Date() }, inputs: { rate: 50 }, replication: only('incidents') });
    try {
      // Three incidents of the second window holding rows (the first holds only the oldest few) are still open
      // when the killed run stages them; that window has more than a page of rows, so the rerun keeps it
      // (a window of a page or less is read again outright) and must learn of their change elsewhere.
      const byAge = [...f.sim.dataset.records('incidents')].sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
      const open = [100, 150, 200].map((i) => byAge[i]!);
      const user = [...f.sim.dataset.records('users')][0]!;
      const assignee = { id: user.id, type: 'user_reference', summary: user.name, self: user.self, html_url: user.html_url };
      for (const r of open) {
        f.sim.dataset.updateRecord('incidents', String(r.id), { status: 'triggered', resolved_at: null, acknowledgements: [], assignments: [{ at: r.created_at, assignee }] });
      }
      await killAfterWindows(f, 'incidents', 3);
      f.sim.dataset.resolveIncident(String(open[0]!.id));
      f.sim.dataset.acknowledgeIncident(String(open[1]!.id));
      // Time passes before the rerun: a run reads up to the API's now, in whole seconds.
      f.sim.clock.advance(2000);
      const r = await f.run();
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /resuming \d+ windows/);
      const { rows } = await f.db.pool.query(`SELECT id, status FROM "${f.db.schema}".incidents`);
      const landed = Object.fromEntries(rows.map((x: { id: string; status: string }) => [x.id, x.status]));
      const truth = Object.fromEntries([...f.sim.dataset.records('incidents')].map((x) => [String(x.id), String(x.status)]));
      assert.deepEqual(landed, truth);
    } finally {
      await f.close();
    }
  });
});
