// server.mjs — starts the real dinhdanh binary for the API and browser tests, and talks to it.
//
// startServer() picks a free loopback port, makes a temporary data folder and a fresh database
// (SQLite file, or a new database in the PostgreSQL cluster of DD_TEST_PG_URL when
// DD_TEST_DB=postgres), runs DD_BIN (default build/asan/dinhdanh) and waits for /healthz.
// stop() sends SIGTERM and asserts exit status 0 and no db.left_open log line. Every process's stderr is kept in memory and,
// when DD_TEST_LOG_DIR is set, in a file there, so tests/run.sh can scan it for sanitizer reports.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.resolve(ROOT, process.env.DD_BIN || 'build/asan/dinhdanh');
export const DB_KIND = process.env.DD_TEST_DB || 'sqlite';
export const PG_URL = process.env.DD_TEST_PG_URL || '';
const LOG_DIR = process.env.DD_TEST_LOG_DIR || '';
const PSQL = fs.existsSync('/usr/lib/postgresql/15/bin/psql')
  ? '/usr/lib/postgresql/15/bin/psql'
  : 'psql';
const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;

const tempDirs = [];
const running = new Set();
let serial = 0;

process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL');
  if (!process.env.DD_KEEP_TMP)
    for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

export function tempDir(tag = 'tmp') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `dd-${tag}-`));
  tempDirs.push(d);
  return d;
}

// Environment for the binary: ours without DINHDANH_* settings, plus sanitizer options.
export function baseEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DINHDANH_')) env[k] = v;
  env.ASAN_OPTIONS ??= 'detect_leaks=1:abort_on_error=1';
  env.UBSAN_OPTIONS ??= 'print_stacktrace=1:halt_on_error=1';
  return { ...env, ...extra };
}

function keepLog(tag, text) {
  if (!LOG_DIR) return;
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const name = `${path.basename(process.argv[1] || 'test')}.${process.pid}.${++serial}.${tag}.log`;
  fs.writeFileSync(path.join(LOG_DIR, name), text);
}

