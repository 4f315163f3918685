// db.test.mjs — the database side seen from the command line: `migrate` and `migrate --status`,
// `audit verify` on an intact chain and on a row altered or removed behind the program's back
// (sqlite3 CLI or psql), and domain events surviving restarts, each processed exactly once.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import {
  DB_KIND,
  assertProblem,
  auditRows,
  cspReport,
  eventsStatus,
  freshDb,
  psql,
  sleep,
  runCli,
  settleAudit,
  startServer,
  tempDir,
} from './server.mjs';

function sqlite(db, sql) {
  const file = db.replace(/^sqlite:/, '');
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', '-batch', '-noheader', '-separator', '\t', file, sql], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
  return r.stdout.trim();
}

const sql = (db, text) => (DB_KIND === 'sqlite' ? sqlite(db, text) : psql(db, text));

// The audit table and one of its columns that holds recorded content (not the chain's hash).
function auditTable(db) {
  const tables =
    DB_KIND === 'sqlite'
      ? sql(db, "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE '%audit%'")
      : sql(db, "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%audit%'");
  const names = tables.split('\n').filter(Boolean);
  assert.ok(names.length > 0, 'no audit table found');
  const table = names.includes('audit_log') ? 'audit_log' : names[0];
  const cols =
    DB_KIND === 'sqlite'
      ? sql(db, `SELECT name, type FROM pragma_table_info('${table}')`)
      : sql(
          db,
          `SELECT column_name, data_type FROM information_schema.columns WHERE table_name='${table}'`,
        );
  const textCols = cols
    .split('\n')
    .map((l) => l.split(/\t|\|/))
    .filter(([, t]) => /text|char/i.test(t || ''))
    .map(([n]) => n);
  const preferred = ['payload', 'data', 'detail', 'details', 'subject', 'action', 'event', 'type'];
  const column =
    preferred.find((c) => textCols.includes(c)) ||
    textCols.find((c) => !/hash|mac|sig|prev/i.test(c));
  assert.ok(column, `no content column in ${table}: ${cols}`);
  return { table, column };
}

// Changes the audit table behind the program's back: its append-only triggers go first, as
// they would for anyone with the database file or superuser rights.
function tamper(db, table, statement) {
  if (DB_KIND === 'sqlite') {
    const triggers = sql(
      db,
      `SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='${table}'`,
    );
    const drops = triggers.split('\n').filter(Boolean).map((t) => `DROP TRIGGER ${t};`);
    sql(db, `${drops.join(' ')} ${statement}`);
  } else {
    sql(db, `ALTER TABLE ${table} DISABLE TRIGGER ALL; ${statement}`);
  }
}

async function postReports(srv, n) {
  for (let i = 0; i < n; i++) {
    const r = await srv.request('POST', '/api/v1/csp-reports', {
      body: cspReport({ 'blocked-uri': `https://evil.example/${i}.js` }),
      headers: { 'Content-Type': 'application/csp-report' },
    });
    assert.equal(r.status, 204, r.text);
  }
}

describe('migrate', () => {
  test('--status before and after migrate; migrate is idempotent; serve migrates', async () => {
    const db = freshDb();
    const before = runCli(['migrate', '--status', '--db', db]);
    assert.equal(before.status, 0, before.stderr);
    assert.match(before.stdout, /pending/i, 'a fresh database has pending migrations');

    const m1 = runCli(['migrate', '--db', db]);
    assert.equal(m1.status, 0, m1.stderr);
    const after = runCli(['migrate', '--status', '--db', db]);
    assert.equal(after.status, 0, after.stderr);
    assert.doesNotMatch(after.stdout, /pending/i, 'nothing pending after migrate');
    assert.notEqual(after.stdout, before.stdout);

    const m2 = runCli(['migrate', '--db', db]);
    assert.equal(m2.status, 0, m2.stderr);
    assert.equal(runCli(['migrate', '--status', '--db', db]).stdout, after.stdout);

    const db2 = freshDb();
    const srv = await startServer({ db: db2 });
    await srv.stop();
    const served = runCli(['migrate', '--status', '--db', db2]);
    assert.doesNotMatch(served.stdout, /pending/i, 'serve applied the migrations');
  });

  test('an unreachable database is reported, not crashed on', () => {
    const bad =
      DB_KIND === 'sqlite'
        ? 'sqlite:/proc/no-such-dir/x.db'
        : 'postgres://postgres@127.0.0.1:1/nothing';
    const r = runCli(['migrate', '--status', '--db', bad]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /\S/);
  });
});

