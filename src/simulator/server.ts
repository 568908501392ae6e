import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadCatalogue } from '../catalogue/load-catalogue.js';
import type { IncidentBurst } from './account.js';
import { type Clock, SimClock } from './clock.js';
import { type Dataset, SimulatedDataset } from './dataset.js';
import { ApiEndpoints } from './endpoints.js';
import type { FaultOptions } from './fault-plan.js';
import { type OAuthClientOptions, OAuthIssuer } from './oauth-issuer.js';
import type { Gates } from './plan-gates.js';
import type { RateLimitOptions } from './rate-limit.js';
import { loggedStatus, send } from './replies.js';
import { type Hold, RequestHolds, type RequestMatch } from './request-holds.js';
import { RequestLog, type RequestLogEntry, type RequestStats } from './request-log.js';
import { floorToUtcDay } from './time.js';
import { TrafficControls } from './traffic-controls.js';
import { type WebhookOptions, WebhookSender, type Webhooks } from './webhooks.js';

export type { IncidentBurst } from './account.js';
export type { Clock } from './clock.js';
export type { Dataset } from './dataset.js';
export type { FaultKind, FaultOptions } from './fault-plan.js';
export type { Gates } from './plan-gates.js';
export type { RateLimitOptions } from './rate-limit.js';
export type { Hold, RequestMatch } from './request-holds.js';
export type { RequestLogEntry, RequestStats } from './request-log.js';
export type { EmittedEvent, WebhookDelivery, WebhookOptions, Webhooks } from './webhooks.js';

export interface SimulatorOptions {
  /** Default 42. */
  seed?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 'sim-token'; sent as `Token token=<key>` or `Bearer <key>`. */
  apiKey?: string;
  /** A key the API knows but that may read nothing: every request with it answers 403 (code 2010). */
  deniedKey?: string;
  /** Serve POST /oauth/token for this client (client-credentials grant); its tokens work as Bearer keys. */
  oauthClient?: OAuthClientOptions;
  /**
   * Records per generated stream, over the defaults (users 60, incidents 1200, ...; log entries,
   * notifications and change events follow incidents; audit_records 3 a day).
   */
  volume?: Partial<Record<string, number>>;
  /** Extra incidents on given UTC days, e.g. 17,000 in one day. */
  burst?: IncidentBurst | IncidentBurst[];
  /** Newest generated time; default: the start time floored to the UTC day. Data spans the 2 years before. */
  dataEnd?: Date;
  /** The source of the simulator's clock (default real time); `sim.clock` can then set or advance it. */
  now?: () => Date;
  /** Real time for rate limits and the request log (default Date.now): tests advance a clock of their own instead of sleeping. */
  wallClock?: () => number;
  /** Delay before every response. */
  latencyMs?: number;
  /** Off by default. PagerDuty: { limit: 960, windowSeconds: 60 }. Adds `ratelimit-*` headers to every response. */
  rateLimit?: RateLimitOptions;
  /** A `Retry-After` header (seconds) on 429s. Off by default. */
  retryAfter?: boolean;
  /** Seeded fault injection on requests that would otherwise succeed. Off by default. */
  faults?: FaultOptions;
  /** Answer every list with all its records whatever since/until ask, as a mock of PagerDuty's published examples does. */
  ignoreTimeFilters?: boolean;
  /** Endpoints the plan lacks: 402 or 404 by stream, e.g. { teams: 402, priorities: 404, audit_records: 402 }. */
  gates?: Gates;
  /** A webhooks v3 subscription from the start; `sim.webhooks` can subscribe later or change it. */
  webhooks?: WebhookOptions;
}

