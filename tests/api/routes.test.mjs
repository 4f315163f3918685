// routes.test.mjs — the route table (`dinhdanh routes`) and docs/openapi.json (as served on
// /openapi.json) list the same operations, an undocumented path is 404, and every route whose
// auth is not `none` answers 401 unauthenticated to a request without credentials.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertProblem, runCli, startServer } from './server.mjs';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
let srv;
let table;
let doc;

before(async () => {
  srv = await startServer();
  const r = runCli(['routes']);
  assert.equal(r.status, 0, r.stderr);
  table = r.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      // METHOD, PATH, AUTH, and optionally a fourth column (the OAuth scope).
      const f = l.split('\t');
      assert.ok(f.length === 3 || f.length === 4, `routes line ${JSON.stringify(l)}`);
      return { method: f[0], path: f[1], auth: f[2] };
    });
  doc = (await srv.get('/openapi.json')).json();
});
after(async () => {
  await srv?.stop();
});

// A concrete path for a templated one: {id} → a plausible value.
const concrete = (p) => p.replace(/\{[^}]+\}/g, '056090001234');

describe('route table and OpenAPI agree', () => {
  test('the table lists the system routes', () => {
    const keys = new Set(table.map((r) => `${r.method} ${r.path}`));
    for (const k of ['GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /openapi.json'])
      assert.ok(keys.has(k), `${k} missing from dinhdanh routes`);
    assert.ok(keys.has('POST /api/v1/csp-reports'));
    for (const r of table) {
      assert.match(r.method, /^(GET|POST|PUT|PATCH|DELETE)$/, `method of ${r.path}`);
      assert.match(r.path, /^\//, 'path starts with /');
      assert.match(r.auth, /^[a-z0-9_:.-]+$/, `auth of ${r.method} ${r.path}`);
    }
    assert.equal(keys.size, table.length, 'duplicate rows in the route table');
  });

  test('served /openapi.json is docs/openapi.json', async () => {
    const fs = await import('node:fs');
    const file = JSON.parse(fs.readFileSync(new URL('../../docs/openapi.json', import.meta.url)));
    assert.deepEqual(doc, file);
  });

  test('docs/openapi.json is what its parts in docs/openapi/ give', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = new URL('../../scripts/openapi.mjs', import.meta.url).pathname;
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  test('every operation documents its x-auth, and it matches the table', () => {
    for (const r of table) {
      const op = doc.paths?.[r.path]?.[r.method.toLowerCase()];
      if (op) assert.equal(op['x-auth'], r.auth, `${r.method} ${r.path}`);
    }
  });

  test('every route in the table is documented', () => {
    const missing = table.filter(
      (r) => !doc.paths?.[r.path]?.[r.method.toLowerCase()],
    );
    assert.deepEqual(missing.map((r) => `${r.method} ${r.path}`), []);
  });

  test('every documented operation is in the table', () => {
    const keys = new Set(table.map((r) => `${r.method} ${r.path}`));
    const extra = [];
    for (const [p, item] of Object.entries(doc.paths || {}))
      for (const m of METHODS)
        if (item[m] && !keys.has(`${m.toUpperCase()} ${p}`)) extra.push(`${m.toUpperCase()} ${p}`);
    assert.deepEqual(extra, []);
  });

  test('an undocumented API path is a 404 problem', async () => {
    assertProblem(await srv.get('/api/v1/undocumented-things'), 404, 'not-found');
    assertProblem(await srv.request('POST', '/api/v1/undocumented-things'), 404, 'not-found');
    assertProblem(await srv.get('/api/v2/csp-reports'), 404, 'not-found');
  });
});

describe('deny by default', () => {
  test('every route with auth other than none answers 401 without credentials', async (t) => {
    const guarded = table.filter((r) => r.auth !== 'none');
    if (guarded.length === 0) return t.skip('no route needs credentials yet');
    const wrong = [];
    for (const r of guarded) {
      const body = ['POST', 'PUT', 'PATCH'].includes(r.method) ? '{}' : undefined;
      const headers = body ? { 'Content-Type': 'application/json' } : {};
      const res = await srv.request(r.method, concrete(r.path), { body, headers });
      let type = '';
      try {
        type = res.json().type;
      } catch {
        /* not JSON */
      }
      if (res.status !== 401 || type !== 'urn:dinhdanh:problem:unauthenticated')
        wrong.push(`${r.method} ${r.path} → ${res.status} ${type}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('a bogus bearer token is refused too', async (t) => {
    const guarded = table.filter((r) => r.auth !== 'none');
    if (guarded.length === 0) return t.skip('no route needs credentials yet');
    for (const r of guarded.slice(0, 20)) {
      const res = await srv.request(r.method, concrete(r.path), {
        headers: { Authorization: 'Bearer not-a-token' },
      });
      assert.ok([401, 403].includes(res.status), `${r.method} ${r.path} → ${res.status}`);
    }
  });

  test('the system routes are open', async () => {
    // The data-sharing gateway authenticates its consumers itself (docs/LGSP.md), and so do the
    // kiosk routes their registered kiosks (X-Kiosk-Key, docs/SERVICES.md).
    const own = (p) => p.startsWith('/lgsp/r1/') || p.startsWith('/api/v1/kiosk/');
    for (const r of table.filter((x) => x.auth === 'none' && x.method === 'GET' && !own(x.path))) {
      const res = await srv.get(concrete(r.path));
      assert.notEqual(res.status, 401, `${r.path}`);
      assert.notEqual(res.status, 403, `${r.path}`);
    }
  });
});
