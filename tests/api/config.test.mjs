// config.test.mjs — where `serve` takes its settings from: a flag beats DINHDANH_* in the
// environment, which beats the --config file; unknown flags and bad values exit with status 2
// and a message on stderr, before anything listens.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  auditRows,
  cspReport,
  freePort,
  freshDb,
  request,
  runCli,
  settleAudit,
  startServer,
  tempDir,
} from './server.mjs';

// Starts with --listen only where `where` says, and checks which port answers.
async function listensOn({ flag, env, file }) {
  const dir = tempDir('cfg');
  const cfg = path.join(dir, 'dinhdanh.conf');
  fs.writeFileSync(
    cfg,
    `# test configuration\n\nlisten = 127.0.0.1:${file}\nlog-level = info\n`,
  );
  const args = ['--config', cfg];
  if (flag) args.push('--listen', `127.0.0.1:${flag}`);
  const srv = await startServer({
    listen: false,
    port: flag || env || file,
    args,
    env: env ? { DINHDANH_LISTEN: `127.0.0.1:${env}` } : {},
  });
  try {
    for (const other of [flag, env, file].filter((p) => p && p !== srv.port))
      await assert.rejects(request(other, 'GET', '/healthz', { timeout: 1000 }), `port ${other}`);
  } finally {
    await srv.stop();
  }
}

describe('precedence', () => {
  test('the config file is used alone', async () => {
    await listensOn({ file: await freePort() });
  });
  test('the environment beats the config file', async () => {
    await listensOn({ file: await freePort(), env: await freePort() });
  });
  test('a flag beats the environment and the config file', async () => {
    await listensOn({ file: await freePort(), env: await freePort(), flag: await freePort() });
  });
  test('DINHDANH_DB from the environment is used', async () => {
    const db = freshDb();
    const srv = await startServer({ db: false, envDb: db, env: { DINHDANH_DB: db } });
    const r = await srv.request('POST', '/api/v1/csp-reports', {
      body: cspReport(),
      headers: { 'Content-Type': 'application/csp-report' },
    });
    assert.equal(r.status, 204, r.text);
    await settleAudit(db, 1);
    await srv.stop();
    assert.ok(auditRows(db) >= 1, 'the report went to the database named by DINHDANH_DB');
  });
});

describe('settings take effect', () => {
  test('a data folder that does not exist yet is made, parents too', async () => {
    const dataDir = path.join(tempDir('nested'), 'a', 'b', 'data');
    const srv = await startServer({ dataDir, db: freshDb(tempDir('db')) });
    try {
      assert.equal((await srv.get('/healthz')).status, 200);
      assert.ok(fs.statSync(path.join(dataDir, 'sso-keys')).isDirectory(), 'the signing keys are there');
      assert.equal((await srv.get('/sso/jwks')).json().keys.length, 1);
    } finally {
      await srv.stop();
    }
  });

  test('--access-log off writes no http.access lines', async () => {
    const srv = await startServer({ args: ['--access-log', 'off'] });
    await srv.get('/healthz');
    await srv.get('/nope');
    await srv.quiet();
    await srv.stop();
    assert.equal(srv.logs().filter((l) => l.event === 'http.access').length, 0);
    assert.ok(srv.logs().some((l) => l.event === 'server.listening'));
  });

  test('--log-level warn drops info lines', async () => {
    const srv = await startServer({ args: ['--log-level', 'warn'] });
    await srv.get('/healthz');
    await srv.quiet();
    await srv.stop();
    // Access lines follow --access-log, not the level; every other info line must go.
    const info = srv
      .logs()
      .filter((l) => (l.level === 'info' || l.level === 'debug') && l.event !== 'http.access');
    assert.deepEqual(info, []);
    const plain = await startServer();
    await plain.stop();
    assert.ok(plain.logs().some((l) => l.level === 'info' && l.event !== 'http.access'));
  });

  test('--max-body below the route limit refuses a larger body with 413', async () => {
    const srv = await startServer({ args: ['--max-body', '2048'] });
    try {
      const body = cspReport({ 'script-sample': 'x'.repeat(3000) });
      const r = await srv.request('POST', '/api/v1/csp-reports', {
        body,
        headers: { 'Content-Type': 'application/csp-report' },
      });
      assert.equal(r.status, 413, r.text);
      const small = await srv.request('POST', '/api/v1/csp-reports', {
        body: cspReport(),
        headers: { 'Content-Type': 'application/csp-report' },
      });
      assert.equal(small.status, 204, small.text);
    } finally {
      await srv.stop();
    }
  });
});

describe('bad command lines exit 2', () => {
  const cases = [
    [['serve', '--no-such-flag'], {}],
    [['serve', '--threads', 'many'], {}],
    [['serve', '--threads', '999'], {}],
    [['serve', '--threads', '-3'], {}],
    [['serve', '--listen', 'not-an-address'], {}],
    [['serve', '--listen', '127.0.0.1:99999'], {}],
    [['serve', '--max-body', '12abc'], {}],
    [['serve', '--timeout', '-1'], {}],
    [['serve', '--tls', 'maybe'], {}],
    [['serve', '--access-log', 'yes please'], {}],
    [['serve', '--log-level', 'loud'], {}],
    [['serve', '--listen'], {}],
    [['serve'], { DINHDANH_THREADS: 'lots' }],
    [['serve'], { DINHDANH_TLS: 'perhaps' }],
    [['migrate', '--bogus'], {}],
    [['audit', 'verify', '--bogus'], {}],
    [['events', 'status', '--bogus'], {}],
    [['routes', '--bogus'], {}],
  ];
  for (const [args, env] of cases)
    test(`${Object.keys(env).join(' ')} dinhdanh ${args.join(' ')}`.trim(), () => {
      // serve gets a database and a harmless port first, so a flag left without its value
      // stays last on the line.
      let full = args;
      if (args[0] === 'serve') {
        full = ['serve', '--db', freshDb()];
        if (!args.includes('--listen') && !env.DINHDANH_LISTEN)
          full.push('--listen', `127.0.0.1:${40000 + Math.floor(Math.random() * 20000)}`);
        full.push(...args.slice(1));
      }
      const r = runCli(full, { env, timeout: 10000 });
      assert.equal(r.status, 2, `exit status; stderr: ${r.stderr}`);
      assert.match(r.stderr, /\S/, 'a message on stderr');
      assert.doesNotMatch(r.stderr, /server\.listening/);
    });

  test('a bad value in the config file exits 2', () => {
    const dir = tempDir('badcfg');
    const cfg = path.join(dir, 'bad.conf');
    fs.writeFileSync(cfg, 'threads = lots\n');
    const listen = `127.0.0.1:${40000 + Math.floor(Math.random() * 20000)}`;
    const r = runCli(['serve', '--config', cfg, '--db', freshDb(dir), '--listen', listen], {
      timeout: 10000,
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /\S/);
  });

  test('a missing config file exits non-zero with a message', () => {
    const r = runCli(['serve', '--config', '/nonexistent/dinhdanh.conf', '--db', freshDb()], {
      timeout: 10000,
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /\S/);
  });
});
