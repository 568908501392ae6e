import type { Plan, PlannedStream } from '../plan/plan.js';
import type { ApiRecord } from '../record.js';
import { takeExpanded } from '../source/expanded-records.js';

/**
 * Records one stream of a run finds for another: the incidents that log entries name, expanded.
 * When a run syncs both incrementally, the log entries since the last sync are read once, by the
 * log_entries stream, with include[]=incidents; the incidents it names are kept here, and the
 * incidents stream takes them instead of reading the same log entries again as its change feed.
 */
export class SharedFeed {
  /** The consumer's change feed starts here: the provider reads at least from here. */
  since: Date | undefined;
  private readonly found = new Map<string, ApiRecord>();
  private settle!: (complete: boolean) => void;
  /** True once the provider has read all of it; false if it failed (the consumer then reads the feed itself). */
  readonly done = new Promise<boolean>((resolve) => (this.settle = resolve));

  constructor(
    readonly provider: PlannedStream,
    readonly consumer: PlannedStream,
  ) {}

  /** The include[] the provider adds, the field of its records that holds the consumer's record, and that record's type. */
  get tap(): { include: string[]; field: string; recordType: string } {
    const c = this.consumer.changes!;
    return { include: c.spec.include, field: c.record, recordType: c.recordType };
  }

  /**
   * Keeps the expanded records a page of the provider names, and returns the page as the provider
   * would have read it without the include: each expanded record back to its reference.
   */
  take(records: ApiRecord[]): ApiRecord[] {
    const { field, recordType } = this.tap;
    return takeExpanded(records, field, recordType, this.found);
  }

  finish(complete: boolean): void {
    this.settle(complete);
  }

  records(): ApiRecord[] {
    return [...this.found.values()];
  }
}

/** The feeds a run can share: a stream's change feed is another stream of the run, both incremental. */
export function sharedFeeds(plan: Plan, trial: boolean): SharedFeed[] {
  if (trial) return [];
  return plan.streams.flatMap((consumer) => {
    if (consumer.mode !== 'incremental' || !consumer.changes) return [];
    const provider = plan.streams.find((p) => p.name === consumer.changes!.spec.name && p.mode === 'incremental');
    return provider ? [new SharedFeed(provider, consumer)] : [];
  });
}

/** The plan's streams with each feed's provider before its consumer, so the provider starts first. */
export function providersFirst(streams: PlannedStream[], feeds: SharedFeed[]): PlannedStream[] {
  const providers = new Set(feeds.map((f) => f.provider.name));
  return [...streams.filter((s) => providers.has(s.name)), ...streams.filter((s) => !providers.has(s.name))];
}
