// lgsp_upstream.test.mjs — the gateway's own HTTP/1.1 client (src/lgsp/upstream.c) against a
// provider written on raw sockets, so that each test chooses the exact bytes of the answer:
// chunked bodies, bodies ended by the connection's close, connections kept and reused, a kept
// connection the provider closed, a malformed answer, a request body with its length. On SQLite
// or PostgreSQL (DD_TEST_DB).
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { adminOk, gw, member, startGateway } from './lgsp_util.mjs';

let srv;
let provider;
let consumer;

// A provider on raw sockets: `reply(request, socket)` writes the answer's bytes (and may end the
// socket). Requests are parsed just enough: head, then Content-Length bytes of body.
function startRawProvider() {
  const p = { connections: 0, requests: [], reply: null, sockets: new Set() };
  const server = net.createServer((sock) => {
    p.connections++;
    p.sockets.add(sock);
    sock.on('close', () => p.sockets.delete(sock));
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        const len = m ? Number(m[1]) : 0;
        if (buf.length < end + 4 + len) return;
        const body = buf.subarray(end + 4, end + 4 + len).toString('utf8');
        buf = buf.subarray(end + 4 + len);
        const [line, ...lines] = head.split('\r\n');
        const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        const r = { line, headers, body };
        p.requests.push(r);
        p.reply(r, sock);
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    p.url = `http://127.0.0.1:${server.address().port}`;
    p.close = () => new Promise((r) => { for (const s of p.sockets) s.destroy(); server.close(r); });
    resolve(p);
  }));
}

const json = (s) => `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(s)}\r\n\r\n${s}`;

before(async () => {
  provider = await startRawProvider();
  srv = await startGateway();
  await member(srv, 'NHA', 'api');
  consumer = await member(srv, 'DUNG', 'app', { client: true });
  await adminOk(srv, 'POST', '/api/v1/lgsp/services', {
    subsystem: 'VN/GOV/NHA/api', code: 'raw', name: 'Raw', upstream_url: `${provider.url}/base`, legal_basis: 'x', timeout_ms: 1000,
  });
  await adminOk(srv, 'POST', '/api/v1/lgsp/rights', {
    consumer: consumer.id, service: 'VN/GOV/NHA/api/raw', operation: '*', reason: 'x', valid_until: '2099-12-31',
  });
});

after(async () => {
  await srv?.stop();
  await provider?.close();
});

const call = (rest, o) => gw(srv, consumer.token, o?.body ? 'POST' : 'GET', `VN/GOV/NHA/api/raw/${rest}`, o);

describe('the gateway as an HTTP/1.1 client', () => {
  test('keeps the connection to a provider open and reuses it', async () => {
    provider.reply = (r, s) => s.write(json(`{"n":${provider.requests.length}}`));
    const before0 = provider.connections;
    for (let i = 0; i < 5; i++) {
      const r = await call(`k/${i}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers['content-type'], 'application/json');
    }
    assert.equal(provider.connections - before0, 1, 'five calls over one connection');
    const last = provider.requests.at(-1);
    assert.equal(last.line, 'GET /base/k/4 HTTP/1.1');
    assert.equal(last.headers.host, provider.url.slice(7));
    assert.equal(last.headers['x-lgsp-client'], consumer.id);
    assert.equal(last.headers.authorization, undefined);
  });

  test('a kept connection the provider closed is replaced without failing the call', async () => {
    provider.reply = (r, s) => s.write(json('{"a":1}'));
    assert.equal((await call('x')).status, 200);
    for (const s of provider.sockets) s.end(); // the provider drops its idle connections
    await new Promise((r) => setTimeout(r, 50));
    const r = await call('y');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json(), { a: 1 });
  });

  test('a chunked answer is put together', async () => {
    provider.reply = (r, s) => s.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n'
      + '6\r\n{"ok":\r\n' + 'a\r\n"chunked"}\r\n' + '0\r\n\r\n');
    const r = await call('c');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json(), { ok: 'chunked' });
    // And the connection is kept after it.
    const n = provider.connections;
    assert.equal((await call('c2')).status, 200);
    assert.equal(provider.connections, n);
  });

  test('an answer without a length ends with the connection', async () => {
    provider.reply = (r, s) => s.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nuntil the end');
    const r = await call('e');
    assert.equal(r.status, 200);
    assert.equal(r.text, 'until the end');
  });

  test('a POST body goes with its length; the answer status passes through', async () => {
    provider.reply = (r, s) => s.write(`HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(r.body)}\r\n\r\n${r.body}`);
    const r = await call('post', { body: { ten: 'Nguyễn Văn An' } });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json(), { ten: 'Nguyễn Văn An' });
    const seen = provider.requests.at(-1);
    assert.equal(seen.line, 'POST /base/post HTTP/1.1');
    assert.equal(Number(seen.headers['content-length']), Buffer.byteLength('{"ten":"Nguyễn Văn An"}'));
  });

  test('a malformed answer, a cut answer and silence are clear errors', async () => {
    provider.reply = (r, s) => s.write('SMTP ready\r\n\r\n');
    let r = await call('bad');
    assert.equal(r.status, 503);
    assert.equal(r.json().type, 'urn:dinhdanh:problem:lgsp-upstream-error');

    provider.reply = (r2, s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort');
    r = await call('cut');
    assert.equal(r.status, 503);
    assert.equal(r.json().type, 'urn:dinhdanh:problem:lgsp-upstream-error');

    provider.reply = () => {}; // never answers
    const t0 = Date.now();
    r = await call('silent');
    assert.ok(Date.now() - t0 < 3000, 'the service timeout (1 s) holds');
    assert.equal(r.json().type, 'urn:dinhdanh:problem:lgsp-upstream-timeout');

    // Calls go on after the failures.
    provider.reply = (r3, s) => s.write(json('{"back":true}'));
    r = await call('again');
    assert.equal(r.status, 200, r.text);
  });
});
