import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { CommandContext } from './context.js';
import { ConfigError } from '../errors.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import type { SimulatorFlags } from './commands/simulator-flags.js';
import { EXPORT_STREAMS } from '../simulator/export-choices.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const EXAMPLES = `
Examples:
  pdsync demo                                    the simulator into an embedded PostgreSQL, then a few answers
  pdsync init my-sync                            env.yaml and replication.yaml to start from, for your account
  pdsync sql "select status, count(*) from pagerduty.incidents group by 1"
  pdsync run replication.yaml                    sync the streams of a replication file
  pdsync run replication.yaml -e prod.env.yaml   connections from another env file
  pdsync run -r replication.yaml --streams incidents,users --mode full-refresh
  pdsync conns list                              connections from the environment and env.yaml
  pdsync conns discover PAGERDUTY                streams a PagerDuty connection offers
  pdsync conns test PAGERDUTY                    auth, region and readable streams
  pdsync conns set PAGERDUTY inputs.rate=4       change env.yaml, keeping its comments
  pdsync run replication.yaml --dry-run          the plan, without writing
  pdsync state show -r replication.yaml          saved incremental cursors
  pdsync state reset incidents -r replication.yaml
  pdsync search checkout                         who to page for checkout: services, policies, schedules, with who is on call
  pdsync dbt sources -r replication.yaml -o models/sources.yml
  pdsync listen -r replication.yaml --port 8787  apply PagerDuty webhooks to incidents as they arrive
  pdsync listen --print-subscription --public-url https://sync.example.com
  pdsync simulator --port 8089 --seed 42         a local PagerDuty simulator to try pdsync on
  pdsync simulator --export synthetic --format csv   its account as CSV files, the same for the same seed

