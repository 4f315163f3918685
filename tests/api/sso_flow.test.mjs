// sso_flow.test.mjs — the OpenID Connect provider driven by a real relying party, on SQLite or
// PostgreSQL (DD_TEST_DB). openid-client, unchanged, does discovery, pushed authorization
// requests, the authorization code flow with PKCE S256 (the person's browser logs in and answers
// the consent page through the JSON APIs the pages use), the token exchange with ID token
// signature checks, refresh with rotation, userinfo, and RP-initiated logout; a loopback HTTP
// server in the test receives the back-channel logout tokens. jose verifies every ID token,
// access token and logout token against the provider's JWKS. Covered too: the Vietnamese claims
// (personal ID number, permanent address), acr/amr for level-1 and level-2 accounts, step-up,
// remembered consent, pairwise subjects, introspection, revocation, the English pages, the
// citizen's history, and the audit log's rows for tokens, consents, logins and logouts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  BACKCHANNEL_EVENT,
  Browser,
  LOA1,
  LOA2,
  addResidence,
  backchannelReceiver,
  basic,
  callbackBase,
  clientAdd,
  discoveryDoc,
  enrolTotp,
  form,
  introspect,
  jose,
  jwks,
  oidc,
  rp,
  startSsoServer,
  verifyAccessToken,
  verifyIdToken,
  verifyJwt,
} from './sso_util.mjs';
import { auditRows } from './server.mjs';
import { addPerson, call, citizen, officer, sql } from './identity_util.mjs';

const ALL_SCOPES = 'openid profile email phone national_id residence';

let srv;
let police;
let an; // a level-1 citizen with a permanent residence
let binh; // a level-2 citizen with TOTP
let web; // a confidential web app: client_secret_basic, every scope
let webRp;

before(async () => {
  srv = await startSsoServer();
  police = officer(srv, 'sso.police', 'commune-police', '56-22366');
  const anPerson = addPerson(srv, { full_name: 'Nguyễn Văn An', birth_date: '1990-05-17', sex: 'male' });
  addResidence(srv, anPerson.id_number, '12 Trần Phú');
  an = await citizen(srv, { person: anPerson });
  binh = await citizen(srv, { full_name: 'Trần Thị Bình', birth_date: '1985-02-03', sex: 'female' });
  const raised = await call(srv, 'POST', `/api/v1/accounts/${binh.account.id}/level-2`, {
    as: police.token,
    body: { card_check: 'manual', face_check: 'manual' },
  });
  assert.equal(raised.status, 200, raised.text);
  const b = new Browser(srv, { login: binh.login, password: binh.password });
  const s = await b.login();
  binh.totpSecret = await enrolTotp(srv, s.session_token);

  web = clientAdd(srv, 'Dịch vụ công tỉnh', {
    grant: 'authorization_code',
    redirectUris: [`${callbackBase('web')}/cb`],
    postLogoutUris: [`${callbackBase('web')}/bye`],
    scope: ALL_SCOPES,
    auth: 'client_secret_basic',
  });
  assert.match(web.client_secret, /^.{43,}$/, 'a secret of at least 256 bits');
  webRp = await rp(srv, web.client_id, oidc.ClientSecretBasic(web.client_secret));
});
after(async () => {
  await srv?.stop();
});

// Runs the code flow with PKCE S256 for `config`, through PAR when `par`, as `browser`;
// returns {tokens, claims, state, nonce, callback}.
async function codeFlow(config, browser, redirectUri, { scope = 'openid', par = true, extra = {}, approve } = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const params = {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  };
  const url = par
    ? await oidc.buildAuthorizationUrlWithPAR(config, params)
    : oidc.buildAuthorizationUrl(config, params);
  const callback = await browser.authorize(url, redirectUri, { approve });
  assert.ok(callback instanceof URL, `the flow ended at ${callback.stop?.status}: ${callback.body}`);
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  return { tokens, claims: tokens.claims(), state, nonce, callback };
}

