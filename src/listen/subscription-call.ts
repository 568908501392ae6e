import { WEBHOOK_PATH } from './webhook-server.js';

/** The incident events whose changes the listener applies (PagerDuty's webhooks v3 names). */
export const INCIDENT_EVENTS = [
  'incident.acknowledged', 'incident.annotated', 'incident.delegated', 'incident.escalated', 'incident.priority_updated',
  'incident.reassigned', 'incident.reopened', 'incident.resolved', 'incident.responder.added', 'incident.responder.replied',
  'incident.status_update_published', 'incident.triggered', 'incident.unacknowledged',
];

/**
 * The API call that makes the webhook subscription, for the user to run once (pdsync never
 * makes it: it needs a write key, and pdsync's keys read). The secret comes in its answer.
 */
export function subscriptionCall(apiBaseUrl: string, publicUrl: string | undefined): string {
  const url = publicUrl ? `${publicUrl.replace(/\/+$/, '')}${publicUrl.includes(WEBHOOK_PATH) ? '' : WEBHOOK_PATH}` : `https://YOUR-HOST${WEBHOOK_PATH}`;
  const body = {
    webhook_subscription: {
      type: 'webhook_subscription',
      description: 'pdsync listen: incident changes into PostgreSQL',
      delivery_method: { type: 'http_delivery_method', url },
      events: INCIDENT_EVENTS,
      filter: { type: 'account_reference' },
    },
  };
  return [
    '# Run once with a key that may write webhook subscriptions (PAGERDUTY_ADMIN_KEY here).',
    '# The answer holds webhook_subscription.delivery_method.secret: set it as secrets.webhook_secret',
    "# of the replication's PagerDuty connection (pdsync conns set PAGERDUTY secrets.webhook_secret=...).",
    `curl -sS -X POST '${apiBaseUrl}/webhook_subscriptions' \\`,
    `  -H "Authorization: Token token=$PAGERDUTY_ADMIN_KEY" \\`,
    "  -H 'Accept: application/vnd.pagerduty+json;version=2' -H 'Content-Type: application/json' \\",
    `  -d '${JSON.stringify(body)}'`,
    ...(publicUrl ? [] : ['# Replace YOUR-HOST (or pass --public-url): the address PagerDuty reaches, over HTTPS, through your reverse proxy.']),
  ].join('\n');
}
