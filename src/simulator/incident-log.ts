import type { Account } from './account.js';
import type { Lookup } from './includes.js';
import type { Rec } from './refs.js';

/** An incident's log entries as the source holds them now, oldest first. */
export type EntriesOf = (incident: Rec) => Rec[];

const idOf = (ref: unknown) => (ref && typeof ref === 'object' ? (ref as Rec).id : undefined);

/**
 * Reads incidents' log entries: the generated ones of their slot (as changed or deleted by tests)
 * and the ones added since (status changes, notes). Entries added later are indexed by incident
 * once per reader, so a reader serves a page of incidents cheaply; take a new one per request.
 */
export function entriesReader(a: Account, lookup: Lookup, added: Iterable<Rec>): EntriesOf {
  const addedBy = new Map<string, Rec[]>();
  for (const e of added) {
    const incident = idOf(e.incident);
    if (typeof incident !== 'string') continue;
    const list = addedBy.get(incident);
    if (list) list.push(e);
    else addedBy.set(incident, [e]);
  }
  return (incident) => {
    const id = String(incident.id);
    const byId = new Map<string, Rec>();
    const i = a.ids.decode('incidents', id);
    if (i !== undefined && i < a.volumes.incidents) {
      const slots = a.logEntrySlots;
      for (let j = slots.first(i); j < slots.first(i) + slots.count(i); j++) {
        const e = lookup('log_entries', a.id('log_entries', j));
        if (e && idOf(e.incident) === id) byId.set(String(e.id), e);
      }
    }
    for (const e of addedBy.get(id) ?? []) byId.set(String(e.id), e);
    return [...byId.values()].sort((x, y) => Date.parse(String(x.created_at)) - Date.parse(String(y.created_at)));
  };
}
