/**
 * A bounded queue between concurrent page fetchers and the one consumer (the COPY). Producers
 * wait while it is full, so fetching never runs far ahead of loading; when the consumer stops,
 * waiting producers fail instead of hanging.
 */
export class PageChannel<T> {
  private readonly items: T[] = [];
  private closed = false;
  private failure: unknown;
  private cancelled = false;
  private wakeConsumer: (() => void) | undefined;
  private readonly wakeProducers: (() => void)[] = [];

  constructor(private readonly capacity: number) {}

  /** The consumer stopped (done, or failed): producers should fetch nothing more. */
  get stopped(): boolean {
    return this.cancelled;
  }

  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.cancelled) {
      await new Promise<void>((resolve) => this.wakeProducers.push(resolve));
    }
    if (this.cancelled) throw new Error('page consumer stopped');
    this.items.push(item);
    this.wakeConsumer?.();
  }

  /** No more items; with an error, the consumer receives it after the items already queued. */
  close(error?: unknown): void {
    this.closed = true;
    this.failure = error;
    this.wakeConsumer?.();
  }

  async *drain(): AsyncGenerator<T> {
    try {
      for (;;) {
        const item = this.items.shift();
        if (item !== undefined) {
          this.wakeProducers.shift()?.();
          yield item;
          continue;
        }
        if (this.closed) {
          if (this.failure !== undefined) throw this.failure;
          return;
        }
        await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
        this.wakeConsumer = undefined;
      }
    } finally {
      this.cancelled = true;
      for (const wake of this.wakeProducers.splice(0)) wake();
    }
  }
}
