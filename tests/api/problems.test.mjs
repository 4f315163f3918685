// problems.test.mjs — RFC 9457 problem responses: 404, 405 with Allow, 415, 413, invalid JSON
// and invalid UTF-8 with their position, validation errors on POST /api/v1/csp-reports, the
// language of `detail`, and that no refused body leaves an event or audit row behind.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  assertProblem,
  auditRows,
  cspReport,
  raw,
  settleAudit,
  startServer,
} from './server.mjs';

const CSP = '/api/v1/csp-reports';
let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.stop();
});

const post = (body, type = 'application/csp-report', headers = {}) =>
  srv.request('POST', CSP, { body, headers: { 'Content-Type': type, ...headers } });

// Where byte `offset` of `text` is: 1-based line and column (in bytes).
function lineCol(buf, offset) {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset; i++) {
    if (buf[i] === 0x0a) {
      line++;
      col = 1;
    } else col++;
  }
  return { line, column: col };
}

describe('not found and method not allowed', () => {
  test('unknown path → 404 not-found', async () => {
    assertProblem(await srv.get('/api/v1/no-such-resource'), 404, 'not-found');
  });

  test('DELETE /healthz → 405 with Allow listing GET', async () => {
    const r = await srv.request('DELETE', '/healthz');
    assertProblem(r, 405, 'method-not-allowed');
    assert.match(r.headers.allow || '', /\bGET\b/);
    assert.doesNotMatch(r.headers.allow, /\bDELETE\b/);
  });

  test('GET /api/v1/csp-reports → 405 with Allow: POST', async () => {
    const r = await srv.get(CSP);
    assertProblem(r, 405, 'method-not-allowed');
    assert.match(r.headers.allow || '', /\bPOST\b/);
    assert.doesNotMatch(r.headers.allow, /\bGET\b/);
  });
});

describe('language of detail', () => {
  const vi = /[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]/i;
  test('Vietnamese by default and for Accept-Language: vi or fr', async () => {
    for (const lang of [undefined, 'vi', 'vi-VN', 'fr']) {
      const headers = lang ? { 'Accept-Language': lang } : {};
      const b = assertProblem(await srv.get('/nope', { headers }), 404, 'not-found');
      assert.match(b.detail, vi, `detail for ${lang}: ${b.detail}`);
    }
  });

  test('English for Accept-Language: en and en-US;q weights', async () => {
    const viDetail = assertProblem(await srv.get('/nope'), 404, 'not-found').detail;
    for (const lang of ['en', 'en-US,en;q=0.9', 'fr;q=0.9, en;q=0.8']) {
      const headers = { 'Accept-Language': lang };
      const b = assertProblem(await srv.get('/nope', { headers }), 404, 'not-found');
      assert.doesNotMatch(b.detail, vi, `detail for ${lang}: ${b.detail}`);
      assert.notEqual(b.detail, viDetail);
    }
  });

  test('vi preferred over en by weight', async () => {
    const headers = { 'Accept-Language': 'en;q=0.5, vi;q=0.9' };
    const b = assertProblem(await srv.get('/nope', { headers }), 404, 'not-found');
    assert.match(b.detail, vi);
  });
});

