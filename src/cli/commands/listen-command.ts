import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isFile } from '../../config/connections.js';
import { ConfigError, EXIT_OK } from '../../errors.js';
import { EventSpool } from '../../listen/event-spool.js';
import { IncidentApplier } from '../../listen/incident-applier.js';
import { ListenLog } from '../../listen/listen-log.js';
import { subscriptionCall } from '../../listen/subscription-call.js';
import { startWebhookServer } from '../../listen/webhook-server.js';
import { apiBaseUrl } from '../../source/api-base-url.js';
import { checkAuth, probeOf } from '../../source/auth-check.js';
import { PagerDutySource } from '../../source/pagerduty-source.js';
import { ensureBookkeeping } from '../../sinks/postgres/bookkeeping/bookkeeping.js';
import { openDatabase } from '../../sinks/postgres/open-database.js';
import { PostgresTarget } from '../../sinks/postgres/postgres-target.js';
import { objectName } from '../../sinks/postgres/sql.js';
import { ensureWebhookEvents } from '../../sinks/postgres/bookkeeping/webhook-events.js';
import { prepareListenRowSecurity } from '../../sinks/postgres/row-security.js';
import type { PlannedStream, RelationPlan } from '../../plan/plan.js';
import type { FetchPage } from '../../source/page-request.js';
import type { CommandContext } from '../context.js';
import { loadReplicationSettings } from '../replication-file.js';
import { prepare } from './run-command.js';
import { listenHealth, untilSignal } from './listen-lifecycle.js';

export interface ListenOptions {
  file?: string;
  envFile?: string;
  host: string;
  port: string;
  json?: boolean;
  quiet?: boolean;
  queueDir?: string;
  queueLimit: string;
  printSubscription?: boolean;
  publicUrl?: string;
}

/** After a stop signal, what is not applied in this time stays queued for the next start. */
const DRAIN_MS = 4000;

function whole(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new ConfigError(`${flag} "${value}": expected a whole number from ${min} to ${max}`);
  return n;
}

interface Serving {
  target: PostgresTarget;
  fetch: FetchPage;
  stop: AbortController;
  spool: EventSpool;
  secrets: string[];
  log: ListenLog;
  queueDir: string;
  host: string;
  port: number;
  incidents: PlannedStream;
  logEntries: PlannedStream | undefined;
  relations: RelationPlan | undefined;
  paging: { pageLimit: number; maxOffset: number };
  now: () => Date;
  /** A second signal quits at once (see CommandContext.quit). */
  quit: ((code: number) => void) | undefined;
}

/** Takes deliveries and applies them until a signal; then drains what it can in DRAIN_MS. */
async function serve(s: Serving): Promise<void> {
  const { target, spool, log } = s;
  const privileges = await target.withClient('webhook bookkeeping', async (c) => {
    const p = await ensureBookkeeping(c);
    await ensureWebhookEvents(c, p);
    await prepareListenRowSecurity(c, p, [s.incidents, ...(s.logEntries ? [s.logEntries] : [])]);
    return p;
  });
  const applier = new IncidentApplier({
    spool, fetch: s.fetch, target, privileges, incidents: s.incidents, log, paging: s.paging, now: s.now,
    ...(s.logEntries ? { logEntries: s.logEntries } : {}), ...(s.relations ? { relations: s.relations } : {}),
  });
  const health = () => listenHealth(target, spool, applier, (t) => log.redact(t));
  const server = await startWebhookServer(s.host, s.port, { secrets: s.secrets, spool, onQueued: () => applier.wake(), health, log, now: s.now });
  applier.start();
  // Signals are caught before the listening line: whoever reads it may stop pdsync at once.
  const signalled = untilSignal(s.quit);
  log.write({ event: 'listening', url: server.url, queued: spool.size, queueDir: s.queueDir });
  const signal = await signalled;
  // One clock from the signal: deliveries being answered, then the queue, then whatever still waits.
  const deadline = new Promise<void>((r) => setTimeout(r, DRAIN_MS).unref());
  log.write({ event: 'stopping', signal, queued: spool.size });
  await server.close(deadline);
  await applier.stop(deadline);
  s.stop.abort();
  // A statement still waiting (a lock a run holds, a refresh) is cancelled: what it applied stays queued.
  await target.cancelAll();
  log.write({ event: 'stopped', queued: spool.size });
}

