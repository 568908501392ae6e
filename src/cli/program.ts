import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { EXIT_CODES_HELP } from './exit-codes.js';
import type { Output } from './output.js';
import { runCommand } from './commands/run-command.js';
import { connsDiscover, connsList, connsSet } from './commands/conns-command.js';
import { connsTest } from './commands/conns-test-command.js';
import { simulatorCommand } from './commands/simulator-command.js';
import { stateReset, stateShow } from './commands/state-command.js';
import { demoCommand } from './commands/demo-command.js';
import { sqlCommand } from './commands/sql-command.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const EXAMPLES = `
Examples:
  pdsync demo                                    the simulator into an embedded PostgreSQL, then a few answers
  pdsync sql "select status, count(*) from pagerduty.incidents group by 1"
  pdsync run replication.yaml                    sync the streams of a replication file
  pdsync run -r replication.yaml --streams incidents,users --mode full-refresh
  pdsync conns list                              connections from env.yaml and the environment
  pdsync conns discover PAGERDUTY                streams a PagerDuty connection offers
  pdsync conns test PAGERDUTY                    auth, region and readable streams
  pdsync conns set PAGERDUTY inputs.rate=4       change env.yaml, keeping its comments
  pdsync run replication.yaml --dry-run          the plan, without writing
  pdsync state show -r replication.yaml          saved incremental cursors
  pdsync state reset incidents -r replication.yaml
  pdsync simulator --port 8089 --seed 42         a local PagerDuty simulator to try pdsync on

${EXIT_CODES_HELP}`;

/** The command tree. Each action stores its exit code in `exit`; errors propagate to main. */
export function buildProgram(exit: { code: number }, output: Output): Command {
  const program = new Command('pdsync')
    .description('Exact PagerDuty-to-PostgreSQL sync driven by a replication file')
    .version(pkg.version)
    .exitOverride()
    .showHelpAfterError('(run pdsync --help for usage)')
    .addHelpText('after', EXAMPLES);

  program
    .command('run')
    .description('sync the streams of a replication file')
    .argument('[replication]', 'replication YAML file')
    .option('-r, --replication <file>', 'replication YAML file')
    .option('--streams <names>', 'only these streams, comma-separated')
    .addOption(new Option('--mode <mode>', 'override every stream\'s mode').choices(['full-refresh', 'incremental']))
    .option('--env-file <file>', 'env.yaml with connections (default ./env.yaml, then ~/.pdsync/env.yaml)')
    .option('--json', 'print the run summary as JSON on stdout')
    .option('--limit <rows>', 'at most this many rows per stream, for a trial (saves no cursor)')
    .option('--dry-run', 'print the plan (streams, tables, modes, time windows) after one auth check; write nothing')
    .option('-q, --quiet', 'print only warnings, errors and the summary')
    .option('-d, --debug', 'one line per request (method, path and query, status, ms, retry)')
    .addHelpText('after', `\n${EXIT_CODES_HELP}`)
    .action(async (file: string | undefined, opts) => {
      exit.code = await runCommand({ file, ...opts }, output);
    });

  const conns = program.command('conns').description('list and inspect connections');
  conns
    .command('list')
    .description('list connections (secrets masked)')
    .option('--env-file <file>', 'env.yaml with connections')
    .action(async (opts) => {
      exit.code = await connsList(opts, output);
    });
  conns
    .command('test')
    .description('check a connection: PagerDuty auth, region and readable streams; Postgres version and rights')
    .argument('<name>', 'connection name')
    .option('--env-file <file>', 'env.yaml with connections')
    .action(async (name: string, opts) => {
      exit.code = await connsTest(name, opts, output);
    });
  conns
    .command('set')
    .description('set keys of a connection in env.yaml, keeping its comments (e.g. secrets.api_key=... inputs.rate=5)')
    .argument('<name>', 'connection name')
    .argument('<key=value...>', 'settings')
    .option('--env-file <file>', 'env.yaml to write (default ./env.yaml)')
    .action(async (name: string, pairs: string[], opts) => {
      exit.code = await connsSet(name, pairs, opts, output);
    });
  conns
    .command('discover')
    .description('list the streams a connection offers')
    .argument('<name>', 'connection name')
    .option('--env-file <file>', 'env.yaml with connections')
    .option('--columns', 'list each stream\'s columns too')
    .option('--json', 'print as JSON')
    .action(async (name: string, opts) => {
      exit.code = await connsDiscover(name, opts, output);
    });

  const state = program.command('state').description('saved incremental cursors (pdsync.state in the target)');
  state
    .command('show')
    .description('each stream\'s saved cursor')
    .option('-r, --replication <file>', 'replication file naming the target', 'replication.yaml')
    .option('--env-file <file>', 'env.yaml with connections')
    .action(async (opts) => {
      exit.code = await stateShow(opts, output);
    });
  state
    .command('reset')
    .description('forget a stream\'s cursor: its next incremental run reads from anchor_date')
    .argument('<stream>', 'stream name')
    .option('-r, --replication <file>', 'replication file naming the target', 'replication.yaml')
    .option('--env-file <file>', 'env.yaml with connections')
    .action(async (stream: string, opts) => {
      exit.code = await stateReset(stream, opts, output);
    });

  program
    .command('demo')
    .description('sync the built-in PagerDuty simulator into an embedded PostgreSQL and answer a few questions')
    .option('--data-dir <dir>', 'where the embedded PostgreSQL keeps its data', '.pdsync/pg')
    .action(async (opts: { dataDir: string }) => {
      exit.code = await demoCommand(opts, output);
    });

  program
    .command('sql')
    .description('query the embedded PostgreSQL (the demo\'s database), or --serve it for psql')
    .argument('[query]', 'SQL to run')
    .option('--data-dir <dir>', 'where the embedded PostgreSQL keeps its data', '.pdsync/pg')
    .option('--serve', 'keep the database up and print its URL until Ctrl-C')
    .action(async (query: string | undefined, opts: { dataDir: string; serve?: boolean }) => {
      exit.code = await sqlCommand(query, opts, output);
    });

  program
    .command('simulator')
    .description('serve a simulated PagerDuty API on 127.0.0.1 until interrupted')
    .option('--port <port>', 'port to listen on', '8089')
    .option('--seed <seed>', 'seed of the generated account', '42')
    .action(async (opts: { port: string; seed: string }) => {
      exit.code = await simulatorCommand(opts);
    });

  return program;
}
