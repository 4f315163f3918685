// demo.test.mjs — `dinhdanh demo`: a province of 2 000 people on a fresh database (counts,
// households, history, officer accounts, the login it prints), what the register then serves
// (a person, their history folding back to them, a commune officer kept to their commune),
// the same seed giving the same people on another database, and the refusals that store
// nothing: a second run on a register with people, bad options.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { DB_KIND, assertProblem, freshDb, psql, runCli, startServer } from './server.mjs';

const PEOPLE = 2000;
const AS_OF = '2025-11-01';
let db;
let out;
let srv;
const tokens = {};

function sqlite(file, text) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', '-batch', '-noheader', '-separator', '|', file, text], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
  return r.stdout.trim();
}

const sql = (url, text) =>
  DB_KIND === 'sqlite' ? sqlite(url.replace(/^sqlite:/, ''), text) : psql(url, text);
const count = (url, text) => Number(sql(url, text));

function demo(args, url) {
  return runCli(['demo', ...args, '--db', url], { timeout: 120000 });
}

function token(user) {
  const t = runCli(['token', '--user', user, '--db', db]);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /^ddt_[0-9a-f]{64}\n$/);
  return t.stdout.trim();
}

async function call(who, path, purpose = 'Kiểm tra dữ liệu thử nghiệm') {
  const headers = { Authorization: `Bearer ${tokens[who]}` };
  if (purpose) headers['X-Purpose'] = encodeURIComponent(purpose);
  return srv.get(path, { headers });
}

before(async () => {
  db = freshDb();
  out = demo(['--people', String(PEOPLE), '--seed', '11', '--as-of', AS_OF], db);
  assert.equal(out.status, 0, `demo failed:\n${out.stdout}\n${out.stderr}`);
  srv = await startServer({ db });
  tokens.admin = token('admin');
  tokens.xa = token('cand.bacnhatrang');
});
after(async () => {
  await srv?.stop();
});

