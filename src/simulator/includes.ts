import { streamOfReference } from './generators.js';
import { type Rec, toReference } from './refs.js';

/** A stored record by stream and id, as the source holds it now (deleted ones are undefined). */
export type Lookup = (stream: string, id: string) => Rec | undefined;
type Expand = (ref: unknown) => unknown;
type Presenter = (r: Rec, include: ReadonlySet<string>, expand: Expand) => Rec;

const NONE: ReadonlySet<string> = new Set();

/** Replaces a field that is present; records added by tests may lack some. */
function edit(r: Rec, key: string, fn: (v: unknown) => unknown): Rec {
  return key in r ? { ...r, [key]: fn(r[key]) } : r;
}

function each(fn: (v: unknown) => unknown): (v: unknown) => unknown {
  return (v) => (Array.isArray(v) ? v.map(fn) : v);
}

const toRef = each((v) => (v && typeof v === 'object' ? toReference(v as Rec) : v));

/** Expands when included; otherwise leaves the field as stored. */
function expandIf(r: Rec, include: ReadonlySet<string>, name: string, key: string, fn: (v: unknown) => unknown): Rec {
  return include.has(name) ? edit(r, key, fn) : r;
}

/** Sub-objects stored in full (contact methods, integrations) shrink to references unless included. */
function fullIf(r: Rec, include: ReadonlySet<string>, name: string): Rec {
  return include.has(name) ? r : edit(r, name, toRef);
}

function without(r: Rec, key: string): Rec {
  return Object.fromEntries(Object.entries(r).filter(([k]) => k !== key));
}

/** Rendered schedule entries exist only for a since/until range, which lists do not render. */
const RENDERED = (name: string) => ({ name, rendered_schedule_entries: [], rendered_coverage_percentage: null });

/** How each stream answers include[]: which references expand, which sub-objects appear in full. */
const PRESENTERS: Record<string, Presenter> = {
  users: (r, inc, x) => expandIf(fullIf(fullIf(r, inc, 'contact_methods'), inc, 'notification_rules'), inc, 'teams', 'teams', each(x)),
  services: (r, inc, x) =>
    fullIf(expandIf(expandIf(r, inc, 'escalation_policies', 'escalation_policy', x), inc, 'teams', 'teams', each(x)), inc, 'integrations'),
  escalation_policies: (r, inc, x) => {
    let out = expandIf(expandIf(r, inc, 'services', 'services', each(x)), inc, 'teams', 'teams', each(x));
    out = expandIf(out, inc, 'targets', 'escalation_rules', each((rule) => edit(rule as Rec, 'targets', each(x))));
    return out;
  },
  schedules: (r, inc) => ({
    ...(inc.has('schedule_layers') ? r : without(r, 'schedule_layers')),
    ...(inc.has('final_schedule') ? { final_schedule: RENDERED('Final Schedule') } : {}),
    ...(inc.has('overrides_subschedule') ? { overrides_subschedule: RENDERED('Overrides') } : {}),
  }),
  incidents: (r, inc, x) => {
    let out = expandIf(r, inc, 'assignees', 'assignments', each((a) => edit(a as Rec, 'assignee', x)));
    out = expandIf(out, inc, 'acknowledgers', 'acknowledgements', each((a) => edit(a as Rec, 'acknowledger', x)));
    out = expandIf(out, inc, 'escalation_policies', 'escalation_policy', x);
    out = expandIf(out, inc, 'priorities', 'priority', x);
    out = expandIf(out, inc, 'services', 'service', x);
    out = expandIf(out, inc, 'teams', 'teams', each(x));
    return expandIf(out, inc, 'first_trigger_log_entries', 'first_trigger_log_entry', x);
  },
  log_entries: (r, inc, x) =>
    expandIf(expandIf(expandIf(r, inc, 'incidents', 'incident', x), inc, 'services', 'service', x), inc, 'teams', 'teams', each(x)),
  notifications: (r, inc, x) => expandIf(r, inc, 'users', 'user', x),
  oncalls: (r, inc, x) =>
    expandIf(expandIf(expandIf(r, inc, 'users', 'user', x), inc, 'escalation_policies', 'escalation_policy', x), inc, 'schedules', 'schedule', x),
};

/**
 * A stored record as the list endpoint shows it for the given include[]: references stay stubs
 * unless included, and then become the referenced record (itself shown without includes).
 */
export function present(stream: string, r: Rec, include: ReadonlySet<string>, lookup: Lookup): Rec {
  const presenter = PRESENTERS[stream];
  if (!presenter) return r;
  const expand: Expand = (ref) => {
    if (!ref || typeof ref !== 'object') return ref;
    const target = streamOfReference(ref as Rec);
    const id = (ref as Rec).id;
    const full = target && typeof id === 'string' ? lookup(target, id) : undefined;
    return full ? present(target!, full, NONE, lookup) : ref;
  };
  return presenter(r, include, expand);
}
