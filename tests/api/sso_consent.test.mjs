// sso_consent.test.mjs — consents remembered by the provider, as the citizen sees and revokes
// them in the portal, on SQLite or PostgreSQL (DD_TEST_DB). A consent given on the consent page
// (through openid-client's code flow) is listed by GET /api/v1/me/sso-consents with the scopes
// released; asking for more claims asks again; DELETE /api/v1/me/sso-consents/{client_id} takes
// effect on the next token: the client's refresh tokens stop working and the next authorization
// shows the consent page again. The consent page's API labels each claim in Vietnamese or
// English; refused deletions and bad answers to the consent page store nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertProblem } from './server.mjs';
import { call, citizen, count, officer, session } from './identity_util.mjs';
import { Browser, callbackBase, clientAdd, oidc, rp, startSsoServer, verifyAccessToken } from './sso_util.mjs';

// Starts an authorization for `browser` (logged in) and stops at the consent page: the
// interaction id.
async function pendingConsent(browser, scope) {
  const url = oidc.buildAuthorizationUrl(appRp, {
    redirect_uri: CB,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
  });
  const res = await browser.fetch(url);
  assert.equal(res.status, 303);
  const to = new URL(res.headers.get('location'), srv.url);
  assert.equal(to.pathname, '/sso/consent.html', to.href);
  return to.searchParams.get('interaction');
}

let srv;
let person;
let other;
let app;
let appRp;
const CB = `${callbackBase('consent')}/cb`;

before(async () => {
  srv = await startSsoServer();
  person = await citizen(srv, { full_name: 'Phạm Thị Dung', birth_date: '1992-08-09', sex: 'female' });
  other = await citizen(srv, { full_name: 'Võ Văn Em', birth_date: '1988-01-20' });
  app = clientAdd(srv, 'Bảo hiểm xã hội', {
    redirectUris: [CB],
    scope: 'openid profile national_id',
    auth: 'client_secret_basic',
  });
  appRp = await rp(srv, app.client_id, oidc.ClientSecretBasic(app.client_secret));
});
after(async () => {
  await srv?.stop();
});

async function flow(browser, scope) {
  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const url = await oidc.buildAuthorizationUrlWithPAR(appRp, {
    redirect_uri: CB,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
  });
  browser.visited = [];
  const cb = await browser.authorize(url, CB);
  assert.ok(cb instanceof URL, `${cb.stop?.status} ${cb.body}`);
  const consented = browser.visited.some((u) => u.includes('consent.html'));
  const tokens = await oidc.authorizationCodeGrant(appRp, cb, { pkceCodeVerifier: verifier, expectedNonce: nonce, idTokenExpected: true });
  return { tokens, consented };
}

describe('remembered consent in the portal', () => {
  let browser;
  let token;
  let t1;

  test('a consent is asked once for a claim set and listed with its scopes', async () => {
    browser = new Browser(srv, { login: person.login, password: person.password });
    const a = await flow(browser, 'openid profile');
    assert.equal(a.consented, true, 'first time: consent page');
    const b = await flow(browser, 'openid profile');
    assert.equal(b.consented, false, 'same claims: remembered');
    const c = await flow(browser, 'openid profile national_id');
    assert.equal(c.consented, true, 'a new claim: asked again');
    t1 = c.tokens;
    token = (await session(srv, person.login, person.password)).token;
    const r = await call(srv, 'GET', '/api/v1/me/sso-consents', { as: token });
    assert.equal(r.status, 200, r.text);
    const items = r.json().items;
    assert.equal(items.length, 1);
    assert.equal(items[0].client_id, app.client_id);
    assert.equal(items[0].client_name, 'Bảo hiểm xã hội');
    const scopes = items[0].scope.split(' ');
    for (const s of ['openid', 'profile', 'national_id']) assert.ok(scopes.includes(s), s);
    assert.ok('next_cursor' in r.json());
    // Someone else has none.
    const o = await call(srv, 'GET', '/api/v1/me/sso-consents', { as: (await session(srv, other.login, other.password)).token });
    assert.deepEqual(o.json().items, []);
  });

  test('revocation takes effect on the next token', async () => {
    const n = count(srv, 'SELECT COUNT(*) FROM sso_consents');
    // Refused first: someone else's consent, an unknown client, no session. Nothing changes.
    const theirs = (await session(srv, other.login, other.password)).token;
    assertProblem(await call(srv, 'DELETE', `/api/v1/me/sso-consents/${app.client_id}`, { as: theirs }), 404, 'not-found');
    assertProblem(await call(srv, 'DELETE', '/api/v1/me/sso-consents/no-such-client', { as: token }), 404, 'not-found');
    assert.equal((await call(srv, 'DELETE', `/api/v1/me/sso-consents/${app.client_id}`)).status, 401);
    const clerk = officer(srv, 'sso.consent.officer', 'commune-police', '56-22366');
    assert.equal((await call(srv, 'DELETE', `/api/v1/me/sso-consents/${app.client_id}`, { as: clerk.token })).status, 403);
    assert.equal(count(srv, 'SELECT COUNT(*) FROM sso_consents'), n);
    // The refresh token still works before the revocation.
    const before = await oidc.refreshTokenGrant(appRp, t1.refresh_token);
    await verifyAccessToken(srv, before.access_token, { clientId: app.client_id });

    const del = await call(srv, 'DELETE', `/api/v1/me/sso-consents/${app.client_id}`, { as: token });
    assert.equal(del.status, 204, del.text);
    assert.equal(count(srv, 'SELECT COUNT(*) FROM sso_consents'), n - 1);
    assert.deepEqual((await call(srv, 'GET', '/api/v1/me/sso-consents', { as: token })).json().items, []);
    await assert.rejects(oidc.refreshTokenGrant(appRp, before.refresh_token), (e) => e.error === 'invalid_grant');
    const again = await flow(browser, 'openid profile');
    assert.equal(again.consented, true, 'the consent page is shown again');
    assertProblem(await call(srv, 'DELETE', `/api/v1/me/sso-consents/${app.client_id}`, { as: theirs }), 404, 'not-found');
  });
});

