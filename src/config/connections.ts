import { z } from 'zod';

const ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/** An ISO date or date-time; one written without a zone is UTC, whatever the machine's time zone. */
const DateTime = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/i.test(s) && !Number.isNaN(Date.parse(s)), {
    message: 'expected an ISO date or date-time such as 2024-01-01T00:00:00Z',
  })
  .transform((s) => {
    const t = s.replace(' ', 'T');
    return new Date(t.length === 10 || ZONE.test(t) ? t : `${t}Z`).toISOString();
  });

const PositiveNumber = z.coerce.number<unknown>().positive();
const PositiveInt = z.coerce.number<unknown>().int().positive();

export const PagerDutyInputs = z.strictObject({
  /** Start of history for windowed streams. Default: one year before the run starts. */
  anchor_date: z
    .preprocess((v) => (v instanceof Date ? v.toISOString() : v), DateTime)
    // A future anchor would read no history at all, and a full refresh would empty its tables.
    .refine((s) => Date.parse(s) < Date.now(), { message: 'is not in the past: history is read from anchor_date to now' })
    .optional(),
  region: z.enum(['us', 'eu']).default('us'),
  /** Overrides the region's API address: the simulator, or a proxy. */
  base_url: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).optional(),
  rate: PositiveNumber.default(5),
  concurrency: PositiveInt.default(3),
  /** Per request, in milliseconds. */
  timeout: PositiveInt.default(30_000),
  /** With OAuth client credentials: the account's subdomain (acme for acme.pagerduty.com). */
  subdomain: z.string().regex(/^[a-z0-9-]+$/i, 'expected the account subdomain, e.g. acme for acme.pagerduty.com').optional(),
  /** Where client credentials are exchanged for a token. */
  token_url: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).default('https://identity.pagerduty.com/oauth/token'),
  /** Days of future on-call shifts to read; 0 reads who is on call now. */
  oncall_days: z.coerce.number<unknown>().int().min(0).max(90).default(0),
  /** Attempts per request, the first included, before its stream fails. */
  max_attempts: PositiveInt.default(6),
  /** Longest wait, in seconds, honoured when PagerDuty names one (Retry-After, ratelimit-reset). */
  max_retry_wait: PositiveInt.default(300),
});

const SECRETS_NEEDED = 'secrets.api_key (a PagerDuty REST API key), or secrets.oauth_token, or secrets.client_id with secrets.client_secret';

/** A secret's value: an empty one says what to set it to. */
const Secret = (what: string) => z.string().min(1, `is empty: set it to ${what}, or remove the key`).optional();

export const PagerDutySecrets = z
  .strictObject(
    {
      api_key: Secret('a PagerDuty REST API key'),
      oauth_token: Secret('an OAuth access token'),
      client_id: Secret('the OAuth client\'s id'),
      client_secret: Secret('the OAuth client\'s secret'),
      /** Signs webhooks (`pdsync listen`); several during a rotation, comma-separated. */
      webhook_secret: Secret('the secret PagerDuty gave with the webhook subscription'),
    },
    { error: (issue) => (issue.input === undefined ? `missing: add ${SECRETS_NEEDED}` : undefined) },
  )
  .refine((s) => s.api_key || s.oauth_token || (s.client_id && s.client_secret), {
    message: `expected ${SECRETS_NEEDED}`,
  });

const PagerDutyBase = {
  secrets: PagerDutySecrets,
  inputs: PagerDutyInputs.default(PagerDutyInputs.parse({})),
};

type PagerDutyShape = { secrets: z.infer<typeof PagerDutySecrets>; inputs: z.infer<typeof PagerDutyInputs> };

/** Client credentials are exchanged for a token of one account: its subdomain is part of the scope. */
function subdomainWithClientCredentials(c: PagerDutyShape, ctx: z.RefinementCtx): void {
  const { secrets, inputs } = c;
  if (!secrets.api_key && !secrets.oauth_token && secrets.client_id && !inputs.subdomain) {
    ctx.addIssue({ code: 'custom', path: ['inputs', 'subdomain'], message: 'missing: OAuth client credentials need the account subdomain (acme for acme.pagerduty.com)' });
  }
}

