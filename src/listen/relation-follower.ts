import type { RelationPlan } from '../plan/plan.js';
import type { PostgresTarget } from '../sinks/postgres/postgres-target.js';
import { refreshRelations } from '../sinks/postgres/relations/refresh-relations.js';
import type { ListenLog } from './listen-log.js';

/** The relations made from incidents and their log entries: what webhooks change. */
const FOLLOWING = ['incident_metrics', 'incident_status_history'];

/**
 * Keeps incident_metrics and incident_status_history following the incidents table: refreshed on
 * a connection of their own after each change, never holding up the events behind them; changes
 * made during a refresh bring one more.
 */
export class RelationFollower {
  private dirty = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly target: PostgresTarget,
    private readonly plan: RelationPlan,
    private readonly log: ListenLog,
  ) {}

  changed(): void {
    this.dirty = true;
    this.running ??= this.refreshWhileDirty().finally(() => (this.running = undefined));
  }

  /** Waits for the refresh under way; no new one starts. */
  async stop(): Promise<void> {
    this.dirty = false;
    await this.running;
  }

  private async refreshWhileDirty(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      try {
        const done = await this.target.withClient('relations', (c) => refreshRelations(c, this.plan, FOLLOWING));
        this.log.write({ event: 'relations', refreshed: done.made, failed: done.failed.map((f) => `${f.name}: ${f.reason}`) });
      } catch (e) {
        this.log.write({ event: 'relations', refreshed: [], failed: [(e as Error).message] });
      }
    }
  }
}