describe('the consent page\'s API', () => {
  test('each claim is labelled in Vietnamese, or English when asked', async () => {
    const b = new Browser(srv, { login: other.login, password: other.password });
    await b.login();
    const id = await pendingConsent(b, 'openid profile national_id');
    const vi = await b.json('GET', `/api/v1/sso/interactions/${id}`);
    assert.equal(vi.status, 200, vi.text);
    assert.equal(vi.json.client.client_id, app.client_id);
    assert.equal(vi.json.client.name, 'Bảo hiểm xã hội');
    const byScope = Object.fromEntries(vi.json.claims.map((c) => [c.scope, c]));
    assert.deepEqual(Object.keys(byScope).sort(), ['national_id', 'openid', 'profile']);
    assert.match(byScope.national_id.label, /Số định danh cá nhân/);
    assert.deepEqual(byScope.national_id.claims, ['national_id']);
    assert.ok(byScope.profile.claims.includes('birthdate'));
    const en = await b.fetch(`/api/v1/sso/interactions/${id}`, { headers: { 'Accept-Language': 'en' } });
    const enBody = await en.json();
    const enNational = enBody.claims.find((c) => c.scope === 'national_id');
    assert.match(enNational.label, /[Pp]ersonal identification number/);
  });

  test('bad answers are refused and store nothing', async () => {
    const b = new Browser(srv, { login: other.login, password: other.password });
    await b.login();
    const id = await pendingConsent(b, 'openid profile');
    const n = count(srv, 'SELECT COUNT(*) FROM sso_consents');
    for (const body of [{}, { approve: 'yes' }, { approve: 1 }, []]) {
      const r = await b.json('POST', `/api/v1/sso/interactions/${id}`, body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.type, 'urn:dinhdanh:problem:validation-failed');
    }
    const unknown = await b.json('POST', '/api/v1/sso/interactions/not-an-interaction', { approve: true });
    assert.equal(unknown.status, 404, unknown.text);
    // Someone else's session cannot answer it.
    const stranger = new Browser(srv, { login: person.login, password: person.password });
    await stranger.login();
    const theirs = await stranger.json('POST', `/api/v1/sso/interactions/${id}`, { approve: true });
    assert.equal(theirs.status, 404, theirs.text);
    assert.equal((await stranger.json('GET', `/api/v1/sso/interactions/${id}`)).status, 404);
    // No CSRF token with the cookie: refused.
    const saved = b.csrf;
    b.csrf = '';
    assert.equal((await b.json('POST', `/api/v1/sso/interactions/${id}`, { approve: true })).status, 403);
    b.csrf = saved;
    assert.equal(count(srv, 'SELECT COUNT(*) FROM sso_consents'), n);
    // The right answer still works afterwards.
    const ok = await b.json('POST', `/api/v1/sso/interactions/${id}`, { approve: true });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(count(srv, 'SELECT COUNT(*) FROM sso_consents'), n + 1);
  });
});
