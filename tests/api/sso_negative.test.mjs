// sso_negative.test.mjs — what the provider must refuse, and how, on SQLite or PostgreSQL
// (DD_TEST_DB). Each case is the answer the specifications ask for: a wrong redirect URI gets an
// error page and never a redirect (RFC 6749 §4.1.2.1); missing or plain PKCE is invalid_request
// at the redirect URI (RFC 7636 §4.4.1; S256 only here); a reused code is invalid_grant and
// revokes what it gave (RFC 6749 §4.1.2); a wrong verifier is invalid_grant (RFC 7636 §4.6); an
// expired or reused refresh token is invalid_grant and a reuse revokes the family (RFC 9700
// §4.14.2); bad client assertions — wrong signature, reused jti, wrong audience, expired,
// alg=none, HS256 — are invalid_client (RFC 7523 §3, §3.1); a wrong secret is 401 invalid_client
// with WWW-Authenticate (RFC 6749 §5.2); a disabled client is refused everywhere. Also:
// prompt=none without a session, an expired request_uri, userinfo without a usable token,
// introspection of another client's token, and client credentials beyond the registered scopes.
// Refusals are checked to store nothing where a row could have been written.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { call, citizen, count, officer, sql } from './identity_util.mjs';
import {
  Browser,
  JWT_BEARER,
  assertOAuthError,
  assertion,
  basic,
  callbackBase,
  clientAdd,
  clientKey,
  form,
  jose,
  startSsoServer,
  unsigned,
} from './sso_util.mjs';

let srv;
let admin;
let person;
let pub; // public authorization-code client
let conf; // confidential authorization-code client
let machine; // client_credentials with client_secret_basic
let keyed; // client_credentials with private_key_jwt
let key;
const PUB_CB = `${callbackBase('neg-pub')}/cb`;
const CONF_CB = `${callbackBase('neg-conf')}/cb`;

const sha256 = (s) => crypto.createHash('sha256').update(s).digest('hex');
// A refresh token's row key: the token's time of issue (12 hex digits), '.', its SHA-256.
const refreshKey = (t) => {
  assert.match(t, /^ddr_[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/);
  return `${t.slice(4, 16)}.${sha256(t)}`;
};
const pkce = () => {
  const verifier = crypto.randomBytes(32).toString('base64url');
  return { verifier, challenge: crypto.createHash('sha256').update(verifier).digest('base64url') };
};

before(async () => {
  srv = await startSsoServer();
  admin = officer(srv, 'sso.neg.admin', 'admin', '56');
  person = await citizen(srv);
  pub = clientAdd(srv, 'Ứng dụng công khai', { redirectUris: [PUB_CB], scope: 'openid profile', auth: 'none' });
  conf = clientAdd(srv, 'Ứng dụng bí mật', {
    redirectUris: [CONF_CB],
    postLogoutUris: [`${callbackBase('neg-conf')}/bye`],
    scope: 'openid profile',
    auth: 'client_secret_basic',
  });
  machine = clientAdd(srv, 'Máy chủ tích hợp', { grant: 'client_credentials', auth: 'client_secret_basic' });
  key = await clientKey('ES256');
  keyed = clientAdd(srv, 'Máy chủ có khóa', { grant: 'client_credentials', auth: 'private_key_jwt', jwks: { keys: [key.publicJwk] } });
});
after(async () => {
  await srv?.stop();
});

function authorizeUrl(clientId, redirectUri, params = {}) {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'openid',
    state: crypto.randomBytes(8).toString('hex'),
    ...params,
  });
  for (const [k, v] of [...q]) if (v === 'undefined') q.delete(k);
  return `/sso/authorize?${q}`;
}

// A fresh code for `client` (logged in as `person`): {code, verifier, callback}.
async function getCode(client, redirectUri, browser = new Browser(srv, { login: person.login, password: person.password })) {
  const { verifier, challenge } = pkce();
  const cb = await browser.authorize(
    authorizeUrl(client.client_id, redirectUri, { code_challenge: challenge, code_challenge_method: 'S256' }),
    redirectUri,
  );
  assert.ok(cb instanceof URL, `${cb.stop?.status} ${cb.body}`);
  const code = cb.searchParams.get('code');
  assert.ok(code, cb.href);
  return { code, verifier, callback: cb, browser };
}

