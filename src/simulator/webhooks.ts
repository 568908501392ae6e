import type { IncidentEvent } from './incident-mutations.js';
import type { Rec } from './refs.js';
import { type WebhookOptions, webhookSettings } from './webhook-delivery.js';
import { eventId, subscriptionId, webhookId, webhookPayload } from './webhook-events.js';
import { Subscription, type WebhookDelivery } from './webhook-subscription.js';

export type { WebhookOptions } from './webhook-delivery.js';
export type { WebhookDelivery } from './webhook-subscription.js';

/** An event as emitted: its X-Webhook-Id, the payload's `event`, and the signed bytes (what a capture of the delivery holds). */
export interface EmittedEvent {
  webhookId: string;
  event: Record<string, unknown>;
  body: Buffer;
}

/** The simulator's webhooks v3 subscription: one event per incident mutation, POSTed as PagerDuty does. */
export interface Webhooks {
  /** Replaces any subscription; events emitted from now on are delivered to `o.url`. */
  subscribe(o: WebhookOptions): void;
  /** Drops pending deliveries and aborts those in flight; later mutations emit nothing. */
  unsubscribe(): void;
  /** Changes the subscription's options; attempts from now on (retries too) follow them. */
  set(o: Partial<WebhookOptions>): void;
  /** Resolves once every event emitted so far has been delivered with a 2xx or given up. */
  settled(): Promise<void>;
  /** Every attempt so far, in the order they ended. */
  readonly deliveries: readonly WebhookDelivery[];
  /** Events emitted so far (while subscribed), in emission order. */
  readonly emitted: readonly EmittedEvent[];
  /** The current subscription's id (X-Webhook-Subscription); undefined without one. */
  readonly subscriptionId: string | undefined;
}

/** Options without their undefined entries, so that `{ shuffle: undefined }` keeps the current value. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export class WebhookSender implements Webhooks {
  readonly deliveries: WebhookDelivery[] = [];
  readonly emitted: EmittedEvent[] = [];
  private current?: Subscription;
  private readonly stopping = new Set<Promise<void>>();
  private subscriptions = 0;
  private closed = false;

  constructor(
    private readonly seed: number,
    private readonly wallClock: () => number = Date.now,
  ) {}

  get subscriptionId(): string | undefined {
    return this.current?.id;
  }

  subscribe(o: WebhookOptions): void {
    if (this.closed) throw new Error('webhooks: the simulator is closed');
    const settings = webhookSettings(defined(o) as WebhookOptions, this.seed);
    this.unsubscribe();
    const id = subscriptionId(this.seed, this.subscriptions++);
    this.current = new Subscription(id, settings, (d) => this.deliveries.push(d), this.wallClock);
  }

  unsubscribe(): void {
    const sub = this.current;
    if (!sub) return;
    this.current = undefined;
    const stopped: Promise<void> = sub.stop().finally(() => this.stopping.delete(stopped));
    this.stopping.add(stopped);
  }

  set(o: Partial<WebhookOptions>): void {
    if (!this.current) throw new Error('webhooks.set: no subscription');
    this.current.settings = webhookSettings({ ...this.current.settings, ...defined(o) }, this.seed);
  }

  async settled(): Promise<void> {
    await Promise.all(this.stopping);
    await this.current?.idle();
  }

  /** Builds the event's payload once (duplicates and retries send the same bytes) and queues it. */
  emit(e: IncidentEvent): void {
    const sub = this.current;
    if (!sub) return;
    const n = this.emitted.length;
    const id = eventId(this.seed, n);
    const body = Buffer.from(JSON.stringify(webhookPayload(id, e)));
    const hookId = webhookId(this.seed, n);
    this.emitted.push({ webhookId: hookId, event: (JSON.parse(body.toString('utf8')) as { event: Rec }).event, body });
    sub.enqueue({ webhookId: hookId, eventId: id, eventType: e.type, incidentId: String(e.incident.id), body });
  }

  /** Stops every delivery, retry timer and connection; resolves once all of them ended. */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    await Promise.all(this.stopping);
  }
}