/** `pdsync listen`: webhooks in, incidents out, until SIGINT or SIGTERM. Returns the exit code. */
export async function listenCommand(opts: ListenOptions, ctx: CommandContext): Promise<number> {
  const file = opts.file ?? 'replication.yaml';
  // Port 0: any free port (the listening line says which).
  const port = whole(opts.port, '--port', 0, 65535);
  const queueLimit = whole(opts.queueLimit, '--queue-limit', 1, 10_000_000);
  if (opts.printSubscription && !existsSync(resolve(ctx.cwd, file))) {
    // Without a replication there is no connection to take a region from: the US one it is.
    ctx.output.out(`${subscriptionCall('https://api.pagerduty.com', opts.publicUrl)}\n`);
    return EXIT_OK;
  }
  if (opts.printSubscription) {
    // The address only: the connection's secrets are not needed to print a call.
    const { source } = await loadReplicationSettings(file, opts.envFile, ctx);
    ctx.output.out(`${subscriptionCall(apiBaseUrl(source), opts.publicUrl)}\n`);
    return EXIT_OK;
  }
  const { config, catalogue, planAt } = await prepare(file, opts, ctx);
  const destination = config.target;
  if (isFile(destination)) {
    throw new ConfigError(`listen: ${file}: target ${config.replication.target} writes files: pdsync listen applies webhooks to a PostgreSQL table; give it a replication with a postgres target`);
  }
  const plan = planAt(new Date());
  const secrets = (config.source.secrets.webhook_secret ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (secrets.length === 0) {
    throw new ConfigError(`listen: connection ${plan.source.name} has no secrets.webhook_secret: set it to the secret PagerDuty gave when the subscription was made (pdsync listen --print-subscription shows the call)`);
  }
  const incidents = plan.streams.find((s) => s.name === 'incidents');
  if (!incidents) throw new ConfigError(`listen: ${file} syncs no incidents stream: add \`incidents:\` under streams (webhooks change incidents)`);
  const logEntries = plan.streams.find((s) => s.name === 'log_entries');
  const log = new ListenLog(ctx.output, opts.json === true, opts.quiet === true);
  const queueDir = resolve(ctx.cwd, opts.queueDir ?? `.pdsync/listen/${createHash('sha256').update(`${plan.target.name}\0${objectName(incidents.object)}`).digest('hex').slice(0, 12)}`);
  const { spool, unreadable } = await EventSpool.open(queueDir, queueLimit);
  for (const f of unreadable) log.write({ event: 'warning', reason: `${f}: a queued event that cannot be read; set aside (PagerDuty's redelivery or the next run covers it)` });
  const stop = new AbortController();
  const scopes = [incidents.spec.scope, ...(logEntries ? [logEntries.spec.scope] : [])];
  const source = new PagerDutySource(config.source, { signal: stop.signal, scopes, onSecret: (t) => ctx.output.addSecret(t) });
  try {
    const counters = { requests: 0, retries: 0 };
    const fetch = source.fetcher(counters);
    await checkAuth(source.accessCheck(plan.source.name), [probeOf(incidents.spec, new Date(plan.until))].flatMap((p) => p ?? []));
    const database = await openDatabase(destination, ctx.cwd, ctx.env);
    try {
      if (database.where) ctx.output.err(`pdsync: target ${plan.target.name}: ${database.where}`);
      const target = await PostgresTarget.connect(database.url, 4, plan.target.name);
      try {
        const paging = { pageLimit: catalogue.page_limit, maxOffset: catalogue.max_offset };
        const now = () => source.serverNow() ?? new Date();
        await serve({ target, fetch, stop, spool, secrets, log, queueDir, host: opts.host, port, incidents, logEntries, relations: plan.relations, paging, now, quit: ctx.quit });
        return EXIT_OK;
      } finally {
        await target.close();
      }
    } finally {
      await database.close();
    }
  } finally {
    await source.close();
  }
}
