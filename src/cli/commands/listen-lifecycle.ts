import { EXIT_SIGINT, EXIT_SIGTERM } from '../../errors.js';
import type { EventSpool } from '../../listen/event-spool.js';
import type { IncidentApplier } from '../../listen/incident-applier.js';
import type { Health } from '../../listen/webhook-server.js';
import type { PostgresTarget } from '../../sinks/postgres/postgres-target.js';

/** Resolves with the first SIGINT or SIGTERM; a second one quits at once (what is queued stays on disk). */
export function untilSignal(quit: ((code: number) => void) | undefined): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.once('SIGINT', () => quit?.(EXIT_SIGINT));
      process.once('SIGTERM', () => quit?.(EXIT_SIGTERM));
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** A health check answers within this, whatever the database does. */
const HEALTH_MS = 2000;

/** GET /healthz: 200 once the database answers, with the queue and what was applied (scrubbed: the answer is public). */
export async function listenHealth(target: PostgresTarget, spool: EventSpool, applier: IncidentApplier, redact: (s: string) => string): Promise<Health> {
  const { lastError, ...stats } = applier.stats;
  const figures = { queued: spool.size, ...stats, lastError: lastError && redact(lastError) };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${HEALTH_MS} ms`)), HEALTH_MS);
  });
  try {
    await Promise.race([target.withClient('health check', (c) => c.query('SELECT 1')), late]);
    return { ok: true, body: { status: 'ok', database: 'reachable', ...figures } };
  } catch (e) {
    return { ok: false, body: { status: 'unavailable', database: `unreachable: ${redact((e as Error).message)}`, ...figures } };
  } finally {
    clearTimeout(timer);
  }
}
