import type { Account } from './account.js';
import { refTo } from './account-refs.js';
import { incidentFacts, notificationMs } from './incident-lifecycle.js';
import { emailOf, phoneOf } from './people-records.js';
import type { Rec } from './refs.js';
import { formatTimestamp } from './time.js';

/** Notifications go to an incident's level-1 and level-2 on-calls in turn, just after it triggers. */
export function notificationRecord(a: Account, j: number): Rec {
  const slots = a.notificationSlots;
  const i = slots.parentOf(j);
  const k = j - slots.first(i);
  const f = incidentFacts(a, i);
  const r = a.rng('notifications', j);
  const user = a.org.userPagedAt(f.policy, k % 2, f.createdMs);
  const type = r.weighted([['sms_notification', 3], ['email_notification', 3], ['phone_notification', 2], ['push_notification', 2]] as const);
  const bridge = type === 'phone_notification' && f.priority !== null && f.priority < 2;
  return {
    id: a.id('notifications', j),
    type,
    started_at: formatTimestamp(notificationMs(f, k, slots.count(i))),
    address: type === 'email_notification' ? emailOf(a, user) : type === 'push_notification' ? null : phoneOf(user),
    user: refTo(a, 'users', user),
    conferenceAddress: bridge ? '+1-415-555-0199,,,,1234#' : null,
    status: r.chance(0.97) ? 'success' : 'failed',
  };
}
