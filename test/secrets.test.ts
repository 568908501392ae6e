import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type CliResult } from './support/cli.js';
import { only, type SyncFixture, syncFixture } from './support/sync-fixture.js';

/** The ways a secret comes back transformed: JSON-escaped, URL- and form-encoded, base64. */
function formsOf(secret: string): Record<string, string> {
  return {
    raw: secret,
    json: JSON.stringify(secret).slice(1, -1),
    url: encodeURIComponent(secret),
    form: new URLSearchParams({ s: secret }).toString().slice(2),
    base64: Buffer.from(secret).toString('base64').replace(/=+$/, ''),
  };
}

/** Fails naming the form and the place when any form of the secret shows in any of the texts. */
function assertNowhere(secret: string, places: Record<string, string>): void {
  for (const [form, text] of Object.entries(formsOf(secret))) {
    for (const [where, written] of Object.entries(places)) assert.ok(!written.includes(text), `the ${form} form of the secret is in ${where}:\n${written}`);
  }
}

/** What pdsync wrote to pdsync.runs, as text. */
async function runRows(f: SyncFixture): Promise<string> {
  const { rows } = await f.db.pool.query(`SELECT coalesce(error, '') || ' ' || coalesce(streams::text, '') AS text FROM pdsync.runs`);
  return rows.map((r: { text: string }) => r.text).join('\n');
}

const places = (r: CliResult, rows: string) => ({ stdout: r.stdout, stderr: r.stderr, 'pdsync.runs': rows });

/** env.yaml with OAuth client credentials for the fixture's simulator. */
function useClientCredentials(f: SyncFixture): void {
  writeFileSync(
    join(f.cwd, 'env.yaml'),
    `connections:\n  PAGERDUTY:\n    type: pagerduty\n    secrets:\n      client_id: pdsync-client\n      client_secret: \${PD_CLIENT_SECRET}\n` +
      `    inputs:\n      base_url: ${f.sim.url}\n      token_url: ${f.sim.url}/oauth/token\n      subdomain: acme\n      anchor_date: "2020-01-01T00:00:00Z"\n      rate: 100\n` +
      `  PG:\n    type: postgres\n    url: ${f.db.url}\n`,
  );
}

describe('secrets in every form are scrubbed wherever pdsync writes', () => {
  test('an API key holding a quote and a backslash, echoed by the API, is in no form in the terminal, --json or pdsync.runs', async () => {
    const key = 'key"with\\quote-and-backslash';
    const f = await syncFixture({ name: 'keyforms', sim: { apiKey: key, faults: { rate: 1, kinds: ['echo400'], paths: ['/teams'] } }, replication: only('users', 'teams') });
    try {
      const r = await f.run(['--json'], { PAGERDUTY_API_KEY: key });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /request header Authorization: Token token=\*\*\*\*/, 'the API echoed the key');
      const rows = await runRows(f);
      assert.match(rows, /Token token=\*\*\*\*/);
      assertNowhere(key, places(r, rows));
    } finally {
      await f.close();
    }
  });

  test('the OAuth access token pdsync obtains, echoed by a gateway, is scrubbed as soon as it is obtained', async () => {
    const secret = 'client-secret-for-token-9Kq';
    const f = await syncFixture({
      name: 'tokenforms',
      sim: { oauthClient: { clientId: 'pdsync-client', clientSecret: secret }, faults: { rate: 1, kinds: ['echo400'], paths: ['/teams'] } },
      replication: only('users', 'teams'),
    });
    try {
      useClientCredentials(f);
      const r = await f.run(['--json'], { PD_CLIENT_SECRET: secret });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(f.sim.oauthGrants.length, 1);
      assert.match(r.stderr, /request header Authorization: Bearer \*\*\*\*/, 'the gateway echoed the token');
      const rows = await runRows(f);
      assertNowhere(f.sim.oauthGrants[0]!.token, places(r, rows));
      assertNowhere(secret, places(r, rows));
    } finally {
      await f.close();
    }
  });

  test('a client secret the token server echoes form-encoded is scrubbed in that form', async () => {
    // Spaces, '+', '/', '&', '=' and '!' encode differently in a form than in a URL, and '"' in JSON.
    const secret = 'wrong secret+/&=!"value';
    const f = await syncFixture({ name: 'formsecret', sim: { oauthClient: { clientId: 'pdsync-client', clientSecret: 'the-right-one', echoRefused: true } }, replication: only('users') });
    try {
      useClientCredentials(f);
      const r = await f.run(['--json'], { PD_CLIENT_SECRET: secret });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /POST \/oauth\/token: 401 invalid_client: Client authentication failed for grant_type=client_credentials&client_id=pdsync-client&client_secret=\*\*\*\*&scope=/);
      assertNowhere(secret, places(r, ''));
    } finally {
      await f.close();
    }
  });
});