${EXIT_CODES_HELP}`;

interface EnvFileFlags {
  env?: string;
  envFile?: string;
}

/** `-e/--env FILE` and `--env-file FILE`: the same option. Under npx on Node 20 only `-e/--env` reaches pdsync. */
function withEnvFile(cmd: Command): Command {
  return cmd
    .option('-e, --env <file>', 'env.yaml with connections (also PDSYNC_ENV_FILE; default ./env.yaml, then ~/.pdsync/env.yaml)')
    .addOption(new Option('--env-file <file>', 'the same as --env (under npx on Node 20, Node takes --env-file itself: use --env)'));
}

/** The env file a command was given, checked here so the message names the flag the user typed. */
function envFileOf(flags: EnvFileFlags, cwd: string): { envFile?: string } {
  const file = flags.env ?? flags.envFile;
  if (!file) return {};
  if (!existsSync(resolve(cwd, file))) {
    throw new ConfigError(`${file}: env file not found (given by ${flags.env ? '--env' : '--env-file'}): check the path`);
  }
  return { envFile: file };
}

/** The command tree. Each action loads its command when run, so `--help` and `--version` start fast. */
export function buildProgram(exit: { code: number }, ctx: CommandContext): Command {
  const program = new Command('pdsync')
    .description('Exact PagerDuty-to-PostgreSQL sync driven by a replication file')
    .version(pkg.version)
    .exitOverride()
    // Before any subcommand is added: they copy it.
    .configureOutput({ writeOut: (s) => ctx.output.out(s), writeErr: (s) => ctx.output.err(s.replace(/\n$/, '')) })
    .showHelpAfterError('(run pdsync --help for usage)')
    .addHelpText('after', EXAMPLES);

  withEnvFile(
    program
      .command('run')
      .description('sync the streams of a replication file')
      .argument('[replication]', 'replication YAML file')
      .option('-r, --replication <file>', 'replication YAML file'),
  )
    .option('--streams <names>', 'only these streams, comma-separated')
    .addOption(new Option('--mode <mode>', 'override every stream\'s mode').choices(['full-refresh', 'incremental', 'backfill']))
    .option('--range <start,end>', 'with --mode backfill: the window to read again, e.g. 2024-01-01,2024-03-01 (both days included)')
    .option('--json', 'print the run summary as JSON on stdout')
    .option('--limit <rows>', 'at most this many rows per stream, for a trial (saves no cursor)')
    .option('--dry-run', 'print the plan (streams, tables, modes, time windows) after one auth check; write nothing')
    .option('--rebuild-relations', 'compute the analytics relations whole after the streams, instead of by change')
    .option('-q, --quiet', 'print only warnings, errors and the summary')
    .option('-d, --debug', 'one line per request (method, path and query, status, ms, retry)')
    .addHelpText('after', `\n${EXIT_CODES_HELP}`)
    .action(async (file: string | undefined, opts) => {
      const { runCommand } = await import('./commands/run-command.js');
      exit.code = await runCommand({ ...opts, ...envFileOf(opts, ctx.cwd), file }, ctx);
    });

  withEnvFile(
    program
      .command('listen')
      .description('apply PagerDuty webhooks (v3) to the replication\'s incidents table as they arrive, until SIGINT or SIGTERM')
      .argument('[replication]', 'replication YAML file (default ./replication.yaml)')
      .option('-r, --replication <file>', 'the same, as an option'),
  )
    .option('--host <host>', 'address to listen on (put a reverse proxy with TLS in front)', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '8787')
    .option('--queue-dir <dir>', 'where accepted events wait until applied (default .pdsync/listen/<target>)')
    .option('--queue-limit <events>', 'events queued before deliveries are refused with 503 (PagerDuty retries them)', '100000')
    .option('--json', 'one JSON object per line on stdout (received, applied, duplicate, rejected, ...)')
    .option('-q, --quiet', 'only rejections, drops, waits, warnings, failed relations and start/stop lines')
    .option('--print-subscription', 'print the PagerDuty API call that makes the webhook subscription, and exit')
    .option('--public-url <url>', 'with --print-subscription: the HTTPS address PagerDuty reaches this listener at')
    .action(async (file: string | undefined, opts) => {
      const { listenCommand } = await import('./commands/listen-command.js');
      exit.code = await listenCommand({ ...opts, ...envFileOf(opts, ctx.cwd), file: file ?? opts.replication }, ctx);
    });

  const conns = program.command('conns').description('list and inspect connections');
  withEnvFile(conns.command('list').description('list connections, where each comes from (secrets masked)')).action(async (opts) => {
    const { connsList } = await import('./commands/conns-command.js');
    exit.code = await connsList(envFileOf(opts, ctx.cwd), ctx);
  });
  withEnvFile(
    conns
      .command('test')
      .description('check a connection: PagerDuty auth, region and readable streams; Postgres version and rights')
      .argument('<name>', 'connection name'),
  ).action(async (name: string, opts) => {
    const { connsTest } = await import('./commands/conns-test-command.js');
    exit.code = await connsTest(name, envFileOf(opts, ctx.cwd), ctx);
  });
  withEnvFile(
    conns
      .command('set')
      .description('set keys of a connection in env.yaml, keeping its comments (e.g. secrets.api_key=... inputs.rate=5)')
      .argument('<name>', 'connection name')
      .argument('<key=value...>', 'settings'),
  ).action(async (name: string, pairs: string[], opts) => {
    const { connsSet } = await import('./commands/conns-command.js');
    exit.code = await connsSet(name, pairs, envFileOf(opts, ctx.cwd), ctx);
  });
  withEnvFile(
    conns
      .command('discover')
      .description('list the streams a connection offers')
      .argument('<name>', 'connection name')
      .option('--columns', 'list each stream\'s columns too')
      .option('--json', 'print as JSON'),
  ).action(async (name: string, opts) => {
    const { connsDiscover } = await import('./commands/conns-command.js');
    exit.code = await connsDiscover(name, { ...opts, ...envFileOf(opts, ctx.cwd) }, ctx);
  });

  const state = program.command('state').description('saved incremental cursors (pdsync.state in the target)');
  withEnvFile(
    state
      .command('show')
      .description('each stream\'s saved cursor')
      .argument('[replication]', 'replication file naming the target (default ./replication.yaml)')
      .option('-r, --replication <file>', 'the same, as an option'),
  ).action(async (file: string | undefined, opts) => {
    const { stateShow } = await import('./commands/state-command.js');
    exit.code = await stateShow({ ...envFileOf(opts, ctx.cwd), file: file ?? opts.replication }, ctx);
  });
  withEnvFile(
    state
      .command('reset')
      .description('forget a stream\'s cursor: its next incremental run reads from anchor_date')
      .argument('<stream>', 'stream name')
      .argument('[replication]', 'replication file naming the target (default ./replication.yaml)')
      .option('-r, --replication <file>', 'the same, as an option'),
  ).action(async (stream: string, file: string | undefined, opts) => {
    const { stateReset } = await import('./commands/state-command.js');
    exit.code = await stateReset(stream, { ...envFileOf(opts, ctx.cwd), file: file ?? opts.replication }, ctx);
  });

  program
    .command('init')
    .description('write env.yaml (the key as ${PAGERDUTY_API_KEY}) and replication.yaml with the recommended settings; never overwrites')
    .argument('[dir]', 'folder to write them in', '.')
    .action(async (dir: string) => {
      const { initCommand } = await import('./commands/init-command.js');
      exit.code = await initCommand(dir, ctx);
    });

  program
    .command('demo')
    .description('sync the built-in PagerDuty simulator into an embedded PostgreSQL and answer a few questions')
    .option('--data-dir <dir>', 'where the embedded PostgreSQL keeps its data', '.pdsync/pg')
    .action(async (opts: { dataDir: string }) => {
      const { demoCommand } = await import('./commands/demo-command.js');
      exit.code = await demoCommand(opts, ctx);
    });

  withEnvFile(
    program
      .command('sql')
      .description('query a replication\'s target (default ./replication.yaml\'s, else the demo\'s embedded database), or --serve the embedded one')
      .argument('[query]', 'SQL to run')
      .option('-r, --replication <file>', 'query this replication\'s target database')
      .option('-c, --connection <name>', 'query this postgres connection')
      .option('--data-dir <dir>', 'the embedded PostgreSQL\'s data (when the target is embedded)')
      .option('--serve', 'keep the embedded database up and print its URL until Ctrl-C'),
  ).action(async (query: string | undefined, opts) => {
    const { sqlCommand } = await import('./commands/sql-command.js');
    exit.code = await sqlCommand(query, { ...opts, ...envFileOf(opts, ctx.cwd) }, ctx);
  });

  withEnvFile(
    program
      .command('search')
      .description('find services, escalation policies, schedules, teams, users and business services in the replication\'s target, with who is on call now')
      .argument('[text]', 'what to look for: a name, an email, words (web search syntax: "quoted phrase", or, -word)')
      .option('-r, --replication <file>', 'the replication whose target to search (default ./replication.yaml)')
      .option('--json', 'print {"hits": [...]} on stdout')
      .option('--limit <n>', 'at most this many hits', '10'),
  ).action(async (text: string | undefined, opts) => {
    const { searchCommand } = await import('./commands/search-command.js');
    exit.code = await searchCommand(text, { ...opts, ...envFileOf(opts, ctx.cwd) }, ctx);
  });

  const dbt = program.command('dbt').description('dbt files for the tables pdsync writes');
  withEnvFile(
    dbt
      .command('sources')
      .description('write a dbt sources.yml: tables, columns and descriptions, unique/not_null tests on keys')
      .argument('[replication]', 'replication file (default ./replication.yaml)')
      .option('-r, --replication <file>', 'the same, as an option')
      .option('-o, --output <file>', 'where to write it (- for stdout)', 'sources.yml'),
  ).action(async (file: string | undefined, opts) => {
    const { dbtSourcesCommand } = await import('./commands/dbt-command.js');
    exit.code = await dbtSourcesCommand({ ...envFileOf(opts, ctx.cwd), file: file ?? opts.replication, output: opts.output }, ctx);
  });

  program
    .command('simulator')
    .description('serve a simulated PagerDuty API on 127.0.0.1 until interrupted, or --export its account as CSV or JSON files')
    .option('--port <port>', 'port to listen on (default: 8089)')
    .option('--seed <seed>', 'seed of the generated account', '42')
    .option('--export <dir>', 'write the account to this folder instead of serving it, one file per stream')
    .option('--format <format>', 'with --export: csv or json')
    .option('--records <n>', 'with --export: incidents to generate; log entries follow them (default: 1000)')
    .option('--streams <list>', `with --export: streams to write (default: ${EXPORT_STREAMS.join(',')})`)
    .option('--force', 'with --export: write into a folder that is not empty, replacing files of the same names')
    .action(async (opts: SimulatorFlags) => {
      const { simulatorCommand } = await import('./commands/simulator-command.js');
      exit.code = await simulatorCommand(opts, ctx);
    });

  return program;
}
