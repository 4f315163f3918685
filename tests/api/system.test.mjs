// system.test.mjs — the system endpoints (/healthz, /readyz, /metrics, /openapi.json, /), the
// headers every response carries, X-Request-Id, the access log, and the CLI's help and version.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertProblem, runCli, startServer } from './server.mjs';

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.stop();
});

function assertSecurityHeaders(res, what) {
  const h = res.headers;
  assert.ok(h['x-request-id'], `${what}: X-Request-Id`);
  assert.match(h['content-security-policy'] || '', /frame-ancestors 'none'/, `${what}: CSP`);
  assert.equal(h['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  assert.ok(h['referrer-policy'], `${what}: Referrer-Policy`);
  assert.equal(h['strict-transport-security'], undefined, `${what}: HSTS without TLS`);
}

describe('system endpoints', () => {
  test('GET /healthz is 200 {"status":"ok"}', async () => {
    const r = await srv.get('/healthz');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^application\/json\b/);
    assert.deepEqual(r.json(), { status: 'ok' });
  });

  test('GET /readyz is 200 {"status":"ready"} with a live database', async () => {
    const r = await srv.get('/readyz');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^application\/json\b/);
    assert.deepEqual(r.json(), { status: 'ready' });
  });

  test('HEAD /healthz has headers and no body', async () => {
    const r = await srv.request('HEAD', '/healthz');
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
  });

  test('GET /openapi.json is an OpenAPI 3.1 document', async () => {
    const r = await srv.get('/openapi.json');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^application\/json\b/);
    const doc = r.json();
    assert.match(doc.openapi, /^3\.1\./);
    assert.equal(typeof doc.info?.title, 'string');
    assert.equal(typeof doc.paths, 'object');
  });

  test('GET / is the Vietnamese landing page linking to /en/', async () => {
    const r = await srv.get('/');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^text\/html\b/);
    assert.match(r.text, /<html[^>]*\blang="vi"/);
    assert.match(r.text, /href="\/en\/"/);
    const en = await srv.get('/en/');
    assert.equal(en.status, 200);
    assert.match(en.text, /<html[^>]*\blang="en"/);
  });

  test('GET /metrics is Prometheus text with the documented families', async () => {
    await srv.get('/healthz');
    const r = await srv.get('/metrics');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^text\/plain\b/);
    for (const name of [
      'dinhdanh_http_requests_total',
      'dinhdanh_http_request_duration_seconds',
      'dinhdanh_db_errors_total',
    ])
      assert.match(r.text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    assert.match(r.text, /^# TYPE dinhdanh_http_request_duration_seconds histogram$/m);
    assert.match(r.text, /^dinhdanh_http_request_duration_seconds_bucket\{.*le="\+Inf".*\} \d+/m);
    assert.match(r.text, /^dinhdanh_http_request_duration_seconds_count(\{.*\})? \d+/m);
    assert.match(r.text, /^dinhdanh_http_request_duration_seconds_sum(\{.*\})? [\d.e+-]+/m);
    assert.match(r.text, /^dinhdanh_db_errors_total(\{.*\})? \d+/m);
  });
});

