import { fileURLToPath } from 'node:url';
import { type FileConnection, isFile, isPagerDuty, type PagerDutyConnection, type PostgresConnection } from '../../config/connections.js';
import { folderProblem } from '../../sinks/files/folder-check.js';
import { loadEnv, resolveConnection } from '../../config/env-file.js';
import { ApiError, EXIT_OK, EXIT_STREAM_FAILED } from '../../errors.js';
import { streamSpec } from '../../catalogue/catalogue.js';
import { loadCatalogue } from '../../catalogue/load-catalogue.js';
import { apiBaseUrl } from '../../source/api-base-url.js';
import { checkAddress } from '../../source/address-check.js';
import { probeOf } from '../../source/auth-check.js';
import { authDescription, PagerDutySource } from '../../source/pagerduty-source.js';
import { classify } from '../../source/response-classifier.js';
import { openDatabase } from '../../sinks/postgres/open-database.js';
import { PostgresTarget } from '../../sinks/postgres/postgres-target.js';
import { registerSecrets } from '../connection-secrets.js';
import { type CommandContext, envOptions } from '../context.js';
import type { Output } from '../../summary/output.js';

/** `pdsync conns test NAME`: does the connection work, and what can it do. */
export async function connsTest(name: string, opts: { envFile?: string }, ctx: CommandContext): Promise<number> {
  const conn = resolveConnection(await loadEnv(envOptions(opts, ctx)), name, 'conns test');
  registerSecrets(ctx.output, conn);
  if (isPagerDuty(conn)) return testPagerDuty(name, conn, ctx.output);
  if (isFile(conn)) return testFolder(name, conn, ctx.output);
  return testPostgres(name, conn, ctx);
}

/** One cheap call (/abilities) proves the address and the key; the plan-gated list endpoints say which streams it can read. */
async function testPagerDuty(name: string, conn: PagerDutyConnection, output: Output): Promise<number> {
  const catalogue = await loadCatalogue();
  const scopes = ['abilities.read', ...Object.values(catalogue.streams).map((s) => s.scope)];
  const source = new PagerDutySource({ ...conn, inputs: { ...conn.inputs, max_attempts: 2 } }, { scopes, onSecret: (t) => output.addSecret(t) });
  const fetch = source.fetcher({ requests: 0, retries: 0 });
  const auth = authDescription(conn);
  try {
    // An address that does not answer, or not as PagerDuty, is said in one line (see checkAddress).
    const refused = await checkAddress(source.accessCheck(name).probe, conn.inputs.timeout);
    if (refused) throw refused;
    const body = await fetch({ method: 'GET', path: '/abilities', query: {} });
    const abilities = Array.isArray(body.abilities) ? (body.abilities as string[]) : [];
    output.out(`${name}: ok, ${auth}, region ${conn.inputs.region}, ${apiBaseUrl(conn)}\n`);
    output.out(`  abilities: ${abilities.join(', ') || 'none'}\n`);
    // Every stream is asked for one record (a child stream goes with its parent): what the key
    // may read is what PagerDuty answers, not what the plan is assumed to allow.
    const readable: string[] = [];
    for (const [stream, spec] of Object.entries(catalogue.streams)) {
      // Windows end at the API's clock, as a run's do: a machine's clock ahead of it is refused.
      const probe = probeOf(streamSpec(catalogue, stream), source.serverNow() ?? new Date());
      try {
        if (probe) await fetch(probe);
        else if (!readable.includes(spec.parent!.stream)) {
          output.out(`  ${stream}: not readable: it is read through ${spec.parent!.stream}, which is not\n`);
          continue;
        }
        readable.push(stream);
      } catch (e) {
        const status = (e as ApiError).status;
        if (classify(e, spec.gate !== undefined) === 'gated') {
          output.out(`  ${stream}: not readable (${status}): the account lacks ${spec.gate?.feature ?? 'it'}; a run skips it\n`);
        } else if (status === 403) {
          output.out(`  ${stream}: not readable (403): the key or token may not read it (OAuth scope ${spec.scope})\n`);
        } else {
          throw e;
        }
      }
    }
    output.out(`  readable streams (${readable.length} of ${Object.keys(catalogue.streams).length}): ${readable.join(', ')}\n`);
    return EXIT_OK;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    const hint =
      e.status === 401 ? ': the key or client credentials are wrong or revoked' : e.status === 403 ? ': the token lacks a read scope' : '';
    output.err(`pdsync: ${name}: ${e.message}${hint}`);
    return EXIT_STREAM_FAILED;
  } finally {
    await source.close();
  }
}

async function testPostgres(name: string, conn: PostgresConnection, ctx: CommandContext): Promise<number> {
  const output = ctx.output;
  const database = await openDatabase(conn, ctx.cwd, ctx.env);
  if (database.where) output.err(`pdsync: ${name}: ${database.where}`);
  const target = await PostgresTarget.connect(database.url, 1, name).catch(async (e: unknown) => {
    await database.close();
    throw e;
  });
  try {
    const facts = await target.withClient(name, async (c) => {
      const { rows } = await c.query<{ version: string; usr: string; db: string; can_create: boolean }>(
        `SELECT current_setting('server_version') AS version, current_user AS usr, current_database() AS db,
                has_database_privilege(current_database(), 'CREATE') AS can_create`,
      );
      return rows[0]!;
    });
    output.out(`${name}: ok, PostgreSQL ${facts.version}, user ${facts.usr}, database ${facts.db}\n`);
    output.out(
      facts.can_create
        ? '  can create schemas: target schemas and pdsync\'s bookkeeping schema are created as needed\n'
        : '  cannot create schemas: create the target schemas and "pdsync" beforehand, with CREATE on them for this user\n',
    );
    return EXIT_OK;
  } finally {
    await target.close();
    await database.close();
  }
}

/** A file connection works when its folder can be written, or made. */
async function testFolder(name: string, conn: FileConnection, output: Output): Promise<number> {
  const problem = await folderProblem(fileURLToPath(conn.url));
  if (problem) {
    output.err(`pdsync: ${name}: ${problem}`);
    return EXIT_STREAM_FAILED;
  }
  output.out(`${name}: ok, files under ${fileURLToPath(conn.url)}\n`);
  return EXIT_OK;
}
