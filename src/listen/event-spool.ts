import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { QueuedEvent } from './webhook-event.js';

/** The queue is full: the database or the API has been away too long. PagerDuty retries a 503. */
export class SpoolFullError extends Error {}

/**
 * Accepted webhooks on disk until they are applied: one small file per delivery, written and
 * synced before the delivery is answered, so that an outage of the database or the API, or a
 * restart, loses nothing. Bounded: past `limit` events a delivery is refused (and retried by
 * PagerDuty) rather than filling the disk.
 */
export class EventSpool {
  /** By event key: a second delivery of an event (a retry, or a replay under another X-Webhook-Id) is one entry. */
  private readonly events = new Map<string, { file: string; event: QueuedEvent }>();
  /** Deliveries being written: a second delivery of one meanwhile waits for that write, not answered before it is on disk. */
  private readonly writing = new Map<string, Promise<void>>();

  private constructor(readonly dir: string, readonly limit: number) {}

  /** Opens the folder (made when missing, private to this user) and reads what an earlier listener left. */
  static async open(dir: string, limit: number): Promise<{ spool: EventSpool; unreadable: string[] }> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const spool = new EventSpool(dir, limit);
    const unreadable: string[] = [];
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      if (!name.endsWith('.json')) {
        // A write cut short by a crash was never answered: PagerDuty sends it again.
        if (name.endsWith('.tmp')) await rm(path, { force: true });
        continue;
      }
      const parsed = QueuedEvent.safeParse(parseJson(await readFile(path, 'utf8').catch(() => '')));
      if (parsed.success) spool.events.set(parsed.data.eventKey, { file: path, event: parsed.data });
      else {
        // Kept for a person to look at, out of the queue's way and its count.
        await rename(path, `${path}.bad`);
        unreadable.push(`${path}.bad`);
      }
    }
    return { spool, unreadable };
  }

  get size(): number {
    return this.events.size;
  }

  has(eventKey: string): boolean {
    return this.events.has(eventKey);
  }

  /** Events waiting, oldest occurrence first. */
  pending(): QueuedEvent[] {
    return [...this.events.values()].map((e) => e.event).sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.receivedAt.localeCompare(b.receivedAt));
  }

  /** Keeps an event on disk (file and folder synced) before it is acknowledged. */
  async put(event: QueuedEvent): Promise<void> {
    if (this.events.has(event.eventKey)) return;
    const underway = this.writing.get(event.eventKey);
    if (underway) return underway;
    if (this.events.size + this.writing.size >= this.limit) {
      throw new SpoolFullError(`${this.events.size} events are waiting in ${this.dir} (the limit, --queue-limit)`);
    }
    const write = this.write(event).finally(() => this.writing.delete(event.eventKey));
    this.writing.set(event.eventKey, write);
    return write;
  }

  private async write(event: QueuedEvent): Promise<void> {
    const name = `${Date.parse(event.receivedAt)}-${createHash('sha256').update(event.eventKey).digest('hex').slice(0, 20)}.json`;
    const path = join(this.dir, name);
    try {
      await writeSynced(`${path}.tmp`, JSON.stringify(event));
      await rename(`${path}.tmp`, path);
    } catch (e) {
      // A full disk or a refused rename: the delivery is refused (and retried), and leaves nothing behind.
      await rm(`${path}.tmp`, { force: true }).catch(() => undefined);
      throw e;
    }
    await syncFolder(this.dir);
    this.events.set(event.eventKey, { file: path, event });
  }

  /** Forgets events once applied (or known duplicates). */
  async remove(eventKeys: Iterable<string>): Promise<void> {
    for (const id of eventKeys) {
      const e = this.events.get(id);
      if (!e) continue;
      this.events.delete(id);
      await rm(e.file, { force: true });
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function writeSynced(path: string, text: string): Promise<void> {
  const handle = await open(path, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A rename is durable once its folder is synced. */
async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
