import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../errors.js';
import { guardConnections } from './connection-guard.js';
import { type EventSpool, SpoolFullError } from './event-spool.js';
import type { ListenLog } from './listen-log.js';
import { MAX_BODY_BYTES, OLDEST_EVENT_MS, parseWebhook } from './webhook-event.js';
import { signatureMatches } from './webhook-signature.js';

export const WEBHOOK_PATH = '/webhooks/pagerduty';

/** PagerDuty waits 5 s for an answer: a client slower than this with its headers, or then its body, is not PagerDuty. */
const HEADERS_MS = 3000;
const BODY_MS = 5000;
/** How often the server looks for connections past their header deadline (Node's default, 30 s, let them linger). */
const DEADLINE_CHECK_MS = 250;
/** Bodies are held until verified: at most this many connections at once (64 MB at 256 KB each). */
const MAX_CONNECTIONS = 256;

export interface Health {
  ok: boolean;
  body: Record<string, unknown>;
}

export interface ServerDeps {
  secrets: readonly string[];
  spool: EventSpool;
  /** An event was queued: the applier should look. */
  onQueued: () => void;
  health: () => Promise<Health>;
  log: ListenLog;
  /** The API's clock: an event's age is measured against it. */
  now: () => Date;
}

export interface WebhookServer {
  url: string;
  /** Stops taking deliveries; those being answered finish, or are cut at `deadline`. */
  close(deadline: Promise<void>): Promise<void>;
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

class SlowBody extends Error {}

/** The body; 'large' once it passes `max` bytes (the rest is not read); 'slow' when it has not all come in BODY_MS. */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'large' | 'slow'> {
  const chunks: Buffer[] = [];
  let size = 0;
  const deadline = setTimeout(() => req.destroy(new SlowBody()), BODY_MS);
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) return 'large';
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof SlowBody) return 'slow';
    throw e;
  } finally {
    clearTimeout(deadline);
  }
  return Buffer.concat(chunks);
}

/**
 * Takes a delivery: verified against the secrets, read as a webhooks v3 event, queued on disk,
 * answered 202 at once (the work is the applier's). Refused ones change nothing and are logged
 * in one line, without their body.
 */
async function deliver(req: IncomingMessage, res: ServerResponse, d: ServerDeps): Promise<void> {
  const remote = req.socket.remoteAddress ?? 'unknown';
  const refuse = (status: number, reason: string) => {
    d.log.write({ event: 'rejected', status, reason, remote });
    reply(res, status, { error: reason });
  };
  const declared = Number(req.headers['content-length'] ?? 0);
  const body = declared > MAX_BODY_BYTES ? 'large' : await readBody(req, MAX_BODY_BYTES);
  if (body === 'slow') {
    // The connection is gone already: a slow client holds no slot past the deadline.
    d.log.write({ event: 'rejected', status: 408, reason: `the body did not come within ${BODY_MS / 1000} s`, remote });
    return;
  }
  if (body === 'large') {
    // The rest of the body is not read: the connection goes once the answer is out.
    res.once('finish', () => req.destroy());
    return refuse(413, `the body is over ${MAX_BODY_BYTES / 1024} KB`);
  }
  if (!signatureMatches(body, req.headers['x-pagerduty-signature'] as string | undefined, d.secrets)) {
    return refuse(401, req.headers['x-pagerduty-signature'] ? 'the signature does not match webhook_secret' : 'no X-PagerDuty-Signature header');
  }
  const parsed = parseWebhook(body, req.headers['x-webhook-id'] as string | undefined, new Date());
  if (!parsed.ok) return refuse(400, parsed.reason);
  const e = parsed.event;
  if (Date.parse(e.occurredAt) < d.now().getTime() - OLDEST_EVENT_MS) {
    return refuse(400, `the event occurred at ${e.occurredAt}, over ${OLDEST_EVENT_MS / 86_400_000} days ago: a replay (PagerDuty retries for 48 hours)`);
  }
  if (d.spool.has(e.eventKey)) {
    d.log.write({ event: 'duplicate', webhookId: e.webhookId, eventType: e.eventType, incidentId: e.incidentId });
    return reply(res, 200, { status: 'duplicate' });
  }
  try {
    await d.spool.put(e);
  } catch (err) {
    // A 503 is retried by PagerDuty for up to 48 hours: refused now, not lost.
    const reason = err instanceof SpoolFullError ? `queue full: ${err.message}` : `cannot queue the event: ${(err as Error).message}`;
    return refuse(503, reason);
  }
  d.log.write({ event: 'received', webhookId: e.webhookId, eventType: e.eventType, incidentId: e.incidentId });
  reply(res, 202, { status: 'queued' });
  d.onQueued();
}

async function handle(req: IncomingMessage, res: ServerResponse, d: ServerDeps): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://listener').pathname.replace(/\/+$/, '');
  if (path === WEBHOOK_PATH) {
    if (req.method !== 'POST') return reply(res, 405, { error: `POST webhooks to ${WEBHOOK_PATH}` });
    return deliver(req, res, d);
  }
  if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
    const h = await d.health();
    return reply(res, h.ok ? 200 : 503, h.body);
  }
  reply(res, 404, { error: `not found: PagerDuty webhooks go to POST ${WEBHOOK_PATH}, health to GET /healthz` });
}

export async function startWebhookServer(host: string, port: number, d: ServerDeps): Promise<WebhookServer> {
  const server = createServer({ headersTimeout: HEADERS_MS, requestTimeout: HEADERS_MS + BODY_MS, connectionsCheckingInterval: DEADLINE_CHECK_MS }, (req, res) => {
    handle(req, res, d).catch((e: Error) => {
      d.log.write({ event: 'rejected', status: 500, reason: e.message, remote: req.socket.remoteAddress ?? 'unknown' });
      if (!res.headersSent) reply(res, 500, { error: d.log.redact(e.message) });
      else res.destroy();
    });
  });
  server.maxConnections = MAX_CONNECTIONS;
  guardConnections(server, d.log);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new ConfigError(`listen: cannot listen on ${host} port ${port} (${e.code ?? e.message}): choose another --port, or a --host this machine has`)));
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}`,
    close: (deadline) =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        void deadline.then(() => {
          server.closeAllConnections();
          resolve();
        });
      }),
  };
}
