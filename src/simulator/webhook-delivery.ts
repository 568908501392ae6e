import { createHmac } from 'node:crypto';
import { type Dispatcher, request } from 'undici';

/** Where and how a subscription delivers; the defaults behave as PagerDuty does. */
export interface WebhookOptions {
  /** Where to POST. */
  url: string;
  /** Each signs the body: X-PagerDuty-Signature carries one `v1=` per secret (several during a rotation). */
  secrets: string[];
  /** Seeded share of events delivered a second time, with the same X-Webhook-Id and body (default 0). */
  duplicateRate?: number;
  /** Events emitted in the same tick are delivered in a seeded shuffled order (default false). */
  shuffle?: boolean;
  /** Sign with a wrong key (default false). */
  wrongSignature?: boolean;
  /** Deliveries in flight (default 1: PagerDuty sends one at a time). */
  concurrency?: number;
  /** Delay before the first retry, doubling after each (default 200). */
  retryDelayMs?: number;
  /** Attempts per delivery before it is given up (default 8). */
  maxAttempts?: number;
  /** Per attempt, like PagerDuty's 5 s (default 5000). */
  timeoutMs?: number;
  /** For duplicates and shuffles (default: the simulator's seed). */
  seed?: number;
  /** The address deliveries come from, fixed when subscribing (default '': the system's choice); 127.0.0.2 sets PagerDuty apart from other local clients. */
  localAddress?: string;
}

export type WebhookSettings = Required<WebhookOptions>;

function check(ok: boolean, what: string): void {
  if (!ok) throw new RangeError(`webhooks: ${what}`);
}

/** The options with their defaults, once each is valid. */
export function webhookSettings(o: WebhookOptions, seed: number): WebhookSettings {
  const s: WebhookSettings = {
    duplicateRate: 0, shuffle: false, wrongSignature: false, concurrency: 1, retryDelayMs: 200, maxAttempts: 8, timeoutMs: 5000, seed, localAddress: '', ...o,
  };
  check(/^https?:$/.test(URL.canParse(s.url) ? new URL(s.url).protocol : ''), `url "${s.url}" is not an http(s) URL`);
  check(Array.isArray(s.secrets) && s.secrets.length > 0 && s.secrets.every((x) => typeof x === 'string' && x !== ''), 'secrets must be non-empty strings, at least one');
  check(s.duplicateRate >= 0 && s.duplicateRate <= 1, `duplicateRate ${s.duplicateRate} is not in [0, 1]`);
  check(Number.isInteger(s.concurrency) && s.concurrency >= 1, `concurrency ${s.concurrency} is not a positive integer`);
  check(Number.isInteger(s.maxAttempts) && s.maxAttempts >= 1, `maxAttempts ${s.maxAttempts} is not a positive integer`);
  check(s.retryDelayMs >= 0, `retryDelayMs ${s.retryDelayMs} is negative`);
  check(s.timeoutMs > 0, `timeoutMs ${s.timeoutMs} is not positive`);
  return s;
}

/** `v1=<hex HMAC-SHA256 of the body>` per secret, comma-separated; a wrong signature keys each with something else. */
export function signatureHeader(body: Buffer, secrets: readonly string[], wrong: boolean): string {
  return secrets.map((secret) => `v1=${createHmac('sha256', wrong ? `not-${secret}` : secret).update(body).digest('hex')}`).join(',');
}

export interface Attempt {
  url: string;
  body: Buffer;
  headers: Record<string, string>;
  timeoutMs: number;
  dispatcher: Dispatcher;
  /** Aborts the attempt at once (unsubscribe, close). */
  stop: AbortSignal;
}

/** What PagerDuty retries: no answer in time or a network error (0), 429 and 5xx. Other non-2xx are dropped. */
export function retryable(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}

/** One POST: the answer's status, or 0 for a network error, a timeout or a stop. */
export async function attemptDelivery(a: Attempt): Promise<number> {
  const abort = new AbortController();
  const onStop = () => abort.abort();
  const timer = setTimeout(onStop, a.timeoutMs);
  a.stop.addEventListener('abort', onStop, { once: true });
  try {
    if (a.stop.aborted) return 0;
    const res = await request(a.url, { method: 'POST', headers: a.headers, body: a.body, signal: abort.signal, dispatcher: a.dispatcher });
    // The whole answer must come in time: PagerDuty waits 5 s for a 2xx, not for its headers only.
    await res.body.dump({ limit: 1 << 20, signal: abort.signal });
    return abort.signal.aborted ? 0 : res.statusCode;
  } catch {
    return 0;
  } finally {
    clearTimeout(timer);
    a.stop.removeEventListener('abort', onStop);
  }
}
