import { loadCatalogue } from '../../catalogue/load-catalogue.js';
import { ConfigError, EXIT_OK } from '../../errors.js';
import { plan } from '../../plan/plan.js';
import { addOnCalls, findDocuments, namesOf, type SearchHit, tableReadable } from '../../sinks/postgres/relations/search-hits.js';
import { qualified } from '../../sinks/postgres/sql.js';
import type { CommandContext } from '../context.js';
import { loadReplicationSettings, replicationFile } from '../replication-file.js';
import { withDatabase } from '../target-database.js';
import { formatHits } from './search-output.js';

export interface SearchOptions {
  /** The replication file; default ./replication.yaml. */
  replication?: string;
  json?: boolean;
  limit?: string;
  envFile?: string;
}

const USAGE = 'pass what to look for, as in pdsync search "checkout"';

function limitOf(given: string | undefined): number {
  if (given === undefined) return 10;
  const n = Number(given);
  if (!/^\d+$/.test(given.trim()) || n < 1 || n > 1000) throw new ConfigError(`search: --limit ${given} is not a number of hits from 1 to 1000: pass one, as in --limit 20`);
  return n;
}

/** Where the replication keeps its relations; an error naming the fix when it keeps none. */
async function relationsOf(file: string, opts: SearchOptions, ctx: CommandContext) {
  const config = await loadReplicationSettings(file, opts.envFile, ctx);
  const thePlan = plan({ catalogue: await loadCatalogue(), replication: config.replication, replicationPath: file, source: config.source, target: config.target, now: new Date() });
  if (!thePlan.relations) {
    throw new ConfigError(`search: ${file} turns the relations off (target_options: {relations: false}): remove that, then run pdsync run ${file}`);
  }
  return { config, relations: thePlan.relations };
}

/** Why search_documents cannot be read, as one line naming the fix. */
function missingDocuments(state: 'missing' | 'denied', documents: string, file: string, label: string): ConfigError {
  if (state === 'denied') return new ConfigError(`search: this connection's role may not read ${documents} in ${label}: grant it SELECT (and the oncalls table's)`);
  return new ConfigError(
    `search: no ${documents} in ${label}: run pdsync run ${file} with users, teams, services, escalation_policies, schedules or business_services (the relations are made after the streams)`,
  );
}

/** Runs the search on the target: the hits, with on-calls and the names of their teams and policies. */
async function search(ctx: CommandContext, { config, relations }: Awaited<ReturnType<typeof relationsOf>>, file: string, text: string, limit: number) {
  const documents = qualified({ schema: relations.schema, table: 'search_documents' });
  const oncalls = relations.tables.oncalls!;
  return withDatabase(config.target, config.replication.target ?? 'embedded', ctx, (target, label) =>
    target.withClient('search', async (client) => {
      const state = await tableReadable(client, documents);
      if (state !== 'yes') throw missingDocuments(state, documents, file, label);
      const hits = await findDocuments(client, documents, text, limit);
      const onCallState = await tableReadable(client, qualified(oncalls));
      if (onCallState === 'yes') await addOnCalls(client, oncalls, hits);
      else if (hits.some((h) => h.type === 'service' || h.type === 'escalation_policy' || h.type === 'schedule')) {
        ctx.output.err(`search: warning: ${qualified(oncalls)} ${onCallState === 'missing' ? 'is not synced: add the oncalls stream to the replication' : 'may not be read by this role'} to see who is on call`);
      }
      return { hits, names: await namesOf(client, documents, hits), label };
    }),
  );
}

/** `pdsync search "TEXT"`: ranked hits over search_documents in the replication's target, with who is on call now. */
export async function searchCommand(text: string | undefined, opts: SearchOptions, ctx: CommandContext): Promise<number> {
  const wanted = text?.trim() ?? '';
  if (!wanted) throw new ConfigError(`search: no text to search for: ${USAGE}`);
  const limit = limitOf(opts.limit);
  const file = replicationFile(opts.replication, ctx.cwd, 'search');
  const { hits, names, label } = await search(ctx, await relationsOf(file, opts, ctx), file, wanted, limit);
  if (opts.json) ctx.output.out(`${JSON.stringify({ hits: hits.map(forJson) })}\n`);
  else if (hits.length) ctx.output.out(formatHits(hits, names));
  ctx.output.err(`(${hits.length} hit${hits.length === 1 ? '' : 's'} for "${wanted}", from ${label})`);
  return EXIT_OK;
}

/** The JSON document's hit: its fields in a fixed order, escalation_policy_id for services, on_call where someone is paged. */
function forJson(h: SearchHit): SearchHit {
  return {
    type: h.type, id: h.id, name: h.name, html_url: h.html_url, team_ids: h.team_ids,
    ...(h.type === 'service' ? { escalation_policy_id: h.escalation_policy_id ?? null } : {}),
    ...(h.on_call ? { on_call: h.on_call } : {}),
  };
}
