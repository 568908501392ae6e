import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { SIM_KEY, startPdsync } from './cli.js';
import type { SyncFixture } from './sync-fixture.js';
import { stderrMatching } from './wait.js';

export const SECRET = 'whsec-listen-test-7d1f0c';
export const ENV = { PAGERDUTY_API_KEY: SIM_KEY, PAGERDUTY_WEBHOOK_SECRET: SECRET };

/** The fixture's env.yaml, with the webhook secret from the environment. */
export function withWebhookSecret(f: SyncFixture): void {
  const path = join(f.cwd, 'env.yaml');
  writeFileSync(path, readFileSync(path, 'utf8').replace('      api_key: ${PAGERDUTY_API_KEY}\n', '      api_key: ${PAGERDUTY_API_KEY}\n      webhook_secret: ${PAGERDUTY_WEBHOOK_SECRET}\n'));
}

/** `pdsync listen` as a process, once it says where it listens. */
export async function listen(f: SyncFixture, port = 0, extra: string[] = []) {
  const run = startPdsync(['listen', 'replication.yaml', '--port', String(port), '--queue-dir', 'queue', ...extra], { cwd: f.cwd, env: ENV });
  await stderrMatching(run, /listening on http:\/\/127\.0\.0\.1:\d+;/);
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+);/.exec(run.output.stderr)![1]!;
  return { run, url, hook: `${url}/webhooks/pagerduty` };
}

/** POSTs a body signed with SECRET, as PagerDuty does; returns the status. */
export async function postSigned(hook: string, body: Buffer, headers: Record<string, string> = {}): Promise<number> {
  const signature = `v1=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  const r = await request(hook, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-pagerduty-signature': signature, ...headers } });
  await r.body.dump();
  return r.statusCode;
}