/** `type: pagerduty`, or Sling's spelling `type: api` with `spec: pagerduty`. */
const PagerDutyNative = z
  .strictObject({ type: z.literal('pagerduty'), spec: z.literal('pagerduty').optional(), ...PagerDutyBase })
  .superRefine(subdomainWithClientCredentials);
const PagerDutyApiSpec = z
  .strictObject({ type: z.literal('api'), spec: z.literal('pagerduty'), ...PagerDutyBase })
  .superRefine(subdomainWithClientCredentials);
export const PagerDutyConnection = z.union([PagerDutyNative, PagerDutyApiSpec]);

/** Why a postgres URL cannot be used as written, or undefined when it can. */
function urlProblem(url: string): string | undefined {
  if (!URL.canParse(url)) return 'cannot be read as a URL: check its form, postgresql://user:password@host:5432/database';
  const u = new URL(url);
  for (const [part, value] of [['user name', u.username], ['password', u.password]] as const) {
    try {
      decodeURIComponent(value);
    } catch {
      return `its ${part} holds a "%" that is not percent-encoded: write % as %25 (encodeURIComponent gives the whole ${part} encoded)`;
    }
  }
  return undefined;
}

export const PostgresConnection = z.strictObject({
  type: z.enum(['postgres', 'postgresql']),
  /** `embedded`: pdsync's own PostgreSQL, started for the run, its data under `data_dir`. */
  url: z.union([
    z.literal('embedded'),
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected a URL such as postgresql://user:pass@host:5432/db, or embedded')
      .superRefine((url, ctx) => {
        const problem = urlProblem(url);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
  ]),
  data_dir: z.string().min(1).optional(),
});

/** Files in a folder (Sling's `type: file`): objects `file://path/{stream_name}.csv` are relative to it. */
export const FileConnection = z.strictObject({
  type: z.literal('file'),
  url: z
    .string()
    .regex(/^file:\/\/\//, 'expected the absolute URL of a folder, such as file:///data/pagerduty/')
    .refine((u) => URL.canParse(u), { message: 'cannot be read as a URL: expected file:///data/pagerduty/' }),
});

export const Connection = z.discriminatedUnion('type', [PagerDutyNative, PagerDutyApiSpec, PostgresConnection, FileConnection]);

export type PagerDutyConnection = z.infer<typeof PagerDutyConnection>;
export type PostgresConnection = z.infer<typeof PostgresConnection>;
export type FileConnection = z.infer<typeof FileConnection>;
export type Connection = z.infer<typeof Connection>;
/** Where a replication writes: a PostgreSQL database, or files under a folder (`target: LOCAL`, a `type: file` connection). */
export type TargetConnection = PostgresConnection | FileConnection;

/** A PagerDuty connection for a command that never calls the API: its settings, and which secrets it has, not their values. */
export type PagerDutySettings = Omit<PagerDutyConnection, 'secrets'> & { secretKeys: string[] };
export type ConnectionSettings = PagerDutySettings | PostgresConnection | FileConnection;

export function withoutSecrets(c: PagerDutyConnection): PagerDutySettings {
  const { secrets, ...settings } = c;
  return { ...settings, secretKeys: Object.keys(secrets).filter((k) => secrets[k as keyof typeof secrets] !== undefined) };
}

export function isPagerDuty<C extends Connection | ConnectionSettings>(c: C): c is Exclude<C, PostgresConnection | FileConnection> {
  return c.type === 'pagerduty' || c.type === 'api';
}

export function isPostgres(c: Connection | ConnectionSettings): c is PostgresConnection {
  return c.type === 'postgres' || c.type === 'postgresql';
}

export function isFile(c: Connection | ConnectionSettings): c is FileConnection {
  return c.type === 'file';
}