describe('POST /api/v1/csp-reports refusals store nothing', () => {
  let base;
  before(async () => {
    const st = await settleAudit(srv.db);
    base = { audit: auditRows(srv.db), position: st.position };
  });

  test('415 for text/plain and for a missing Content-Type', async () => {
    assertProblem(await post(cspReport(), 'text/plain'), 415, 'unsupported-media-type');
    const r = await srv.request('POST', CSP, { body: cspReport() });
    assertProblem(r, 415, 'unsupported-media-type');
  });

  test('413 for a body over 16 KiB', async () => {
    const big = cspReport({ 'script-sample': 'x'.repeat(17 * 1024) });
    assertProblem(await post(big), 413, 'payload-too-large');
  });

  test('413 for a declared Content-Length over the limit, before the body arrives', async () => {
    const r = await raw(
      srv.port,
      `POST ${CSP} HTTP/1.1\r\nHost: t\r\nContent-Type: application/csp-report\r\n` +
        'Content-Length: 10000000\r\nConnection: close\r\n\r\n{',
      { timeout: 5000 },
    );
    assert.equal(r.status, 413, r.text.slice(0, 300));
    assert.match(r.text, /urn:dinhdanh:problem:payload-too-large/);
  });

  test('400 invalid-json with the position of the fault', async () => {
    const body = '{\n  "csp-report": {\n    "blocked-uri": tru\n  }\n}';
    const b = assertProblem(await post(body), 400, 'invalid-json');
    const pos = b.position;
    assert.equal(typeof pos?.offset, 'number');
    const bad = body.indexOf('tru');
    assert.ok(pos.offset >= bad && pos.offset <= bad + 4, `offset ${pos.offset}, fault at ${bad}`);
    assert.equal(pos.line, 3);
    assert.deepEqual(
      { line: pos.line, column: pos.column },
      lineCol(Buffer.from(body), pos.offset),
    );
  });

  test('400 invalid-json for trailing data, duplicate keys and an empty body', async () => {
    for (const body of [cspReport() + ' {}', '{"csp-report":{},"csp-report":{}}', '']) {
      const b = assertProblem(await post(body), 400, 'invalid-json');
      assert.equal(typeof b.position?.offset, 'number', `position for ${body.slice(0, 20)}`);
    }
  });

  test('400 invalid-json for nesting deeper than the limit', async () => {
    const body = `{"csp-report":${'['.repeat(200)}${']'.repeat(200)}}`;
    assertProblem(await post(body), 400, 'invalid-json');
  });

  test('400 invalid-utf8 with the exact byte offset', async () => {
    for (const bad of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe1, 0xba]]) {
      const head = Buffer.from('{"csp-report": {\n "blocked-uri": "Nguy');
      const body = Buffer.concat([head, Buffer.from(bad), Buffer.from('n"}}')]);
      const b = assertProblem(await post(body), 400, 'invalid-utf8');
      assert.equal(b.position?.offset, head.length, `offset for ${bad}`);
      assert.equal(b.position.line, 2);
      assert.equal(b.position.column, lineCol(body, head.length).column);
    }
  });

  test('400 validation-failed with field errors', async () => {
    for (const body of [
      '{}',
      '[]',
      '"csp-report"',
      '{"csp-report": "inline"}',
      '{"csp-report": [1,2]}',
      '{"csp-report": null}',
      '{"csp-report": {"blocked-uri": "inline"}}',
    ]) {
      const b = assertProblem(await post(body), 400, 'validation-failed');
      assert.ok(Array.isArray(b.errors) && b.errors.length > 0, `errors for ${body}`);
      for (const e of b.errors) {
        assert.equal(typeof e.field, 'string');
        assert.ok(e.field.length > 0, 'field named');
        assert.equal(typeof e.code, 'string');
        assert.equal(typeof e.message, 'string');
      }
      if (body.startsWith('{'))
        assert.ok(b.errors.some((e) => e.field.includes('csp-report')), JSON.stringify(b.errors));
    }
  });

  test('validation messages follow Accept-Language', async () => {
    const vi = assertProblem(await post('{}'), 400, 'validation-failed');
    const en = assertProblem(
      await post('{}', 'application/csp-report', { 'Accept-Language': 'en' }),
      400,
      'validation-failed',
    );
    assert.doesNotMatch(en.detail + en.errors[0].message, /[^\x00-\x7f]/, 'English text');
    assert.notEqual(en.errors[0].message, vi.errors[0].message);
    assert.equal(en.errors[0].code, vi.errors[0].code, 'codes do not depend on language');
  });

  test('400 validation-failed for a reports+json body that is not an array of objects', async () => {
    for (const body of ['{"type":"csp-violation"}', '[1]', '["x"]', '[]'])
      assertProblem(await post(body, 'application/reports+json'), 400, 'validation-failed');
  });

  test('nothing refused above was stored; one good report is stored exactly once', async () => {
    const r = await post(cspReport(), 'application/csp-report; charset=utf-8');
    assert.equal(r.status, 204, r.text);
    assert.equal(r.body.length, 0);
    const st = await settleAudit(srv.db, base.position + 1);
    assert.equal(st.position, base.position + 1, 'exactly one event');
    assert.equal(auditRows(srv.db), base.audit + 1, 'audit rows');
  });
});

describe('POST /api/v1/csp-reports accepts the three report formats', () => {
  test('application/csp-report, application/json and application/reports+json → 204', async () => {
    const st0 = await settleAudit(srv.db, 1);
    const a0 = auditRows(srv.db);
    assert.equal((await post(cspReport(), 'application/csp-report')).status, 204);
    assert.equal((await post(cspReport(), 'application/json')).status, 204);
    const reports = JSON.stringify([
      {
        type: 'csp-violation',
        age: 0,
        url: 'http://127.0.0.1/',
        body: { documentURL: 'http://127.0.0.1/', effectiveDirective: 'img-src' },
      },
    ]);
    const r = await post(reports, 'application/reports+json');
    assert.equal(r.status, 204, r.text);
    const st1 = await settleAudit(srv.db, st0.position + 3);
    assert.equal(st1.position, st0.position + 3, 'three security.csp_violation events');
    assert.equal(auditRows(srv.db) - a0, 3, 'three audit rows');
  });
});
