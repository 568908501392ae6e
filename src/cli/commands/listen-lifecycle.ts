import type { EventSpool } from '../../listen/event-spool.js';
import type { IncidentApplier } from '../../listen/incident-applier.js';
import type { Health } from '../../listen/webhook-server.js';
import type { PostgresTarget } from '../../target/postgres-target.js';

/** Resolves with the first SIGINT or SIGTERM; a second one quits at once (what is queued stays on disk). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** GET /healthz: 200 once the database answers, with the queue and what was applied. */
export async function listenHealth(target: PostgresTarget, spool: EventSpool, applier: IncidentApplier): Promise<Health> {
  const figures = { queued: spool.size, ...applier.stats };
  try {
    await target.withClient('health check', (c) => c.query('SELECT 1'));
    return { ok: true, body: { status: 'ok', database: 'reachable', ...figures } };
  } catch (e) {
    return { ok: false, body: { status: 'unavailable', database: `unreachable: ${(e as Error).message}`, ...figures } };
  }
}