const exchange = (client, fields) =>
  form(
    srv,
    '/sso/token',
    { grant_type: 'authorization_code', ...(client.client_secret ? {} : { client_id: client.client_id }), ...fields },
    client.client_secret ? { Authorization: basic(client.client_id, client.client_secret) } : {},
  );

const refresh = (client, token, fields = {}) =>
  form(
    srv,
    '/sso/token',
    { grant_type: 'refresh_token', refresh_token: token, ...(client.client_secret ? {} : { client_id: client.client_id }), ...fields },
    client.client_secret ? { Authorization: basic(client.client_id, client.client_secret) } : {},
  );

// An error shown to the person, not sent anywhere: 4xx, no Location, says what is wrong.
async function assertErrorPage(url, what) {
  const b = new Browser(srv, { login: person.login, password: person.password });
  await b.login();
  const res = await b.fetch(url);
  const body = await res.text();
  assert.equal(res.headers.get('location'), null, `${what}: must not redirect (${res.status})`);
  assert.ok(res.status >= 400 && res.status < 500, `${what}: status ${res.status}`);
  assert.ok(body.length > 0, `${what}: the error is shown`);
  return { res, body };
}

// An error sent back to the app: {error, state} at the redirect URI, no code.
async function assertRedirectError(url, redirectUri, error) {
  const b = new Browser(srv, { login: person.login, password: person.password });
  await b.login();
  const res = await b.fetch(url);
  await res.text();
  assert.ok([302, 303].includes(res.status), `status ${res.status} for ${error}`);
  const to = new URL(res.headers.get('location'));
  assert.equal(`${to.origin}${to.pathname}`, redirectUri);
  assert.equal(to.searchParams.get('error'), error, to.href);
  assert.equal(to.searchParams.get('code'), null);
  assert.equal(to.searchParams.get('state'), new URL(url, srv.url).searchParams.get('state'));
  return to;
}

describe('redirect URIs', () => {
  const { challenge } = pkce();
  const s256 = { code_challenge: challenge, code_challenge_method: 'S256' };
  for (const [what, uri] of [
    ['another host', 'http://127.0.0.1:9/evil/cb'],
    ['a longer path', `${PUB_CB}/more`],
    ['a trailing slash', `${PUB_CB}/`],
    ['an added query', `${PUB_CB}?x=1`],
    ['another case', PUB_CB.toUpperCase()],
    ['another port', PUB_CB.replace(':9/', ':10/')],
  ]) {
    test(`a redirect URI with ${what} gets an error page, never a redirect`, async () => {
      const codes = count(srv, 'SELECT COUNT(*) FROM sso_codes');
      const { res, body } = await assertErrorPage(authorizeUrl(pub.client_id, uri, s256), what);
      assert.equal(res.status, 400);
      assert.match(res.headers.get('content-type') || '', /^text\/html/);
      assert.match(body, /invalid_request|redirect_uri/, 'the page names the error');
      assert.equal(count(srv, 'SELECT COUNT(*) FROM sso_codes'), codes);
    });
  }

  test('no redirect URI, or an unknown client: an error page', async () => {
    await assertErrorPage(authorizeUrl(pub.client_id, 'undefined', s256), 'no redirect_uri');
    await assertErrorPage(authorizeUrl('no-such-client', PUB_CB, s256), 'unknown client');
  });

  test('PAR refuses a wrong redirect URI before anything is stored', async () => {
    const pars = count(srv, 'SELECT COUNT(*) FROM sso_par');
    const r = await form(srv, '/sso/par', {
      client_id: pub.client_id,
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:9/evil/cb',
      scope: 'openid',
      ...s256,
    });
    assert.equal(r.status, 400, r.text);
    assert.ok(['invalid_request', 'invalid_redirect_uri'].includes(r.json?.error), r.text);
    assert.equal(count(srv, 'SELECT COUNT(*) FROM sso_par'), pars);
  });

  test('a request_uri is used once; a second use is an error page', async () => {
    const { challenge: c } = pkce();
    const r = await form(srv, '/sso/par', {
      client_id: pub.client_id,
      response_type: 'code',
      redirect_uri: PUB_CB,
      scope: 'openid',
      code_challenge: c,
      code_challenge_method: 'S256',
    });
    assert.equal(r.status, 201, r.text);
    assert.ok(r.json.expires_in > 0 && r.json.expires_in <= 60);
    const url = `/sso/authorize?${new URLSearchParams({ client_id: pub.client_id, request_uri: r.json.request_uri })}`;
    const b = new Browser(srv, { login: person.login, password: person.password });
    const cb = await b.authorize(url, PUB_CB);
    assert.ok(cb instanceof URL && cb.searchParams.get('code'), `${cb.stop?.status} ${cb.body}`);
    await assertErrorPage(url, 'request_uri used twice');
    await assertErrorPage(
      `/sso/authorize?${new URLSearchParams({ client_id: pub.client_id, request_uri: 'urn:ietf:params:oauth:request_uri:nothing' })}`,
      'unknown request_uri',
    );
  });
});

