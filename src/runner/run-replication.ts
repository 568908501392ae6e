import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { type ApiError, TargetError } from '../errors.js';
import { destinationName, incrementalSince, type Plan, type PlannedStream, readUntil } from '../plan/plan.js';
import type { PagerDutySource } from '../source/pagerduty-source.js';
import { classify } from '../source/response-classifier.js';
import { streamWindows } from '../source/stream-reader.js';
import type { RunSummary, StreamSummary } from '../summary/run-summary.js';
import type { Load, Target } from '../sinks/target.js';
import type { RunEvents } from './run-events.js';
import { ParentReads } from './parent-reads.js';
import { providersFirst, type SharedFeed, sharedFeeds } from './shared-feed.js';
import { changesFrom, parentRange, streamItems } from './stream-items.js';
import { recountStaged } from './staged-check.js';

export interface RunDeps<L extends Load = Load> {
  source: PagerDutySource;
  /** Where rows land: the runner sees only the seam (see sinks/target.ts). */
  target: Target<L>;
  events: RunEvents;
  maxOffset: number;
  /** Streams loading side by side; the source's limiter bounds their requests together. */
  parallelStreams: number;
  /** `--limit`: rows per stream, for a trial. Such a run saves no cursor. */
  rowLimit?: number;
  /** Aborted by SIGINT/SIGTERM: no new requests, open loads roll back. */
  signal: AbortSignal;
  /** `--rebuild-relations`: compute every relation whole, not by change. */
  rebuildRelations?: boolean;
  /** Scrubs secrets from what the run records in its target, as output is scrubbed. */
  redact: (text: string) => string;
}

/** Runs every planned stream; one stream failing does not stop the others. */
export async function runReplication<L extends Load>(plan: Plan, deps: RunDeps<L>): Promise<RunSummary> {
  const startedAt = new Date().toISOString();
  const runId = randomUUID();
  const orphans = await deps.target.startRun(runId, startedAt, plan.replication);
  deps.events.runStarted(runId, plan.streams.length);
  for (const o of orphans) deps.events.notice('run', `dropped the staging a killed run left for ${o.stream} -> ${o.object}: ${o.why}`);
  for (const line of plan.notices) deps.events.notice('run', line);
  try {
    await deps.target.prepareRowSecurity(plan);
  } catch (e) {
    await deps.target.finishRun(runId, 'failed', [], deps.redact((e as Error).message)).catch(() => undefined);
    throw e;
  }
  // A stop cancels what the database is waiting on at once (a lock, a long statement).
  const cancel = () => void deps.target.cancelAll();
  deps.signal.addEventListener('abort', cancel);
  const feeds = await feedsToShare(plan, deps);
  const parentReads = new ParentReads();
  const limit = pLimit(deps.parallelStreams);
  const done = await Promise.all(providersFirst(plan.streams, feeds).map((s) => limit(() => runStream(plan, s, runId, deps, { feeds, parentReads })))).finally(() =>
    deps.signal.removeEventListener('abort', cancel),
  );
  const streams = plan.streams.map((p) => done.find((s) => s.stream === p.name)!);
  if (!deps.signal.aborted) {
    for (const f of await deps.target.keepTeamIds(plan)) deps.events.notice(f.stream, `team_ids could not be made current: ${f.reason}`);
    await keepRelations(plan, deps);
  }
  const interrupted = deps.signal.aborted;
  const summary: RunSummary = {
    runId,
    status: interrupted ? 'interrupted' : streams.some((s) => s.status === 'failed') ? 'failed' : 'ok',
    startedAt,
    finishedAt: new Date().toISOString(),
    streams,
  };
  const failed = streams.filter((s) => s.status === 'failed').map((s) => `${s.stream}: ${s.reason}`);
  const recorded = JSON.parse(deps.redact(JSON.stringify(streams))) as unknown[];
  try {
    await deps.target.finishRun(runId, summary.status, recorded, failed.length ? deps.redact(failed.join('\n')) : null);
  } catch (e) {
    // The database went away: the summary is still the run's to tell.
    deps.events.notice('run', `could not record the run in pdsync.runs: ${(e as Error).message}`);
  }
  return summary;
}

/** The analytics relations, after the streams: what could not be kept is a warning, not a failed run. */
async function keepRelations<L extends Load>(plan: Plan, deps: RunDeps<L>): Promise<void> {
  try {
    const done = await deps.target.keepRelations(plan, deps.rebuildRelations === true);
    if (done) deps.events.relationsDone(done);
  } catch (e) {
    deps.events.relationsDone({ made: [], kept: [], failed: [{ name: 'relations', reason: (e as Error).message }] });
  }
}

/** Feeds two streams of the run can share, with where each starts; none for a consumer's first run. */
async function feedsToShare<L extends Load>(plan: Plan, deps: RunDeps<L>): Promise<SharedFeed[]> {
  const feeds: SharedFeed[] = [];
  for (const feed of sharedFeeds(plan, deps.rowLimit !== undefined)) {
    feed.since = changesFrom(feed.consumer, await deps.target.savedState(feed.consumer), undefined);
    if (feed.since) feeds.push(feed);
  }
  return feeds;
}

