import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadCatalogue } from '../spec/catalogue.js';
import type { IncidentBurst } from './account.js';
import { ApiFailure, authenticationFailed, notFound } from './api-errors.js';
import { type Dataset, SimulatedDataset } from './dataset.js';
import { listRequest } from './list-rules.js';
import { floorToUtcDay } from './time.js';

export type { IncidentBurst } from './account.js';
export type { Dataset } from './dataset.js';

export interface SimulatorOptions {
  /** Default 42. */
  seed?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 'sim-token'; sent as `Token token=<key>` or `Bearer <key>`. */
  apiKey?: string;
  /** Records per generated stream, over the defaults (users 60, incidents 1200, ...). */
  volume?: Partial<Record<string, number>>;
  /** Extra incidents on given UTC days, e.g. 17,000 in one day. */
  burst?: IncidentBurst | IncidentBurst[];
  /** Newest generated time; default: the start time floored to the UTC day. Data spans the 2 years before. */
  dataEnd?: Date;
  /** The simulator's clock, for "now" defaults (incidents: last month; oncalls: now). */
  now?: () => Date;
  /** Delay before every response. */
  latencyMs?: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  /** The query as a URLSearchParams string. */
  query: string;
  status: number;
  startedAt: number;
  finishedAt: number;
}

export interface Simulator {
  url: string;
  port: number;
  dataset: Dataset;
  requests: RequestLogEntry[];
  close(): Promise<void>;
}

/** Starts a PagerDuty REST API v2 double serving the 13 list endpoints of specs/pagerduty.yaml. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const catalogue = await loadCatalogue();
  const now = options.now ?? (() => new Date());
  const apiKey = options.apiKey ?? 'sim-token';
  const latencyMs = options.latencyMs ?? 0;
  const dataset = new SimulatedDataset({
    seed: options.seed ?? 42,
    dataEnd: options.dataEnd ?? new Date(floorToUtcDay(now().getTime())),
    volume: options.volume,
    burst: options.burst,
    now,
    defaultIncludes: Object.fromEntries(Object.entries(catalogue.streams).map(([name, s]) => [name, s.include])),
  });
  const served = new Set(dataset.streams());
  const streamByPath = new Map(
    Object.entries(catalogue.streams).flatMap(([name, s]) => (served.has(name) ? [[s.path, name] as const] : [])),
  );
  const accepted = new Set([`Token token=${apiKey}`, `Bearer ${apiKey}`]);
  const requests: RequestLogEntry[] = [];

  function answer(req: IncomingMessage, url: URL): { status: number; body: unknown } {
    try {
      if (!accepted.has(req.headers.authorization ?? '')) throw authenticationFailed();
      const stream = streamByPath.get(url.pathname.replace(/\/+$/, ''));
      if (req.method !== 'GET' || !stream) throw notFound();
      const q = listRequest(stream, url.searchParams, now().getTime());
      const page = dataset.page(stream, q.range, q.offset, q.limit, q.include);
      const more = q.offset + page.records.length < page.total;
      return { status: 200, body: { [stream]: page.records, limit: q.limit, offset: q.offset, more, total: q.total ? page.total : null } };
    } catch (e) {
      if (e instanceof ApiFailure) return { status: e.status, body: e.body() };
      process.stderr.write(`simulator: ${req.method} ${req.url}: ${e instanceof Error ? e.stack : String(e)}\n`);
      return { status: 500, body: { error: { message: 'Internal Server Error', code: 2000 } } };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    const url = new URL(req.url ?? '/', 'http://simulator');
    const { status, body } = answer(req, url);
    if (latencyMs > 0) await sleep(latencyMs);
    const text = JSON.stringify(body);
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams.toString(), status, startedAt, finishedAt: Date.now() });
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  const server = createServer((req, res) => void handle(req, res));
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
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
