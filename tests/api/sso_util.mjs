// sso_util.mjs — what the single sign-on tests share. The relying party is the npm package
// openid-client used as any provincial app would use it (discovery, PAR, code + PKCE S256,
// refresh, userinfo, end-session URL); tokens are checked with jose against the provider's JWKS;
// the person's browser is a small cookie jar that follows the provider's redirects and answers
// the login and consent steps through the JSON APIs the web pages use (docs/SSO.md). Clients are
// registered with `dinhdanh client add` and managed through the admin API.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { runCli, tempDir } from './server.mjs';
import { call, freshTotp, sql, startIdentityServer } from './identity_util.mjs';

export { jose, oidc };

export const LOA1 = 'urn:dinhdanh:loa:1';
export const LOA2 = 'urn:dinhdanh:loa:2';
export const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

// A server with the identity tests' fast settings (cheap password hashes, notices in a file).
export async function startSsoServer(args = [], opts = {}) {
  const srv = await startIdentityServer(args, opts);
  srv.issuer = srv.url;
  return srv;
}

// `dinhdanh client add NAME …` against the server's database and data folder; returns the JSON
// object it prints ({client_id, client_secret?, …}). `o` holds grant, redirectUris,
// postLogoutUris, backchannelUri, scope, auth, jwks (an object, written to a file), pairwise.
export function clientAdd(srv, name, o = {}) {
  const args = ['client', 'add', name, '--grant', o.grant || 'authorization_code'];
  for (const u of o.redirectUris || []) args.push('--redirect-uri', u);
  for (const u of o.postLogoutUris || []) args.push('--post-logout-redirect-uri', u);
  if (o.backchannelUri) args.push('--backchannel-logout-uri', o.backchannelUri);
  if (o.scope) args.push('--scope', o.scope);
  if (o.auth) args.push('--auth', o.auth);
  if (o.jwks) {
    const file = path.join(tempDir('jwks'), 'client.jwks.json');
    fs.writeFileSync(file, JSON.stringify(o.jwks));
    args.push('--jwks', file);
  }
  if (o.pairwise) args.push('--pairwise');
  args.push('--db', srv.db, '--data-dir', srv.dataDir);
  let r = runCli(args);
  if (r.status === null && r.signal === null) r = runCli(args); // the process could not be started
  assert.equal(r.status, 0, `client add (signal ${r.signal}): ${r.stdout}${r.stderr}`);
  const out = JSON.parse(r.stdout);
  assert.equal(typeof out.client_id, 'string', r.stdout);
  return out;
}

// Discovery by openid-client for a client; `auth` is an openid-client ClientAuth (None() for a
// public client). ID token signatures are checked too (enableNonRepudiationChecks).
export async function rp(srv, clientId, auth = oidc.None(), metadata = {}) {
  const config = await oidc.discovery(new URL(srv.issuer), clientId, metadata, auth, {
    execute: [oidc.allowInsecureRequests],
  });
  oidc.enableNonRepudiationChecks(config);
  return config;
}

// --- the person's browser ----------------------------------------------------------------------