export function assertNoSanitizer(text, what) {
  const m = SANITIZER.exec(text);
  assert.equal(m, null, `${what}: sanitizer report:\n${text.slice(Math.max(0, m?.index - 200))}`);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function psql(url, sql) {
  const r = spawnSync(PSQL, ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', url, '-c', sql], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `psql failed: ${r.stderr}`);
  return r.stdout.trim();
}

// A database URL nobody has used yet.
export function freshDb(dir = tempDir('db')) {
  if (DB_KIND === 'sqlite') return `sqlite:${path.join(dir, 'dinhdanh.db')}`;
  assert.equal(DB_KIND, 'postgres', `unknown DD_TEST_DB=${DB_KIND}`);
  assert.ok(PG_URL, 'DD_TEST_DB=postgres needs DD_TEST_PG_URL');
  const name = `dd_${process.pid}_${++serial}_${Math.random().toString(36).slice(2, 8)}`;
  psql(PG_URL, `CREATE DATABASE ${name}`);
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

// Runs a CLI subcommand to completion: { status, stdout, stderr }.
export function runCli(args, { env = {}, cwd = ROOT, input, timeout = 20000 } = {}) {
  const r = spawnSync(BIN, args, {
    cwd,
    env: baseEnv(env),
    input,
    encoding: 'utf8',
    timeout,
    killSignal: 'SIGKILL',
  });
  keepLog(`cli-${args[0] || 'none'}`, r.stderr || '');
  assertNoSanitizer(r.stderr || '', `dinhdanh ${args.join(' ')}`);
  return { status: r.status, signal: r.signal, stdout: r.stdout || '', stderr: r.stderr || '' };
}

// Starts `dinhdanh serve`. Options: db, dataDir, args (extra flags), env, listen (false to leave
// --listen out; then give port), tls, webDir (false to leave --web-dir out), cwd. With
// db: false no --db is given and envDb names the database the environment points at.
export async function startServer(opts = {}) {
  const dataDir = opts.dataDir || tempDir('data');
  const db = opts.db === false ? opts.envDb : opts.db || freshDb(dataDir);
  const port = opts.port || (await freePort());
  const args = ['serve', '--data-dir', dataDir];
  if (opts.db !== false) args.push('--db', db);
  if (opts.listen !== false) args.push('--listen', `127.0.0.1:${port}`);
  if (opts.webDir !== false) args.push('--web-dir', opts.webDir || path.join(ROOT, 'web'));
  if (opts.tls) args.push('--tls', 'on');
  // Reads' access-log rows are committed every 20 ms instead of 500, so that tests see them soon.
  if (!(opts.args || []).includes('--read-log-flush-ms')) args.push('--read-log-flush-ms', '20');
  args.push(...(opts.args || []));
  const proc = spawn(BIN, args, {
    cwd: opts.cwd || ROOT,
    env: baseEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  let stderr = '';
  let stdout = '';
  proc.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  proc.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  const exited = new Promise((resolve) =>
    proc.on('exit', (code, signal) => {
      running.delete(proc);
      keepLog('serve', stderr);
      resolve({ code, signal });
    }),
  );
  const srv = {
    port,
    db,
    dataDir,
    proc,
    exited,
    tls: !!opts.tls,
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    stderr: () => stderr,
    stdout: () => stdout,
    // Parsed JSON log lines (others are skipped).
    logs() {
      return stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l)];
          } catch {
            return [];
          }
        });
    },
    // Waits until no stderr has arrived for `quietMs` (lines reach us a little after requests).
    async quiet(quietMs = 250) {
      let last = -1;
      while (last !== stderr.length) {
        last = stderr.length;
        await sleep(quietMs);
      }
    },
    request: (method, p, o = {}) => request(port, method, p, { tls: srv.tls, ...o }),
    get: (p, o = {}) => request(port, 'GET', p, { tls: srv.tls, ...o }),
    // SIGTERM, then assert a clean exit 0 within the grace period and no sanitizer report.
    async stop({ expectCode = 0 } = {}) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 20000);
      const r = await exited;
      clearTimeout(t);
      assertNoSanitizer(stderr, 'server');
      // A handler that leaves a statement or a transaction open pins its thread's view of the
      // database; the server ends it and logs db.left_open, which no test may cause.
      const leftOpen = srv.logs().filter((l) => l.event === 'db.left_open').map((l) => l.msg);
      assert.deepEqual(leftOpen, [], 'statements or transactions left open by handlers');
      assert.equal(r.signal, null, `server killed by ${r.signal}; stderr:\n${stderr.slice(-3000)}`);
      assert.equal(r.code, expectCode, `server exit status; stderr:\n${stderr.slice(-3000)}`);
      return r;
    },
  };
  const deadline = Date.now() + 15000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      await exited;
      throw new Error(`server exited early (${proc.exitCode ?? proc.signalCode}):\n${stderr}`);
    }
    try {
      const r = await srv.get('/healthz', { timeout: 1000 });
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server did not answer /healthz within 15 s:\n${stderr}`);
    }
    await sleep(50);
  }
  return srv;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One HTTP request on a fresh connection: { status, headers, body (Buffer), text, json() }.
export function request(port, method, p, o = {}) {
  const mod = o.tls ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: p,
        headers: o.headers || {},
        agent: false,
        localAddress: o.localAddress, // another loopback address: another client network
        timeout: o.timeout || 15000,
        rejectUnauthorized: o.tls ? !!o.ca : undefined,
        ca: o.ca,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode,
            headers: res.headers,
            body,
            text: body.toString('utf8'),
            json: () => JSON.parse(body.toString('utf8')),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${p}`)));
    req.on('error', reject);
    if (o.body !== undefined) req.end(o.body);
    else req.end();
  });
}

