import type { Account } from './account.js';
import { refTo } from './account-refs.js';
import { MAX_INDEX } from './ids.js';
import { incidentFacts } from './incident-lifecycle.js';
import { logEntryRecord } from './log-entry-records.js';
import { API_URL, type Rec, WEB_URL, toReference } from './refs.js';
import { SECOND, formatTimestamp } from './time.js';

/** What PagerDuty shows as a note's channel when a person wrote it, in the web app or through the API. */
const WEBSITE_OR_API = { summary: 'The PagerDuty website or APIs' };

const CONTENTS = [
  'Looking into it', 'Rolled back the last deploy', 'Paged the database team', 'Customer impact confirmed by support',
  'Mitigated; watching for recurrence', 'Root cause: expired certificate', 'Follow-up ticket opened',
];
/** Notes a generated incident has in all (0 to 2), counting those its log entries already made. */
const NOTE_COUNTS = [[0, 55], [1, 30], [2, 15]] as const;

/** A note written as an annotate log entry: its id is the entry's index in the notes' id space. */
function loggedNote(a: Account, e: Rec): Rec {
  const j = a.ids.decode('log_entries', String(e.id));
  // An entry added with an id of another shape lends the note its own id.
  const id = j === undefined ? String(e.id) : a.id('incident_notes', j);
  return { id, user: e.agent, channel: WEBSITE_OR_API, content: String(e.note ?? ''), created_at: e.created_at, updated_at: e.created_at };
}

/**
 * Generated incident i's notes beyond its annotate entries, up to its drawn count: timed inside
 * its logged life (by its last log entry), so a change feed of log entries still sees the
 * incident change then. Their ids count down from the top of the id space, clear of entries'.
 */
function unloggedNotes(a: Account, i: number): Rec[] {
  const slots = a.logEntrySlots;
  let logged = 0;
  for (let j = slots.first(i); j < slots.first(i) + slots.count(i); j++) if (logEntryRecord(a, j).type === 'annotate_log_entry') logged++;
  const r = a.rng('incident_notes', i, 1);
  const count = r.weighted(NOTE_COUNTS) - logged;
  if (count <= 0) return [];
  const f = incidentFacts(a, i);
  const lastS = Math.max(0, f.durationMs / SECOND - 1);
  return Array.from({ length: count }, (_, k) => {
    const at = formatTimestamp(f.createdMs + Math.floor(((k + 1) * lastS) / (count + 1)) * SECOND);
    const user = refTo(a, 'users', a.org.userPagedAt(f.policy, r.int(2), f.createdMs));
    return { id: a.id('incident_notes', MAX_INDEX - 1 - (2 * i + k)), user, channel: WEBSITE_OR_API, content: r.pick(CONTENTS), created_at: at, updated_at: at };
  });
}

/**
 * An incident's notes, oldest first: one per annotate log entry (PagerDuty logs one for each
 * note added, addNote too), and for a generated incident notes of its own up to 0 to 2 in all.
 */
export function notesOf(a: Account, incident: Rec, entries: readonly Rec[]): Rec[] {
  const logged = entries.filter((e) => e.type === 'annotate_log_entry').map((e) => loggedNote(a, e));
  const i = a.ids.decode('incidents', String(incident.id));
  const own = i !== undefined && i < a.volumes.incidents ? unloggedNotes(a, i) : [];
  return [...logged, ...own].sort((x, y) => Date.parse(String(x.created_at)) - Date.parse(String(y.created_at)));
}

/** The annotate log entry adding a note leaves, shaped like the generated ones. */
export function annotateLogEntry(incident: Rec, id: string, atMs: number, user: Rec, content: string): Rec {
  const incidentId = String(incident.id);
  return {
    id,
    type: 'annotate_log_entry',
    summary: `${String(user.summary)} added a note.`,
    self: `${API_URL}/log_entries/${id}?incident_id=${incidentId}`,
    html_url: `${WEB_URL}/incidents/${incidentId}/log_entries/${id}`,
    created_at: formatTimestamp(atMs),
    agent: user,
    channel: { type: 'note' },
    service: incident.service,
    incident: toReference(incident),
    teams: incident.teams,
    contexts: [],
    note: content,
  };
}