export interface Simulator {
  url: string;
  port: number;
  dataset: Dataset;
  /** Every answered request since start or resetLog(), oldest first. */
  requests: RequestLogEntry[];
  clock: Clock;
  setFaults(f: FaultOptions | undefined): void;
  setGates(g: Gates | undefined): void;
  setLatency(ms: number): void;
  setRateLimit(r: RateLimitOptions | undefined): void;
  stats(): RequestStats;
  /** Client-credentials grants served, with their scopes (empty without `oauthClient`). */
  oauthGrants: readonly { scope: string; at: number; token: string }[];
  /** Empties `requests` and the statistics, for the next phase of a test. */
  resetLog(): void;
  /** `arrive` (method, path) as each request comes in, `answer` (entry) as it is answered. */
  events: RequestLog;
  /** The first answered request (since the last resetLog) that satisfies `match`, waiting for it if need be. */
  waitFor(match: (e: RequestLogEntry) => boolean): Promise<RequestLogEntry>;
  /** Keeps the requests `match` catches unanswered until `release()`; their answer is the account as it is then. */
  hold(match: RequestMatch): Hold;
  /** Webhooks v3: each incident mutation (resolve, acknowledge, add, note) POSTs an event to the subscription. */
  webhooks: Webhooks;
  /** Also stops webhook deliveries, their retries and connections. */
  close(): Promise<void>;
}

/**
 * Starts a PagerDuty REST API v2 double serving every stream of specs/pagerduty.yaml it can make
 * records for (generators.ts, derived-streams.ts): each at the catalogue's path, in its envelope,
 * paged by its paginator; also one incident and its log entries. It sends webhooks v3 events of
 * incident mutations to a subscription.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const catalogue = await loadCatalogue();
  const clock = new SimClock(options.now);
  const seed = options.seed ?? 42;
  const webhooks = new WebhookSender(seed, options.wallClock);
  if (options.webhooks) webhooks.subscribe(options.webhooks);
  const dataset = new SimulatedDataset({
    seed,
    dataEnd: options.dataEnd ?? new Date(floorToUtcDay(clock.now().getTime())),
    volume: options.volume,
    burst: options.burst,
    now: () => clock.now(),
    catalogue,
    onIncidentEvent: (e) => webhooks.emit(e),
  });
  const endpoints = new ApiEndpoints(catalogue, dataset, clock, options.ignoreTimeFilters);
  const issuer = options.oauthClient && new OAuthIssuer(options.oauthClient);
  const traffic = new TrafficControls(options, options.apiKey ?? 'sim-token', endpoints, dataset.streams(), seed, (h) => issuer?.accepts(h) ?? false);
  const log = new RequestLog(options.wallClock);
  const holds = new RequestHolds();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = req.method ?? 'GET';
    const answered = log.arrive(res, method, url.pathname);
    // A client that goes away mid-body gets no answer (and must not crash the server).
    const body = method === 'GET' || method === 'HEAD' ? '' : await readBody(req).catch(() => undefined);
    if (body === undefined) return void res.destroy();
    await holds.pass(method, url, body);
    const reply =
      issuer && method === 'POST' && url.pathname === '/oauth/token'
        ? issuer.token(body)
        : traffic.decide(method, req.headers.authorization, url, body);
    const delayMs = traffic.latencyMs + reply.delayMs;
    if (delayMs > 0) await sleep(delayMs);
    answered(method, url, loggedStatus(reply));
    // The account's clock, as PagerDuty's own Date header gives it: a client reads up to the server's now.
    res.setHeader('date', clock.now().toUTCString());
    send(res, reply);
  }

  const server = createServer((req, res) => void handle(req, res));
  // A client reuses an idle connection until a second before the timeout the server announces; on
  // a loaded machine that second is not enough at Node's 5 s, and the reused socket is cut (fetch
  // failed). PagerDuty keeps connections far longer; close() ends them all anyway.
  server.keepAliveTimeout = 60_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    dataset,
    requests: log.entries,
    clock,
    setFaults: (f) => traffic.setFaults(f),
    setGates: (g) => traffic.setGates(g),
    setLatency: (ms) => traffic.setLatency(ms),
    setRateLimit: (r) => traffic.setRateLimit(r),
    stats: () => log.stats(),
    oauthGrants: issuer?.grants ?? [],
    resetLog: () => log.reset(),
    events: log,
    waitFor: (match) =>
      new Promise((resolve) => {
        const seen = log.entries.find(match);
        if (seen) return resolve(seen);
        const listener = (e: RequestLogEntry) => {
          if (!match(e)) return;
          log.off('answer', listener);
          resolve(e);
        };
        log.on('answer', listener);
      }),
    hold: (match) => holds.hold(match),
    webhooks,
    close: async () => {
      holds.releaseAll();
      await webhooks.close();
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}