// A cookie jar that follows the provider's redirects by hand. `signIn` holds how to log in when
// the provider sends the browser to the login page ({login, password, totpSecret?}).
export class Browser {
  constructor(srv, signIn = null) {
    this.srv = srv;
    this.signIn = signIn;
    this.cookies = new Map();
    this.csrf = '';
    this.visited = []; // every URL answered with a redirect or a page, in order
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  // fetch() with this jar; never follows redirects.
  async fetch(url, init = {}) {
    const headers = new Headers(init.headers || {});
    if (this.cookies.size) headers.set('Cookie', this.cookieHeader());
    const res = await fetch(new URL(url, this.srv.url), { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  async json(method, p, body) {
    const headers = { 'Content-Type': 'application/json' };
    if (this.csrf && method !== 'GET') headers['X-CSRF-Token'] = this.csrf;
    const res = await this.fetch(p, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  // Logs in through POST /api/v1/sessions as the login page does (the cookie lands in the jar).
  async login(who = this.signIn, extra = {}) {
    const body = { login: who.login, password: who.password, ...extra };
    if (who.totpSecret && !extra.totp) body.totp = await freshTotp(who.totpSecret);
    const r = await this.json('POST', '/api/v1/sessions', body);
    assert.equal(r.status, 201, `login: ${r.text}`);
    assert.ok(this.cookies.has('dd_session'), 'the login sets the session cookie');
    this.csrf = r.json.csrf_token;
    return r.json;
  }

  // Follows the provider from `url` until it sends the browser to `redirectUri` (returned as a
  // URL), logging in at the login page and answering the consent page with `approve`. Any other
  // answer (a page the provider shows, an error) is returned as {stop: response, body}.
  async authorize(url, redirectUri, { approve = true, onLogin, onConsent } = {}) {
    let next = new URL(url, this.srv.url);
    for (let hop = 0; hop < 12; hop++) {
      if (next.href.startsWith(redirectUri)) return next;
      const res = await this.fetch(next);
      this.visited.push(next.href);
      const loc = res.headers.get('location');
      if (![301, 302, 303, 307].includes(res.status) || !loc) {
        return { stop: res, body: await res.text() };
      }
      await res.arrayBuffer();
      const to = new URL(loc, next);
      if (to.href.startsWith(redirectUri)) return to;
      if (to.origin === this.srv.url && /^\/(en\/)?login\.html$/.test(to.pathname)) {
        this.visited.push(to.href);
        const back = to.searchParams.get('next');
        assert.ok(back && back.startsWith('/'), `login page without a same-origin next: ${to.href}`);
        if (onLogin) await onLogin(to);
        else await this.login();
        next = new URL(back, this.srv.url);
        continue;
      }
      if (to.origin === this.srv.url && /^\/(en\/)?sso\/consent\.html$/.test(to.pathname)) {
        this.visited.push(to.href);
        const id = to.searchParams.get('interaction');
        assert.ok(id, `consent page without interaction: ${to.href}`);
        const shown = await this.json('GET', `/api/v1/sso/interactions/${encodeURIComponent(id)}`);
        assert.equal(shown.status, 200, `interaction: ${shown.text}`);
        if (onConsent) await onConsent(shown.json, id);
        const answer = await this.json('POST', `/api/v1/sso/interactions/${encodeURIComponent(id)}`, {
          approve,
        });
        assert.equal(answer.status, 200, `consent answer: ${answer.text}`);
        assert.equal(typeof answer.json.redirect_to, 'string', answer.text);
        next = new URL(answer.json.redirect_to, this.srv.url);
        continue;
      }
      next = to;
    }
    assert.fail(`too many redirects: ${this.visited.join(' → ')}`);
  }
}

// --- tokens ------------------------------------------------------------------------------------

export async function discoveryDoc(srv) {
  const r = await fetch(`${srv.url}/.well-known/openid-configuration`);
  assert.equal(r.status, 200);
  return r.json();
}

export async function jwks(srv) {
  const d = await discoveryDoc(srv);
  const r = await fetch(d.jwks_uri);
  assert.equal(r.status, 200);
  return r.json();
}

// Verifies a JWT with jose against the provider's JWKS as it is now: ES256, the key named by
// `kid` among the keys published, the issuer, and when given the audience and typ. Returns
// {payload, protectedHeader}.
export async function verifyJwt(srv, token, { audience, typ, maxTtl } = {}) {
  const set = await jwks(srv);
  const header = jose.decodeProtectedHeader(token);
  assert.equal(header.alg, 'ES256');
  assert.equal(typeof header.kid, 'string', 'kid is set');
  assert.ok(
    set.keys.some((k) => k.kid === header.kid),
    `kid ${header.kid} in the JWKS (${set.keys.map((k) => k.kid)})`,
  );
  const opts = { issuer: srv.issuer, algorithms: ['ES256'] };
  if (audience !== undefined) opts.audience = audience;
  if (typ !== undefined) opts.typ = typ;
  const out = await jose.jwtVerify(token, jose.createLocalJWKSet(set), opts);
  const p = out.payload;
  assert.equal(typeof p.exp, 'number');
  assert.equal(typeof p.iat, 'number');
  if (maxTtl) assert.ok(p.exp - p.iat <= maxTtl && p.exp > p.iat, `lifetime ${p.exp - p.iat} s`);
  return out;
}

// An ID token as OpenID Connect Core §2 and §3.1.3.7 require, with the acr and amr asked for.
export async function verifyIdToken(srv, token, { clientId, nonce, acr, amr } = {}) {
  const { payload, protectedHeader } = await verifyJwt(srv, token, { audience: clientId, maxTtl: 300 });
  assert.notEqual(protectedHeader.typ, 'at+jwt', 'an ID token is not an access token');
  assert.equal(typeof payload.sub, 'string');
  assert.ok(payload.sub.length > 0 && payload.sub.length <= 255);
  if (Array.isArray(payload.aud) && payload.aud.length > 1) assert.equal(payload.azp, clientId);
  if (nonce !== undefined) assert.equal(payload.nonce, nonce);
  if (acr !== undefined) assert.equal(payload.acr, acr);
  if (amr !== undefined) assert.deepEqual([...payload.amr].sort(), [...amr].sort());
  if (payload.auth_time !== undefined) assert.equal(typeof payload.auth_time, 'number');
  return payload;
}

// A JWT access token as RFC 9068 requires: typ at+jwt, iss, exp, aud (the issuer: the
// province's APIs), sub, client_id, iat, jti.
export async function verifyAccessToken(srv, token, { clientId, sub, scope } = {}) {
  const { payload } = await verifyJwt(srv, token, { typ: 'at+jwt', audience: srv.issuer, maxTtl: 300 });
  for (const k of ['aud', 'sub', 'client_id', 'jti'])
    assert.ok(payload[k] !== undefined && payload[k] !== '', `access token has ${k}`);
  if (clientId !== undefined) assert.equal(payload.client_id, clientId);
  if (sub !== undefined) assert.equal(payload.sub, sub);
  if (scope !== undefined) assert.deepEqual(payload.scope.split(' ').sort(), scope.split(' ').sort());
  return payload;
}

// --- raw OAuth requests ------------------------------------------------------------------------

export const basic = (id, secret) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

// POST a form to a provider endpoint: {status, headers, json, text}.
export async function form(srv, p, fields, headers = {}) {
  const res = await fetch(new URL(p, srv.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, text, json };
}

// Asserts an OAuth error response (RFC 6749 §5.2): status, JSON body with `error`, no-store.
export function assertOAuthError(r, status, error) {
  assert.equal(r.status, status, `status for ${error}: ${r.text}`);
  assert.match(r.headers.get('content-type') || '', /^application\/json\b/);
  assert.equal(r.json?.error, error, r.text);
  assert.match(r.headers.get('cache-control') || '', /no-store/);
  if (r.json.error_description !== undefined) {
    assert.equal(typeof r.json.error_description, 'string');
    assert.doesNotMatch(r.json.error_description, /["\\]|[^\x20-\x21\x23-\x5b\x5d-\x7e]/);
  }
  return r.json;
}

// RFC 7662 introspection by a confidential client.
export async function introspect(srv, token, clientId, secret) {
  const r = await form(srv, '/sso/introspect', { token }, { Authorization: basic(clientId, secret) });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

// --- clients' keys and assertions (RFC 7523) ----------------------------------------------------

// An ES256 key pair with a kid: {privateKey, publicJwk, kid}.
export async function clientKey(alg = 'ES256') {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
  const publicJwk = await jose.exportJWK(publicKey);
  const kid = crypto.randomBytes(8).toString('hex');
  return { privateKey, publicJwk: { ...publicJwk, kid, alg, use: 'sig' }, kid, alg };
}

// A client assertion made with jose; `over` changes claims, `header` the protected header.
export async function assertion(key, clientId, aud, over = {}, header = {}) {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: clientId,
    sub: clientId,
    aud,
    jti: crypto.randomUUID(),
    iat: now,
    exp: now + 60,
    ...over,
  };
  for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
  return new jose.SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })
    .sign(key.privateKey);
}

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

// An unsigned token (alg none), as an attacker would send it.
export function unsigned(claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

// --- people ------------------------------------------------------------------------------------

// Gives a person of the register a permanent residence (commune 22366, Phường Nha Trang, 56).
export function addResidence(srv, idNumber, address = '12 Trần Phú') {
  sql(
    srv,
    'INSERT INTO residences (id_number, kind, province_code, commune_code, address, from_date, created_at) ' +
      `VALUES ('${idNumber}', 'permanent', '56', '22366', '${address}', '2015-03-01', '2020-01-01')`,
  );
}

// Turns on TOTP for a logged-in account; returns its base32 secret.
export async function enrolTotp(srv, token) {
  const r = await call(srv, 'POST', '/api/v1/me/totp', { as: token });
  assert.equal(r.status, 201, r.text);
  const secret = r.json().secret;
  const c = await call(srv, 'POST', '/api/v1/me/totp/confirmations', {
    as: token,
    body: { code: await freshTotp(secret) },
  });
  assert.equal(c.status, 200, c.text);
  return secret;
}

// --- a relying party's back-channel logout endpoint ---------------------------------------------

// A loopback HTTP server collecting POSTed logout tokens: {url, received: [{headers, body}],
// waitFor(n), close()}.
export async function backchannelReceiver() {
  const received = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method,
        path: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200, { 'Cache-Control': 'no-store' });
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/backchannel-logout`;
  return {
    url,
    received,
    async waitFor(n, timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        assert.ok(Date.now() < deadline, `${received.length} logout tokens received, waiting for ${n}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return received;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// A redirect URI on a port nobody listens on: the browser never goes there, the test reads it.
export function callbackBase(tag) {
  return `http://127.0.0.1:9/${tag}`;
}