describe('PKCE', () => {
  test('missing code_challenge: invalid_request at the redirect URI', async () => {
    await assertRedirectError(authorizeUrl(pub.client_id, PUB_CB), PUB_CB, 'invalid_request');
    await assertRedirectError(authorizeUrl(conf.client_id, CONF_CB), CONF_CB, 'invalid_request');
  });

  test('plain PKCE is refused even for a confidential client', async () => {
    const v = crypto.randomBytes(32).toString('base64url');
    await assertRedirectError(authorizeUrl(pub.client_id, PUB_CB, { code_challenge: v, code_challenge_method: 'plain' }), PUB_CB, 'invalid_request');
    await assertRedirectError(authorizeUrl(conf.client_id, CONF_CB, { code_challenge: v, code_challenge_method: 'plain' }), CONF_CB, 'invalid_request');
    // A challenge without a method defaults to plain (RFC 7636 §4.3): refused too.
    await assertRedirectError(authorizeUrl(pub.client_id, PUB_CB, { code_challenge: v }), PUB_CB, 'invalid_request');
  });

  test('PAR without PKCE is invalid_request and stores nothing', async () => {
    const pars = count(srv, 'SELECT COUNT(*) FROM sso_par');
    for (const extra of [{}, { code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }]) {
      const r = await form(srv, '/sso/par', { client_id: pub.client_id, response_type: 'code', redirect_uri: PUB_CB, scope: 'openid', ...extra });
      assertOAuthError(r, 400, 'invalid_request');
    }
    assert.equal(count(srv, 'SELECT COUNT(*) FROM sso_par'), pars);
  });

  test('a wrong or missing code_verifier is invalid_grant', async () => {
    const a = await getCode(pub, PUB_CB);
    assertOAuthError(await exchange(pub, { code: a.code, redirect_uri: PUB_CB, code_verifier: pkce().verifier }), 400, 'invalid_grant');
    // No verifier at all: a required parameter is missing (RFC 6749 §5.2 invalid_request), or
    // the code's challenge is not met (RFC 7636 §4.6 invalid_grant); no tokens either way.
    const b = await getCode(pub, PUB_CB);
    const missing = await exchange(pub, { code: b.code, redirect_uri: PUB_CB });
    assert.equal(missing.status, 400, missing.text);
    assert.ok(['invalid_request', 'invalid_grant'].includes(missing.json?.error), missing.text);
    assert.equal(missing.json.access_token, undefined);
    const c = await getCode(conf, CONF_CB);
    // The right verifier with its last character changed.
    const near = c.verifier.slice(0, -1) + (c.verifier.endsWith('A') ? 'B' : 'A');
    assertOAuthError(await exchange(conf, { code: c.code, redirect_uri: CONF_CB, code_verifier: near }), 400, 'invalid_grant');
  });
});

