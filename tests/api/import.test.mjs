// import.test.mjs — `dinhdanh import people` and `dinhdanh export people` on the real binary, on
// SQLite or PostgreSQL (DD_TEST_DB): a file stored whole and served by the API afterwards; a bad
// row anywhere storing nothing, with every bad row printed with its line and written to the
// --report file; duplicates and header problems; quoting, byte order mark and CRLF; the export
// and the round trip through an empty register; the exit status of every kind of failure.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DB_KIND, freshDb, psql, runCli, startServer, tempDir } from './server.mjs';

const HEADER =
  'id_number,full_name,birth_date,sex,household_number,relation_to_head,permanent_province,' +
  'permanent_commune,permanent_address,father_id,mother_id,spouse_id';
const FAMILY = [
  HEADER,
  '056090000001,Nguyễn Văn An,1990-05-17,male,5622366000001,Chủ hộ,56,22366,"Số 12, đường Trần Phú",,,056192000002',
  '056192000002,Lê Thị Bình,1992,female,5622366000001,Vợ,56,22366,"Số 12, đường Trần Phú",,,056090000001',
  '056215000003,Nguyễn Minh Châu,2015-09,male,5622366000001,Con,56,22366,"Số 12, đường Trần Phú",056090000001,056192000002,',
].join('\n');

function sqlite(db, text) {
  const file = db.replace(/^sqlite:/, '');
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', '-batch', '-noheader', '-separator', '|', file, text], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
  return r.stdout.trim();
}

const sql = (db, text) => (DB_KIND === 'sqlite' ? sqlite(db, text) : psql(db, text));
const count = (db, table) => Number(sql(db, `SELECT COUNT(*) FROM ${table}`));

function counts(db) {
  return {
    people: count(db, 'people'),
    history: count(db, 'person_history'),
    imports: count(db, 'person_imports'),
    residences: count(db, 'residences'),
    households: count(db, 'households'),
    events: count(db, 'events'),
    audit: count(db, 'audit_log'),
  };
}

const NOTHING = { people: 0, history: 0, imports: 0, residences: 0, households: 0, events: 0, audit: 0 };

function writeCsv(text, name = 'people.csv') {
  const file = path.join(tempDir('csv'), name);
  fs.writeFileSync(file, text);
  return file;
}

