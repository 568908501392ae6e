import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import { type Simulator, type WebhookOptions, startSimulator } from '../../src/simulator/server.js';
import { DATA_END, NOW, get, listAll } from './simulator-client.js';

type Rec = Record<string, unknown>;
interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  event: Rec;
  /** Settles when the request's connection is done with: answered, or dropped by the sender. */
  closed: Promise<void>;
}

const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const ms = (v: unknown) => Date.parse(String(v));
const hmac = (secret: string, body: Buffer) => `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;
const hookIds = (rs: Received[]) => rs.map((r) => String(r.headers['x-webhook-id']));
const INCIDENT_DATA = [
  'id', 'type', 'self', 'html_url', 'number', 'status', 'incident_key', 'created_at', 'title', 'service', 'assignees',
  'escalation_policy', 'teams', 'priority', 'urgency', 'conference_bridge', 'resolve_reason',
];

/** A webhook endpoint on 127.0.0.1 keeping every request; `answer` gets each as it comes: a status, or never to answer. */
async function receiver(t: TestContext, answer: (r: Received) => number | 'hang' = () => 200) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const r = { headers: req.headers, body, event: (JSON.parse(body.toString('utf8')) as { event: Rec }).event, closed: new Promise<void>((resolve) => res.once('close', resolve)) };
      received.push(r);
      const status = answer(r);
      if (status !== 'hang') res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

async function simulator(t: TestContext, url: string, o: Partial<WebhookOptions> = {}): Promise<Simulator> {
  const sim = await startSimulator({ dataEnd: DATA_END, now: () => NOW, webhooks: { url, secrets: ['first-secret'], retryDelayMs: 1, ...o } });
  // Once only: a test may close it itself, and the cleanup must not close it again.
  const close = sim.close;
  let closed: Promise<void> | undefined;
  sim.close = () => (closed ??= close());
  t.after(() => sim.close());
  return sim;
}

test('each mutation POSTs one signed v3 event whose occurred_at is its log entry; GET /incidents/{id} and its log_entries', async (t) => {
  const rx = await receiver(t);
  const sim = await simulator(t, rx.url, { secrets: ['old-secret', 'new-secret'] });
  const [id] = sim.dataset.addIncidents(1, at(0));
  sim.dataset.acknowledgeIncident(id!, at(60));
  const noteId = sim.dataset.addNote(id!, 'Rolled back', at(120));
  sim.dataset.resolveIncident(id!, at(180));
  await sim.webhooks.settled();

  const events = rx.received.map((r) => r.event);
  assert.deepEqual(events.map((e) => e.event_type), ['incident.triggered', 'incident.acknowledged', 'incident.annotated', 'incident.resolved']);
  assert.deepEqual(events, sim.webhooks.emitted.map((e) => e.event));
  assert.deepEqual(hookIds(rx.received), sim.webhooks.emitted.map((e) => e.webhookId));
  assert.equal(new Set([...events.map((e) => e.id), ...hookIds(rx.received)]).size, 8, 'event ids and webhook ids are unique');
  for (const { headers: h, body, event } of rx.received) {
    assert.deepEqual([h['content-type'], h['user-agent'], h['x-webhook-subscription']], ['application/json', 'PagerDuty-Webhook/V3.0', sim.webhooks.subscriptionId]);
    assert.equal(h['x-pagerduty-signature'], `${hmac('old-secret', body)},${hmac('new-secret', body)}`, 'one v1= per secret of the rotation');
    assert.deepEqual(Object.keys(event), ['id', 'event_type', 'resource_type', 'occurred_at', 'agent', 'client', 'data']);
    assert.match(String(event.id), /^[0-9A-Z]{26}$/);
    assert.match(String(event.occurred_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    assert.deepEqual([event.resource_type, event.client], ['incident', null]);
  }
  const [triggered, acknowledged, annotated, resolved] = events.map((e) => e.data as Rec);
  for (const data of [triggered!, acknowledged!, resolved!]) assert.deepEqual(Object.keys(data), INCIDENT_DATA);
  assert.deepEqual([triggered!.status, acknowledged!.status, resolved!.status], ['triggered', 'acknowledged', 'resolved']);
  assert.deepEqual(resolved!.assignees, []);
  assert.equal(events[0]!.agent, null, 'triggered through the API: no user');
  assert.equal((events[1]!.agent as Rec).type, 'user_reference');
  assert.deepEqual(annotated, { incident: { ...(annotated!.incident as Rec), id }, id: noteId, content: 'Rolled back', trimmed: false, type: 'incident_note' });
  assert.equal((annotated!.incident as Rec).type, 'incident_reference');

  const { status, body } = await get(sim, `/incidents/${id}`);
  const full = body.incident as Rec;
  assert.equal(status, 200);
  assert.deepEqual(full, [...sim.dataset.records('incidents')].find((r) => r.id === id));
  for (const k of INCIDENT_DATA.filter((k) => !['type', 'number', 'assignees'].includes(k))) assert.deepEqual(resolved![k], full[k], k);
  assert.equal(resolved!.number, full.incident_number);
  const { log_entries: entries, ...envelope } = (await get(sim, `/incidents/${id}/log_entries`, { total: true })).body;
  assert.deepEqual(envelope, { limit: 25, offset: 0, more: false, total: 4 });
  assert.deepEqual((entries as Rec[]).map((e) => e.type), ['trigger_log_entry', 'acknowledge_log_entry', 'annotate_log_entry', 'resolve_log_entry']);
  assert.deepEqual((entries as Rec[]).map((e) => ms(e.created_at)), events.map((e) => ms(e.occurred_at)), 'occurred_at: its log entry\'s time');
  const listed = await listAll(sim, 'log_entries', { since: at(0).toISOString(), until: at(181).toISOString(), 'include[]': 'incidents' });
  const withInclude = (await get(sim, `/incidents/${id}/log_entries`, { 'include[]': 'incidents' })).body.log_entries as Rec[];
  assert.deepEqual(withInclude, listed.filter((e) => (e.incident as Rec).id === id).sort((x, y) => ms(x.created_at) - ms(y.created_at)));
  assert.equal((withInclude[0]!.incident as Rec).type, 'incident', 'include[]=incidents expands as /log_entries does');
});

test('a duplicated event comes again with the same X-Webhook-Id and body; every event comes', async (t) => {
  const rx = await receiver(t);
  const sim = await simulator(t, rx.url, { duplicateRate: 0.5 });
  sim.dataset.addIncidents(20, at(0));
  await sim.webhooks.settled();
  const emitted = sim.webhooks.emitted.map((e) => e.webhookId);
  assert.deepEqual(new Set(hookIds(rx.received)), new Set(emitted));
  assert.equal(emitted.length, 20);
  assert.ok(rx.received.length > 20 && rx.received.length < 40, `${rx.received.length} deliveries: some duplicated, some not`);
  for (const r of rx.received) {
    const first = rx.received.find((x) => x.headers['x-webhook-id'] === r.headers['x-webhook-id'])!;
    assert.ok(first.body.equals(r.body));
    assert.equal(first.headers['x-pagerduty-signature'], r.headers['x-pagerduty-signature']);
  }
});

test('shuffle: events of one tick come in a seeded order other than emission, each once; the same seed gives the same order', async (t) => {
  const orders: string[][] = [];
  for (const run of [1, 2]) {
    const rx = await receiver(t);
    const sim = await simulator(t, rx.url, { shuffle: true, seed: 7 });
    const ids = sim.dataset.addIncidents(12, at(0));
    await sim.webhooks.settled();
    const order = rx.received.map((r) => String((r.event.data as Rec).id));
    assert.notDeepEqual(order, ids, `run ${run}`);
    assert.deepEqual([...order].sort(), [...ids].sort());
    orders.push(order);
  }
  assert.deepEqual(orders[0], orders[1]);
});

test('retries: a 500 and a 429 are retried with the same X-Webhook-Id and body; a 400 is dropped; maxAttempts gives up', async (t) => {
  const script: number[] = [500, 429, 200];
  const rx = await receiver(t, () => script.shift() ?? 200);
  const sim = await simulator(t, rx.url);
  const attempts = () => sim.webhooks.deliveries.filter((d) => d.eventId === sim.webhooks.emitted.at(-1)!.event.id).map((d) => [d.attempt, d.status]);
  sim.dataset.addIncidents(1, at(0));
  await sim.webhooks.settled();
  assert.deepEqual(attempts(), [[1, 500], [2, 429], [3, 200]]);
  assert.ok(rx.received.every((r) => r.body.equals(rx.received[0]!.body) && r.headers['x-webhook-id'] === rx.received[0]!.headers['x-webhook-id']));
  script.push(400);
  sim.dataset.addIncidents(1, at(1));
  await sim.webhooks.settled();
  assert.deepEqual(attempts(), [[1, 400]]);
  sim.webhooks.set({ maxAttempts: 2 });
  script.push(503, 503, 503);
  sim.dataset.addIncidents(1, at(2));
  await sim.webhooks.settled();
  assert.deepEqual(attempts(), [[1, 503], [2, 503]]);
  assert.equal(rx.received.length, 6);
});

test('a delivery unanswered within timeoutMs counts as status 0 and is retried', async (t) => {
  let hung = false;
  const rx = await receiver(t, () => (hung ? 200 : ((hung = true), 'hang')));
  const sim = await simulator(t, rx.url, { timeoutMs: 500 });
  sim.dataset.addIncidents(1, at(0));
  await sim.webhooks.settled();
  const statuses = sim.webhooks.deliveries.map((d) => d.status);
  assert.deepEqual([statuses[0], statuses.at(-1), new Set(hookIds(rx.received)).size], [0, 200, 1], 'a slow machine may time out more than once');
});

test('wrongSignature: the signature verifies with no secret (the 401 is not retried); set() turns it off', async (t) => {
  const rx = await receiver(t, (r) => (r.headers['x-pagerduty-signature'] === hmac('first-secret', r.body) ? 200 : 401));
  const sim = await simulator(t, rx.url, { wrongSignature: true });
  const [id] = sim.dataset.addIncidents(1, at(0));
  await sim.webhooks.settled();
  assert.match(String(rx.received[0]!.headers['x-pagerduty-signature']), /^v1=[0-9a-f]{64}$/);
  assert.deepEqual(sim.webhooks.deliveries.map((d) => d.status), [401]);
  sim.webhooks.set({ wrongSignature: false });
  sim.dataset.resolveIncident(id!, at(1));
  await sim.webhooks.settled();
  assert.deepEqual(sim.webhooks.deliveries.map((d) => d.status), [401, 200]);
});

test('unsubscribe: later mutations emit nothing; subscribe again delivers under a new subscription id', async (t) => {
  const rx = await receiver(t);
  const sim = await simulator(t, rx.url);
  const first = sim.webhooks.subscriptionId;
  sim.webhooks.unsubscribe();
  const [id] = sim.dataset.addIncidents(1, at(0));
  await sim.webhooks.settled();
  assert.deepEqual([sim.webhooks.emitted.length, rx.received.length, sim.webhooks.subscriptionId], [0, 0, undefined]);
  sim.webhooks.subscribe({ url: rx.url, secrets: ['s'] });
  sim.dataset.resolveIncident(id!, at(1));
  await sim.webhooks.settled();
  assert.equal(rx.received.length, 1);
  assert.notEqual(rx.received[0]!.headers['x-webhook-subscription'], first);
});

test('close() aborts the delivery in flight and the pending retry, leaving no timer behind', async (t) => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const baseline = timers();
  let arrived!: () => void;
  const inFlight = new Promise<void>((resolve) => (arrived = resolve));
  const hanging = await receiver(t, () => (arrived(), 'hang'));
  const sim = await simulator(t, hanging.url, { timeoutMs: 60_000 });
  sim.dataset.addIncidents(2, at(0));
  await inFlight;
  await sim.close();
  await hanging.received[0]!.closed;
  await sim.webhooks.settled();
  assert.deepEqual([sim.webhooks.emitted.length, sim.webhooks.deliveries.length, hanging.received.length], [2, 0, 1]);

  const failing = await receiver(t, () => 500);
  const retrying = await simulator(t, failing.url, { retryDelayMs: 60_000 });
  retrying.dataset.addIncidents(1, at(0));
  while (retrying.webhooks.deliveries.length === 0) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(timers() > baseline, 'the retry waits on a timer');
  await retrying.close();
  assert.equal(timers(), baseline);
  assert.deepEqual(retrying.webhooks.deliveries.map((d) => d.status), [500]);
  assert.throws(() => retrying.webhooks.subscribe({ url: failing.url, secrets: ['s'] }), /closed/);
});
