// soc_siem.test.mjs — `dinhdanh soc forward` on SQLite or PostgreSQL (DD_TEST_DB): security
// events and alerts reach a syslog receiver started by the test — a TCP one and a TLS one (a
// certificate for localhost made with openssl) that read RFC 6587 octet-counted frames — as RFC
// 5424 messages, and a file as JSON lines; each event goes once, and a run after the first
// sends only what is new. A receiver that cannot be reached, or whose certificate is not
// trusted, is an error and nothing is marked sent.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, test } from 'node:test';
import { BIN, assertNoSanitizer, baseEnv, freePort, runCli, tempDir } from './server.mjs';
import { citizen, officer } from './identity_util.mjs';
import { failLogins, settle, startSocServer } from './soc_util.mjs';

let srv;

// A receiver: frames are "LEN SP MSG"; returns {port, messages, close}.
function receiver(kind, options = {}) {
  const messages = [];
  const onSocket = (sock) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const sp = buf.indexOf(0x20);
        if (sp < 0) break;
        const len = Number(buf.subarray(0, sp).toString());
        if (!(Number.isInteger(len) && len > 0)) {
          messages.push(`bad frame: ${buf.subarray(0, 40)}`); // fails parse() with what came
          sock.destroy();
          return;
        }
        if (buf.length < sp + 1 + len) break;
        messages.push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
        buf = buf.subarray(sp + 1 + len);
      }
    });
    sock.on('error', () => {});
  };
  const server = kind === 'tls' ? tls.createServer(options, onSocket) : net.createServer(onSocket);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ port: server.address().port, messages, close: () => new Promise((r) => server.close(r)) }),
    ),
  );
}

// RFC 5424: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] BOM MSG
const SYSLOG = /^<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (\S+) dinhdanh (\d+) (\S{1,32}) \[dinhdanh@32473((?: [a-z_]+="(?:[^"\\\]]|\\["\\\]])*")+)\] \uFEFF(\{.*\})$/s;

function parse(m) {
  const x = SYSLOG.exec(m);
  assert.ok(x, `not an RFC 5424 message of ours: ${m.slice(0, 300)}`);
  const sd = Object.fromEntries([...x[6].matchAll(/ ([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((p) => [p[1], p[2].replace(/\\(.)/g, '$1')]));
  return { pri: Number(x[1]), at: x[2], msgid: x[5], sd, json: JSON.parse(x[7]) };
}

before(async () => {
  srv = await startSocServer();
  officer(srv, 'socana', 'soc-analyst', '56');
  const c = await citizen(srv);
  await failLogins(srv, c.login, 5); // a brute-force alert at the fifth
  await settle(srv);
});
after(() => srv?.stop());

const forward = (args) => runCli(['soc', 'forward', '--once', '--db', srv.db, ...args]);

// The same without blocking this process, whose TLS receiver must answer the handshake.
function forwardAsync(args) {
  return new Promise((resolve) => {
    const p = spawn(BIN, ['soc', 'forward', '--once', '--db', srv.db, ...args], { env: baseEnv() });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (status) => {
      assertNoSanitizer(stderr, 'dinhdanh soc forward');
      resolve({ status, stdout, stderr });
    });
  });
}

test('events and alerts reach a TCP syslog receiver as RFC 5424 messages, once', async () => {
  const rx = await receiver('tcp');
  const r = await forwardAsync(['--syslog', `tcp://127.0.0.1:${rx.port}`]);
  assert.equal(r.status, 0, r.stderr);
  await new Promise((res) => setTimeout(res, 300));
  const msgs = rx.messages.map(parse);
  const failed = msgs.filter((m) => m.msgid === 'auth.failed');
  assert.equal(failed.length, 5);
  for (const m of failed) {
    assert.equal(m.pri, 13 * 8 + 4); // log audit, warning
    assert.equal(m.sd.module, 'identity');
    assert.equal(m.sd.outcome, 'failure');
    assert.equal(m.sd.source, '127.0.0.0/24');
    assert.match(m.sd.subject, /^account:\d+$/);
    assert.equal(m.json.type, 'auth.failed');
    assert.equal(m.json.event_id, Number(m.sd.event_id));
  }
  const alert = msgs.filter((m) => m.msgid === 'soc.alert');
  assert.equal(alert.length, 1);
  assert.equal(alert[0].pri, 13 * 8 + 4); // a medium rule: warning
  assert.equal(alert[0].json.details.rule, 'brute-force');
  assert.ok(msgs.some((m) => m.msgid === 'account.created' && m.pri === 13 * 8 + 6));
  assert.ok(!msgs.some((m) => m.msgid.startsWith('person.')), 'only security events go');
  const ids = msgs.map((m) => m.json.event_id);
  assert.equal(new Set(ids).size, ids.length);

  const again = await forwardAsync(['--syslog', `tcp://127.0.0.1:${rx.port}`]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /^0 events forwarded/m);
  await rx.close();
});

test('over TLS with the receiver checked against the given CA, and as JSON lines', async () => {
  const dir = tempDir('siem');
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const g = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { encoding: 'utf8' });
  assert.equal(g.status, 0, g.stderr);
  const rx = await receiver('tls', { key: fs.readFileSync(key), cert: fs.readFileSync(cert) });
  // Not trusted without the CA: refused, and nothing counts as sent.
  const untrusted = await forwardAsync(['--syslog', `tls://localhost:${rx.port}`]);
  assert.equal(untrusted.status, 1);
  assert.match(untrusted.stderr, /TLS .* failed: certificate verify failed|self-signed/);
  // A new citizen, so that there is something new for the consumer "siem".
  await citizen(srv);
  await settle(srv);
  const jsonl = path.join(dir, 'events.jsonl');
  const r = await forwardAsync(['--syslog', `tls://localhost:${rx.port}`, '--ca', cert, '--jsonl', jsonl]);
  assert.equal(r.status, 0, r.stderr);
  await new Promise((res) => setTimeout(res, 300));
  const msgs = rx.messages.map(parse);
  assert.ok(msgs.length >= 1);
  assert.ok(msgs.every((m) => m.msgid !== 'auth.failed'), 'the TCP run sent those already');
  assert.ok(msgs.some((m) => m.msgid === 'account.created'), msgs.map((m) => m.msgid).join() + r.stdout + fs.readFileSync(jsonl, 'utf8'));
  const lines = fs.readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.event_id), msgs.map((m) => m.json.event_id));
  assert.deepEqual(Object.keys(lines[0]).sort(), ['actor', 'amount', 'at', 'details', 'event_id', 'module', 'outcome', 'source', 'subject', 'type']);
  await rx.close();
});

test('a receiver that cannot be reached is an error; bad usage is refused', async () => {
  const port = await freePort();
  const r = forward(['--syslog', `tcp://127.0.0.1:${port}`]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot connect/);
  assert.equal(forward(['--syslog', 'udp://127.0.0.1:514']).status, 1);
  assert.equal(runCli(['soc', 'forward', '--db', srv.db]).status, 2);
  assert.equal(runCli(['soc', 'send', '--jsonl', '-', '--db', srv.db]).status, 2);
});
