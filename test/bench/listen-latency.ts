import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator } from '../../src/simulator/server.js';
import { envYaml, SIM_KEY, workspace } from '../support/cli.js';
import { testDatabase } from '../support/database.js';
import { benchBin, DATA_END, median } from './bench-support.js';

const SECRET = 'whsec-bench';
const BURST = 300;
type Line = { at: string; event: string; webhookId?: string; msSinceReceived?: number; url?: string };

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/** `pdsync listen --json` as a process: its JSON lines as they come, and a way to wait for a count of them. */
function startListener(bin: string, cwd: string) {
  const child = spawn(bin, ['listen', 'r.yaml', '--port', '0', '--json', '--queue-dir', 'queue'], {
    cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, PAGERDUTY_API_KEY: SIM_KEY, PAGERDUTY_WEBHOOK_SECRET: SECRET },
  });
  const lines: Line[] = [];
  let buffer = '';
  let waiter: (() => void) | undefined;
  child.stdout.on('data', (d) => {
    buffer += d;
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const p of parts) if (p) lines.push(JSON.parse(p) as Line);
    waiter?.();
  });
  child.stderr.resume();
  const until = (ok: () => boolean) => new Promise<void>((resolve) => {
    waiter = () => ok() && resolve();
    waiter();
  });
  return { child, lines, until, applied: () => lines.filter((l) => l.event === 'applied') };
}

/**
 * Webhook latency at the default rate limit (5 requests/s, 3 in flight): from a delivery's arrival
 * to its incident's row committed, p50 and p99, for a burst of 300 changed incidents and for a
 * steady 2 events a second; and the events per second sustained. Goals: the burst at >= 50
 * events/s, the trickle p50 <= 300 ms and p99 <= 1 s.
 */
export async function listenLatency(): Promise<string[]> {
  const sim = await startSimulator({ port: 0, seed: 42, dataEnd: DATA_END, now: () => DATA_END, volume: { incidents: 2000 } });
  const db = await testDatabase('bench_listen');
  const env = (inputs: Record<string, number>) => envYaml(sim.url, db.url, inputs).replace('      api_key: ${PAGERDUTY_API_KEY}\n', `      api_key: \${PAGERDUTY_API_KEY}\n      webhook_secret: \${PAGERDUTY_WEBHOOK_SECRET}\n`);
  const cwd = workspace({
    'env.yaml': env({ rate: 1000, concurrency: 8 }),
    'r.yaml': `source: PAGERDUTY\ntarget: PG\ndefaults:\n  mode: incremental\n  object: ${db.schema}.{stream_name}\nstreams:\n  incidents:\n  log_entries:\n`,
  });
  const bin = benchBin();
  try {
    await new Promise<void>((resolve, reject) => {
      const run = spawn(bin, ['run', 'r.yaml', '--quiet'], { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, PAGERDUTY_API_KEY: SIM_KEY, PAGERDUTY_WEBHOOK_SECRET: SECRET }, stdio: 'ignore' });
      run.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`initial run exited ${code}`))));
    });
    writeFileSync(join(cwd, 'env.yaml'), env({}));
    const l = startListener(bin, cwd);
    await l.until(() => l.lines.some((x) => x.event === 'listening'));
    const url = l.lines.find((x) => x.event === 'listening')!.url!;
    sim.webhooks.subscribe({ url: `${url}/webhooks/pagerduty`, secrets: [SECRET] });
    const out: string[] = [];
    // A burst: 300 incidents changed at once (new ones, a second apart), one event each.
    sim.clock.advance(3_600_000);
    sim.dataset.addIncidents(BURST);
    sim.clock.advance(BURST * 1000);
    await l.until(() => l.applied().length >= BURST);
    out.push(figures(`burst of ${BURST} changed incidents`, l.applied().slice(0, BURST), l.lines));
    // Steady: 2 events a second (a new incident each), 100 of them.
    for (let i = 0; i < 100; i++) {
      sim.clock.advance(1000);
      sim.dataset.addIncidents(1);
      await new Promise((r) => setTimeout(r, 500));
    }
    await l.until(() => l.applied().length >= BURST + 100);
    out.push(figures('steady 2 events/s, 100 events', l.applied().slice(BURST, BURST + 100), l.lines));
    l.child.kill('SIGTERM');
    await new Promise((r) => l.child.once('close', r));
    return out;
  } finally {
    await sim.close();
    await db.drop();
  }
}

function figures(what: string, applied: Line[], lines: Line[]): string {
  const latency = applied.map((a) => a.msSinceReceived!);
  const ids = new Set(applied.map((a) => a.webhookId));
  const received = lines.filter((x) => x.event === 'received' && ids.has(x.webhookId)).map((x) => Date.parse(x.at));
  const seconds = (Math.max(...applied.map((a) => Date.parse(a.at))) - Math.min(...received)) / 1000;
  return `listen, ${what} at the default rate (5 requests/s): received -> row committed p50 ${percentile(latency, 50)} ms, p99 ${percentile(latency, 99)} ms (median ${median(latency)} ms); ${(applied.length / seconds).toFixed(1)} events/s sustained over ${seconds.toFixed(1)} s`;
}