describe('audit verify', () => {
  test('OK on an intact chain; BROKEN at the altered row', async () => {
    const srv = await startServer();
    await postReports(srv, 4);
    // The reports' four events, after those of the first start (the gateway's log key made).
    const a = await settleAudit(srv.db, 4);
    await srv.stop();
    const n = auditRows(srv.db);
    assert.ok(a.position >= 4);
    assert.equal(n, a.position, `${n} audit rows for ${a.position} events`);

    const { table, column } = auditTable(srv.db);
    const ids = sql(srv.db, `SELECT id FROM ${table} ORDER BY id`).split('\n');
    const victim = ids[Math.floor(ids.length / 2)];
    tamper(srv.db, table, `UPDATE ${table} SET ${column} = ${column} || 'x' WHERE id = ${victim}`);
    const r = runCli(['audit', 'verify', '--db', srv.db]);
    assert.equal(r.status, 1, `exit status; ${r.stdout}${r.stderr}`);
    const m = /^BROKEN at row (\S+): (.+)$/m.exec(r.stdout + r.stderr);
    assert.ok(m, `output: ${r.stdout}${r.stderr}`);
    assert.equal(m[1], victim, 'the altered row is named');
  });

  test('BROKEN when a row in the middle is deleted', async () => {
    const srv = await startServer();
    await postReports(srv, 4);
    const a = await settleAudit(srv.db, 4);
    await srv.stop();
    assert.equal(auditRows(srv.db), a.position);
    const { table } = auditTable(srv.db);
    const ids = sql(srv.db, `SELECT id FROM ${table} ORDER BY id`).split('\n');
    tamper(srv.db, table, `DELETE FROM ${table} WHERE id = ${ids[1]}`);
    const r = runCli(['audit', 'verify', '--db', srv.db]);
    assert.equal(r.status, 1, `exit status; ${r.stdout}${r.stderr}`);
    assert.match(r.stdout + r.stderr, /^BROKEN at row \S+: .+$/m);
  });

  test('OK: 0 rows verified on an empty, migrated database', () => {
    const db = freshDb();
    assert.equal(runCli(['migrate', '--db', db]).status, 0);
    assert.equal(auditRows(db), 0);
  });
});

describe('readiness', () => {
  test('/readyz is 503 when the database goes away, /healthz stays 200', async (t) => {
    if (DB_KIND !== 'postgres') return t.skip('needs a database that can be taken away');
    const db = freshDb();
    const srv = await startServer({ db });
    try {
      assert.equal((await srv.get('/readyz')).status, 200);
      const name = new URL(db).pathname.slice(1);
      const admin = new URL(db);
      admin.pathname = '/postgres';
      psql(admin.toString(), `DROP DATABASE ${name} WITH (FORCE)`);
      const r = await srv.get('/readyz');
      assertProblem(r, 503, 'service-unavailable');
      assert.equal((await srv.get('/healthz')).status, 200);
      const metrics = (await srv.get('/metrics')).text;
      const m = /^dinhdanh_db_errors_total(?:\{[^}]*\})? (\d+)/m.exec(metrics);
      assert.ok(m && Number(m[1]) >= 1, 'dinhdanh_db_errors_total counted the failure');
    } finally {
      await srv.stop();
    }
  });
});

describe('events', () => {
  test('processed exactly once across restarts, including events emitted while down', async () => {
    const dataDir = tempDir('ev');
    const db = freshDb(dataDir);
    let srv = await startServer({ db, dataDir });
    try {
      // A first start records its own events (the gateway's log key made, a security event):
      // the ten of this test come after them.
      const s0 = eventsStatus(db).audit ?? { position: 0, pending: 0 };
      const base = s0.position + s0.pending;
      await settleAudit(db, base);
      assert.equal(auditRows(db), base);

      // Five reports processed while up, two more just before SIGTERM, three emitted while down.
      await postReports(srv, 5);
      await settleAudit(db, base + 5);
      await postReports(srv, 2);
      await srv.stop();
      for (let i = 1; i <= 3; i++) {
        const r = runCli(['events', 'emit', 'test.ping', `subject-${i}`, `{"n":${i}}`, '--db', db]);
        assert.equal(r.status, 0, r.stderr);
      }
      const down = eventsStatus(db).audit;
      assert.ok(down.position >= base + 5, `position while down: ${down.position}`);
      assert.equal(down.position + down.pending, base + 10, 'ten events after the first start');

      srv = await startServer({ db, dataDir });
      assert.equal((await settleAudit(db, base + 10)).position, base + 10);
      await srv.stop();
      assert.equal(auditRows(db), base + 10, 'one audit row per event');

      srv = await startServer({ db, dataDir });
      await sleep(1000);
      assert.deepEqual(eventsStatus(db).audit, { position: base + 10, pending: 0 });
      await srv.stop();
      assert.equal(auditRows(db), base + 10, 'nothing processed twice');
    } finally {
      await srv.stop();
    }
  });

  test('emit refuses a payload that is not JSON and stores nothing', () => {
    const db = freshDb();
    assert.equal(runCli(['migrate', '--db', db]).status, 0);
    const before = eventsStatus(db);
    for (const payload of ['not json', '{"a":'])
      assert.equal(
        runCli(['events', 'emit', 'test.ping', 's', payload, '--db', db]).status,
        2,
        `payload ${payload}`,
      );
    assert.equal(runCli(['events', 'emit', '--db', db]).status, 2, 'missing TYPE and SUBJECT');
    assert.deepEqual(eventsStatus(db), before);
    assert.equal(runCli(['events', 'emit', 'test.ping', 's', '--db', db]).status, 0);
    const after = eventsStatus(db);
    assert.ok(after.audit, `events status lists the audit consumer and its pending event: ${JSON.stringify(after)}`);
    assert.equal(after.audit.pending, (before.audit?.pending ?? 0) + 1);
  });
});
