// sso_clients.test.mjs — the client registry and the machine-to-machine grant, on SQLite or
// PostgreSQL (DD_TEST_DB). Clients are made with `dinhdanh client add` and through the admin API
// (`/api/v1/sso/clients`, permission `sso:clients`); refused registrations are checked to store
// nothing. The client credentials grant is driven by openid-client with client_secret_basic, and
// with private_key_jwt using assertions made with jose (ES256, RS256, PS256 keys) and by
// openid-client itself; every access token is verified with jose against the JWKS (RFC 9068).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { assertProblem, runCli } from './server.mjs';
import { call, citizen, count, officer, session } from './identity_util.mjs';
import {
  JWT_BEARER,
  assertOAuthError,
  assertion,
  basic,
  callbackBase,
  clientAdd,
  clientKey,
  form,
  oidc,
  rp,
  startSsoServer,
  verifyAccessToken,
} from './sso_util.mjs';

let srv;
let admin;

before(async () => {
  srv = await startSsoServer();
  admin = officer(srv, 'sso.admin', 'admin', '56');
});
after(async () => {
  await srv?.stop();
});

const clients = () => count(srv, 'SELECT COUNT(*) FROM sso_clients');
const uris = () => count(srv, 'SELECT COUNT(*) FROM sso_client_uris');
const cli = (args) => runCli(['client', ...args, '--db', srv.db, '--data-dir', srv.dataDir]);

