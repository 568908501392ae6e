import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIM_KEY, startPdsync } from './cli.js';
import type { SyncFixture } from './sync-fixture.js';
import { stderrMatching } from './wait.js';

export const WEBHOOK_SECRET = 'whsec-listener-support-51c2e9';
export const LISTEN_ENV = { PAGERDUTY_API_KEY: SIM_KEY, PAGERDUTY_WEBHOOK_SECRET: WEBHOOK_SECRET };

/** The fixture's env.yaml, with the webhook secret from the environment. */
export function withWebhookSecret(f: SyncFixture): void {
  const path = join(f.cwd, 'env.yaml');
  writeFileSync(path, readFileSync(path, 'utf8').replace('      api_key: ${PAGERDUTY_API_KEY}\n', '      api_key: ${PAGERDUTY_API_KEY}\n      webhook_secret: ${PAGERDUTY_WEBHOOK_SECRET}\n'));
}

/** `pdsync listen` as a process, once it says where it listens, and the simulator subscribed to it. */
export async function startListener(f: SyncFixture, queueDir = 'queue') {
  const run = startPdsync(['listen', 'replication.yaml', '--port', '0', '--queue-dir', queueDir], { cwd: f.cwd, env: LISTEN_ENV });
  await stderrMatching(run, /listening on http:\/\/127\.0\.0\.1:\d+;/);
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+);/.exec(run.output.stderr)![1]!;
  f.sim.webhooks.subscribe({ url: `${url}/webhooks/pagerduty`, secrets: [WEBHOOK_SECRET] });
  return {
    run,
    /** Events waiting in the queue on disk. */
    queued: () => readdirSync(join(f.cwd, queueDir)).filter((n) => n.endsWith('.json')).length,
    /** Unsubscribes and stops with SIGTERM; resolves to how it ended. */
    async stop() {
      f.sim.webhooks.unsubscribe();
      run.child.kill('SIGTERM');
      return run.done;
    },
  };
}

type Rec = Record<string, unknown>;

/** Fields of every incident that a change moves, in Postgres and in the simulator, by id. */
export async function incidentsBoth(f: SyncFixture): Promise<{ landed: Rec; truth: Rec }> {
  const ms = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).getTime());
  // jsonb keeps keys in its own order: compare the acknowledgements key by key.
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)])) : v;
  const shape = (r: Rec) => [r.status, ms(r.updated_at), ms(r.last_status_change_at), ms(r.resolved_at), JSON.stringify(canonical(r.acknowledgements ?? [])), r.title];
  const { rows } = await f.db.pool.query(`SELECT * FROM "${f.db.schema}".incidents`);
  return {
    landed: Object.fromEntries((rows as Rec[]).map((r) => [String(r.id), shape(r)])),
    truth: Object.fromEntries([...f.sim.dataset.records('incidents')].map((r) => [String(r.id), shape(r)])),
  };
}