/** Reads a stream into its load and publishes it; returns what happened, never throws. */
async function runStream<L extends Load>(plan: Plan, stream: PlannedStream, runId: string, deps: RunDeps<L>, shared: { feeds: SharedFeed[]; parentReads: ParentReads }): Promise<StreamSummary> {
  const { feeds } = shared;
  const provides = feeds.find((f) => f.provider.name === stream.name);
  const started = Date.now();
  const counters = { requests: 0, retries: 0 };
  const object = destinationName(stream);
  const summary: StreamSummary = {
    stream: stream.name, object, mode: stream.mode, status: 'ok', rowsRead: 0, rowsWritten: 0, rowsChanged: 0, rowsRemoved: 0, requests: 0, retries: 0, durationMs: 0, warnings: [],
  };
  if (deps.signal.aborted) return { ...summary, status: 'interrupted', reason: 'not started: the run was stopped' };
  // A stream that fails stops its own requests at once, queued and in flight.
  const own = new AbortController();
  let load: L | undefined;
  const { target, events } = deps;
  try {
    load = await target.openLoad(
      stream,
      { runId, replication: plan.replication.id, until: plan.until, trial: deps.rowLimit !== undefined, relations: plan.relations, onWait: () => events.notice(stream.name, `waiting for another pdsync run writing ${object}`) },
      (e) => own.abort(new TargetError(`${object}: the connection to the target database was lost: ${e.message}`)),
    );
    const opened = load;
    const since = incrementalSince(stream, opened.cursor);
    const windows = streamWindows(stream.spec, since, readUntil(stream, plan)) ?? [];
    const fetchPage = deps.source.fetcher(counters, {
      signal: own.signal,
      onRequest: (e) => events.request(stream.name, e),
      onServerWait: (w) => events.notice(stream.name, `PagerDuty asked to wait ${Math.round(w.askedMs / 1000)} s before the next request${w.waitMs < w.askedMs ? `; waiting ${Math.round(w.waitMs / 1000)} s, the most inputs.max_retry_wait allows` : ''}`),
    });
    await target.step(opened, stream, () => opened.begin(windows));
    if (opened.droppedUnprovable) events.notice(stream.name, `a killed run's staged windows were dropped: ${stream.name} records change without a change feed to prove them current; reading afresh`);
    await target.step(opened, stream, () => recountStaged(opened, stream, fetchPage, events));
    const resumed = opened.resumed;
    const also = provides ? `, read also for the changes of ${provides.consumer.name}` : '';
    events.streamStarted(stream.name, `(${stream.mode} -> ${object}${since ? `, from ${since.toISOString()}${opened.cursor ? ' by the saved cursor' : ''}${stream.range ? ` to ${stream.range.until}` : ''}` : ''}${also}${resumed ? `, resuming ${resumed.parts.size} windows staged at ${resumed.startedAt.toISOString()}` : ''})`);
    const items = streamItems({
      stream, plan, fetchPage, events, pageLimit: stream.pageLimit, maxOffset: deps.maxOffset, since,
      skip: resumed?.parts ?? new Set(), rowLimit: deps.rowLimit, provides, consumes: feeds.find((f) => f.consumer.name === stream.name), parentReads: shared.parentReads,
      ...(stream.parent
        ? parentRange(stream, opened.syncedUntil)
        : { changesSince: changesFrom(stream, { cursor: opened.cursor, syncedUntil: opened.syncedUntil }, resumed?.until) }),
    });
    for await (const item of items) await target.step(opened, stream, () => opened.accept(item));
    const result = await target.step(opened, stream, () => opened.publish(deps.signal));
    Object.assign(summary, { rowsRead: result.rowsRead, rowsWritten: result.rowsWritten, rowsChanged: result.rowsChanged, rowsRemoved: result.rowsRemoved });
    summary.warnings.push(...result.warnings);
  } catch (e) {
    own.abort();
    if (load) await target.discardFailedLoad(load);
    if (deps.signal.aborted) {
      summary.status = 'interrupted';
      summary.reason = 'nothing was published (finished windows stay staged for the next run)';
    } else if (classify(e, stream.spec.gate !== undefined) === 'gated') {
      summary.status = 'skipped';
      const feature = stream.spec.gate?.feature ?? 'a feature this endpoint needs';
      summary.reason = `PagerDuty answered ${(e as ApiError).status} on ${stream.spec.path}: the account lacks ${feature}`;
    } else {
      summary.status = 'failed';
      summary.reason = e instanceof Error ? e.message : String(e);
    }
  } finally {
    // A provider that did not read everything leaves its consumer to read the feed itself.
    provides?.finish(false);
    if (load) target.endLoad(load);
  }
  summary.requests = counters.requests;
  summary.retries = counters.retries;
  summary.durationMs = Date.now() - started;
  deps.events.streamFinished(summary);
  return summary;
}
