import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ENV, listen, postSigned, SECRET, withWebhookSecret } from './support/listen-process.js';
import { type SyncFixture, syncFixture } from './support/sync-fixture.js';
import { slowFlood } from './support/slow-clients.js';
import { eventually, stderrMatching } from './support/wait.js';

const replication = (schema: string) =>
  `source: PAGERDUTY\ntarget: PG\ndefaults:\n  mode: incremental\n  object: ${schema}.{stream_name}\nstreams:\n  incidents:\n  log_entries:\n`;

/** pdsync.webhook_events as versions before event keys made it: keyed by X-Webhook-Id. */
const EARLIER_TABLE = `CREATE SCHEMA IF NOT EXISTS pdsync;
  CREATE TABLE pdsync.webhook_events (
    webhook_id text PRIMARY KEY, event_id text NOT NULL, event_type text NOT NULL, incident_id text,
    object text NOT NULL, occurred_at timestamptz NOT NULL, received_at timestamptz NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now());
  INSERT INTO pdsync.webhook_events (webhook_id, event_id, event_type, incident_id, object, occurred_at, received_at)
    VALUES ('W-earlier', 'E-earlier', 'incident.triggered', 'P-earlier', 'x.incidents', now(), now());`;

describe('pdsync listen under replays and slow clients', () => {
  let f: SyncFixture;
  before(async () => {
    f = await syncFixture({ name: 'hardening', sim: { volume: { incidents: 100 } }, inputs: { rate: 50, concurrency: 4 }, replication });
    withWebhookSecret(f);
    const r = await f.run([], ENV);
    assert.equal(r.code, 0, r.stderr);
    await f.db.pool.query(EARLIER_TABLE);
  });
  after(async () => {
    await f.close();
  });

  const rows = async (sql: string) => (await f.db.pool.query(sql)).rows as Record<string, unknown>[];

  test('a webhook_events table of an earlier version is keyed by event_key from the first start on, its rows kept', async () => {
    const l = await listen(f);
    try {
      const key = await rows(`SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                              WHERE i.indrelid = 'pdsync.webhook_events'::regclass AND i.indisprimary`);
      assert.deepEqual(key, [{ attname: 'event_key' }]);
      assert.deepEqual(await rows(`SELECT event_key, webhook_id FROM pdsync.webhook_events`), [{ event_key: 'x-webhook-id:W-earlier', webhook_id: 'W-earlier' }]);
    } finally {
      l.run.child.kill('SIGTERM');
      const done = await l.run.done;
      assert.equal(done.code, 0, `ended by ${done.signal}: ${done.stderr}`);
    }
  });

  test('a captured body resent under new X-Webhook-Ids is not applied again and costs no API request', async () => {
    const l = await listen(f);
    try {
      f.sim.clock.advance(3_600_000);
      f.sim.webhooks.subscribe({ url: l.hook, secrets: [SECRET] });
      const [incident] = f.sim.dataset.addIncidents(1);
      await f.sim.webhooks.settled();
      f.sim.webhooks.unsubscribe();
      const captured = f.sim.webhooks.emitted.at(-1)!;
      await stderrMatching(l.run, new RegExp(`applied incident\\.triggered ${incident} \\(webhook ${captured.webhookId}\\)`));
      const requests = f.sim.requests.length;
      for (const replay of ['replay-1', 'replay-2', 'replay-3']) {
        assert.ok([200, 202].includes(await postSigned(l.hook, captured.body, { 'x-webhook-id': replay })));
        await stderrMatching(l.run, new RegExp(`(applied|duplicate) .*\\(webhook ${replay}\\)`));
      }
      assert.doesNotMatch(l.run.output.stderr, /applied .*\(webhook replay-/, 'no replay applied');
      assert.equal(f.sim.requests.length, requests, 'no API request for a replay');
      assert.deepEqual(await rows(`SELECT count(*)::int AS n FROM pdsync.webhook_events WHERE event_id = '${String(captured.event.id)}'`), [{ n: 1 }]);
      const [recorded] = await rows(`SELECT event_key FROM pdsync.webhook_events WHERE webhook_id = '${captured.webhookId}'`);
      assert.match(String(recorded!.event_key), new RegExp(`^${String(captured.event.id)}/[0-9a-f]{64}$`), 'keyed by the event id and the body digest');
    } finally {
      f.sim.webhooks.unsubscribe();
      l.run.child.kill('SIGTERM');
      assert.equal((await l.run.done).code, 0);
    }
  });

  test('a signed body from longer ago than applied events are remembered is refused as a replay, at no API request', async () => {
    const l = await listen(f);
    try {
      const [incident] = f.sim.dataset.ids('incidents');
      const occurred = new Date(f.sim.clock.now().getTime() - 8 * 86_400_000).toISOString();
      const body = Buffer.from(JSON.stringify({ event: { id: 'EV-eight-days-old', event_type: 'incident.acknowledged', resource_type: 'incident', occurred_at: occurred, data: { id: incident, type: 'incident' } } }));
      const requests = f.sim.requests.length;
      assert.equal(await postSigned(l.hook, body, { 'x-webhook-id': 'old-replay' }), 400);
      assert.match(l.run.output.stderr, /^pdsync listen: rejected a delivery from 127\.0\.0\.1 with 400: the event occurred at .*, over 6 days ago: a replay/m);
      assert.equal(f.sim.requests.length, requests, 'no API request');
      assert.deepEqual(await rows(`SELECT count(*)::int AS n FROM pdsync.webhook_events WHERE event_id = 'EV-eight-days-old'`), [{ n: 0 }]);
    } finally {
      l.run.child.kill('SIGTERM');
      assert.equal((await l.run.done).code, 0);
    }
  });

  test('300 slow connections from one address, reopened as they close, keep none of 60 genuine deliveries from another out', async () => {
    const l = await listen(f);
    const flood = slowFlood(new URL(l.url), 300, '127.0.0.1');
    try {
      await eventually('the flood is connected', async () => flood.connected >= 300);
      f.sim.clock.advance(3_600_000);
      // PagerDuty's own sender, from another address, one delivery at a time, each given one attempt of 5 s.
      f.sim.webhooks.subscribe({ url: l.hook, secrets: [SECRET], localAddress: '127.0.0.2', maxAttempts: 1 });
      const ids: string[] = [];
      for (let round = 0; round < 3; round++) {
        const from = f.sim.webhooks.emitted.length;
        f.sim.dataset.addIncidents(20);
        await f.sim.webhooks.settled();
        const sent = f.sim.webhooks.emitted.slice(from).map((e) => e.webhookId);
        const statuses = f.sim.webhooks.deliveries.filter((d) => sent.includes(d.webhookId)).map((d) => d.status);
        assert.deepEqual(statuses, sent.map(() => 202), `round ${round + 1}: every genuine delivery accepted at its first attempt`);
        ids.push(...sent);
        // The slow connections the listener held are cut by its deadlines, and come back.
        await flood.cutMore(20);
      }
      assert.equal(ids.length, 60);
      await eventually('every genuine delivery applied', async () => (await rows(`SELECT count(*)::int AS n FROM pdsync.webhook_events WHERE webhook_id = ANY('{${ids.join(',')}}')`))[0]!.n === 60, 60_000);
      assert.match(l.run.output.stderr, /^pdsync listen: warning: 127\.0\.0\.1 holds 32 connections, the most one address may: more are closed at once$/m);
    } finally {
      await flood.stop();
      f.sim.webhooks.unsubscribe();
      l.run.child.kill('SIGTERM');
      assert.equal((await l.run.done).code, 0);
    }
  });
});