describe('dinhdanh client', () => {
  test('add prints the client with a high-entropy secret; list shows it', () => {
    const c = clientAdd(srv, 'Cổng dịch vụ công', {
      redirectUris: ['https://dvc.khanhhoa.gov.vn/cb', 'http://127.0.0.1:8000/cb'],
      postLogoutUris: ['https://dvc.khanhhoa.gov.vn/'],
      scope: 'openid profile national_id',
      auth: 'client_secret_basic',
    });
    assert.match(c.client_id, /^[A-Za-z0-9._-]{8,}$/);
    assert.match(c.client_secret, /^[A-Za-z0-9_-]{43,}$/, 'at least 256 bits, base64url');
    const other = clientAdd(srv, 'Cổng dịch vụ công', { redirectUris: ['https://x.vn/cb'], auth: 'client_secret_basic' });
    assert.notEqual(other.client_id, c.client_id);
    assert.notEqual(other.client_secret, c.client_secret);
    // Only the SHA-256 of the secret is stored.
    const hash = crypto.createHash('sha256').update(c.client_secret).digest('hex');
    assert.equal(count(srv, `SELECT COUNT(*) FROM sso_clients WHERE client_id = '${c.client_id}' AND secret_hash = '${hash}'`), 1);
    const list = cli(['list']);
    assert.equal(list.status, 0, list.stderr);
    assert.ok(list.stdout.includes(c.client_id));
    assert.ok(!list.stdout.includes(c.client_secret), 'list never shows a secret');
  });

  test('refused registrations say why and store nothing', () => {
    const before = [clients(), uris()];
    const bad = [
      ['client', 'add', 'X', '--grant', 'implicit', '--redirect-uri', 'https://a.vn/cb'],
      ['client', 'add', 'X', '--grant', 'authorization_code'], // no redirect URI
      ['client', 'add', 'X', '--grant', 'authorization_code', '--redirect-uri', 'https://a.vn/cb#frag'],
      ['client', 'add', 'X', '--grant', 'authorization_code', '--redirect-uri', 'not a uri'],
      ['client', 'add', 'X', '--grant', 'client_credentials', '--auth', 'none'], // a machine needs a credential
      ['client', 'add', 'X', '--grant', 'client_credentials', '--auth', 'private_key_jwt'], // no --jwks
      ['client', 'add', 'X', '--grant', 'authorization_code', '--redirect-uri', 'https://a.vn/cb', '--scope', 'openid bogus'],
      ['client', 'add', '', '--grant', 'client_credentials'],
    ];
    for (const args of bad) {
      const r = runCli([...args, '--db', srv.db, '--data-dir', srv.dataDir]);
      assert.notEqual(r.status, 0, `${args.join(' ')} must fail: ${r.stdout}`);
      assert.ok(r.stderr.trim().length > 0, `${args.join(' ')} says why`);
    }
    assert.deepEqual([clients(), uris()], before);
  });

  test('rotate-secret replaces the secret; disable stops the client', async () => {
    const c = clientAdd(srv, 'Tích hợp thuế', { grant: 'client_credentials', auth: 'client_secret_basic' });
    const ok = await form(srv, '/sso/token', { grant_type: 'client_credentials' }, { Authorization: basic(c.client_id, c.client_secret) });
    assert.equal(ok.status, 200, ok.text);
    const r = cli(['rotate-secret', c.client_id]);
    assert.equal(r.status, 0, r.stderr);
    const fresh = JSON.parse(r.stdout).client_secret;
    assert.match(fresh, /^[A-Za-z0-9_-]{43,}$/);
    assert.notEqual(fresh, c.client_secret);
    // The new secret works at once; the server, which remembers clients for a few seconds,
    // hears of the change made by another process through the event outbox.
    const now = await form(srv, '/sso/token', { grant_type: 'client_credentials' }, { Authorization: basic(c.client_id, fresh) });
    assert.equal(now.status, 200, now.text);
    const refusedSoon = async (secret) => {
      for (let i = 0; i < 40; i++) {
        const t = await form(srv, '/sso/token', { grant_type: 'client_credentials' }, { Authorization: basic(c.client_id, secret) });
        if (t.status !== 200) return t;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.fail('still accepted 4 seconds after the change');
    };
    assertOAuthError(await refusedSoon(c.client_secret), 401, 'invalid_client');
    assert.equal(cli(['disable', c.client_id]).status, 0);
    assert.equal(count(srv, `SELECT COUNT(*) FROM sso_clients WHERE client_id = '${c.client_id}' AND status = 'disabled'`), 1);
    assertOAuthError(await refusedSoon(fresh), 401, 'invalid_client');
    assert.notEqual(cli(['disable', 'no-such-client']).status, 0);
  });
});

describe('admin API', () => {
  const body = (over = {}) => ({
    name: 'Ứng dụng y tế',
    grant_type: 'authorization_code',
    redirect_uris: ['https://yte.khanhhoa.gov.vn/cb'],
    post_logout_redirect_uris: ['https://yte.khanhhoa.gov.vn/'],
    scope: 'openid profile',
    token_endpoint_auth_method: 'client_secret_basic',
    ...over,
  });

  test('an admin registers, reads, lists, rotates and disables a client', async () => {
    const r = await call(srv, 'POST', '/api/v1/sso/clients', { as: admin.token, body: body() });
    assert.equal(r.status, 201, r.text);
    const c = r.json();
    assert.match(c.client_secret, /^[A-Za-z0-9_-]{43,}$/);
    const got = await call(srv, 'GET', `/api/v1/sso/clients/${c.client_id}`, { as: admin.token });
    assert.equal(got.status, 200, got.text);
    assert.equal(got.json().client_id, c.client_id);
    assert.equal(got.json().name, 'Ứng dụng y tế');
    assert.equal(got.json().client_secret, undefined, 'a secret is shown once');
    assert.ok(!got.text.includes(c.client_secret));
    const list = await call(srv, 'GET', '/api/v1/sso/clients?limit=500', { as: admin.token });
    assert.equal(list.status, 200, list.text);
    assert.ok(list.json().items.some((i) => i.client_id === c.client_id));
    assert.ok('next_cursor' in list.json());
    const rot = await call(srv, 'POST', `/api/v1/sso/clients/${c.client_id}/secret-rotations`, { as: admin.token });
    assert.ok([200, 201].includes(rot.status), rot.text);
    assert.notEqual(rot.json().client_secret, c.client_secret);
    const dis = await call(srv, 'POST', `/api/v1/sso/clients/${c.client_id}/disable`, { as: admin.token });
    assert.ok([200, 204].includes(dis.status), dis.text);
    const after = await call(srv, 'GET', `/api/v1/sso/clients/${c.client_id}`, { as: admin.token });
    assert.equal(after.json().status, 'disabled');
  });

  test('a rotation or a disable through the API takes effect at once, cached or not', async () => {
    const machine = body({ grant_type: 'client_credentials', redirect_uris: undefined, post_logout_redirect_uris: undefined, scope: undefined });
    const r = await call(srv, 'POST', '/api/v1/sso/clients', { as: admin.token, body: machine });
    assert.equal(r.status, 201, r.text);
    const c = r.json();
    const token = (secret) => form(srv, '/sso/token', { grant_type: 'client_credentials' }, { Authorization: basic(c.client_id, secret) });
    assert.equal((await token(c.client_secret)).status, 200, 'the client is now remembered');
    const rot = await call(srv, 'POST', `/api/v1/sso/clients/${c.client_id}/secret-rotations`, { as: admin.token });
    const fresh = rot.json().client_secret;
    assertOAuthError(await token(c.client_secret), 401, 'invalid_client');
    assert.equal((await token(fresh)).status, 200);
    await call(srv, 'POST', `/api/v1/sso/clients/${c.client_id}/disable`, { as: admin.token });
    assertOAuthError(await token(fresh), 401, 'invalid_client');
  });

  test('a list pages with limit and cursor', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await call(srv, 'POST', '/api/v1/sso/clients', { as: admin.token, body: body({ name: `Trang ${i}` }) });
      assert.equal(r.status, 201, r.text);
    }
    const seen = new Set();
    let cursor = '';
    for (let page = 0; page < 50; page++) {
      const r = await call(srv, 'GET', `/api/v1/sso/clients?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as: admin.token });
      assert.equal(r.status, 200, r.text);
      const b = r.json();
      assert.ok(b.items.length <= 2);
      for (const i of b.items) {
        assert.ok(!seen.has(i.client_id), 'no client twice');
        seen.add(i.client_id);
      }
      if (!b.next_cursor) break;
      cursor = b.next_cursor;
    }
    assert.equal(seen.size, clients());
    assertProblem(await call(srv, 'GET', '/api/v1/sso/clients?limit=0', { as: admin.token }), 400, 'validation-failed');
  });

  test('bad registrations are 400 with every field named, and store nothing', async () => {
    const before = [clients(), uris()];
    const cases = [
      body({ name: '' }),
      body({ grant_type: 'implicit' }),
      body({ redirect_uris: [] }),
      body({ redirect_uris: ['https://a.vn/cb#x'] }),
      body({ redirect_uris: ['javascript:alert(1)'] }),
      body({ token_endpoint_auth_method: 'client_secret_post' }),
      body({ scope: 'openid bogus' }),
      body({ grant_type: 'client_credentials', redirect_uris: undefined, post_logout_redirect_uris: undefined, scope: undefined, token_endpoint_auth_method: 'private_key_jwt' }), // no jwks
    ];
    for (const b of cases) {
      const r = await call(srv, 'POST', '/api/v1/sso/clients', { as: admin.token, body: b });
      const p = assertProblem(r, 400, 'validation-failed');
      assert.ok(Array.isArray(p.errors) && p.errors.length >= 1, r.text);
    }
    const many = await call(srv, 'POST', '/api/v1/sso/clients', {
      as: admin.token,
      body: body({ name: '', grant_type: 'implicit', token_endpoint_auth_method: 'x' }),
    });
    assert.ok(assertProblem(many, 400, 'validation-failed').errors.length >= 1);
    assertProblem(await call(srv, 'POST', '/api/v1/sso/clients', { as: admin.token, body: '{"name":' }), 400, 'invalid-json');
    assert.deepEqual([clients(), uris()], before);
  });

  test('only officers holding sso:clients may use it', async () => {
    const before = clients();
    const c = await citizen(srv);
    const s = await session(srv, c.login, c.password);
    const clerk = officer(srv, 'sso.commune', 'commune-police', '56-22366');
    for (const as of [s.token, clerk.token]) {
      const r = await call(srv, 'POST', '/api/v1/sso/clients', { as, body: body() });
      assert.equal(r.status, 403, r.text);
      assert.equal((await call(srv, 'GET', '/api/v1/sso/clients', { as })).status, 403);
    }
    assert.equal((await call(srv, 'GET', '/api/v1/sso/clients')).status, 401);
    assertProblem(await call(srv, 'GET', '/api/v1/sso/clients/nope', { as: admin.token }), 404, 'not-found');
    assert.equal(clients(), before);
  });
});

describe('client credentials', () => {
  test('client_secret_basic through openid-client: a verified RFC 9068 access token, no refresh, no ID token', async () => {
    const c = clientAdd(srv, 'Trục LGSP', { grant: 'client_credentials', auth: 'client_secret_basic' });
    const config = await rp(srv, c.client_id, oidc.ClientSecretBasic(c.client_secret));
    const t = await oidc.clientCredentialsGrant(config);
    assert.equal(t.token_type.toLowerCase(), 'bearer');
    assert.ok(t.expires_in > 0 && t.expires_in <= 300);
    assert.equal(t.refresh_token, undefined);
    assert.equal(t.id_token, undefined);
    const at = await verifyAccessToken(srv, t.access_token, { clientId: c.client_id, sub: c.client_id });
    assert.equal(at.acr, undefined, 'no person, no acr');
    const again = await oidc.clientCredentialsGrant(config);
    const at2 = await verifyAccessToken(srv, again.access_token, { clientId: c.client_id });
    assert.notEqual(at2.jti, at.jti);
    // A grant the client is not registered for.
    const code = await form(srv, '/sso/token', { grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://x.vn/cb', code_verifier: 'a'.repeat(43) }, {
      Authorization: basic(c.client_id, c.client_secret),
    });
    assertOAuthError(code, 400, 'unauthorized_client');
    assertOAuthError(await form(srv, '/sso/token', { grant_type: 'password', username: 'a', password: 'b' }, {
      Authorization: basic(c.client_id, c.client_secret),
    }), 400, 'unsupported_grant_type');
  });

  for (const alg of ['ES256', 'RS256', 'PS256']) {
    test(`private_key_jwt with a jose-made ${alg} assertion, aud the issuer or the token endpoint`, async () => {
      const key = await clientKey(alg);
      const c = clientAdd(srv, `Tích hợp ${alg}`, {
        grant: 'client_credentials',
        auth: 'private_key_jwt',
        jwks: { keys: [key.publicJwk] },
      });
      assert.equal(c.client_secret, undefined, 'no secret for private_key_jwt');
      for (const aud of [srv.issuer, `${srv.issuer}/sso/token`]) {
        const r = await form(srv, '/sso/token', {
          grant_type: 'client_credentials',
          client_id: c.client_id,
          client_assertion_type: JWT_BEARER,
          client_assertion: await assertion(key, c.client_id, aud),
        });
        assert.equal(r.status, 200, r.text);
        assert.match(r.headers.get('cache-control') || '', /no-store/);
        await verifyAccessToken(srv, r.json.access_token, { clientId: c.client_id, sub: c.client_id });
      }
    });
  }

  test('private_key_jwt through openid-client', async () => {
    const key = await clientKey('ES256');
    const c = clientAdd(srv, 'Tích hợp qua thư viện', { grant: 'client_credentials', auth: 'private_key_jwt', jwks: { keys: [key.publicJwk] } });
    const config = await rp(srv, c.client_id, oidc.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }), {
      token_endpoint_auth_signing_alg: 'ES256',
    });
    const t = await oidc.clientCredentialsGrant(config);
    await verifyAccessToken(srv, t.access_token, { clientId: c.client_id });
  });

  test('an authorization-code client registered with the admin API works with openid-client discovery', async () => {
    const r = await call(srv, 'POST', '/api/v1/sso/clients', {
      as: admin.token,
      body: {
        name: 'Ứng dụng qua API',
        grant_type: 'authorization_code',
        redirect_uris: [`${callbackBase('api')}/cb`],
        scope: 'openid',
        token_endpoint_auth_method: 'none',
      },
    });
    assert.equal(r.status, 201, r.text);
    const config = await rp(srv, r.json().client_id);
    const url = await oidc.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: `${callbackBase('api')}/cb`,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    assert.ok(url.searchParams.get('request_uri'));
  });
});
