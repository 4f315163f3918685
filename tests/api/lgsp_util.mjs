// lgsp_util.mjs — what the data-sharing gateway's tests share: a provider (a small node:http
// server whose answers each test chooses), an LGSP administrator (an officer with the admin
// role), a consumer subsystem calling as a client-credentials SSO client, and helpers to build
// the catalogue through the admin API and to call the gateway.
import assert from 'node:assert/strict';
import http from 'node:http';
import { runCli } from './server.mjs';
import { call, officer, sql, startIdentityServer } from './identity_util.mjs';

export { call, sql };

// A provider: `handler(req, body)` returns {status, json?, text?, delayMs?, headers?}; each
// request seen is kept in `seen` (method, url, headers, body).
export async function startProvider(handler) {
  const seen = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      const a = handler(req, body) || { status: 200, json: { ok: true } };
      const send = () => {
        if (res.destroyed) return;
        const text = a.json !== undefined ? JSON.stringify(a.json) : a.text ?? '';
        res.writeHead(a.status, { 'Content-Type': a.json !== undefined ? 'application/json' : 'text/plain', ...(a.headers || {}) });
        res.end(text);
      };
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}

export async function startGateway() {
  const srv = await startIdentityServer();
  srv.admin = officer(srv, 'lgspadmin', 'admin', '56');
  return srv;
}

// `dinhdanh client add` for a client-credentials client; returns {client_id, client_secret}.
export function machineClient(srv, name) {
  const r = runCli(['client', 'add', name, '--grant', 'client_credentials', '--auth', 'client_secret_basic',
    '--db', srv.db, '--data-dir', srv.dataDir]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

export async function accessToken(srv, c) {
  const res = await fetch(new URL('/sso/token', srv.url), {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  const j = await res.json();
  assert.equal(res.status, 200, JSON.stringify(j));
  return j.access_token;
}

export async function admin(srv, method, p, body) {
  return call(srv, method, p, { as: srv.admin.token, body });
}

export async function adminOk(srv, method, p, body, status = 201) {
  const r = await admin(srv, method, p, body);
  assert.equal(r.status, status, `${method} ${p}: ${r.text}`);
  return r.json();
}

// A member with one subsystem; with a client when `client` is true (a consumer).
export async function member(srv, code, sub, { client = false } = {}) {
  await adminOk(srv, 'POST', '/api/v1/lgsp/members', { code, name: `Sở ${code}` });
  const c = client ? machineClient(srv, `${code} ${sub}`) : null;
  const s = await adminOk(srv, 'POST', '/api/v1/lgsp/subsystems', { member: code, code: sub, client_id: c ? c.client_id : '' });
  return { id: s.id, client: c, token: c ? await accessToken(srv, c) : null };
}

export function gw(srv, token, method, rest, { body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  return srv.request(method, `/lgsp/r1/${rest}`, { headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
}

// Waits until `fn()` is truthy (the log is written in batches every 250 ms).
export async function eventually(fn, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function verifyLog(srv) {
  return runCli(['lgsp', 'log', 'verify', '--db', srv.db, '--data-dir', srv.dataDir]);
}
