import { createHash } from 'node:crypto';
import { z } from 'zod';
import { EVENTS_KEPT_DAYS, legacyEventKey } from '../sinks/postgres/bookkeeping/webhook-events.js';

/** PagerDuty drops payloads over 256 KB; a larger body is not a webhook of its. */
export const MAX_BODY_BYTES = 256 * 1024;

/** The part of a webhooks v3 payload pdsync reads; the rest is PagerDuty's to add to. */
const WebhookPayload = z.object({
  event: z.object({
    id: z.string().min(1),
    event_type: z.string().min(1),
    resource_type: z.string().min(1),
    occurred_at: z.string().datetime({ offset: true }),
    data: z.object({ id: z.string().optional(), type: z.string().optional(), incident: z.object({ id: z.string().min(1) }).passthrough().optional() }).passthrough().nullable().optional(),
  }).passthrough(),
});

/** An event that occurred longer ago than this is a replay whose record may be forgotten (a day spare for the clocks). */
export const OLDEST_EVENT_MS = (EVENTS_KEPT_DAYS - 1) * 86_400_000;

/** One delivery as the listener keeps it until it is applied: what came, and when. */
export const QueuedEvent = z.preprocess((v) => {
  const o = v as { webhookId?: unknown; eventKey?: unknown } | undefined;
  return o && typeof o === 'object' && o.eventKey === undefined && typeof o.webhookId === 'string' ? { ...o, eventKey: legacyEventKey(o.webhookId) } : v;
}, z.object({
  /**
   * What a delivery is de-duplicated by: the event's id and a digest of the body, both covered by
   * the signature (X-Webhook-Id is not: a captured body resent under a new one is the same event).
   */
  eventKey: z.string().min(1),
  webhookId: z.string().min(1),
  eventId: z.string(),
  eventType: z.string(),
  /** The incident the event is about; null for events about other resources. */
  incidentId: z.string().nullable(),
  occurredAt: z.string(),
  receivedAt: z.string(),
}));
export type QueuedEvent = z.infer<typeof QueuedEvent>;

export type ParsedWebhook = { ok: true; event: QueuedEvent } | { ok: false; reason: string };

/** Reads a verified body: JSON in the v3 shape, else why not (in a few words, never the body itself). */
export function parseWebhook(raw: Buffer, webhookId: string | undefined, receivedAt: Date): ParsedWebhook {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
  const parsed = WebhookPayload.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, reason: `not a webhooks v3 payload (${issue.path.join('.') || 'body'}: ${issue.message})` };
  }
  const e = parsed.data.event;
  // An incident event's data is the incident, or for some (a note, a responder, a status update) an object naming it.
  const incidentId = e.resource_type !== 'incident' || !e.data ? null : e.data.type === 'incident' ? (e.data.id ?? null) : (e.data.incident?.id ?? null);
  return {
    ok: true,
    event: {
      eventKey: `${e.id}/${createHash('sha256').update(raw).digest('hex')}`,
      // X-Webhook-Id names the delivery in log lines; without the header the event's own id stands in.
      webhookId: webhookId && webhookId.length <= 200 ? webhookId : e.id,
      eventId: e.id,
      eventType: e.event_type,
      incidentId,
      occurredAt: new Date(e.occurred_at).toISOString(),
      receivedAt: receivedAt.toISOString(),
    },
  };
}
