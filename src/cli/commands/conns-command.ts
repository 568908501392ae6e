import { type Connection, isPagerDuty } from '../../config/connections.js';
import { listConnectionNames, loadEnv, resolveConnection } from '../../config/env-file.js';
import { ConfigError, EXIT_OK } from '../../errors.js';
import { loadCatalogue, streamSpec } from '../../spec/catalogue.js';
import { apiBaseUrl } from '../../source/pagerduty-source.js';

interface EnvOpts {
  envFile?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

function envOptions(opts: EnvOpts) {
  return { ...(opts.envFile ? { envFile: opts.envFile } : {}), cwd: opts.cwd ?? process.cwd(), env: opts.env ?? process.env };
}

/** Where a connection points, with every secret masked. */
export function describeConnection(c: Connection): string {
  if (isPagerDuty(c)) {
    const auth = c.secrets.api_key ? 'api_key ****' : 'oauth_token ****';
    return `pagerduty  ${apiBaseUrl(c)}  ${auth}`;
  }
  const url = new URL(c.url);
  if (url.password) url.password = '****';
  return `postgres   ${url.toString()}`;
}

/** `pdsync conns list` */
export async function connsList(opts: EnvOpts, write = (s: string) => process.stdout.write(s)): Promise<number> {
  const loaded = await loadEnv(envOptions(opts));
  const names = listConnectionNames(loaded);
  if (names.length === 0) {
    write('no connections: add them under connections: in env.yaml (see env.example.yaml)\n');
    return EXIT_OK;
  }
  for (const { name, from } of names) {
    let what: string;
    try {
      what = describeConnection(resolveConnection(loaded, name, 'conns list'));
    } catch (e) {
      what = `invalid: ${(e as Error).message}`;
    }
    write(`${name.padEnd(20)} ${what}  (${from})\n`);
  }
  return EXIT_OK;
}

/** `pdsync conns discover NAME`: the streams a PagerDuty connection offers. */
export async function connsDiscover(
  name: string,
  opts: EnvOpts & { columns?: boolean; json?: boolean },
  write = (s: string) => process.stdout.write(s),
): Promise<number> {
  const conn = resolveConnection(await loadEnv(envOptions(opts)), name, 'conns discover');
  if (!isPagerDuty(conn)) {
    throw new ConfigError(`conns discover: connection "${name}" is of type ${conn.type}: discover lists the streams of a PagerDuty connection`);
  }
  const catalogue = await loadCatalogue();
  const streams = Object.keys(catalogue.streams).map((n) => {
    const s = streamSpec(catalogue, n);
    return {
      stream: n,
      primary_key: s.primary_key,
      incremental_key: s.incremental_key ?? null,
      description: s.description,
      ...(opts.columns ? { columns: Object.entries(s.columns).map(([c, spec]) => ({ name: c, type: spec.type })) } : {}),
    };
  });
  if (opts.json) {
    write(`${JSON.stringify(streams, null, 2)}\n`);
    return EXIT_OK;
  }
  for (const s of streams) {
    const mode = s.incremental_key ? `incremental on ${s.incremental_key}` : 'full-refresh only';
    write(`${s.stream.padEnd(20)} key ${s.primary_key.join('+').padEnd(12)} ${mode.padEnd(26)} ${s.description}\n`);
    for (const c of s.columns ?? []) write(`    ${c.name.padEnd(28)} ${c.type}\n`);
  }
  return EXIT_OK;
}
