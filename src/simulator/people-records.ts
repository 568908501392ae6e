import type { Account } from './account.js';
import { refTo } from './account-refs.js';
import { COLORS, JOB_TITLES, TAG_LABELS, TIME_ZONES, nth } from './names.js';
import { API_URL, type Rec, WEB_URL, head, toReference } from './refs.js';

export function emailOf(a: Account, u: number): string {
  const local = a.org
    .userName(u)
    .normalize('NFD')
    .replace(/[^A-Za-z ]/g, '')
    .toLowerCase()
    .replace(' ', '.');
  return `${local}.${u + 1}@example.com`;
}

export function phoneOf(u: number): string {
  return `555555${String(u % 10000).padStart(4, '0')}`;
}

/** A user's contact methods, in full: email, phone, SMS and for some a push device. */
function contactMethods(a: Account, u: number, userId: string): Rec[] {
  const r = a.rng('users', u, 4);
  const kinds: [string, string, string][] = [
    ['email_contact_method', 'Default', emailOf(a, u)],
    ['phone_contact_method', 'Mobile', phoneOf(u)],
    ['sms_contact_method', 'Mobile', phoneOf(u)],
  ];
  if (r.chance(0.5)) kinds.push(['push_notification_contact_method', r.pick(['iPhone', 'Pixel', 'Galaxy']), r.hex(64)]);
  return kinds.map(([type, label, address], k) => {
    const id = a.id('contact_methods', u * 4 + k);
    return {
      id, type, summary: label, self: `${API_URL}/users/${userId}/contact_methods/${id}`, html_url: null, label, address,
      ...(type === 'phone_contact_method' || type === 'sms_contact_method' ? { country_code: 1 } : {}),
    };
  });
}

/** High urgency: SMS at once, a call after 5 minutes; low urgency: email. */
function notificationRules(a: Account, u: number, userId: string, methods: Rec[]): Rec[] {
  const plan: [number, number, 'high' | 'low'][] = [[2, 0, 'high'], [1, 5, 'high'], [0, 0, 'low']];
  return plan.map(([method, delay, urgency], k) => {
    const id = a.id('notification_rules', u * 4 + k);
    const cm = methods[method]!;
    return {
      id, type: 'assignment_notification_rule', summary: `${delay} minutes: channel ${String(cm.id)}`,
      self: `${API_URL}/users/${userId}/notification_rules/${id}`, html_url: null,
      start_delay_in_minutes: delay, contact_method: toReference(cm), urgency,
    };
  });
}

export function userRecord(a: Account, u: number): Rec {
  const r = a.rng('users', u, 3);
  const id = a.id('users', u);
  const name = a.org.userName(u);
  const methods = contactMethods(a, u, id);
  const jobTitle = r.pick(JOB_TITLES);
  const teams = a.org.teamsOfUser(u);
  const token = r.hex(40);
  return {
    ...head('users', id, name),
    name,
    email: emailOf(a, u),
    time_zone: r.pick(TIME_ZONES),
    color: r.pick(COLORS),
    role: u === 0 ? 'owner' : r.weighted([['admin', 10], ['user', 60], ['limited_user', 15], ['observer', 5], ['read_only_user', 5], ['restricted_access', 5]]),
    avatar_url: `https://secure.gravatar.com/avatar/${r.hex(32)}.png?d=mm&r=PG`,
    description: `${jobTitle}, ${a.org.teamName(teams[0]!)} team`,
    invitation_sent: r.chance(0.05),
    job_title: jobTitle,
    created_via_sso: r.chance(0.5),
    teams: teams.map((t) => refTo(a, 'teams', t)),
    contact_methods: methods,
    notification_rules: notificationRules(a, u, id, methods),
    http_cal_url: `${WEB_URL}/private/${token}/feed/${id}`,
    web_cal_url: `${WEB_URL.replace('https://', 'webcal://')}/private/${token}/feed/${id}`,
  };
}

export function teamRecord(a: Account, t: number): Rec {
  const name = a.org.teamName(t);
  return {
    ...head('teams', a.id('teams', t), name),
    name,
    description: `The ${name} team`,
    default_role: a.rng('teams', t).chance(0.8) ? 'manager' : 'none',
  };
}

export function tagRecord(a: Account, k: number): Rec {
  const label = nth(TAG_LABELS, k);
  return { ...head('tags', a.id('tags', k), label), label };
}