// Writes raw bytes on a new TCP (or TLS) connection and reads until the server closes it or
// `timeout` ms pass: { data (Buffer), text, closed, ms, status (first status code or 0) }.
export function raw(port, chunks, { timeout = 5000, tls: useTls = false, gapMs = 0 } = {}) {
  const list = Array.isArray(chunks) ? chunks : [chunks];
  return new Promise((resolve) => {
    const start = Date.now();
    const sock = useTls
      ? tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false })
      : net.connect({ host: '127.0.0.1', port });
    const got = [];
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const data = Buffer.concat(got);
      const text = data.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ data, text, closed, ms: Date.now() - start, status: m ? Number(m[1]) : 0 });
    };
    const timer = setTimeout(() => finish(false), timeout);
    sock.on('data', (d) => got.push(d));
    sock.on('end', () => finish(true));
    sock.on('close', () => finish(true));
    sock.on('error', () => finish(true));
    sock.on(useTls ? 'secureConnect' : 'connect', async () => {
      for (const c of list) {
        if (done) break;
        sock.write(c);
        if (gapMs) await sleep(gapMs);
      }
    });
  });
}

// Asserts an RFC 9457 problem response with the given status and slug; returns the body.
export function assertProblem(res, status, slug) {
  assert.equal(res.status, status, `status for ${slug}; body: ${res.text}`);
  assert.match(res.headers['content-type'] || '', /^application\/problem\+json\b/);
  const b = res.json();
  assert.equal(b.type, `urn:dinhdanh:problem:${slug}`);
  assert.equal(b.status, status);
  assert.equal(typeof b.title, 'string');
  assert.ok(b.title.length > 0, 'title is empty');
  assert.equal(typeof b.detail, 'string');
  assert.ok(b.detail.length > 0, 'detail is empty');
  assert.equal(typeof b.request_id, 'string');
  assert.equal(b.request_id, res.headers['x-request-id']);
  return b;
}

// `events status` as { consumer: { position, pending } }.
export function eventsStatus(db) {
  const r = runCli(['events', 'status', '--db', db]);
  assert.equal(r.status, 0, `events status: ${r.stderr}`);
  const out = {};
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue;
    const [consumer, position, pending, ...rest] = line.split('\t');
    assert.equal(rest.length, 0, `events status line: ${JSON.stringify(line)}`);
    assert.match(position, /^\d+$/, `position in ${JSON.stringify(line)}`);
    assert.match(pending, /^\d+$/, `pending in ${JSON.stringify(line)}`);
    out[consumer] = { position: Number(position), pending: Number(pending) };
  }
  return out;
}

// Row count from `audit verify`, asserting the chain is intact.
export function auditRows(db) {
  const r = runCli(['audit', 'verify', '--db', db]);
  assert.equal(r.status, 0, `audit verify: ${r.stdout}${r.stderr}`);
  const m = /^OK: (\d+) rows verified$/m.exec(r.stdout);
  assert.ok(m, `audit verify output: ${r.stdout}`);
  return Number(m[1]);
}

// Waits until the audit consumer has reached event `min` (its position counts the events it has
// processed) with nothing pending; returns its status entry. A consumer that has never run may
// be missing from the list, which only counts as settled while `min` is 0.
export async function settleAudit(db, min = 0, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = eventsStatus(db).audit ?? { position: 0, pending: 0 };
    if (a.pending === 0 && a.position >= min) return a;
    assert.ok(
      Date.now() < deadline,
      `audit consumer at ${a.position} with ${a.pending} pending, waiting for ${min}`,
    );
    await sleep(100);
  }
}

// A CSP report body as browsers send it.
export function cspReport(extra = {}) {
  return JSON.stringify({
    'csp-report': {
      'document-uri': 'http://127.0.0.1/',
      referrer: '',
      'violated-directive': 'script-src-elem',
      'effective-directive': 'script-src-elem',
      'original-policy': "default-src 'self'",
      'blocked-uri': 'inline',
      'status-code': 200,
      ...extra,
    },
  });
}