describe('authorization codes', () => {
  test('a reused code is invalid_grant and revokes the tokens it gave', async () => {
    const { code, verifier } = await getCode(conf, CONF_CB);
    const ok = await exchange(conf, { code, redirect_uri: CONF_CB, code_verifier: verifier });
    assert.equal(ok.status, 200, ok.text);
    const { access_token: at, refresh_token: rt } = ok.json;
    const u1 = await fetch(`${srv.url}/sso/userinfo`, { headers: { Authorization: `Bearer ${at}` } });
    assert.equal(u1.status, 200);
    assertOAuthError(await exchange(conf, { code, redirect_uri: CONF_CB, code_verifier: verifier }), 400, 'invalid_grant');
    assertOAuthError(await refresh(conf, rt), 400, 'invalid_grant');
    const u2 = await fetch(`${srv.url}/sso/userinfo`, { headers: { Authorization: `Bearer ${at}` } });
    assert.equal(u2.status, 401, 'the access token from the code is revoked');
    assert.match(u2.headers.get('www-authenticate') || '', /error="invalid_token"/);
    const i = await form(srv, '/sso/introspect', { token: at }, { Authorization: basic(conf.client_id, conf.client_secret) });
    assert.deepEqual(i.json, { active: false });
  });

  test('a code is bound to its client and its redirect URI', async () => {
    const a = await getCode(pub, PUB_CB);
    assertOAuthError(await exchange(conf, { code: a.code, redirect_uri: PUB_CB, code_verifier: a.verifier }), 400, 'invalid_grant');
    const b = await getCode(conf, CONF_CB);
    assertOAuthError(await exchange(conf, { code: b.code, redirect_uri: `${CONF_CB}/x`, code_verifier: b.verifier }), 400, 'invalid_grant');
  });

  test('an expired code is invalid_grant', async () => {
    const { code, verifier } = await getCode(pub, PUB_CB);
    sql(srv, `UPDATE sso_codes SET expires_at = '2000-01-01T00:00:00.000Z' WHERE code_hash = '${sha256(code)}'`);
    assertOAuthError(await exchange(pub, { code, redirect_uri: PUB_CB, code_verifier: verifier }), 400, 'invalid_grant');
  });

  test('a scope the client may not have, and other response types, go back as errors', async () => {
    const { challenge } = pkce();
    const s256 = { code_challenge: challenge, code_challenge_method: 'S256' };
    await assertRedirectError(authorizeUrl(pub.client_id, PUB_CB, { ...s256, scope: 'openid national_id' }), PUB_CB, 'invalid_scope');
    await assertRedirectError(authorizeUrl(pub.client_id, PUB_CB, { ...s256, response_type: 'token' }), PUB_CB, 'unsupported_response_type');
  });
});

