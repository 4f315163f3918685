// oidc.js — the pages of the frame sign people in through the platform's own OpenID Connect
// provider (docs/SSO.md), as the registered public client `ddc_portal` (no secret; PKCE S256;
// redirect URI /signin/callback.html of this origin; scope openid), created by the demo set-up
// and the tests (docs/WEB.md).
//
// start() keeps a PKCE verifier, a state and a nonce in sessionStorage and sends the browser to
// /sso/authorize; the provider has the person log in on the platform's login page (password and
// second factor) and, the first time, consent; /signin/callback.html calls finish(), which
// checks the state, exchanges the code at /sso/token with the verifier, checks the ID token
// (ES256 signature with the provider's JWKS through WebCrypto, iss, aud, nonce, exp), revokes
// the refresh token it does not need, and keeps only the ID token's claims.
//
// The APIs of the platform are then called with the identity session the login set (the
// dd_session cookie and its CSRF token, docs/IDENTITY.md): they do not accept the provider's
// access tokens. The shell (shell.js) ties the two together: the ID token's public `sub` is the
// account id, and it must equal the account of the session's GET /api/v1/me, else the sign-in
// starts again.
import { lang } from '/lib/i18n.js';

export const CLIENT_ID = 'ddc_portal';
const PENDING = 'dd-oidc-pending';
const SIGNIN = 'dd-signin';
const redirectUri = () => `${location.origin}/signin/callback.html`;

const b64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)));
const fromB64url = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

// Sends the browser to the provider; `back` is the path to return to once signed in.
export async function start(back) {
  const verifier = random(32);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const pending = { verifier, state: random(16), nonce: random(16), back };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: redirectUri(),
    scope: 'openid',
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ui_locales: lang,
  });
  location.assign(`/sso/authorize?${q}`);
}

// The claims of the sign-in this tab made ({sub, acr, amr, auth_time, …}), or null.
export function current() {
  try {
    return JSON.parse(sessionStorage.getItem(SIGNIN) || 'null');
  } catch {
    return null;
  }
}

export const forget = () => sessionStorage.removeItem(SIGNIN);

export class SignInError extends Error {
  constructor(code, detail) {
    super(detail || code);
    this.code = code;
  }
}

async function verifyIdToken(idToken, nonce) {
  const [h, p, s] = idToken.split('.');
  if (!s) throw new SignInError('bad_token');
  const header = JSON.parse(new TextDecoder().decode(fromB64url(h)));
  const claims = JSON.parse(new TextDecoder().decode(fromB64url(p)));
  const config = await (await fetch('/.well-known/openid-configuration')).json();
  const jwks = await (await fetch(config.jwks_uri.replace(/^https?:\/\/[^/]+/, ''))).json();
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (header.alg !== 'ES256' || !jwk) throw new SignInError('bad_token', 'unknown key or algorithm');
  const key = await crypto.subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, fromB64url(s), new TextEncoder().encode(`${h}.${p}`));
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!ok) throw new SignInError('bad_token', 'signature');
  if (claims.iss !== config.issuer) throw new SignInError('bad_token', 'issuer');
  if (!aud.includes(CLIENT_ID)) throw new SignInError('bad_token', 'audience');
  if (claims.nonce !== nonce) throw new SignInError('bad_token', 'nonce');
  if (!(claims.exp * 1000 > Date.now() - 60000)) throw new SignInError('bad_token', 'expired');
  return claims;
}

// Completes the sign-in on the callback page; resolves to the path to go back to. Throws
// SignInError with the provider's `error` (access_denied…) or a check that failed.
export async function finish() {
  const q = new URLSearchParams(location.search);
  let pending;
  try {
    pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  } catch {
    pending = null;
  }
  sessionStorage.removeItem(PENDING);
  if (!pending || q.get('state') !== pending.state) throw new SignInError('state_mismatch');
  if (q.get('error')) throw new SignInError(q.get('error'), q.get('error_description'));
  const res = await fetch('/sso/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: q.get('code') || '',
      redirect_uri: redirectUri(),
      client_id: CLIENT_ID,
      code_verifier: pending.verifier,
    }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new SignInError(body.error || 'token_refused', body.error_description);
  const claims = await verifyIdToken(body.id_token, pending.nonce);
  if (body.refresh_token)
    await fetch('/sso/revoke', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: body.refresh_token, token_type_hint: 'refresh_token', client_id: CLIENT_ID }),
    }).catch(() => {});
  const keep = { sub: claims.sub, acr: claims.acr, amr: claims.amr, auth_time: claims.auth_time, at: Date.now() };
  sessionStorage.setItem(SIGNIN, JSON.stringify(keep));
  const back = pending.back;
  return back && back.startsWith('/') && !back.startsWith('//') ? back : null;
}
