/** Word lists the generated account draws its names from. */

export const FIRST_NAMES = [
  'Ada', 'Bruno', 'Chen', 'Dana', 'Elif', 'Farah', 'Gustavo', 'Hana', 'Ivan', 'Jamal', 'Kaia', 'Liam', 'Mei',
  'Nadia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor', 'Wen', 'Ximena', 'Yusuf', 'Zoe',
  'Aiko', 'Björn', 'Carmen', 'Dmitri', 'Esther', 'Felipe', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Keiko', 'Lucas',
] as const;

export const LAST_NAMES = [
  'Okafor', 'Novak', 'Tanaka', 'Silva', 'Müller', 'Haddad', 'Kowalski', 'Nguyen', 'Fischer', 'Rossi', 'Dubois',
  'Andersen', 'Kim', 'Patel', 'Garcia', 'Ivanova', 'Brennan', 'Osei', 'Lindqvist', 'Moreau', 'Yamamoto', 'Costa',
  'Schmidt', 'Hughes', 'Reyes', 'Abbott', 'Bauer', 'Chandra', 'Dalton', 'Eriksen',
] as const;

export const JOB_TITLES = [
  'Site Reliability Engineer', 'Software Engineer', 'Senior Software Engineer', 'Engineering Manager',
  'Staff Engineer', 'Platform Engineer', 'Support Engineer', 'Director of Engineering', 'DevOps Engineer',
] as const;

export const TIME_ZONES = [
  'Etc/UTC', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'America/Sao_Paulo',
  'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney', 'Africa/Lagos',
] as const;

export const COLORS = [
  'green', 'red', 'purple', 'blue', 'teal', 'orange', 'brown', 'turquoise', 'dark-slate-blue', 'cayenne',
  'orange-red', 'dark-orchid', 'lime', 'dark-magenta', 'midnight-blue', 'deep-pink', 'dark-green', 'firebrick',
] as const;

export const TEAM_NAMES = [
  'Platform', 'Payments', 'Identity', 'Search', 'Mobile', 'Data', 'Networking', 'Storage', 'Checkout', 'Growth',
  'Security', 'Messaging', 'Billing', 'Observability', 'Infrastructure', 'Customer Support',
] as const;

export const SERVICE_COMPONENTS = [
  'API Gateway', 'Checkout API', 'Login Service', 'Search Indexer', 'Payments Processor', 'Mobile Backend',
  'Notification Worker', 'Postgres Primary', 'Kafka Cluster', 'Redis Cache', 'CDN Edge', 'Billing Jobs',
  'Inventory Service', 'Recommendation Engine', 'Email Relay', 'Web Frontend', 'Data Warehouse ETL',
  'Kubernetes Control Plane', 'DNS', 'Object Storage',
] as const;

export const INCIDENT_TITLES = [
  'High error rate on {s}', '{s} latency above SLO', '{s} is down', 'Disk almost full on {s}',
  'CPU saturation on {s}', 'Health check failing for {s}', 'Elevated 5xx responses from {s}',
  'Queue backlog growing in {s}', 'Certificate expiring for {s}', 'Memory leak suspected in {s}',
  'Replication lag on {s}', 'Synthetic check failed: {s}',
] as const;

export const PRIORITIES = [
  ['P1', 'Critical issue that warrants public notification and liaison with executive teams'],
  ['P2', "Critical system issue actively impacting many customers' ability to use the product"],
  ['P3', 'Stability or minor customer-impacting issues that require immediate attention from service owners'],
  ['P4', 'Minor issues requiring action, but not affecting customer ability to use the product'],
  ['P5', 'Cosmetic issues or bugs, not affecting customer ability to use the product'],
] as const;

export const TAG_LABELS = [
  'production', 'staging', 'tier-1', 'tier-2', 'customer-facing', 'internal', 'pci', 'gdpr', 'eu', 'us',
  'database', 'frontend', 'backend', 'legacy', 'kubernetes', 'on-prem', 'batch', 'realtime', 'critical', 'beta',
] as const;

export const BUSINESS_SERVICES = [
  'Online Checkout', 'Customer Login', 'Mobile App', 'Order Fulfilment', 'Customer Support Portal',
  'Partner API', 'Reporting', 'Marketing Site', 'Billing and Invoicing', 'Search',
] as const;

/** [name, website] of integration vendors. */
export const VENDORS = [
  ['Amazon CloudWatch', 'https://aws.amazon.com/cloudwatch'], ['Datadog', 'https://www.datadoghq.com'],
  ['New Relic', 'https://newrelic.com'], ['Prometheus', 'https://prometheus.io'], ['Grafana', 'https://grafana.com'],
  ['Nagios', 'https://www.nagios.org'], ['Zabbix', 'https://www.zabbix.com'], ['Sentry', 'https://sentry.io'],
  ['Splunk', 'https://www.splunk.com'], ['Dynatrace', 'https://www.dynatrace.com'], ['Pingdom', 'https://www.pingdom.com'],
  ['Jira', 'https://www.atlassian.com/software/jira'], ['Slack', 'https://slack.com'], ['GitHub', 'https://github.com'],
  ['Azure Monitor', 'https://azure.microsoft.com'], ['Google Cloud Monitoring', 'https://cloud.google.com/monitoring'],
  ['Elastic', 'https://www.elastic.co'], ['AppDynamics', 'https://www.appdynamics.com'], ['Honeycomb', 'https://www.honeycomb.io'],
  ['Sumo Logic', 'https://www.sumologic.com'], ['LogicMonitor', 'https://www.logicmonitor.com'], ['SolarWinds', 'https://www.solarwinds.com'],
  ['Checkly', 'https://www.checklyhq.com'], ['Catchpoint', 'https://www.catchpoint.com'], ['ServiceNow', 'https://www.servicenow.com'],
  ['Zendesk', 'https://www.zendesk.com'], ['Opsgenie', 'https://www.atlassian.com/software/opsgenie'], ['Icinga', 'https://icinga.com'],
  ['Loggly', 'https://www.loggly.com'], ['Uptime Robot', 'https://uptimerobot.com'],
] as const;

/** A list entry for index i, numbered once the list runs out, so names stay distinct. */
export function nth(list: readonly string[], i: number): string {
  const round = Math.floor(i / list.length);
  return round === 0 ? list[i % list.length]! : `${list[i % list.length]!} ${round + 1}`;
}
