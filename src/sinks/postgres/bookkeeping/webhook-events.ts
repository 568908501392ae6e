import type { PoolClient } from 'pg';
import { ensureSchema, existingColumns, lockDdl } from '../tables/ddl.js';
import type { Privileges } from '../privileges.js';
import { ident, literal } from '../sql.js';
import { inTransaction } from '../transaction.js';
import { BOOKKEEPING_SCHEMA, WEBHOOK_EVENTS } from './schema.js';

/** Applied events are remembered this long: PagerDuty retries a delivery for up to 48 hours. */
export const EVENTS_KEPT_DAYS = 7;

/** The key of an event recorded by a version that kept no event key: its X-Webhook-Id, as that version's rows are keyed. */
export const legacyEventKey = (webhookId: string) => `x-webhook-id:${webhookId}`;

/** What is recorded of an applied webhook event (pdsync listen's queued events carry these). */
export interface AppliedEvent {
  /** The event's id and a digest of its signed body: what a repeated or replayed delivery is known by. */
  eventKey: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  incidentId: string | null;
  occurredAt: string;
  receivedAt: string;
}

const TABLE = { schema: BOOKKEEPING_SCHEMA, table: 'webhook_events' };

const DESCRIPTION = `pdsync listen: webhook events applied, by event_key (the event id and a SHA-256 of the signed body; kept ${EVENTS_KEPT_DAYS} days), so that a repeated or replayed delivery is applied once`;

/**
 * `pdsync.webhook_events`: every event applied, by what its signature covers (event_key),
 * written in the transaction that applies it: a delivery seen again, under any X-Webhook-Id and
 * after a restart too, is known as a duplicate. A table of an earlier version (keyed by
 * X-Webhook-Id) is migrated: its rows keep their webhook id as their key.
 */
export async function ensureWebhookEvents(client: PoolClient, p: Privileges): Promise<void> {
  if ((await existingColumns(client, TABLE)).has('event_key')) return;
  await inTransaction(client, async () => {
    await lockDdl(client);
    await ensureSchema(client, p, BOOKKEEPING_SCHEMA);
    // Another listener may have made or migrated it while this one waited for the lock.
    const columns = await existingColumns(client, TABLE);
    if (columns.size === 0) await create(client);
    else if (!columns.has('event_key')) await migrate(client);
    await client.query(`COMMENT ON TABLE pdsync.webhook_events IS ${literal(DESCRIPTION)}`);
  });
}

async function create(client: PoolClient): Promise<void> {
  await client.query(`CREATE TABLE ${WEBHOOK_EVENTS} (
    event_key text PRIMARY KEY, webhook_id text NOT NULL, event_id text NOT NULL, event_type text NOT NULL, incident_id text,
    object text NOT NULL, occurred_at timestamptz NOT NULL, received_at timestamptz NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`);
}

/** From the table keyed by webhook_id: the key moves to event_key, the rows stay. */
async function migrate(client: PoolClient): Promise<void> {
  const legacy = legacyEventKey('');
  await client.query(`ALTER TABLE ${WEBHOOK_EVENTS} ADD COLUMN event_key text`);
  await client.query(`UPDATE ${WEBHOOK_EVENTS} SET event_key = ${literal(legacy)} || webhook_id`);
  const { rows } = await client.query<{ conname: string }>(`SELECT conname FROM pg_constraint WHERE conrelid = ${literal(WEBHOOK_EVENTS)}::regclass AND contype = 'p'`);
  for (const r of rows) await client.query(`ALTER TABLE ${WEBHOOK_EVENTS} DROP CONSTRAINT ${ident(r.conname)}`);
  await client.query(`ALTER TABLE ${WEBHOOK_EVENTS} ALTER COLUMN event_key SET NOT NULL, ADD PRIMARY KEY (event_key)`);
}

/** Which of these events (by event key) were applied already. */
export async function appliedAlready(client: PoolClient, eventKeys: string[]): Promise<Set<string>> {
  const { rows } = await client.query<{ event_key: string }>(`SELECT event_key FROM ${WEBHOOK_EVENTS} WHERE event_key = ANY($1)`, [eventKeys]);
  return new Set(rows.map((r) => r.event_key));
}

/**
 * Records events inside the caller's transaction; returns the X-Webhook-Ids of those new to the
 * table (the others are duplicates). The queue holds one delivery per event key.
 */
export async function recordEvents(client: PoolClient, events: AppliedEvent[], object: string): Promise<Set<string>> {
  const { rows } = await client.query<{ event_key: string }>(
    `INSERT INTO ${WEBHOOK_EVENTS} (event_key, webhook_id, event_id, event_type, incident_id, object, occurred_at, received_at)
     SELECT k, w, e, t, i, $6, o, r FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $7::timestamptz[], $8::timestamptz[]) AS u(k, w, e, t, i, o, r)
     ON CONFLICT (event_key) DO NOTHING RETURNING event_key`,
    [events.map((e) => e.eventKey), events.map((e) => e.webhookId), events.map((e) => e.eventId), events.map((e) => e.eventType), events.map((e) => e.incidentId), object,
      events.map((e) => e.occurredAt), events.map((e) => e.receivedAt)],
  );
  const fresh = new Set(rows.map((r) => r.event_key));
  return new Set(events.filter((e) => fresh.has(e.eventKey)).map((e) => e.webhookId));
}

/** Forgets deliveries older than PagerDuty would retry. */
export async function forgetOldEvents(client: PoolClient): Promise<void> {
  await client.query(`DELETE FROM ${WEBHOOK_EVENTS} WHERE applied_at < now() - interval '${EVENTS_KEPT_DAYS} days'`);
}
