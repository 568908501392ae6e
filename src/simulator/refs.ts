/** URLs and `*_reference` stubs, shaped like PagerDuty's. */

export type Rec = Record<string, unknown>;

export const API_URL = 'https://api.pagerduty.com';
export const WEB_URL = 'https://acme.pagerduty.com';

/** The object type of a stream's records: its name in the singular (escalation_policies -> escalation_policy). */
export function objectType(stream: string): string {
  return stream.replace(/ies$/, 'y').replace(/s$/, '');
}

/** Web app paths; streams without a page of their own have html_url null. */
const WEB_PATHS: Record<string, string> = {
  users: 'users', teams: 'teams', services: 'service-directory', escalation_policies: 'escalation_policies',
  schedules: 'schedules', incidents: 'incidents',
};

function selfUrl(stream: string, id: string): string {
  return `${API_URL}/${stream}/${id}`;
}

function htmlUrl(stream: string, id: string): string | null {
  const path = WEB_PATHS[stream];
  return path ? `${WEB_URL}/${path}/${id}` : null;
}

/** The common head of every record: id, type, summary, self, html_url. */
export function head(stream: string, id: string, summary: string): Rec {
  return { id, type: objectType(stream), summary, self: selfUrl(stream, id), html_url: htmlUrl(stream, id) };
}

export function reference(stream: string, id: string, summary: string): Rec {
  const html = htmlUrl(stream, id);
  return { id, type: `${objectType(stream)}_reference`, summary, self: selfUrl(stream, id), ...(html ? { html_url: html } : {}) };
}

/** The stub PagerDuty lists instead of a full sub-object (contact method, integration, ...). */
export function toReference(obj: Rec): Rec {
  const type = String(obj.type);
  if (type.endsWith('_reference')) return obj;
  const stub: Rec = { id: obj.id, type: `${type}_reference`, summary: obj.summary, self: obj.self };
  if (obj.html_url !== undefined) stub.html_url = obj.html_url;
  return stub;
}