// A database with the schema in place (so that a refused import can be checked table by table).
function migratedDb() {
  const db = freshDb();
  const r = runCli(['migrate', '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  return db;
}

const importPeople = (file, db, ...more) =>
  runCli(['import', 'people', file, '--db', db, ...more], { timeout: 60000 });

function exportPeople(db, ...more) {
  const r = runCli(['export', 'people', '--db', db, ...more], { timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

describe('import people', () => {
  test('stores every row with its household, history and residences; the API serves them', async () => {
    const db = migratedDb();
    const r = importPeople(writeCsv(FAMILY), db);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^imported 3 people and 1 new households from .*people\.csv in [\d.]+ s/);
    assert.doesNotMatch(r.stderr, /\r/, 'no progress line when standard error is not a terminal');
    // Version 1 of each person is the load's one record, not a history row per person.
    assert.deepEqual(counts(db), { ...NOTHING, people: 3, imports: 1, residences: 3, households: 1, events: 1, audit: 1 });
    assert.equal(sql(db, "SELECT type FROM events"), 'register.imported');
    assert.match(sql(db, 'SELECT actor FROM audit_log'), /^operator:/);
    const audit = runCli(['audit', 'verify', '--db', db]);
    assert.equal(audit.status, 0, audit.stdout);

    const srv = await startServer({ db });
    try {
      assert.equal(runCli(['officer', 'add', 'canbo', '--role', 'province-police', '--province', '56', '--db', db]).status, 0);
      const token = runCli(['token', '--user', 'canbo', '--db', db]).stdout.trim();
      const headers = { Authorization: `Bearer ${token}`, 'X-Purpose': encodeURIComponent('Kiểm tra') };
      const one = await srv.get('/api/v1/people/056215000003', { headers });
      assert.equal(one.status, 200, one.text);
      const p = one.json();
      assert.equal(p.full_name, 'Nguyễn Minh Châu');
      assert.equal(p.father_id, '056090000001');
      assert.equal(p.household_number, '5622366000001');
      assert.deepEqual(p.residences, [{
        kind: 'permanent', province: p.permanent_province, commune: p.permanent_commune,
        address: p.permanent_address, from: sql(db, "SELECT from_date FROM residences WHERE id_number = '056215000003'"),
        until: null,
      }]);
      const found = await srv.get(`/api/v1/people?name=${encodeURIComponent('nguyen van')}`, { headers });
      assert.equal(found.status, 200, found.text);
      assert.deepEqual(found.json().items.map((x) => x.id_number), ['056090000001']);
      const history = await srv.get('/api/v1/people/056090000001/history', { headers });
      assert.equal(history.status, 200, history.text);
      const entries = history.json().items;
      assert.equal(entries.length, 1);
      assert.equal(entries[0].version, 1);
      assert.equal(entries[0].kind, 'imported');
      assert.equal(entries[0].actor, 'import');
      assert.equal(entries[0].reason, 'people.csv');
      assert.deepEqual(entries[0].changes, {
        id_number: { from: null, to: '056090000001' },
        full_name: { from: null, to: 'Nguyễn Văn An' },
        birth_date: { from: null, to: '1990-05-17' },
        sex: { from: null, to: 'male' },
        nationality: { from: null, to: 'VN' },
        status: { from: null, to: 'alive' },
        spouse_id: { from: null, to: '056192000002' },
        household_number: { from: null, to: '5622366000001' },
        relation_to_head: { from: null, to: 'Chủ hộ' },
        permanent_province: { from: null, to: '56' },
        permanent_commune: { from: null, to: '22366' },
        permanent_address: { from: null, to: 'Số 12, đường Trần Phú' },
      });

      // A correction writes version 1 into the history first, as it was loaded, then version 2;
      // folding the entries gives the person as stored.
      const fix = await srv.request('PATCH', '/api/v1/people/056090000001', {
        headers: { ...headers, 'If-Match': '"v1"', 'Content-Type': 'application/json' },
        body: JSON.stringify({ full_name: 'Nguyễn Văn Ân', reason: 'Sai dấu', legal_basis: 'Nghị định 123/2015/NĐ-CP' }),
      });
      assert.equal(fix.status, 200, fix.text);
      assert.equal(count(db, 'person_history'), 2);
      const after = (await srv.get('/api/v1/people/056090000001/history', { headers })).json().items;
      assert.deepEqual(after.map((e) => [e.version, e.kind]), [[1, 'imported'], [2, 'corrected']]);
      assert.deepEqual(after[0], entries[0]);
      assert.deepEqual(after[1].changes, { full_name: { from: 'Nguyễn Văn An', to: 'Nguyễn Văn Ân' } });
      const page = (await srv.get('/api/v1/people/056215000003/history?limit=1', { headers })).json();
      assert.deepEqual(page.items.map((e) => e.version), [1]);
      assert.equal(page.next_cursor, null);
      const state = {};
      for (const e of after) for (const [f, c] of Object.entries(e.changes)) state[f] = c.to ?? '';
      const person = (await srv.get('/api/v1/people/056090000001', { headers })).json();
      for (const [f, v] of Object.entries(state)) assert.equal(person[f], v, f);
      assert.equal(person.version, 2);
    } finally {
      await srv.stop();
    }
  });

  test('a bad row in the middle stores nothing; every bad row is printed and reported with its line', () => {
    const db = migratedDb();
    const text = [
      'id_number,full_name,birth_date,sex',
      '056090000001,Nguyễn Văn An,1990-05-17,male',
      '056192000002,Lê Thị Bình,1992,female',
      '056090000003,Trần Văn Cường,1990-02-30,male',
      '056190000004,Phạm Văn Dũng,1990,male',
      '056090000005,Hồ Văn Em,1990,male',
    ].join('\r\n');
    const dir = tempDir('report');
    const report = path.join(dir, 'problems.csv');
    const r = importPeople(writeCsv(text), db, '--report', report);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^nothing imported from .*: 2 of 5 rows have errors \(2 errors, 0 warnings\)/);
    assert.match(r.stderr, /^line 4: birth_date of 056090000003 \(date-invalid\): The date of birth/m);
    assert.match(r.stderr, /^line 5: id_number of 056190000004 \(id-century-sex\): /m);
    assert.deepEqual(counts(db), NOTHING);
    const lines = fs.readFileSync(report, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines[0], 'line,id_number,field,code,severity,message_vi,message_en');
    assert.equal(lines.length, 3);
    assert.match(lines[1], /^4,056090000003,birth_date,date-invalid,error,"Ngày sinh .*","The date of birth /);
    assert.match(lines[2], /^5,056190000004,id_number,id-century-sex,error,/);

    // In Vietnamese when LANG says so.
    const vi = runCli(['import', 'people', writeCsv(text), '--db', db], { env: { LANG: 'vi_VN.UTF-8' } });
    assert.equal(vi.status, 1);
    assert.match(vi.stderr, /^line 4: birth_date of 056090000003 \(date-invalid\): Ngày sinh phải/m);
    assert.deepEqual(counts(db), NOTHING);
  });

  test('ID numbers twice in the file or already in the register are refused', () => {
    const db = migratedDb();
    assert.equal(importPeople(writeCsv(FAMILY), db).status, 0);
    const before = counts(db);
    const text = [
      'full_name,sex,birth_date,id_number',
      'Võ Văn Giang,male,1990,056090000010',
      'Nguyễn Văn An,male,1990-05-17,056090000001',
      'Võ Văn Giang,male,1990,056090000010',
    ].join('\n');
    const r = importPeople(writeCsv(text), db);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^line 3: id_number of 056090000001 \(id-exists\): /m);
    assert.match(r.stderr, /^line 4: id_number of 056090000010 \(id-duplicate\): This ID number is already on line 2\./m);
    assert.deepEqual(counts(db), before);
  });

  test('header problems refuse the file before any row', () => {
    const db = migratedDb();
    const r = importPeople(writeCsv('id_number,full_name,birth_date,sex,colour\n056090000001,An,1990,male,red\n'), db);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^line 1: colour \(column-unknown\): Unknown column "colour"\./m);
    assert.match(r.stdout, /^nothing imported from .*: its header is wrong \(1 errors\)/);
    const missing = importPeople(writeCsv('id_number,full_name\n056090000001,An\n'), db);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /\(column-missing\).*"birth_date"/);
    assert.deepEqual(counts(db), NOTHING);
  });

  test('quoting, a byte order mark and CRLF line ends are read as written', () => {
    const db = migratedDb();
    const text =
      '\uFEFFid_number,full_name,birth_date,sex,permanent_province,permanent_commune,permanent_address\r\n' +
      '056090000001,"Nguyễn Văn An",1990,male,56,22366,"Số 5, hẻm ""Cây Me"", Trần Phú"\r\n' +
      '\r\n' +
      '056090000002,Bảo,1990,male,56,22366,\r\n';
    const r = importPeople(writeCsv(text), db);
    assert.equal(r.status, 0, r.stderr);
    const out = exportPeople(db);
    const rows = out.split('\r\n');
    assert.equal(rows[0].split(',').length, 26);
    assert.equal(
      rows[1],
      '056090000001,Nguyễn Văn An,,1990,male,,,VN,,,,,alive,,,,,,,56,22366,"Số 5, hẻm ""Cây Me"", Trần Phú",,,,',
    );
    assert.equal(rows[2], '056090000002,Bảo,,1990,male,,,VN,,,,,alive,,,,,,,56,22366,,,,,');
    assert.equal(rows[3], '');
    assert.equal(rows.length, 4);
  });

  test('an export imports back into an empty register as the same rows', () => {
    const db = migratedDb();
    const text = [
      FAMILY,
      '056040000007,Trần Văn Ông,1940,male,H7,Chủ hộ,56,22333,"Thôn 3, xã ""Mới""",,,',
    ].join('\n');
    assert.equal(importPeople(writeCsv(text), db).status, 0);
    const dir = tempDir('export');
    const file = path.join(dir, 'out.csv');
    const r = runCli(['export', 'people', '--db', db, '--out', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /exported 4 people to /);
    const first = fs.readFileSync(file, 'utf8');
    assert.equal(sql(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'register.export'"), '1');

    const other = migratedDb();
    const again = importPeople(file, other);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(exportPeople(other), first);
    const columns = 'id_number, full_name, name_folded, given_folded, birth_date, birth_year, sex, status, nationality, father_id, mother_id, spouse_id, relation_to_head, permanent_province, permanent_commune, permanent_address';
    assert.equal(sql(other, `SELECT ${columns} FROM people ORDER BY id_number`), sql(db, `SELECT ${columns} FROM people ORDER BY id_number`));
    const households = 'SELECT number, head_id, province_code, commune_code, address FROM households ORDER BY number';
    assert.equal(sql(other, households), sql(db, households));

    // Filters: a commune, a province.
    const commune = exportPeople(db, '--province', '56', '--commune', '22333').split('\r\n');
    assert.equal(commune.length, 3);
    assert.match(commune[1], /^056040000007,/);
    assert.equal(exportPeople(db, '--province', '79').split('\r\n').length, 2);
  });

  test('exit status: 2 for a wrong command line, 1 for work that failed', () => {
    const db = migratedDb();
    assert.equal(runCli(['import', 'people', '--help']).status, 0);
    assert.equal(runCli(['export', 'people', '--help']).status, 0);
    assert.equal(runCli(['import', '--db', db]).status, 2);
    assert.equal(runCli(['import', 'people', '--db', db]).status, 2);
    assert.equal(runCli(['import', 'cats', writeCsv(FAMILY), '--db', db]).status, 2);
    assert.equal(runCli(['import', 'people', writeCsv(FAMILY), '--db', db, '--report']).status, 2);
    assert.equal(runCli(['import', 'people', writeCsv(FAMILY), '--db', db, '--colour', 'red']).status, 2);
    const missing = runCli(['import', 'people', '/nonexistent/people.csv', '--db', db]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot open \/nonexistent\/people\.csv/);
    const noReport = importPeople(writeCsv(FAMILY), db, '--report', '/nonexistent/dir/r.csv');
    assert.equal(noReport.status, 1);
    assert.deepEqual(counts(db), NOTHING);
    assert.equal(runCli(['export', 'animals', '--db', db]).status, 2);
    const badCode = runCli(['export', 'people', '--commune', '2236', '--db', db]);
    assert.equal(badCode.status, 2);
    assert.match(badCode.stderr, /5 digits/);
    assert.equal(runCli(['export', 'people', '--db', db, '--out', '/nonexistent/dir/x.csv']).status, 1);
    assert.equal(sql(db, "SELECT COUNT(*) FROM audit_log"), '0');
  });
});
