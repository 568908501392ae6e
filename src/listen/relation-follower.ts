import type { RelationPlan } from '../plan/plan.js';
import type { PostgresTarget } from '../sinks/postgres/postgres-target.js';
import { keepRelations } from '../sinks/postgres/relations/keep-relations.js';
import type { ListenLog } from './listen-log.js';

/**
 * Keeps the relations following what webhooks change: kept by change (the scopes the applied
 * incidents and log entries touched) on a connection of their own after each change, never
 * holding up the events behind them; changes applied meanwhile bring one more.
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
        const done = await this.target.withClient('relations', (c) => keepRelations(c, this.plan));
        const redone = done.kept.filter((k) => k.rows > 0).map((k) => k.name);
        this.log.write({ event: 'relations', refreshed: [...done.made, ...redone], failed: done.failed.map((f) => `${f.name}: ${f.reason}`) });
      } catch (e) {
        this.log.write({ event: 'relations', refreshed: [], failed: [(e as Error).message] });
      }
    }
  }
}