describe('discovery and keys', () => {
  test('the discovery document states what the provider does, and nothing weaker', async () => {
    const d = await discoveryDoc(srv);
    assert.equal(d.issuer, srv.issuer);
    const at = (p) => `${srv.issuer}${p}`;
    assert.equal(d.authorization_endpoint, at('/sso/authorize'));
    assert.equal(d.token_endpoint, at('/sso/token'));
    assert.equal(d.userinfo_endpoint, at('/sso/userinfo'));
    assert.equal(d.jwks_uri, at('/sso/jwks'));
    assert.equal(d.pushed_authorization_request_endpoint, at('/sso/par'));
    assert.equal(d.introspection_endpoint, at('/sso/introspect'));
    assert.equal(d.revocation_endpoint, at('/sso/revoke'));
    assert.equal(d.end_session_endpoint, at('/sso/logout'));
    assert.deepEqual(d.response_types_supported, ['code']);
    assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
    for (const g of ['authorization_code', 'refresh_token', 'client_credentials'])
      assert.ok(d.grant_types_supported.includes(g), g);
    assert.ok(!d.grant_types_supported.includes('implicit'));
    assert.ok(!d.grant_types_supported.includes('password'));
    for (const m of ['client_secret_basic', 'private_key_jwt', 'none'])
      assert.ok(d.token_endpoint_auth_methods_supported.includes(m), m);
    for (const a of d.token_endpoint_auth_signing_alg_values_supported)
      assert.ok(['ES256', 'RS256', 'PS256'].includes(a), `client assertion alg ${a}`);
    assert.deepEqual(d.id_token_signing_alg_values_supported, ['ES256']);
    for (const s of ALL_SCOPES.split(' ')) assert.ok(d.scopes_supported.includes(s), s);
    for (const c of ['sub', 'name', 'national_id', 'permanent_address', 'acr', 'amr'])
      assert.ok(d.claims_supported.includes(c), c);
    assert.deepEqual([...d.acr_values_supported].sort(), [LOA1, LOA2]);
    assert.deepEqual([...d.subject_types_supported].sort(), ['pairwise', 'public']);
    assert.equal(d.backchannel_logout_supported, true);
    assert.equal(d.backchannel_logout_session_supported, true);
  });

  test('the JWKS holds public ES256 keys only, each with a kid', async () => {
    const set = await jwks(srv);
    assert.ok(set.keys.length >= 1);
    for (const k of set.keys) {
      assert.equal(k.kty, 'EC');
      assert.equal(k.crv, 'P-256');
      assert.equal(k.alg, 'ES256');
      assert.equal(k.use, 'sig');
      assert.equal(typeof k.kid, 'string');
      assert.equal(k.d, undefined, 'no private part');
      await jose.importJWK(k, 'ES256');
    }
    assert.equal(new Set(set.keys.map((k) => k.kid)).size, set.keys.length);
  });
});

