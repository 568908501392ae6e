import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import { type Rng, rngFor } from './random.js';
import { type WebhookSettings, attemptDelivery, retryable, signatureHeader } from './webhook-delivery.js';

/** One event waiting for delivery; a duplicate is the same object queued twice. */
export interface Outgoing {
  webhookId: string;
  eventId: string;
  eventType: string;
  incidentId: string;
  /** The exact bytes POSTed and signed, the same for every attempt and duplicate. */
  body: Buffer;
}

/** One attempt at delivering an event. */
export interface WebhookDelivery {
  webhookId: string;
  eventId: string;
  eventType: string;
  incidentId: string;
  /** From 1; a duplicate counts its own attempts. */
  attempt: number;
  /** The HTTP status, or 0 for a network error or timeout. */
  status: number;
  /** When the attempt ended, in ms of the simulator's wall clock. */
  at: number;
}

function shuffled<T>(xs: readonly T[], rng: Rng): T[] {
  const out = [...xs];
  for (let k = out.length - 1; k > 0; k--) {
    const j = rng.int(k + 1);
    [out[k], out[j]] = [out[j]!, out[k]!];
  }
  return out;
}

/**
 * One subscription's deliveries. Events emitted in one tick are released together on the next
 * (shuffled and duplicated as asked), then POSTed `concurrency` at a time. A delivery keeps its
 * slot through its retry delays, so with one slot later events wait behind it, in order.
 */
export class Subscription {
  private readonly stopper = new AbortController();
  private readonly agent: Agent;
  private batch: Outgoing[] = [];
  private queue: Outgoing[] = [];
  private release?: NodeJS.Immediate;
  private readonly workers = new Set<Promise<void>>();
  private waiters: (() => void)[] = [];
  private batches = 0;
  private stopped?: Promise<void>;

  constructor(
    readonly id: string,
    public settings: WebhookSettings,
    private readonly record: (d: WebhookDelivery) => void,
    private readonly wallClock: () => number,
  ) {
    this.agent = new Agent(settings.localAddress ? { localAddress: settings.localAddress } : {});
  }

  enqueue(item: Outgoing): void {
    if (this.stopper.signal.aborted) return;
    this.batch.push(item);
    this.release ??= setImmediate(() => this.releaseBatch());
  }

  /** Resolves when nothing waits, is queued or is in flight. */
  idle(): Promise<void> {
    return this.isIdle() ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops what waits and aborts what is in flight or between retries; resolves once all of it ended. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopper.abort();
      clearImmediate(this.release);
      this.release = undefined;
      this.batch = [];
      this.queue = [];
      await Promise.all(this.workers);
      await this.agent.destroy();
      this.notify();
    })();
    return this.stopped;
  }

  private isIdle(): boolean {
    return this.batch.length === 0 && this.queue.length === 0 && this.workers.size === 0;
  }

  private notify(): void {
    if (!this.isIdle()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private releaseBatch(): void {
    this.release = undefined;
    const rng = rngFor(this.settings.seed, 0x3eb, this.batches++);
    const order = this.settings.shuffle ? shuffled(this.batch, rng) : this.batch;
    this.batch = [];
    const out = [...order];
    for (const item of order) {
      if (!rng.chance(this.settings.duplicateRate)) continue;
      // Anywhere after the original: right behind it, later in the batch, or last.
      const after = out.indexOf(item) + 1;
      out.splice(after + rng.int(out.length - after + 1), 0, item);
    }
    this.queue.push(...out);
    this.pump();
  }

  private pump(): void {
    while (!this.stopper.signal.aborted && this.workers.size < this.settings.concurrency && this.queue.length > 0) {
      const work: Promise<void> = this.deliver(this.queue.shift()!).finally(() => {
        this.workers.delete(work);
        this.pump();
        this.notify();
      });
      this.workers.add(work);
    }
  }

  /** Attempts until a 2xx, a status not worth retrying, or maxAttempts; settings are read afresh for each attempt. */
  private async deliver(item: Outgoing): Promise<void> {
    const stop = this.stopper.signal;
    for (let attempt = 1; ; attempt++) {
      const s = this.settings;
      const headers = {
        'Content-Type': 'application/json',
        'User-Agent': 'PagerDuty-Webhook/V3.0',
        'X-Webhook-Id': item.webhookId,
        'X-Webhook-Subscription': this.id,
        'X-PagerDuty-Signature': signatureHeader(item.body, s.secrets, s.wrongSignature),
      };
      const status = await attemptDelivery({ url: s.url, body: item.body, headers, timeoutMs: s.timeoutMs, dispatcher: this.agent, stop });
      if (stop.aborted) return;
      const { webhookId, eventId, eventType, incidentId } = item;
      this.record({ webhookId, eventId, eventType, incidentId, attempt, status, at: this.wallClock() });
      if (!retryable(status) || attempt >= s.maxAttempts) return;
      const resumed = await sleep(s.retryDelayMs * 2 ** (attempt - 1), true, { signal: stop }).catch(() => false);
      if (!resumed) return;
    }
  }
}