describe('refresh tokens', () => {
  async function tokens(client, cb) {
    const { code, verifier } = await getCode(client, cb);
    const r = await exchange(client, { code, redirect_uri: cb, code_verifier: verifier });
    assert.equal(r.status, 200, r.text);
    return r.json;
  }

  test('a reused refresh token is invalid_grant and revokes the whole family', async () => {
    const t0 = await tokens(pub, PUB_CB);
    const r1 = await refresh(pub, t0.refresh_token);
    assert.equal(r1.status, 200, r1.text);
    const t1 = r1.json;
    assertOAuthError(await refresh(pub, t0.refresh_token), 400, 'invalid_grant');
    assertOAuthError(await refresh(pub, t1.refresh_token), 400, 'invalid_grant');
    const fam = sql(srv, `SELECT f.revoked_at FROM sso_families f JOIN sso_refresh_tokens t ON t.family_id = f.id WHERE t.token_key = '${refreshKey(t1.refresh_token)}'`);
    assert.ok(fam.length > 0, 'the family is marked revoked');
  });

  test('refreshes at once are committed together; the same token twice at once wins once', async () => {
    // Twelve families refreshed in parallel: each answer its own next token, all of them live.
    const starts = [];
    for (let i = 0; i < 12; i++) starts.push((await tokens(conf, CONF_CB)).refresh_token);
    const answers = await Promise.all(starts.map((t) => refresh(conf, t)));
    for (const a of answers) assert.equal(a.status, 200, a.text);
    const next = answers.map((a) => a.json.refresh_token);
    assert.equal(new Set(next).size, next.length);
    for (const t of next) {
      const rows = sql(srv, `SELECT COUNT(*) FROM sso_refresh_tokens WHERE token_key = '${refreshKey(t)}' AND used_at = ''`);
      assert.equal(Number(rows), 1, 'each next token is stored, unused');
    }
    // One token spent twice at the same moment: one answer, one refusal, the family revoked.
    const t0 = (await tokens(conf, CONF_CB)).refresh_token;
    const both = await Promise.all([refresh(conf, t0), refresh(conf, t0)]);
    assert.deepEqual(both.map((b) => b.status).sort(), [200, 400], both.map((b) => b.text).join(' | '));
    assert.equal(both.find((b) => b.status === 400).json.error, 'invalid_grant');
    const won = both.find((b) => b.status === 200).json.refresh_token;
    assertOAuthError(await refresh(conf, won), 400, 'invalid_grant');
  });

  test('an expired refresh token is invalid_grant', async () => {
    const t0 = await tokens(conf, CONF_CB);
    sql(srv, `UPDATE sso_refresh_tokens SET expires_at = '2000-01-01T00:00:00.000Z' WHERE token_key = '${refreshKey(t0.refresh_token)}'`);
    assertOAuthError(await refresh(conf, t0.refresh_token), 400, 'invalid_grant');
    const t1 = await tokens(conf, CONF_CB);
    sql(srv, `UPDATE sso_families SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = (SELECT family_id FROM sso_refresh_tokens WHERE token_key = '${refreshKey(t1.refresh_token)}')`);
    assertOAuthError(await refresh(conf, t1.refresh_token), 400, 'invalid_grant');
  });

  test('a refresh narrows the scope, never widens it; withdrawn consent or a closed account ends it', async () => {
    const t0 = await tokens(conf, CONF_CB); // scope: openid
    const wide = await refresh(conf, t0.refresh_token, { scope: 'openid profile' });
    assertOAuthError(wide, 400, 'invalid_scope');
    // A refusal spends nothing: the same token still refreshes.
    const same = await refresh(conf, t0.refresh_token, { scope: 'openid' });
    assert.equal(same.status, 200, same.text);
    assert.equal(same.json.scope, 'openid');
    const family = `(SELECT family_id FROM sso_refresh_tokens WHERE token_key = '${refreshKey(same.json.refresh_token)}')`;
    const account = Number(sql(srv, `SELECT account_id FROM sso_families WHERE id = ${family}`));
    const consented = sql(srv, `SELECT scopes FROM sso_consents WHERE account_id = ${account} AND client_id = '${conf.client_id}'`).trim();
    sql(srv, `UPDATE sso_consents SET scopes = 'profile' WHERE account_id = ${account} AND client_id = '${conf.client_id}'`);
    try {
      const r = await refresh(conf, same.json.refresh_token);
      assertOAuthError(r, 400, 'invalid_grant');
      assert.match(r.json.error_description, /consent/);
    } finally {
      sql(srv, `UPDATE sso_consents SET scopes = '${consented}' WHERE account_id = ${account} AND client_id = '${conf.client_id}'`);
    }
    sql(srv, `UPDATE accounts SET status = 'locked' WHERE id = ${account}`);
    try {
      const r = await refresh(conf, same.json.refresh_token);
      assertOAuthError(r, 400, 'invalid_grant');
      assert.match(r.json.error_description, /account/);
    } finally {
      sql(srv, `UPDATE accounts SET status = 'active' WHERE id = ${account}`);
    }
    // Neither refusal spent the token.
    const last = await refresh(conf, same.json.refresh_token);
    assert.equal(last.status, 200, last.text);
  });

  test("a refresh token is bound to its client; an unknown one is invalid_grant", async () => {
    const t0 = await tokens(pub, PUB_CB);
    assertOAuthError(await refresh(conf, t0.refresh_token), 400, 'invalid_grant');
    assertOAuthError(await refresh(pub, 'not-a-refresh-token'), 400, 'invalid_grant');
  });
});

