import { PagerDutyConnection, PostgresConnection } from '../../config/connections.js';
import { Replication } from '../../config/replication.js';
import { EXIT_OK, EXIT_STREAM_FAILED } from '../../errors.js';
import { plan } from '../../plan/plan.js';
import { startSimulator } from '../../simulator/server.js';
import { PagerDutySource } from '../../source/pagerduty-source.js';
import { loadCatalogue } from '../../catalogue/load-catalogue.js';
import { formatTable } from '../../summary/format-table.js';
import { DEFAULT_EMBEDDED_DIR, startEmbeddedPostgres } from '../../sinks/postgres/embedded/embedded-server.js';
import { describeEmbedded } from '../../sinks/postgres/open-database.js';
import { PostgresTarget } from '../../sinks/postgres/postgres-target.js';
import { pdsyncCommand } from '../invocation.js';
import type { CommandContext } from '../context.js';
import { POOL_SIZE, progressEveryMs, syncWithProgress } from '../sync-with-progress.js';
import { DEMO_QUESTIONS } from './demo-questions.js';

export interface DemoOptions {
  dataDir?: string;
}

const TWO_YEARS_MS = 2 * 365 * 24 * 3600 * 1000;

/**
 * `pdsync demo`: the built-in PagerDuty simulator synced into the embedded PostgreSQL (every
 * stream `'*'` selects, incremental where the API allows), then a few answers from the data. Run again, it
 * syncs only what changed.
 */
export async function demoCommand(opts: DemoOptions, ctx: CommandContext): Promise<number> {
  const output = ctx.output;
  const now = new Date();
  const sim = await startSimulator({ port: 0, seed: 42 });
  const server = await startEmbeddedPostgres(opts.dataDir ?? DEFAULT_EMBEDDED_DIR, ctx.cwd, ctx.env).catch(async (e: unknown) => {
    await sim.close();
    throw e;
  });
  output.err(`pdsync demo: a simulated PagerDuty account (${sim.url}) into the ${describeEmbedded(server)}`);
  const connection = PagerDutyConnection.parse({
    type: 'pagerduty',
    secrets: { api_key: 'sim-token' },
    // The simulator has no rate limit of its own; a real account keeps the default 5 requests/s.
    inputs: { base_url: sim.url, anchor_date: new Date(now.getTime() - TWO_YEARS_MS).toISOString(), rate: 25 },
  });
  // Ctrl-C stops the sync cleanly, so the embedded server is stopped too.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  const source = new PagerDutySource(connection, { signal: stop.signal });
  let target: PostgresTarget | undefined;
  try {
    target = await PostgresTarget.connect(server.url, POOL_SIZE);
    const catalogue = await loadCatalogue();
    const thePlan = plan({
      catalogue,
      replication: Replication.parse({
        source: 'SIMULATOR',
        defaults: { mode: 'incremental', object: 'pagerduty.{stream_name}' },
        // One request per incident for notes and alerts: a real account's job, not a first look's.
        streams: { '*': null, incident_notes: { disabled: true }, incident_alerts: { disabled: true } },
      }),
      replicationPath: 'demo',
      source: connection,
      target: PostgresConnection.parse({ type: 'postgres', url: server.url }),
      now,
    });
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const summary = await syncWithProgress(thePlan, catalogue, source, target, output, {
      quietMs: progressEveryMs(ctx.env),
      style: output.isTTY ? 'tty' : 'plain',
      debug: false,
      signal: stop.signal,
    }).finally(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
    if (summary.status !== 'ok') return EXIT_STREAM_FAILED;
    for (const q of DEMO_QUESTIONS) {
      const result = await target.withClient(q.title, (c) => c.query({ text: q.sql, rowMode: 'array' }));
      output.out(`\n${q.title}\n${formatTable(result.fields.map((f) => f.name), result.rows as unknown[][])}\n`);
    }
    const dirFlag = opts.dataDir && opts.dataDir !== DEFAULT_EMBEDDED_DIR ? ` --data-dir ${opts.dataDir}` : '';
    const pdsync = pdsyncCommand(ctx.env);
    output.out(
      `\nKeep exploring (the data stays in ${server.dataDir}):\n` +
        `  ${pdsync} sql${dirFlag} "select incident_number, title, status, seconds_to_first_ack from pagerduty.incident_metrics order by created_at desc limit 10"\n` +
        `  ${pdsync} sql${dirFlag} --serve      # keeps the database up and prints its URL for psql\n` +
        `Then point pdsync at your account: \`${pdsync} init my-sync\` writes env.yaml and replication.yaml to start from.\n`,
    );
    return EXIT_OK;
  } finally {
    await Promise.allSettled([source.close(), target?.close(), sim.close()]);
    await server.stop();
  }
}
