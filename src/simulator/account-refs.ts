import type { Account } from './account.js';
import { incidentTitle } from './incident-lifecycle.js';
import { type Rec, reference } from './refs.js';

export type ReferencedStream =
  | 'users' | 'teams' | 'services' | 'escalation_policies' | 'schedules' | 'priorities' | 'vendors' | 'incidents';

/** The summary PagerDuty shows for a record: its name, or `[#n] title` for an incident. */
function summaryOf(a: Account, stream: ReferencedStream, index: number): string {
  const org = a.org;
  switch (stream) {
    case 'users': return org.userName(index);
    case 'teams': return org.teamName(index);
    case 'services': return org.serviceName(index);
    case 'escalation_policies': return org.policyName(index);
    case 'schedules': return org.scheduleName(index);
    case 'priorities': return org.priorityName(index);
    case 'vendors': return org.vendorName(index);
    case 'incidents': return `[#${index + 1}] ${incidentTitle(a, index)}`;
  }
}

/** A `*_reference` stub to the index-th record of a stream. */
export function refTo(a: Account, stream: ReferencedStream, index: number): Rec {
  return reference(stream, a.id(stream, index), summaryOf(a, stream, index));
}
