// robustness.test.mjs — the server under rough treatment: SIGTERM with a request in flight,
// TLS with a self-signed certificate, slow clients cut after --timeout, oversized headers and
// malformed request lines; after each, it must keep serving.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertProblem, cspReport, raw, request, sleep, startServer, tempDir } from './server.mjs';

describe('graceful shutdown', () => {
  test('SIGTERM lets a request in flight finish, refuses new ones, exits 0', async () => {
    const srv = await startServer({ args: ['--shutdown-grace', '10'] });
    const body = Buffer.from(cspReport());
    const half = Math.floor(body.length / 2);
    const sock = net.connect({ host: '127.0.0.1', port: srv.port });
    await new Promise((r) => sock.on('connect', r));
    const got = [];
    sock.on('data', (d) => got.push(d));
    const closed = new Promise((r) => sock.on('close', r));
    sock.write(
      'POST /api/v1/csp-reports HTTP/1.1\r\nHost: t\r\nContent-Type: application/csp-report\r\n' +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    );
    sock.write(body.subarray(0, half));
    await sleep(300);
    srv.proc.kill('SIGTERM');
    await sleep(700);
    assert.equal(srv.proc.exitCode, null, 'server exited with a request in flight');
    await assert.rejects(
      request(srv.port, 'GET', '/healthz', { timeout: 2000 }),
      'new connections are refused while draining',
    );
    sock.write(body.subarray(half));
    await closed;
    const text = Buffer.concat(got).toString();
    assert.match(text, /^HTTP\/1\.1 204 /, `response: ${text.slice(0, 300)}`);
    await srv.stop();
  });

  test('a request stalled past --shutdown-grace does not hold the exit', async () => {
    const srv = await startServer({ args: ['--shutdown-grace', '1'] });
    const sock = net.connect({ host: '127.0.0.1', port: srv.port });
    sock.on('error', () => {});
    await new Promise((r) => sock.on('connect', r));
    sock.write(
      'POST /api/v1/csp-reports HTTP/1.1\r\nHost: t\r\nContent-Type: application/csp-report\r\n' +
        'Content-Length: 500\r\n\r\n{"csp-report":',
    );
    await sleep(200);
    const t0 = Date.now();
    await srv.stop();
    sock.destroy();
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms with a 1 s grace`);
  });

  test('SIGTERM on an idle server exits 0 promptly', async () => {
    const srv = await startServer();
    const t0 = Date.now();
    await srv.stop();
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  });
});

describe('TLS', () => {
  test('--tls on serves HTTPS from DATA_DIR/tls with HSTS', async () => {
    const dataDir = tempDir('tls');
    const dir = path.join(dataDir, 'tls');
    fs.mkdirSync(dir);
    const r = spawnSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
        '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
        '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const ca = fs.readFileSync(path.join(dir, 'cert.pem'));
    const srv = await startServer({ dataDir, tls: true });
    try {
      const res = await srv.get('/healthz', { ca });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { status: 'ok' });
      assert.match(res.headers['strict-transport-security'] || '', /max-age=\d{6,}/);
      const p = await srv.get('/nope', { ca });
      assertProblem(p, 404, 'not-found');
      assert.ok(p.headers['strict-transport-security'], 'HSTS on errors too');
      const plain = await raw(srv.port, 'GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n', {
        timeout: 3000,
      });
      assert.ok(!/^HTTP\/1\.1 200/.test(plain.text), 'plain HTTP answered on the TLS port');
    } finally {
      await srv.stop();
    }
  });

  test('--tls on without a certificate fails to start with a message', async () => {
    await assert.rejects(startServer({ tls: true }), /exited early/);
  });
});

describe('hostile clients', () => {
  let srv;
  before(async () => {
    srv = await startServer({ args: ['--timeout', '2'] });
  });
  after(async () => {
    await srv?.stop();
  });
  const alive = async () => {
    const r = await srv.get('/healthz', { timeout: 3000 });
    assert.equal(r.status, 200, 'server still serving');
  };

  test('a partial request line is cut after --timeout', async () => {
    const r = await raw(srv.port, 'GET /healthz HTT', { timeout: 8000 });
    assert.ok(r.closed, 'socket still open after 8 s');
    assert.ok(r.ms >= 1500 && r.ms < 6000, `closed after ${r.ms} ms`);
    await alive();
  });

  test('a body trickling in is cut after --timeout', async () => {
    const r = await raw(
      srv.port,
      'POST /api/v1/csp-reports HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n' +
        'Content-Length: 1000\r\n\r\n{',
      { timeout: 8000 },
    );
    assert.ok(r.closed, 'socket still open after 8 s');
    assert.ok(r.ms < 6000, `closed after ${r.ms} ms`);
    await alive();
  });

  test('many idle connections do not stop the server serving', async () => {
    const socks = [];
    for (let i = 0; i < 50; i++) socks.push(net.connect({ host: '127.0.0.1', port: srv.port }));
    await sleep(200);
    try {
      await alive();
    } finally {
      for (const s of socks) s.destroy();
    }
  });

  for (const [label, size] of [
    ['100 KB header', 100 * 1024],
    ['1 MB header', 1024 * 1024],
  ])
    test(`${label} → 431 or closed`, async () => {
      const r = await raw(
        srv.port,
        `GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: ${'a'.repeat(size)}\r\nConnection: close\r\n\r\n`,
        { timeout: 8000 },
      );
      assert.ok(r.status === 431 || (r.status === 0 && r.closed), `got ${r.status || 'nothing'}`);
      await alive();
    });

  test('thousands of small headers → 431 or closed', async () => {
    let h = '';
    for (let i = 0; i < 5000; i++) h += `X-H${i}: v\r\n`;
    const r = await raw(srv.port, `GET /healthz HTTP/1.1\r\nHost: t\r\n${h}\r\n`, {
      timeout: 8000,
    });
    assert.ok(r.status === 431 || (r.status === 0 && r.closed), `got ${r.status || 'nothing'}`);
    await alive();
  });

  // [request, strict]: strict ones must be refused (4xx, 505 or closed without an answer);
  // for the others the server may be lenient but must not fail with 5xx.
  const malformed = [
    ['GARBAGE\r\n\r\n', true],
    ['GET\r\n\r\n', true],
    ['GET /healthz\r\n\r\n', true],
    [' GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n', true],
    ['GET /healthz HTTP/1.1 extra\r\nHost: t\r\n\r\n', true],
    ['GET /healthz HTTP/9.9\r\nHost: t\r\n\r\n', true],
    ['GET /hea\x00lthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n', true],
    ['GET /healthz HTTP/1.1\r\nHost: t\r\nBad Header Line\r\n\r\n', true],
    ['GET /healthz HTTP/1.1\r\nHost: t\r\n: no-name\r\nConnection: close\r\n\r\n', false],
    ['POST /api/v1/csp-reports HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n', true],
    ['POST /api/v1/csp-reports HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n', true],
    [
      'POST /api/v1/csp-reports HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n' +
        'Content-Length: 6\r\n\r\nhello',
      true,
    ],
    [
      'POST /api/v1/csp-reports HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n' +
        'Content-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      true,
    ],
    ['GET /healthz HTTP/1.1\r\n\r\n', true],
    ['\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' + 'x'.repeat(40), true],
    [Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0d, 0x0a, 0x0d, 0x0a]), true],
  ];
  malformed.forEach(([req, strict], i) =>
    test(`malformed request #${i + 1} ${JSON.stringify(String(req).slice(0, 40))}`, async () => {
      const r = await raw(srv.port, req, { timeout: 5000 });
      const refused = r.status === 0 || (r.status >= 400 && r.status < 500) || r.status === 505;
      if (strict) assert.ok(refused, `status ${r.status}: ${r.text.slice(0, 200)}`);
      else assert.ok(r.status < 500, `status ${r.status}: ${r.text.slice(0, 200)}`);
      await alive();
    }),
  );

  test('pipelined keep-alive requests are each answered', async () => {
    const one = 'GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n';
    const r = await raw(srv.port, one + one + one.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'));
    assert.equal((r.text.match(/HTTP\/1\.1 200 /g) || []).length, 3, r.text.slice(0, 500));
  });
});