describe('demo', () => {
  test('fills the register with the people, households and history it reports', () => {
    const m = /^ {2}(\d+) people in (\d+) households; (\d+) dead, (\d+) living here temporarily/m.exec(
      out.stdout,
    );
    assert.ok(m, out.stdout);
    const [people, households, dead, temporary] = m.slice(1).map(Number);
    assert.equal(people, PEOPLE);
    assert.equal(count(db, 'SELECT COUNT(*) FROM people'), PEOPLE);
    assert.equal(count(db, 'SELECT COUNT(*) FROM households'), households);
    assert.equal(count(db, "SELECT COUNT(*) FROM people WHERE status = 'dead'"), dead);
    assert.equal(dead, PEOPLE * 0.025);
    assert.equal(count(db, "SELECT COUNT(*) FROM people WHERE temporary_commune <> ''"), temporary);
    const mean = count(db, 'SELECT COUNT(*) FROM people WHERE household_id IS NOT NULL') / households;
    assert.ok(mean > 3 && mean < 4, `mean household size ${mean}`);
    // Every resident lives in a commune of Khánh Hòa in force today.
    assert.equal(
      count(
        db,
        "SELECT COUNT(*) FROM people p WHERE p.household_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM units u WHERE u.kind = 'commune' AND u.province_code = '56' AND u.code = p.permanent_commune AND u.valid_to IS NULL)",
      ),
      0,
    );
    assert.ok(count(db, "SELECT COUNT(*) FROM person_history WHERE kind = 'died'") > 0);
    assert.ok(count(db, "SELECT COUNT(*) FROM person_history WHERE kind = 'moved'") > 0);
    assert.ok(count(db, "SELECT COUNT(*) FROM residences WHERE kind = 'temporary'") > 0);
    assert.equal(
      count(db, "SELECT COUNT(*) FROM people WHERE full_name LIKE 'Nguyễn %'") > PEOPLE / 5,
      true,
    );
  });

  test('creates the officers and prints how to log in', () => {
    assert.equal(
      sql(db, "SELECT role || '|' || province_code || '|' || commune_code FROM officers WHERE username = 'admin'"),
      'admin|56|',
    );
    assert.equal(
      sql(db, "SELECT role || ' ' || commune_code FROM officers WHERE username = 'cand.bacnhatrang'"),
      'commune-police 22333',
    );
    assert.match(out.stdout, /build\/dinhdanh token --user admin/);
    assert.match(out.stdout, /Authorization: Bearer \$TOKEN/);
    assert.match(out.stdout, /X-Purpose: /);
    assert.match(out.stdout, /cand\.bacnhatrang +police of Phường Bắc Nha Trang \(22333\)/);
  });

  test('each person carries the residence periods running today, as the residences table has them', () => {
    const length = DB_KIND === 'sqlite' ? 'json_array_length(p.residences)' : 'json_array_length(p.residences::json)';
    const today = new Date().toISOString().slice(0, 10);
    const differ = sql(db, `SELECT COUNT(*) FROM people p WHERE ${length} <> (SELECT COUNT(*) FROM residences r
      WHERE r.id_number = p.id_number AND (r.to_date = '' OR r.to_date >= '${today}'))`);
    assert.equal(Number(differ), 0);
    assert.ok(Number(sql(db, `SELECT COUNT(*) FROM people WHERE residences LIKE '%"kind":"temporary"%'`)) > 0);
    assert.equal(Number(sql(db, "SELECT COUNT(*) FROM people WHERE status = 'dead' AND residences <> '[]'")), 0);
  });

  test('the register serves a demo person and their history folds back to them', async () => {
    const id = /\/api\/v1\/people\/(\d{12})$/m.exec(out.stdout)?.[1];
    assert.ok(id, out.stdout);
    const r = await call('admin', `/api/v1/people/${id}`);
    assert.equal(r.status, 200, r.text);
    const person = r.json();
    assert.equal(person.id_number, id);
    assert.equal(person.relation_to_head, 'Chủ hộ');
    assert.equal(person.permanent_province, '56');
    // Someone with a long history: a move, a stay or a death after the records were collected.
    const hid = sql(db, 'SELECT id_number FROM people WHERE version >= 2 ORDER BY id_number LIMIT 1');
    const h = await call('admin', `/api/v1/people/${hid}/history?limit=500`);
    assert.equal(h.status, 200, h.text);
    const items = h.json().items;
    const p = (await call('admin', `/api/v1/people/${hid}`)).json();
    assert.equal(items.length, p.version);
    assert.ok(['imported', 'born'].includes(items[0].kind));
    const state = {};
    for (const it of items) for (const [f, c] of Object.entries(it.changes)) state[f] = c.to ?? '';
    delete state.absence;
    for (const [f, v] of Object.entries(state)) assert.equal(p[f], v, f);
    assert.deepEqual(
      items.map((i) => i.at),
      items.map((i) => i.at).sort(),
    );
  });

  test("a commune officer sees their commune's people and no one else's", async () => {
    const mine = sql(
      db,
      "SELECT id_number FROM people WHERE permanent_commune = '22333' AND household_id IS NOT NULL ORDER BY id_number LIMIT 1",
    );
    const other = sql(
      db,
      "SELECT id_number FROM people WHERE permanent_commune <> '22333' AND temporary_commune <> '22333' AND household_id IS NOT NULL ORDER BY id_number LIMIT 1",
    );
    assert.ok(mine && other);
    assert.equal((await call('xa', `/api/v1/people/${mine}`)).status, 200);
    assertProblem(await call('xa', `/api/v1/people/${other}`), 404, 'not-found');
  });

  test('the same seed gives the same people on another database', () => {
    const db2 = freshDb();
    const again = demo(['--people', String(PEOPLE), '--seed', '11', '--as-of', AS_OF], db2);
    assert.equal(again.status, 0, again.stderr);
    const q =
      "SELECT id_number || ' ' || full_name || ' ' || birth_date || ' ' || father_id || ' ' || permanent_commune FROM people ORDER BY id_number";
    assert.equal(sql(db2, q), sql(db, q));
    const db3 = freshDb();
    const other = demo(['--people', '50', '--seed', '12', '--as-of', AS_OF], db3);
    assert.equal(other.status, 0, other.stderr);
    assert.notEqual(sql(db3, q).split('\n')[0], sql(db, q).split('\n')[0]);
  });

  test('refuses a register that holds people, and changes nothing', () => {
    const before = sql(db, 'SELECT COUNT(*) || ' + "' '" + ' || MAX(id) FROM person_history');
    const r = demo(['--people', '10'], db);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /already holds 2000 people/);
    assert.match(r.stderr, /start fresh/);
    assert.equal(sql(db, 'SELECT COUNT(*) || ' + "' '" + ' || MAX(id) FROM person_history'), before);
    assert.equal(count(db, 'SELECT COUNT(*) FROM people'), PEOPLE);
    assert.equal(count(db, 'SELECT COUNT(*) FROM officers'), 3);
  });

  test('refuses bad options before touching the database', () => {
    const fresh = freshDb();
    for (const args of [
      ['--people', '0'],
      ['--people', 'many'],
      ['--people', '3000000'],
      ['--province', '5'],
      ['--province', 'KH'],
      ['--as-of', '2025-13-01'],
      ['--seed', '-1'],
      ['--people'],
      ['--colour', 'red'],
    ]) {
      const r = demo(args, fresh);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.length > 0);
    }
    const future = demo(['--people', '10', '--as-of', '2399-01-01'], fresh);
    assert.equal(future.status, 1);
    assert.match(future.stderr, /in the future/);
    const gone = demo(['--people', '10', '--province', '57'], fresh);
    assert.equal(gone.status, 1);
    assert.match(gone.stderr, /no province 57/);
    assert.equal(count(fresh, 'SELECT COUNT(*) FROM people'), 0);
    assert.equal(count(fresh, 'SELECT COUNT(*) FROM officers'), 0);
    const help = runCli(['demo', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: dinhdanh demo/);
  });
});
