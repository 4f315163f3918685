// static.test.mjs — static files from --web-dir: MIME types, ETag and If-None-Match → 304, and
// path traversal attempts sent on raw sockets (so no client normalises `..` first), none of
// which may return a file from outside the web folder.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertProblem, raw, startServer, tempDir } from './server.mjs';

const SECRET = 'TOP-SECRET-7d1f0c';
let srv;
let web;
const files = {
  'index.html': ['<!doctype html><html lang="vi"><title>t</title></html>', /^text\/html\b/],
  'app.css': ['body{color:#123}', /^text\/css\b/],
  'app.js': ['export const x = 1;', /^(text|application)\/javascript\b/],
  'data.json': ['{"a":1}', /^application\/json\b/],
  'logo.svg': ['<svg xmlns="http://www.w3.org/2000/svg"/>', /^image\/svg\+xml\b/],
  'pic.png': [Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), /^image\/png$/],
  'font.woff2': [Buffer.from('774f4632', 'hex'), /^font\/woff2$/],
  'sub/index.html': ['<!doctype html><p>sub</p>', /^text\/html\b/],
  'sub/page.txt': ['plain', /^text\/plain\b/],
};

before(async () => {
  const root = tempDir('web');
  web = path.join(root, 'web');
  for (const [name, [content]] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(web, name)), { recursive: true });
    fs.writeFileSync(path.join(web, name), content);
  }
  fs.writeFileSync(path.join(root, 'secret.txt'), SECRET);
  fs.writeFileSync(path.join(root, 'web-secret.txt'), SECRET);
  srv = await startServer({ webDir: web });
});
after(async () => {
  await srv?.stop();
});

describe('static files', () => {
  for (const [name, [content, mime]] of Object.entries(files))
    test(`GET /${name} has its MIME type and exact bytes`, async () => {
      const r = await srv.get(`/${name}`);
      assert.equal(r.status, 200);
      assert.match(r.headers['content-type'] || '', mime);
      assert.deepEqual(r.body, Buffer.from(content));
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
    });

  test('GET /sub/ serves sub/index.html', async () => {
    const r = await srv.get('/sub/');
    assert.equal(r.status, 200);
    assert.match(r.text, /<p>sub<\/p>/);
  });

  test('HEAD gives the length and no body', async () => {
    const r = await srv.request('HEAD', '/app.css');
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
    assert.equal(Number(r.headers['content-length']), files['app.css'][0].length);
  });

  test('a missing file is a 404 problem', async () => {
    assertProblem(await srv.get('/missing.css'), 404, 'not-found');
  });

  test('ETag and If-None-Match → 304', async () => {
    const r = await srv.get('/app.css');
    const etag = r.headers.etag;
    assert.match(etag || '', /^(W\/)?"[^"]+"$/);
    const again = await srv.get('/app.css');
    assert.equal(again.headers.etag, etag, 'ETag is stable');
    const other = await srv.get('/app.js');
    assert.notEqual(other.headers.etag, etag, 'different files, different ETags');

    const nm = await srv.get('/app.css', { headers: { 'If-None-Match': etag } });
    assert.equal(nm.status, 304);
    assert.equal(nm.body.length, 0);
    assert.equal(nm.headers.etag, etag);

    const list = await srv.get('/app.css', { headers: { 'If-None-Match': `"nope", ${etag}` } });
    assert.equal(list.status, 304);

    const stale = await srv.get('/app.css', { headers: { 'If-None-Match': '"stale"' } });
    assert.equal(stale.status, 200);
    assert.equal(stale.text, files['app.css'][0]);
  });

  test("pages carry the pages' CSP, their 304 too; other files and JSON the locked-down one", async () => {
    const page = await srv.get('/index.html');
    const pageCsp = page.headers['content-security-policy'];
    assert.match(pageCsp, /script-src 'self'/);
    assert.match(pageCsp, /frame-ancestors 'none'/);
    // A 304 replaces the headers a browser keeps for the page: the same policy, or its scripts stop.
    const again = await srv.get('/index.html', { headers: { 'If-None-Match': page.headers.etag } });
    assert.equal(again.status, 304);
    assert.equal(again.headers['content-security-policy'], pageCsp);
    const locked = "default-src 'none'; frame-ancestors 'none'";
    assert.equal((await srv.get('/app.css')).headers['content-security-policy'], locked);
    assert.equal((await srv.get('/healthz')).headers['content-security-policy'], locked);
    assert.equal((await srv.get('/missing.css')).headers['content-security-policy'], locked);
  });
});

describe('path traversal', () => {
  const attempts = [
    '/../secret.txt',
    '/../../../../../../etc/passwd',
    '/..%2fsecret.txt',
    '/..%2Fsecret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/.%2e/secret.txt',
    '/sub/../../secret.txt',
    '/sub/%2e%2e/%2e%2e/secret.txt',
    '/sub%2f..%2f..%2fsecret.txt',
    '/%252e%252e/secret.txt',
    '/..\\secret.txt',
    '/..%5csecret.txt',
    '/sub/..%00/../secret.txt',
    '/%2fetc%2fpasswd',
    '//etc/passwd',
    '/../web-secret.txt',
    '/./../secret.txt',
    '/sub/..;/../secret.txt',
  ];
  for (const p of attempts)
    test(`GET ${p} is 400 or 404 and leaks nothing`, async () => {
      const r = await raw(
        srv.port,
        `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      );
      assert.ok([400, 404].includes(r.status), `status ${r.status}: ${r.text.slice(0, 200)}`);
      assert.ok(!r.text.includes(SECRET), 'file outside web/ returned');
      assert.ok(!r.text.includes('root:x:0:0'), '/etc/passwd returned');
    });

  test('absolute-form request target with .. leaks nothing', async () => {
    const r = await raw(
      srv.port,
      'GET http://127.0.0.1/../secret.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    assert.ok(!r.text.includes(SECRET));
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
  });

  test('the server still serves after the attempts', async () => {
    assert.equal((await srv.get('/app.css')).status, 200);
  });
});
