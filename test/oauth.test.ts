import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { only, type SyncFixture, syncFixture } from './support/sync-fixture.js';

const CLIENT_SECRET = 'oauth-client-secret-7Hq';

/** env.yaml with OAuth client credentials for the fixture's simulator. */
function useClientCredentials(f: SyncFixture, inputs: string) {
  writeFileSync(
    join(f.cwd, 'env.yaml'),
    `connections:
  PAGERDUTY:
    type: pagerduty
    secrets:
      client_id: pdsync-client
      client_secret: \${PD_CLIENT_SECRET}
    inputs:
      base_url: ${f.sim.url}
      token_url: ${f.sim.url}/oauth/token
      anchor_date: "2020-01-01T00:00:00Z"
      rate: 100
${inputs}
  PG:
    type: postgres
    url: ${f.db.url}
`,
  );
}

describe('OAuth client credentials', () => {
  test('are exchanged once for a token carrying the account and the streams\' read scopes; the run is exact', async () => {
    const f = await syncFixture({
      name: 'oauth',
      sim: { oauthClient: { clientId: 'pdsync-client', clientSecret: CLIENT_SECRET } },
      replication: only('users', 'incidents', 'notifications'),
    });
    try {
      useClientCredentials(f, '      subdomain: acme\n      region: eu');
      const r = await f.run([], { PD_CLIENT_SECRET: CLIENT_SECRET });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(f.sim.oauthGrants.length, 1, 'one token for the whole run');
      assert.equal(f.sim.oauthGrants[0]!.scope, 'as_account-eu.acme users.read incidents.read users:notifications.read');
      for (const s of ['users', 'incidents', 'notifications']) assert.deepEqual(await f.landed(s), f.truth(s), s);
    } finally {
      await f.close();
    }
  });

  test('a token is renewed before it expires, so no request is refused', async () => {
    const f = await syncFixture({
      name: 'renew',
      sim: { oauthClient: { clientId: 'pdsync-client', clientSecret: CLIENT_SECRET, ttlSeconds: 61 }, latencyMs: 30 },
      replication: only('incidents', 'log_entries'),
    });
    try {
      useClientCredentials(f, '      subdomain: acme\n      concurrency: 1');
      const r = await f.run([], { PD_CLIENT_SECRET: CLIENT_SECRET });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(f.sim.oauthGrants.length >= 2, `${f.sim.oauthGrants.length} grants: the token was renewed`);
      assert.equal(f.sim.stats().byStatus[401] ?? 0, 0);
      for (const s of ['incidents', 'log_entries']) assert.deepEqual(await f.landed(s), f.truth(s), s);
    } finally {
      await f.close();
    }
  });

  test('a refused client fails the run fast, without retries, and without printing the secret', async () => {
    const f = await syncFixture({ name: 'badclient', sim: { oauthClient: { clientId: 'pdsync-client', clientSecret: CLIENT_SECRET } } });
    try {
      useClientCredentials(f, '      subdomain: acme');
      const r = await f.run([], { PD_CLIENT_SECRET: 'not-the-secret' });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /POST \/oauth\/token: 401 invalid_client/);
      const tokenRequests = f.sim.requests.filter((q) => q.path === '/oauth/token').length;
      assert.ok(tokenRequests <= 4, `${tokenRequests} token requests: only those already under way`);
      assert.equal(f.sim.requests.filter((q) => q.path !== '/oauth/token').length, 0, 'no API request without a token');
    } finally {
      await f.close();
    }
  });

  test('client credentials without the account subdomain are a configuration error', async () => {
    const f = await syncFixture({ name: 'nosub' });
    try {
      useClientCredentials(f, '');
      const r = await f.run([], { PD_CLIENT_SECRET: CLIENT_SECRET });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /env\.yaml: connections\.PAGERDUTY\.inputs\.subdomain: missing: OAuth client credentials need the account subdomain/);
    } finally {
      await f.close();
    }
  });
});
