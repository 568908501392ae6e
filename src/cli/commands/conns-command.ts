import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { Connection, isPagerDuty } from '../../config/connections.js';
import { listConnectionNames, loadEnv, locateEnvFile, resolveSettings } from '../../config/env-file.js';
import { expandVariables } from '../../config/expand-variables.js';
import { validate } from '../../config/read-yaml-file.js';
import { ConfigError, EXIT_OK } from '../../errors.js';
import { costKind, isFanOut, streamSpec } from '../../catalogue/catalogue.js';
import { loadCatalogue } from '../../catalogue/load-catalogue.js';
import { type CommandContext, envOptions } from '../context.js';
import { describeConnection } from '../describe-connection.js';

interface EnvOpts {
  envFile?: string;
}

/** `pdsync conns list`: each connection, where it points, and where it comes from. */
export async function connsList(opts: EnvOpts, ctx: CommandContext): Promise<number> {
  const write = (s: string) => ctx.output.out(s);
  const loaded = await loadEnv(envOptions(opts, ctx));
  const names = listConnectionNames(loaded);
  if (names.length === 0) {
    write('no connections: add them under connections: in env.yaml (see env.example.yaml)\n');
    return EXIT_OK;
  }
  for (const { name, from } of names) {
    let what: string;
    try {
      what = describeConnection(resolveSettings(loaded, name, 'conns list'));
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
  ctx: CommandContext,
): Promise<number> {
  const write = (s: string) => ctx.output.out(s);
  const conn = resolveSettings(await loadEnv(envOptions(opts, ctx)), name, 'conns discover');
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
      cost: costKind(s),
      parent: s.parent?.stream ?? null,
      /** Selected by name only: `'*'` leaves it out. */
      fan_out: isFanOut(s),
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
    const cost = s.parent ? `per ${s.parent} record${s.fan_out ? ', named only' : ''}` : 'per page';
    write(`${s.stream.padEnd(20)} key ${s.primary_key.join('+').padEnd(12)} ${mode.padEnd(26)} cost ${cost.padEnd(30)} ${s.description}\n`);
    for (const c of s.columns ?? []) write(`    ${c.name.padEnd(28)} ${c.type}\n`);
  }
  return EXIT_OK;
}

/** `pdsync conns set NAME key=value ...`: edits env.yaml in place, keeping its comments and layout. */
export async function connsSet(name: string, pairs: string[], opts: EnvOpts, ctx: CommandContext): Promise<number> {
  const { cwd, env } = ctx;
  const path = opts.envFile ? resolve(cwd, opts.envFile) : (locateEnvFile({ cwd, env }) ?? resolve(cwd, 'env.yaml'));
  const existed = existsSync(path);
  const doc = parseDocument(existed ? await readFile(path, 'utf8') : '');
  if (doc.errors.length) throw new ConfigError(`${path}: invalid YAML: fix it before \`conns set\``);
  const keys: string[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError(`conns set: "${pair.split('=')[0]}": expected key=value, as in inputs.rate=5`);
    const key = pair.slice(0, eq);
    // Values are YAML scalars: 5 is a number, true a boolean, the rest strings.
    const raw = pair.slice(eq + 1);
    const parsed: unknown = /^[\w.+-]+$/.test(raw) ? parse(raw) : raw;
    doc.setIn(['connections', name, ...key.split('.')], parsed);
    keys.push(key);
  }
  const conn = (doc.toJS() as { connections: Record<string, unknown> }).connections[name];
  try {
    validate(Connection, expandVariables(conn, env, path, ['connections', name]), path, ['connections', name]);
  } catch (e) {
    // An unset or empty ${VAR} is fine to write; anything else would leave a broken env.yaml.
    if (!(e instanceof ConfigError) || !/environment variable \S+ is (not set|empty)/.test(e.message)) throw e;
  }
  await writeFile(path, doc.toString(), existed ? {} : { mode: 0o600 });
  ctx.output.err(`${name}: set ${keys.join(', ')} in ${path}`);
  return EXIT_OK;
}
