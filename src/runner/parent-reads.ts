/**
 * The parent keys child streams of one run are read for, read once per parent and range: sibling
 * fan-out streams (incident_notes, incident_alerts) wait for the first one's read of the
 * incidents instead of reading them again.
 */
export class ParentReads {
  private readonly reads = new Map<string, Promise<string[]>>();

  /** The keys read for `parent` over this range: read now by `read`, or the read already under way. */
  once(parent: string, since: Date | undefined, changesSince: Date | undefined, read: () => Promise<string[]>): Promise<string[]> {
    const key = `${parent}\0${since?.toISOString() ?? ''}\0${changesSince?.toISOString() ?? ''}`;
    let keys = this.reads.get(key);
    if (!keys) {
      keys = read();
      this.reads.set(key, keys);
      // A failed read is not shared: a sibling tries for itself.
      keys.catch(() => this.reads.delete(key));
    }
    return keys;
  }
}