describe('authorization code with PKCE, through PAR', () => {
  let first;
  test('a level-1 citizen logs in, consents, and the app gets verified tokens', async () => {
    const browser = new Browser(srv, { login: an.login, password: an.password });
    let shown;
    const redirectUri = `${callbackBase('web')}/cb`;
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = await oidc.buildAuthorizationUrlWithPAR(webRp, {
      redirect_uri: redirectUri,
      scope: ALL_SCOPES,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    // What the app sends the browser to holds only the client and the request_uri.
    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    assert.match(url.searchParams.get('request_uri'), /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{22,}$/);
    const callback = await browser.authorize(url, redirectUri, {
      onConsent: (interaction) => (shown = interaction),
    });
    assert.ok(callback instanceof URL, `${callback.stop?.status} ${callback.body}`);
    assert.ok(browser.visited.some((u) => u.includes('/login.html')), 'went through the login page');
    assert.equal(callback.searchParams.get('state'), state);
    // The consent page is told the app and each claim asked for.
    const text = JSON.stringify(shown);
    assert.match(text, /Dịch vụ công tỉnh/);
    for (const claim of ['national_id', 'permanent_address', 'email', 'phone_number', 'birthdate'])
      assert.match(text, new RegExp(claim), `consent lists ${claim}`);

    const tokens = await oidc.authorizationCodeGrant(webRp, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.ok(tokens.expires_in > 0 && tokens.expires_in <= 300);
    assert.equal(typeof tokens.refresh_token, 'string');
    const id = await verifyIdToken(srv, tokens.id_token, { clientId: web.client_id, nonce, acr: LOA1, amr: ['pwd'] });
    assert.equal(id.sub, tokens.claims().sub);
    assert.doesNotMatch(id.sub, new RegExp(an.person.id_number), 'the public sub is never the ID number');
    assert.equal(id.national_id, undefined, 'claims stay out of the ID token unless asked for there');
    const at = await verifyAccessToken(srv, tokens.access_token, { clientId: web.client_id, sub: id.sub });
    for (const s of ALL_SCOPES.split(' ')) assert.ok(at.scope.split(' ').includes(s), `scope ${s}`);
    first = { tokens, sub: id.sub, sid: id.sid };
  });

  test('userinfo releases the consented claims, Vietnamese ones included', async () => {
    const info = await oidc.fetchUserInfo(webRp, first.tokens.access_token, first.sub);
    assert.equal(info.sub, first.sub);
    assert.equal(info.name, 'Nguyễn Văn An');
    assert.equal(info.family_name, 'Nguyễn');
    assert.ok(info.given_name && info.name.endsWith(info.given_name), `given_name ${info.given_name}`);
    assert.equal(info.birthdate, '1990-05-17');
    assert.equal(info.gender, 'male');
    assert.equal(info.email, an.email);
    assert.match(info.phone_number, /^\+849\d{8}$/);
    assert.equal(typeof info.phone_number_verified, 'boolean');
    assert.equal(info.national_id, an.person.id_number);
    const addr = info.permanent_address;
    assert.equal(addr.commune_code, '22366');
    assert.equal(addr.province_code, '56');
    assert.equal(addr.street_address, '12 Trần Phú');
    assert.match(addr.commune_name, /Nha Trang/);
    assert.match(addr.province_name, /Khánh Hòa/);
    assert.ok(addr.formatted.includes('12 Trần Phú') && addr.formatted.includes(addr.commune_name));
  });

  test('refresh rotates the refresh token and gives a fresh, verified access token', async () => {
    const next = await oidc.refreshTokenGrant(webRp, first.tokens.refresh_token);
    assert.notEqual(next.refresh_token, first.tokens.refresh_token);
    assert.notEqual(next.access_token, first.tokens.access_token);
    const at = await verifyAccessToken(srv, next.access_token, { clientId: web.client_id, sub: first.sub });
    assert.ok(at.scope.split(' ').includes('national_id'));
    if (next.id_token) await verifyIdToken(srv, next.id_token, { clientId: web.client_id, acr: LOA1 });
    const third = await oidc.refreshTokenGrant(webRp, next.refresh_token);
    await verifyAccessToken(srv, third.access_token, { clientId: web.client_id, sub: first.sub });
    first.latest = third;
  });

  test('introspection and revocation (RFC 7662, RFC 7009)', async () => {
    const active = await introspect(srv, first.latest.access_token, web.client_id, web.client_secret);
    assert.equal(active.active, true);
    assert.equal(active.client_id, web.client_id);
    assert.equal(active.sub, first.sub);
    assert.equal(typeof active.exp, 'number');
    const rt = await introspect(srv, first.latest.refresh_token, web.client_id, web.client_secret);
    assert.equal(rt.active, true);
    // A revocation whose client authentication fails (a wrong secret, no credentials, a form
    // that repeats a parameter) is refused and revokes nothing.
    const tries = [
      [{ token: first.latest.refresh_token }, { Authorization: basic(web.client_id, `${web.client_secret}x`) }, 401],
      [{ token: first.latest.refresh_token, client_id: web.client_id }, {}, 401],
      [`token=${encodeURIComponent(first.latest.refresh_token)}&token=x`, { Authorization: basic(web.client_id, web.client_secret) }, 400],
    ];
    for (const [body, headers, status] of tries) {
      const r = await form(srv, '/sso/revoke', body, headers);
      assert.equal(r.status, status, r.text);
    }
    assert.equal((await introspect(srv, first.latest.refresh_token, web.client_id, web.client_secret)).active, true);
    assert.equal((await introspect(srv, first.latest.access_token, web.client_id, web.client_secret)).active, true);
    // Revoking the refresh token; a second revocation is still 200 (RFC 7009 §2.2).
    for (let i = 0; i < 2; i++) {
      const r = await form(srv, '/sso/revoke', { token: first.latest.refresh_token, token_type_hint: 'refresh_token' }, {
        Authorization: basic(web.client_id, web.client_secret),
      });
      assert.equal(r.status, 200, r.text);
    }
    assert.equal((await introspect(srv, first.latest.refresh_token, web.client_id, web.client_secret)).active, false);
    await assert.rejects(oidc.refreshTokenGrant(webRp, first.latest.refresh_token), (e) => e.error === 'invalid_grant');
    // Revoking the access token: introspection and userinfo refuse it from then on.
    const r = await form(srv, '/sso/revoke', { token: first.latest.access_token }, {
      Authorization: basic(web.client_id, web.client_secret),
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await introspect(srv, first.latest.access_token, web.client_id, web.client_secret), { active: false });
    const u = await fetch(`${srv.url}/sso/userinfo`, { headers: { Authorization: `Bearer ${first.latest.access_token}` } });
    assert.equal(u.status, 401);
    assert.match(u.headers.get('www-authenticate') || '', /^Bearer\b.*error="invalid_token"/);
    // An unknown token is inactive, never an error.
    assert.deepEqual(await introspect(srv, 'not-a-token', web.client_id, web.client_secret), { active: false });
  });

  test('consent is remembered: the second login to the app asks nothing', async () => {
    const browser = new Browser(srv, { login: an.login, password: an.password });
    const { claims } = await codeFlow(webRp, browser, `${callbackBase('web')}/cb`, { scope: ALL_SCOPES });
    assert.ok(!browser.visited.some((u) => u.includes('consent.html')), browser.visited.join('\n'));
    assert.equal(claims.sub, first.sub, 'the public sub is stable');
  });

  test('refusing consent sends access_denied to the app, with its state', async () => {
    const pub = clientAdd(srv, 'Ứng dụng thử', {
      redirectUris: [`${callbackBase('deny')}/cb`],
      scope: 'openid profile national_id',
      auth: 'none',
    });
    assert.equal(pub.client_secret, undefined, 'a public client gets no secret');
    const config = await rp(srv, pub.client_id);
    const browser = new Browser(srv, { login: an.login, password: an.password });
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${callbackBase('deny')}/cb`,
      scope: 'openid national_id',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state,
    });
    const cb = await browser.authorize(url, `${callbackBase('deny')}/cb`, { approve: false });
    assert.ok(cb instanceof URL, `${cb.stop?.status} ${cb.body}`);
    assert.equal(cb.searchParams.get('error'), 'access_denied');
    assert.equal(cb.searchParams.get('state'), state);
    assert.equal(cb.searchParams.get('code'), null);
  });
});

describe('pages', () => {
  test('ui_locales=en sends the browser to the English login and consent pages, which exist', async () => {
    const app = clientAdd(srv, 'Tourist app', { redirectUris: [`${callbackBase('en')}/cb`], scope: 'openid profile', auth: 'none' });
    const config = await rp(srv, app.client_id);
    const browser = new Browser(srv, { login: an.login, password: an.password });
    await codeFlow(config, browser, `${callbackBase('en')}/cb`, { scope: 'openid profile', par: false, extra: { ui_locales: 'en' } });
    const login = browser.visited.find((u) => u.includes('login.html'));
    const consent = browser.visited.find((u) => u.includes('consent.html'));
    assert.equal(new URL(login).pathname, '/en/login.html');
    assert.equal(new URL(consent).pathname, '/en/sso/consent.html');
    for (const page of ['/login.html', '/en/login.html', '/sso/consent.html', '/en/sso/consent.html']) {
      const r = await fetch(`${srv.url}${page}`);
      assert.equal(r.status, 200, page);
      assert.match(r.headers.get('content-type') || '', /^text\/html/);
      const html = await r.text();
      assert.match(html, /<html lang="(vi|en)"/, `${page} states its language`);
      assert.doesNotMatch(html, /<script>(?!<\/script>)/, `${page}: no inline script (CSP)`);
    }
  });
});

describe('assurance levels', () => {
  let app;
  let config;
  before(async () => {
    app = clientAdd(srv, 'Cổng thuế', {
      redirectUris: [`${callbackBase('tax')}/cb`],
      scope: 'openid profile',
      auth: 'none',
    });
    config = await rp(srv, app.client_id);
  });

  test('a level-2 account logged in with TOTP gets loa:2 and amr pwd, otp, mfa', async () => {
    const browser = new Browser(srv, { login: binh.login, password: binh.password, totpSecret: binh.totpSecret });
    const { tokens, nonce } = await codeFlow(config, browser, `${callbackBase('tax')}/cb`, {
      par: false,
      extra: { acr_values: LOA2 },
    });
    await verifyIdToken(srv, tokens.id_token, { clientId: app.client_id, nonce, acr: LOA2, amr: ['pwd', 'otp', 'mfa'] });
  });

  test('asking loa:2 of a level-1 account ends with unmet_authentication_requirements', async () => {
    const browser = new Browser(srv, { login: an.login, password: an.password });
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${callbackBase('tax')}/cb`,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state,
      acr_values: LOA2,
    });
    const cb = await browser.authorize(url, `${callbackBase('tax')}/cb`);
    assert.ok(cb instanceof URL, `${cb.stop?.status} ${cb.body}`);
    assert.equal(cb.searchParams.get('error'), 'unmet_authentication_requirements');
    assert.equal(cb.searchParams.get('state'), state);
    assert.equal(cb.searchParams.get('code'), null);
  });

  test('loa:2 asked of a session without the second factor steps up through the login page', async () => {
    const c = await citizen(srv, { full_name: 'Lê Văn Cường', birth_date: '1979-11-30' });
    const up = await call(srv, 'POST', `/api/v1/accounts/${c.account.id}/level-2`, {
      as: police.token,
      body: { card_check: 'manual', face_check: 'manual' },
    });
    assert.equal(up.status, 200, up.text);
    const browser = new Browser(srv, { login: c.login, password: c.password });
    const s = await browser.login(); // password only: TOTP is not on yet
    const secret = await enrolTotp(srv, s.session_token);
    // Without acr_values the password session is enough, at loa:1.
    const plain = await codeFlow(config, browser, `${callbackBase('tax')}/cb`, { par: false });
    assert.ok(!browser.visited.some((u) => u.includes('login.html')));
    await verifyIdToken(srv, plain.tokens.id_token, { clientId: app.client_id, acr: LOA1, amr: ['pwd'] });
    // With loa:2 the browser is sent to the login page for the second factor.
    browser.signIn.totpSecret = secret;
    browser.visited = [];
    const stepped = await codeFlow(config, browser, `${callbackBase('tax')}/cb`, {
      par: false,
      extra: { acr_values: LOA2 },
    });
    assert.ok(browser.visited.some((u) => u.includes('login.html')), 'step-up went to the login page');
    await verifyIdToken(srv, stepped.tokens.id_token, { clientId: app.client_id, acr: LOA2, amr: ['pwd', 'otp', 'mfa'] });
  });
});

describe('subjects', () => {
  test('a pairwise client sees another, stable sub; public clients share the account one', async () => {
    const pw = clientAdd(srv, 'Bệnh viện tỉnh', {
      redirectUris: [`${callbackBase('pw')}/cb`],
      scope: 'openid',
      auth: 'none',
      pairwise: true,
    });
    const pub = clientAdd(srv, 'Thư viện tỉnh', {
      redirectUris: [`${callbackBase('pub')}/cb`],
      scope: 'openid',
      auth: 'none',
    });
    const pwRp = await rp(srv, pw.client_id);
    const pubRp = await rp(srv, pub.client_id);
    const subs = [];
    for (let i = 0; i < 2; i++) {
      const browser = new Browser(srv, { login: an.login, password: an.password });
      subs.push((await codeFlow(pwRp, browser, `${callbackBase('pw')}/cb`)).claims.sub);
      subs.push((await codeFlow(pubRp, browser, `${callbackBase('pub')}/cb`)).claims.sub);
    }
    const [pw1, pub1, pw2, pub2] = subs;
    assert.equal(pw1, pw2, 'pairwise sub is stable');
    assert.equal(pub1, pub2);
    assert.notEqual(pw1, pub1);
    assert.doesNotMatch(pw1, new RegExp(an.person.id_number));
    assert.doesNotMatch(pw1, new RegExp(`^${an.account.id}$`));
  });
});

describe('logout', () => {
  test('RP-initiated logout ends the session, goes back to the app, and back-channel logout reaches every app of the session', async () => {
    const rx = await backchannelReceiver();
    try {
      const a = clientAdd(srv, 'Hộ tịch điện tử', {
        redirectUris: [`${callbackBase('bca')}/cb`],
        postLogoutUris: [`${callbackBase('bca')}/bye`],
        backchannelUri: `${rx.url}?app=a`,
        scope: 'openid profile',
        auth: 'client_secret_basic',
      });
      const b = clientAdd(srv, 'Giáo dục', {
        redirectUris: [`${callbackBase('bcb')}/cb`],
        backchannelUri: `${rx.url}?app=b`,
        scope: 'openid',
        auth: 'none',
      });
      const aRp = await rp(srv, a.client_id, oidc.ClientSecretBasic(a.client_secret));
      const bRp = await rp(srv, b.client_id);
      const browser = new Browser(srv, { login: an.login, password: an.password });
      const fa = await codeFlow(aRp, browser, `${callbackBase('bca')}/cb`, { scope: 'openid profile' });
      const fb = await codeFlow(bRp, browser, `${callbackBase('bcb')}/cb`);
      assert.equal(browser.visited.filter((u) => u.includes('login.html')).length, 1, 'single sign-on: one login');
      assert.equal(typeof fa.claims.sid, 'string');
      assert.equal(fa.claims.sid, fb.claims.sid, 'one session, one sid');
      assert.equal(rx.received.length, 0);

      // The portal is in use too, so the session sits in the server's session cache.
      assert.equal((await browser.json('GET', '/api/v1/me')).status, 200);
      const sessionToken = browser.cookies.get('dd_session');
      assert.match(sessionToken || '', /^dds_/);
      const state = oidc.randomState();
      const end = oidc.buildEndSessionUrl(aRp, {
        id_token_hint: fa.tokens.id_token,
        post_logout_redirect_uri: `${callbackBase('bca')}/bye`,
        state,
      });
      const res = await browser.fetch(end);
      assert.ok([302, 303].includes(res.status), `logout answered ${res.status}: ${await res.text()}`);
      const back = new URL(res.headers.get('location'));
      assert.equal(`${back.origin}${back.pathname}`, `${callbackBase('bca')}/bye`);
      assert.equal(back.searchParams.get('state'), state);
      const me = await browser.json('GET', '/api/v1/me');
      assert.equal(me.status, 401, 'the provider session has ended');
      const kept = await call(srv, 'GET', '/api/v1/me', { as: sessionToken });
      assert.equal(kept.status, 401, 'a copy of the session token is refused at once too');

      const got = await rx.waitFor(2);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(got.length, 2, 'one logout token per app of the session');
      const byApp = Object.fromEntries(got.map((g) => [new URL(g.path, rx.url).searchParams.get('app'), g]));
      for (const [app, client] of [['a', a], ['b', b]]) {
        const g = byApp[app];
        assert.ok(g, `app ${app} was told`);
        assert.equal(g.method, 'POST');
        assert.match(g.headers['content-type'], /^application\/x-www-form-urlencoded/);
        const token = new URLSearchParams(g.body).get('logout_token');
        const { payload, protectedHeader } = await verifyJwt(srv, token, { audience: client.client_id, maxTtl: 300 });
        if (protectedHeader.typ !== undefined) assert.equal(protectedHeader.typ, 'logout+jwt');
        assert.deepEqual(payload.events, { [BACKCHANNEL_EVENT]: {} });
        assert.equal(payload.sid, fa.claims.sid);
        assert.equal(payload.sub, app === 'a' ? fa.claims.sub : fb.claims.sub);
        assert.equal(typeof payload.jti, 'string');
        assert.equal(payload.nonce, undefined, 'a logout token has no nonce');
      }
      // A new authorization needs a new login.
      browser.visited = [];
      await codeFlow(bRp, browser, `${callbackBase('bcb')}/cb`);
      assert.ok(browser.visited.some((u) => u.includes('login.html')));
    } finally {
      await rx.close();
    }
  });
});

describe('the citizen sees it', () => {
  test('SSO logins appear in the e-identity usage history per client', async () => {
    const s = await new Browser(srv, { login: an.login, password: an.password }).login();
    const r = await call(srv, 'GET', '/api/v1/me/auth-history?limit=500', { as: s.session_token });
    assert.equal(r.status, 200, r.text);
    const text = JSON.stringify(r.json().items);
    assert.ok(text.includes(web.client_id) || text.includes('Dịch vụ công tỉnh'), 'the app is named in the history');
  });
});

describe('the audit log', () => {
  test('every issued token, consent, login to an app and logout is written, in an intact chain', async () => {
    const want = ['sso.client.add', 'sso.consent.grant', 'sso.consent.refuse', 'sso.login', 'sso.token.issue', 'sso.token.revoke', 'sso.logout'];
    // The web app got tokens four times: the first code, two refreshes, the second code. Rows
    // written together hold {"count", "entries": […]}.
    const webIssued = () =>
      sql(srv, `SELECT detail FROM audit_log WHERE action = 'sso.token.issue' AND actor = 'client:${web.client_id}'`)
        .split('\n')
        .filter(Boolean)
        .map((d) => JSON.parse(d))
        .reduce((n, d) => n + (Array.isArray(d.entries) ? d.entries.length : 1), 0);
    const deadline = Date.now() + 5000;
    let actions;
    for (;;) {
      actions = new Set(sql(srv, "SELECT DISTINCT action FROM audit_log WHERE action LIKE 'sso.%'").split('\n'));
      if ((want.every((a) => actions.has(a)) && webIssued() >= 4) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const a of want) assert.ok(actions.has(a), `audit action ${a} (have ${[...actions]})`);
    assert.equal(webIssued(), 4, 'every token issued to the web app is audited');
    const rows = sql(srv, "SELECT detail FROM audit_log WHERE action LIKE 'sso.%'");
    assert.ok(!rows.includes(an.person.id_number), 'no ID number in the audit details');
    assert.ok(!rows.includes('ddr_') && !rows.includes('eyJ'), 'no token in the audit details');
    auditRows(srv.db);
  });
});