// Sum of the series of `name` whose labels include `labels` (in any order); 0 when none.
function series(text, name, labels) {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const pairs = [...(m[2] || '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]);
    const got = Object.fromEntries(pairs);
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

describe('metrics counting', () => {
  test('requests are counted by method, route pattern and status', async () => {
    const ok = { method: 'GET', route: '/healthz', status: '200' };
    const before = series((await srv.get('/metrics')).text, 'dinhdanh_http_requests_total', ok);
    for (let i = 0; i < 3; i++) await srv.get('/healthz');
    await srv.request('DELETE', '/healthz');
    await srv.get('/unknown/abc123secret');
    const text = (await srv.get('/metrics')).text;
    assert.equal(series(text, 'dinhdanh_http_requests_total', ok) - before, 3);
    assert.ok(series(text, 'dinhdanh_http_requests_total', { status: '405' }) >= 1, '405 counted');
    assert.ok(!text.includes('abc123secret'), 'raw path used as a label');
    const count = series(text, 'dinhdanh_http_request_duration_seconds_count', {});
    const inf = series(text, 'dinhdanh_http_request_duration_seconds_bucket', { le: '+Inf' });
    assert.ok(count >= before + 5, `histogram count ${count}`);
    assert.equal(inf, count, '+Inf bucket equals count');
  });
});

describe('metrics labels stay bounded', () => {
  test('an invented method or path does not become a label', async () => {
    await srv.request('FROBNICATE', '/healthz');
    await srv.request('PROPFIND', '/x9y8z7');
    const text = (await srv.get('/metrics')).text;
    assert.doesNotMatch(text, /FROBNICATE|PROPFIND|x9y8z7/);
  });
});

describe('headers on every response', () => {
  for (const [method, path] of [
    ['GET', '/healthz'],
    ['GET', '/'],
    ['GET', '/no/such/thing'],
    ['DELETE', '/healthz'],
    ['POST', '/api/v1/csp-reports'],
    ['GET', '/metrics'],
  ])
    test(`${method} ${path} has the security headers`, async () => {
      const r = await srv.request(method, path);
      assertSecurityHeaders(r, `${method} ${path}`);
    });

  test('a malformed raw request still gets the security headers when answered', async () => {
    const r = await srv.get('/%zz');
    assert.ok(r.status === 400 || r.status === 404, `status ${r.status}`);
    assertSecurityHeaders(r, 'GET /%zz');
  });
});

describe('X-Request-Id', () => {
  test('a generated id is unique per request', async () => {
    const ids = new Set();
    for (let i = 0; i < 5; i++) {
      const r = await srv.get('/healthz');
      const id = r.headers['x-request-id'];
      assert.match(id, /^[A-Za-z0-9._-]{8,128}$/);
      ids.add(id);
    }
    assert.equal(ids.size, 5);
  });

  for (const id of ['abc-123-DEF', '3f2b8c1e-9a4d-4c6f-8e21-7d5a0b9c1f42'])
    test(`a well-formed incoming id is echoed (${id})`, async () => {
      const r = await srv.get('/healthz', { headers: { 'X-Request-Id': id } });
      assert.equal(r.headers['x-request-id'], id);
      const p = await srv.get('/no-such-page', { headers: { 'X-Request-Id': id } });
      assert.equal(assertProblem(p, 404, 'not-found').request_id, id);
    });

  for (const [label, id] of [
    ['too long', 'a'.repeat(1000)],
    ['with spaces', 'a b c'],
    ['with quotes and markup', '"><script>'],
  ])
    test(`an ill-formed incoming id is replaced (${label})`, async () => {
      const r = await srv.get('/healthz', { headers: { 'X-Request-Id': id } });
      assert.equal(r.status, 200);
      assert.notEqual(r.headers['x-request-id'], id);
      assert.match(r.headers['x-request-id'], /^[A-Za-z0-9._-]{8,128}$/);
    });
});

describe('access log', () => {
  test('one http.access line per request, with the route pattern, not the raw path', async () => {
    const secret = 'zq7secret0123456789';
    const access = () => srv.logs().filter((l) => l.event === 'http.access');
    await srv.quiet();
    const before = access().length;
    await srv.get(`/no/such/${secret}`);
    await srv.get(`/healthz?name=${secret}`);
    await srv.get('/healthz');
    await srv.quiet();
    const lines = access();
    assert.equal(lines.length, before + 3, 'http.access lines');
    assert.ok(!srv.stderr().includes(secret), 'raw path or query reached the log');
    assert.equal(lines.at(-1).route, '/healthz');
    assert.equal(lines.at(-1).status, 200);
    assert.equal(lines.at(-1).request_id.length > 0, true);
  });

  test('server.listening was logged as JSON', () => {
    assert.ok(srv.logs().some((l) => l.event === 'server.listening'));
  });
});

describe('command line', () => {
  test('version prints a version and exits 0', () => {
    const r = runCli(['version']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /\S/);
  });

  test('help lists the subcommands', () => {
    const r = runCli(['help']);
    assert.equal(r.status, 0);
    for (const sub of ['serve', 'migrate', 'audit', 'events', 'routes', 'version'])
      assert.match(r.stdout + r.stderr, new RegExp(`\\b${sub}\\b`), sub);
  });

  for (const sub of [
    ['serve'],
    ['migrate'],
    ['audit', 'verify'],
    ['events', 'emit'],
    ['events', 'status'],
    ['routes'],
    ['version'],
    ['help'],
  ])
    test(`${sub.join(' ')} --help exits 0 with text`, () => {
      const r = runCli([...sub, '--help']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /\S/);
    });

  test('an unknown subcommand exits 2', () => {
    const r = runCli(['frobnicate']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /\S/);
  });
});
