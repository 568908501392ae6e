import type { PoolClient } from 'pg';
import type { QueuedEvent } from '../../../listen/webhook-event.js';
import { BOOKKEEPING_SCHEMA } from './bookkeeping.js';
import { ensureSchema, lockDdl } from '../tables/ddl.js';
import { type Privileges, tableExists } from '../privileges.js';

const TABLE = { schema: BOOKKEEPING_SCHEMA, table: 'webhook_events' };

/** PagerDuty retries a delivery for up to 48 hours: ids are kept a week, then forgotten. */
const KEEP_DAYS = 7;

/**
 * `pdsync.webhook_events`: every webhook applied, by X-Webhook-Id, written in the transaction
 * that applies it: a delivery seen again, after a restart too, is known as a duplicate.
 */
export async function ensureWebhookEvents(client: PoolClient, p: Privileges): Promise<void> {
  if (await tableExists(client, TABLE)) return;
  await client.query('BEGIN');
  try {
    await lockDdl(client);
    await ensureSchema(client, p, BOOKKEEPING_SCHEMA);
    await client.query(`CREATE TABLE IF NOT EXISTS pdsync.webhook_events (
      webhook_id text PRIMARY KEY, event_id text NOT NULL, event_type text NOT NULL, incident_id text,
      object text NOT NULL, occurred_at timestamptz NOT NULL, received_at timestamptz NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    await client.query(`COMMENT ON TABLE pdsync.webhook_events IS 'pdsync listen: webhooks applied, by X-Webhook-Id (kept ${KEEP_DAYS} days), so that a repeated delivery is applied once'`);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** Which of these deliveries were applied already. */
export async function appliedAlready(client: PoolClient, webhookIds: string[]): Promise<Set<string>> {
  const { rows } = await client.query<{ webhook_id: string }>('SELECT webhook_id FROM pdsync.webhook_events WHERE webhook_id = ANY($1)', [webhookIds]);
  return new Set(rows.map((r) => r.webhook_id));
}

/** Records deliveries inside the caller's transaction; returns the ids new to the table (the others are duplicates). */
export async function recordEvents(client: PoolClient, events: QueuedEvent[], object: string): Promise<Set<string>> {
  const { rows } = await client.query<{ webhook_id: string }>(
    `INSERT INTO pdsync.webhook_events (webhook_id, event_id, event_type, incident_id, object, occurred_at, received_at)
     SELECT w, e, t, i, $5, o, r FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $6::timestamptz[], $7::timestamptz[]) AS u(w, e, t, i, o, r)
     ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id`,
    [events.map((e) => e.webhookId), events.map((e) => e.eventId), events.map((e) => e.eventType), events.map((e) => e.incidentId), object,
      events.map((e) => e.occurredAt), events.map((e) => e.receivedAt)],
  );
  return new Set(rows.map((r) => r.webhook_id));
}

/** Forgets deliveries older than PagerDuty would retry. */
export async function forgetOldEvents(client: PoolClient): Promise<void> {
  await client.query(`DELETE FROM pdsync.webhook_events WHERE applied_at < now() - interval '${KEEP_DAYS} days'`);
}