describe('client authentication', () => {
  const cc = (fields, headers = {}) => form(srv, '/sso/token', { grant_type: 'client_credentials', ...fields }, headers);
  const withAssertion = async (a) =>
    cc({ client_id: keyed.client_id, client_assertion_type: JWT_BEARER, client_assertion: a });
  const assertInvalidClient = (r) => {
    assert.ok([400, 401].includes(r.status), `status ${r.status}: ${r.text}`);
    assert.equal(r.json?.error, 'invalid_client', r.text);
    assert.match(r.headers.get('cache-control') || '', /no-store/);
    assert.equal(r.json.access_token, undefined);
  };

  test('a wrong client secret is 401 invalid_client with WWW-Authenticate', async () => {
    for (const auth of [
      basic(machine.client_id, 'wrong'),
      basic(machine.client_id, `${machine.client_secret}x`),
      basic(machine.client_id, conf.client_secret),
      basic('no-such-client', machine.client_secret),
    ]) {
      const r = await cc({}, { Authorization: auth });
      assertOAuthError(r, 401, 'invalid_client');
      assert.match(r.headers.get('www-authenticate') || '', /^Basic\b/i);
    }
    // No credentials at all, or the secret in the body (not registered for this client).
    assertInvalidClient(await cc({ client_id: machine.client_id }));
    assertInvalidClient(await cc({ client_id: machine.client_id, client_secret: machine.client_secret }));
  });

  test('bad client assertions are invalid_client and leave no jti behind', async () => {
    const jtis = () => count(srv, 'SELECT COUNT(*) FROM sso_assertion_jti');
    const before = jtis();
    const now = Math.floor(Date.now() / 1000);
    const other = await clientKey('ES256');
    const impostor = { ...other, kid: key.kid }; // the right kid, another key
    const hs = await new jose.SignJWT({ iss: keyed.client_id, sub: keyed.client_id, aud: srv.issuer, jti: crypto.randomUUID(), exp: now + 60 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(JSON.stringify(key.publicJwk)));
    const cases = {
      'wrong signature': await assertion(impostor, keyed.client_id, srv.issuer),
      'unknown kid': await assertion(other, keyed.client_id, srv.issuer),
      'wrong audience': await assertion(key, keyed.client_id, 'https://evil.example/'),
      'audience of another endpoint': await assertion(key, keyed.client_id, `${srv.issuer}/sso/userinfo`),
      expired: await assertion(key, keyed.client_id, srv.issuer, { iat: now - 600, exp: now - 300 }),
      'more than 5 minutes ahead': await assertion(key, keyed.client_id, srv.issuer, { exp: now + 3600 }),
      'no exp': await assertion(key, keyed.client_id, srv.issuer, { exp: undefined }),
      'no jti': await assertion(key, keyed.client_id, srv.issuer, { jti: undefined }),
      'iss not the client': await assertion(key, keyed.client_id, srv.issuer, { iss: machine.client_id }),
      'sub not the client': await assertion(key, keyed.client_id, srv.issuer, { sub: machine.client_id }),
      'alg none': unsigned({ iss: keyed.client_id, sub: keyed.client_id, aud: srv.issuer, jti: crypto.randomUUID(), exp: now + 60 }),
      'alg none with a signature': `${unsigned({ iss: keyed.client_id, sub: keyed.client_id, aud: srv.issuer, jti: crypto.randomUUID(), exp: now + 60 })}AAAA`,
      'HS256 with the public key as secret': hs,
      'not a JWT': 'abc.def',
    };
    for (const [what, a] of Object.entries(cases)) {
      const r = await withAssertion(a);
      try {
        assertInvalidClient(r);
      } catch (e) {
        e.message = `${what}: ${e.message}`;
        throw e;
      }
    }
    // The wrong assertion type.
    assertInvalidClient(await cc({ client_id: keyed.client_id, client_assertion_type: 'urn:x', client_assertion: await assertion(key, keyed.client_id, srv.issuer) }));
    assert.equal(jtis(), before, 'refused assertions store no jti');
    // A secret for a private_key_jwt client is refused too.
    assertOAuthError(await cc({}, { Authorization: basic(keyed.client_id, 'whatever') }), 401, 'invalid_client');
  });

  test('a client assertion is used once: a reused jti is invalid_client', async () => {
    const a = await assertion(key, keyed.client_id, srv.issuer);
    const ok = await withAssertion(a);
    assert.equal(ok.status, 200, ok.text);
    assertInvalidClient(await withAssertion(a));
    const jti = jose.decodeJwt(a).jti;
    const again = await assertion(key, keyed.client_id, `${srv.issuer}/sso/token`, { jti });
    assertInvalidClient(await withAssertion(again));
  });

  test('a disabled client is refused at every endpoint', async () => {
    const c = clientAdd(srv, 'Sắp tắt', { redirectUris: [`${callbackBase('off')}/cb`], scope: 'openid', auth: 'client_secret_basic' });
    const m = clientAdd(srv, 'Máy sắp tắt', { grant: 'client_credentials', auth: 'client_secret_basic' });
    const { code, verifier } = await getCode(c, `${callbackBase('off')}/cb`);
    const t = await exchange(c, { code, redirect_uri: `${callbackBase('off')}/cb`, code_verifier: verifier });
    assert.equal(t.status, 200, t.text);
    for (const x of [c, m]) {
      const r = await call(srv, 'POST', `/api/v1/sso/clients/${x.client_id}/disable`, { as: admin.token });
      assert.ok([200, 204].includes(r.status), r.text);
    }
    assertOAuthError(await cc({}, { Authorization: basic(m.client_id, m.client_secret) }), 401, 'invalid_client');
    assertOAuthError(await refresh(c, t.json.refresh_token), 401, 'invalid_client');
    const { challenge } = pkce();
    await assertErrorPage(
      authorizeUrl(c.client_id, `${callbackBase('off')}/cb`, { code_challenge: challenge, code_challenge_method: 'S256' }),
      'disabled client',
    );
    const par = await form(srv, '/sso/par', { response_type: 'code', redirect_uri: `${callbackBase('off')}/cb`, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' }, {
      Authorization: basic(c.client_id, c.client_secret),
    });
    assertOAuthError(par, 401, 'invalid_client');
  });
});

describe('logout', () => {
  test('an unregistered post_logout_redirect_uri is never followed', async () => {
    const b = new Browser(srv, { login: person.login, password: person.password });
    const { code, verifier } = await getCode(conf, CONF_CB, b);
    const t = await exchange(conf, { code, redirect_uri: CONF_CB, code_verifier: verifier });
    assert.equal(t.status, 200, t.text);
    const q = new URLSearchParams({
      id_token_hint: t.json.id_token,
      post_logout_redirect_uri: 'http://127.0.0.1:9/evil/bye',
      state: 'abc',
    });
    const res = await b.fetch(`/sso/logout?${q}`);
    const loc = res.headers.get('location');
    assert.ok(!loc || !loc.startsWith('http://127.0.0.1:9/evil'), `redirected to ${loc}`);
    // A forged id_token_hint is not trusted either.
    const forged = unsigned({ iss: srv.issuer, aud: conf.client_id, sub: 'x' });
    const res2 = await b.fetch(`/sso/logout?${new URLSearchParams({ id_token_hint: forged, post_logout_redirect_uri: `${callbackBase('neg-conf')}/bye` })}`);
    assert.ok(!(res2.headers.get('location') || '').startsWith(callbackBase('neg-conf')), 'a forged hint does not redirect');
  });
});

describe('other refusals', () => {
  test('prompt=none without a session is login_required at the redirect URI', async () => {
    const { challenge } = pkce();
    const url = authorizeUrl(pub.client_id, PUB_CB, { code_challenge: challenge, code_challenge_method: 'S256', prompt: 'none' });
    const res = await new Browser(srv).fetch(url);
    assert.equal(res.status, 303);
    const to = new URL(res.headers.get('location'));
    assert.equal(`${to.origin}${to.pathname}`, PUB_CB);
    assert.equal(to.searchParams.get('error'), 'login_required');
    assert.equal(to.searchParams.get('state'), new URL(url, srv.url).searchParams.get('state'));
    assert.equal(to.searchParams.get('iss'), srv.issuer, 'RFC 9207: the issuer is named');
  });

  test('an expired request_uri is an error page', async () => {
    const { challenge } = pkce();
    const r = await form(srv, '/sso/par', { client_id: pub.client_id, response_type: 'code', redirect_uri: PUB_CB, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' });
    assert.equal(r.status, 201, r.text);
    const hash = sha256(r.json.request_uri.slice('urn:ietf:params:oauth:request_uri:'.length));
    const all = sha256(r.json.request_uri);
    sql(srv, `UPDATE sso_par SET expires_at = '2000-01-01T00:00:00.000Z' WHERE request_hash IN ('${hash}', '${all}')`);
    assert.equal(count(srv, "SELECT COUNT(*) FROM sso_par WHERE expires_at = '2000-01-01T00:00:00.000Z'"), 1, 'the PAR row was found');
    await assertErrorPage(`/sso/authorize?${new URLSearchParams({ client_id: pub.client_id, request_uri: r.json.request_uri })}`, 'expired request_uri');
  });

  test('userinfo: no token 401, a bad one 401 invalid_token, an officer\'s token 403', async () => {
    const none = await fetch(`${srv.url}/sso/userinfo`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') || '', /^Bearer\b/);
    for (const token of ['abc', unsigned({ iss: srv.issuer, sub: '1', aud: srv.issuer, exp: 9999999999 })]) {
      const r = await fetch(`${srv.url}/sso/userinfo`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(r.status, 401);
      assert.match(r.headers.get('www-authenticate') || '', /error="invalid_token"/);
    }
    const o = await fetch(`${srv.url}/sso/userinfo`, { headers: { Authorization: `Bearer ${admin.token}` } });
    assert.equal(o.status, 403);
    // A machine client's token has no person behind it and no openid scope.
    const cc = await form(srv, '/sso/token', { grant_type: 'client_credentials' }, { Authorization: basic(machine.client_id, machine.client_secret) });
    const m = await fetch(`${srv.url}/sso/userinfo`, { headers: { Authorization: `Bearer ${cc.json.access_token}` } });
    assert.equal(m.status, 403);
  });

  test('introspection: an app sees only its own tokens, a machine client any', async () => {
    const { code, verifier } = await getCode(conf, CONF_CB);
    const t = await exchange(conf, { code, redirect_uri: CONF_CB, code_verifier: verifier });
    assert.equal(t.status, 200, t.text);
    const other = clientAdd(srv, 'Ứng dụng khác', { redirectUris: [`${callbackBase('other')}/cb`], scope: 'openid', auth: 'client_secret_basic' });
    const byOther = await form(srv, '/sso/introspect', { token: t.json.access_token }, { Authorization: basic(other.client_id, other.client_secret) });
    assert.equal(byOther.status, 200);
    assert.deepEqual(byOther.json, { active: false });
    const byMachine = await form(srv, '/sso/introspect', { token: t.json.access_token }, { Authorization: basic(machine.client_id, machine.client_secret) });
    assert.equal(byMachine.json.active, true);
    assert.equal(byMachine.json.client_id, conf.client_id);
    // Without client authentication: invalid_client.
    assertOAuthError(await form(srv, '/sso/introspect', { token: t.json.access_token }), 401, 'invalid_client');
  });

  test('client credentials: a scope beyond the registered ones is invalid_scope', async () => {
    const m = clientAdd(srv, 'Trục LGSP đọc', { grant: 'client_credentials', auth: 'client_secret_basic', scope: 'lgsp:read lgsp:audit' });
    const auth = { Authorization: basic(m.client_id, m.client_secret) };
    const all = await form(srv, '/sso/token', { grant_type: 'client_credentials' }, auth);
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.json.scope.split(' ').sort(), ['lgsp:audit', 'lgsp:read']);
    const one = await form(srv, '/sso/token', { grant_type: 'client_credentials', scope: 'lgsp:read' }, auth);
    assert.equal(one.json.scope, 'lgsp:read');
    assertOAuthError(await form(srv, '/sso/token', { grant_type: 'client_credentials', scope: 'lgsp:write' }, auth), 400, 'invalid_scope');
    assertOAuthError(await form(srv, '/sso/token', { grant_type: 'client_credentials', scope: 'openid' }, auth), 400, 'invalid_scope');
  });
});
