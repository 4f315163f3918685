// register_writes.test.mjs — the register's later write features on the real binary, on SQLite or
// PostgreSQL (DD_TEST_DB): the Idempotency-Key on creations (a repeat replays the first reply
// byte for byte and changes nothing; another body under the key is 422; a running key is 409 and
// an abandoned one is taken over; a failed request frees its key; keys belong to their officer
// and expire after a day), declaring a person missing and their return, changing a household's
// head, and the event and audit row of `dinhdanh demo`. Every refused request is checked to have
// stored nothing (people, history, events, access log, households, residences, keys).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DB_KIND, assertProblem, freshDb, psql, runCli, sleep, startServer } from './server.mjs';

const P = '56'; // Khánh Hòa
const NT = '22366'; // Phường Nha Trang
const CR = '22420'; // Phường Cam Ranh
const LAW_BIRTH = 'Luật Hộ tịch 2014';
const LAW_RESIDENCE = 'Luật Cư trú 2020';
const LAW_MISSING = 'Quyết định 12/2026/QĐST-DS của TAND khu vực 1 Khánh Hòa; Điều 68 BLDS 2015';

let srv;
const tokens = {};
const officerIds = {};

function sqliteRun(file, text) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', '-batch', '-noheader', '-separator', '|', file, text], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
  return r.stdout.trim();
}

const sqlOn = (db, text) =>
  DB_KIND === 'sqlite' ? sqliteRun(db.replace(/^sqlite:/, ''), text) : psql(db, text);
const sql = (text) => sqlOn(srv.db, text);
const count = (text) => Number(sql(text));

// The rows a refused request must leave alone.
function snapshot() {
  return {
    people: count('SELECT COUNT(*) FROM people'),
    history: count('SELECT COUNT(*) FROM person_history'),
    events: count("SELECT COUNT(*) FROM events WHERE type NOT IN ('access.reads', 'access.outside_area', 'soc.alert')"),
    access: count('SELECT COUNT(*) FROM access_log'),
    households: count('SELECT COUNT(*) FROM households'),
    heads: sql("SELECT COALESCE(MAX(head_id || number), '') FROM households"),
    residences: count('SELECT COUNT(*) FROM residences'),
    open_residences: count("SELECT COUNT(*) FROM residences WHERE to_date = ''"),
    keys: count('SELECT COUNT(*) FROM idempotency_keys'),
    versions: sql('SELECT COALESCE(SUM(version), 0) FROM people'),
    statuses: sql("SELECT COUNT(*) FROM people WHERE status = 'missing'"),
  };
}

// Reads' access-log rows may come a few milliseconds after the reply: waits until the table
// stops growing, then takes the snapshot.
async function settled() {
  let last = -1;
  let same = 0;
  for (let i = 0; i < 200 && same < 3; i++) {
    const n = count('SELECT COUNT(*) FROM access_log');
    same = n === last ? same + 1 : 0;
    last = n;
    await sleep(25);
  }
  return snapshot();
}

function officer(name, role, province, commune) {
  const args = ['officer', 'add', name, '--role', role, '--province', province];
  if (commune) args.push('--commune', commune);
  args.push('--display-name', `Cán bộ ${name}`, '--agency', 'Công an tỉnh Khánh Hòa');
  const r = runCli([...args, '--db', srv.db]);
  assert.equal(r.status, 0, r.stderr);
  officerIds[name] = Number(/created \(id (\d+)\)/.exec(r.stdout)[1]);
  const t = runCli(['token', '--user', name, '--db', srv.db]);
  assert.equal(t.status, 0, t.stderr);
  tokens[name] = t.stdout.trim();
}

// A request as officer `who`; body objects are sent as JSON, strings as they are.
async function call(who, method, path, { body, headers = {}, purpose = 'Kiểm tra hồ sơ' } = {}) {
  const h = { Authorization: `Bearer ${tokens[who]}`, ...headers };
  if (purpose && !('X-Purpose' in headers)) h['X-Purpose'] = encodeURIComponent(purpose);
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return srv.request(method, path, { headers: h, body: text });
}

const withKey = (key, extra = {}) => ({ 'Idempotency-Key': key, ...extra });

// A valid personal ID number for a sex and year of birth.
function idFor(sex, year, seq, place = '056') {
  const digit = Math.floor((year - 1900) / 100) * 2 + (sex === 'female' ? 1 : 0);
  return `${place}${digit}${String(year % 100).padStart(2, '0')}${String(seq).padStart(6, '0')}`;
}

function birth(over = {}) {
  return {
    id_number: idFor('male', 1990, 1),
    full_name: 'Nguyễn Văn An',
    birth_date: '1990-05-17',
    sex: 'male',
    permanent_province: P,
    permanent_commune: NT,
    permanent_address: '12 Trần Phú',
    reason: 'Đăng ký khai sinh',
    legal_basis: LAW_BIRTH,
    ...over,
  };
}

async function register(who, over) {
  const r = await call(who, 'POST', '/api/v1/people', { body: birth(over) });
  assert.equal(r.status, 201, r.text);
  return r.json();
}

const fingerprint = (method, path, body) =>
  crypto.createHash('sha256').update(`${method}\n${path}\n${body}`).digest('hex');

before(async () => {
  srv = await startServer();
  officer('nhatrang', 'commune-police', P, NT);
  officer('camranh', 'commune-police', P, CR);
  officer('tinh', 'province-police', P);
});
after(async () => {
  await srv?.stop();
});

describe('Idempotency-Key', () => {
  const id = idFor('male', 1980, 101);
  const body = JSON.stringify(birth({ id_number: id, full_name: 'Lê Văn Lặp', birth_date: '1980' }));

  test('a repeated birth registration gets the first reply again and stores nothing more', async () => {
    const r1 = await call('nhatrang', 'POST', '/api/v1/people', { body, headers: withKey('birth-101') });
    assert.equal(r1.status, 201, r1.text);
    assert.equal(r1.headers['idempotent-replayed'], undefined);
    const before = await settled();
    const r2 = await call('nhatrang', 'POST', '/api/v1/people', { body, headers: withKey('birth-101') });
    assert.equal(r2.status, 201, r2.text);
    assert.equal(r2.headers['idempotent-replayed'], 'true');
    assert.equal(r2.text, r1.text);
    for (const h of ['content-type', 'location', 'etag', 'cache-control'])
      assert.equal(r2.headers[h], r1.headers[h], h);
    assert.equal(r2.headers.location, `/api/v1/people/${id}`);
    assert.notEqual(r2.headers['x-request-id'], r1.headers['x-request-id']);
    assert.deepEqual(snapshot(), before);
    assert.equal(count(`SELECT COUNT(*) FROM person_history WHERE id_number = '${id}'`), 1);
    assert.equal(
      sql("SELECT principal || '|' || route || '|' || status || '|' || location FROM idempotency_keys"),
      `officer:${officerIds.nhatrang}|POST /api/v1/people|201|/api/v1/people/${id}`,
    );
    assert.equal(
      sql('SELECT request_hash FROM idempotency_keys'),
      fingerprint('POST', '/api/v1/people', body),
    );
    // Without the key the same body is a new request: the number is taken.
    assertProblem(await call('nhatrang', 'POST', '/api/v1/people', { body }), 409, 'conflict');
  });

  test('the same key with another body is 422 idempotency-key-reused and stores nothing', async () => {
    const before = await settled();
    const other = JSON.stringify(birth({ id_number: idFor('male', 1980, 102), birth_date: '1980' }));
    for (const lang of ['vi', 'en']) {
      const r = await call('nhatrang', 'POST', '/api/v1/people', {
        body: other,
        headers: withKey('birth-101', { 'Accept-Language': lang }),
      });
      const b = assertProblem(r, 422, 'idempotency-key-reused');
      assert.equal(b.title, 'Idempotency Key Reused');
      if (lang === 'en') assert.match(b.detail, /used for another request/);
    }
    // the same body on another route is another request too
    const death = await call('nhatrang', 'POST', `/api/v1/people/${id}/deaths`, {
      body,
      headers: withKey('birth-101'),
    });
    assertProblem(death, 422, 'idempotency-key-reused');
    assert.deepEqual(snapshot(), before);
  });

  test('a malformed key is 400 and stores nothing', async () => {
    const before = await settled();
    for (const key of ['', 'k'.repeat(201), 'tab\there', 'khóa']) {
      const r = await call('nhatrang', 'POST', '/api/v1/people', {
        body: birth({ id_number: idFor('female', 1981, 103), sex: 'female', birth_date: '1981' }),
        headers: { 'Idempotency-Key': key },
      });
      const b = assertProblem(r, 400, 'validation-failed');
      assert.deepEqual(
        b.errors.map((e) => `${e.field}:${e.code}`),
        ['Idempotency-Key:idempotency-key-invalid'],
        JSON.stringify(key),
      );
    }
    assert.deepEqual(snapshot(), before);
    // 200 printable characters, spaces included, are a key
    const r = await call('nhatrang', 'POST', '/api/v1/people', {
      body: birth({ id_number: idFor('female', 1981, 103), sex: 'female', birth_date: '1981' }),
      headers: withKey(`a b~${'k'.repeat(196)}`),
    });
    assert.equal(r.status, 201, r.text);
  });

  test('a refused request frees its key: the corrected retry with the same key is stored', async () => {
    const before = await settled();
    const good = birth({ id_number: idFor('male', 1982, 104), birth_date: '1982' });
    const bad = await call('nhatrang', 'POST', '/api/v1/people', {
      body: { ...good, full_name: undefined },
      headers: withKey('retry-104'),
    });
    assertProblem(bad, 400, 'validation-failed');
    const outside = await call('nhatrang', 'POST', '/api/v1/people', {
      body: { ...good, permanent_commune: CR },
      headers: withKey('retry-104'),
    });
    assertProblem(outside, 403, 'forbidden');
    assert.deepEqual(snapshot(), before);
    const ok = await call('nhatrang', 'POST', '/api/v1/people', { body: good, headers: withKey('retry-104') });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.headers['idempotent-replayed'], undefined);
  });

  test('a key still in flight is 409; an abandoned reservation is taken over', async () => {
    const path = '/api/v1/people';
    const text = JSON.stringify(birth({ id_number: idFor('male', 1983, 105), birth_date: '1983' }));
    const now = new Date().toISOString();
    sql(
      `INSERT INTO idempotency_keys (principal, key, route, request_hash, owner, created_at) VALUES ('officer:${officerIds.nhatrang}', 'busy-105', 'POST ${path}', '${fingerprint('POST', path, text)}', 'another-request', '${now}')`,
    );
    const before = await settled();
    const r = await call('nhatrang', 'POST', path, { body: text, headers: withKey('busy-105') });
    const b = assertProblem(r, 409, 'idempotency-key-in-flight');
    assert.equal(b.title, 'Idempotency Key In Flight');
    assert.equal(r.headers['retry-after'], '1');
    assert.deepEqual(snapshot(), before);
    // Its request died two minutes ago without storing anything: the key is free again.
    const old = new Date(Date.now() - 120000).toISOString();
    sql(`UPDATE idempotency_keys SET created_at = '${old}' WHERE key = 'busy-105'`);
    const taken = await call('nhatrang', 'POST', path, { body: text, headers: withKey('busy-105') });
    assert.equal(taken.status, 201, taken.text);
    assert.equal(sql("SELECT status FROM idempotency_keys WHERE key = 'busy-105'"), '201');
    assert.notEqual(sql("SELECT owner FROM idempotency_keys WHERE key = 'busy-105'"), 'another-request');
  });

  test('keys belong to their officer, and are forgotten after a day', async () => {
    const before = await settled();
    // Another officer's identical request under the same key is not a replay of the first.
    const r = await call('tinh', 'POST', '/api/v1/people', { body, headers: withKey('birth-101') });
    const b = assertProblem(r, 409, 'conflict');
    assert.equal(b.errors[0].code, 'id-taken');
    assert.deepEqual(snapshot(), before);
    // A day later the key is free for another request.
    const old = new Date(Date.now() - 25 * 3600 * 1000).toISOString();
    sql(`UPDATE idempotency_keys SET created_at = '${old}' WHERE key = 'birth-101'`);
    const other = birth({ id_number: idFor('male', 1984, 106), birth_date: '1984' });
    const fresh = await call('nhatrang', 'POST', '/api/v1/people', { body: other, headers: withKey('birth-101') });
    assert.equal(fresh.status, 201, fresh.text);
    assert.equal(fresh.headers['idempotent-replayed'], undefined);
  });

  test('absences and deaths replay too, with one change each', async () => {
    const pid = idFor('male', 1950, 107);
    await register('nhatrang', { id_number: pid, full_name: 'Đỗ Văn Tử', birth_date: '1950' });
    const cases = [
      [`/api/v1/people/${pid}/absences`, { from: '2026-11-02', reason: 'Đi làm ăn xa', legal_basis: LAW_RESIDENCE }],
      [`/api/v1/people/${pid}/deaths`, { date: '2026-11-03', reason: 'Khai tử', legal_basis: LAW_BIRTH }],
    ];
    for (const [path, b] of cases) {
      const r1 = await call('nhatrang', 'POST', path, { body: b, headers: withKey(`once ${path}`) });
      assert.equal(r1.status, 201, r1.text);
      const before = await settled();
      const r2 = await call('nhatrang', 'POST', path, { body: b, headers: withKey(`once ${path}`) });
      assert.equal(r2.status, 201, r2.text);
      assert.equal(r2.headers['idempotent-replayed'], 'true');
      assert.equal(r2.text, r1.text);
      assert.equal(r2.headers.etag, r1.headers.etag);
      assert.deepEqual(snapshot(), before, path);
    }
    assert.equal(count(`SELECT COUNT(*) FROM person_history WHERE id_number = '${pid}'`), 3);
    // the death replayed, though the person is dead now; without the key it is a conflict
    assertProblem(
      await call('nhatrang', 'POST', `/api/v1/people/${pid}/deaths`, { body: cases[1][1] }),
      409,
      'conflict',
    );
  });
});

describe('missing and found', () => {
  const id = idFor('female', 1975, 201);
  const declare = (over = {}) => ({
    date: '2026-11-01',
    reason: 'Tòa án tuyên bố mất tích',
    legal_basis: LAW_MISSING,
    dossier: 'MT-2026-1',
    ...over,
  });

  before(async () => {
    await register('nhatrang', { id_number: id, full_name: 'Phan Thị Vắng', birth_date: '1975-03', sex: 'female' });
  });

  test('bad declarations store nothing', async () => {
    const before = await settled();
    const cases = [
      [declare({ date: undefined }), 'date', 'required'],
      [declare({ date: '2100-01-01' }), 'date', 'date-future'],
      [declare({ date: '1975-02-28' }), 'date', 'date-order'],
      [declare({ date: '01/11/2026' }), 'date', 'date-invalid'],
      [declare({ date: '2026-11' }), 'date', 'date-invalid'],
      [declare({ reason: undefined }), 'reason', 'required'],
      [declare({ legal_basis: '' }), 'legal_basis', 'required'],
      [declare({ court: 'TAND' }), 'court', 'unknown-field'],
    ];
    for (const [body, field, code] of cases) {
      const r = await call('nhatrang', 'POST', `/api/v1/people/${id}/missing-declarations`, {
        body,
        headers: withKey(`bad ${field} ${code}`),
      });
      const b = assertProblem(r, 400, 'validation-failed');
      assert.ok(b.errors.some((e) => e.field === field && e.code === code), `${field} ${code}: ${r.text}`);
    }
    assertProblem(
      await call('nhatrang', 'POST', `/api/v1/people/${id}/missing-declarations`, { body: '[1]' }),
      400,
      'validation-failed',
    );
    // outside the area, unknown, and a stale If-Match
    assertProblem(
      await call('camranh', 'POST', `/api/v1/people/${id}/missing-declarations`, { body: declare() }),
      404,
      'not-found',
    );
    assertProblem(
      await call('nhatrang', 'POST', `/api/v1/people/${idFor('male', 1975, 999)}/missing-declarations`, {
        body: declare(),
      }),
      404,
      'not-found',
    );
    const stale = await call('nhatrang', 'POST', `/api/v1/people/${id}/missing-declarations`, {
      body: declare(),
      headers: { 'If-Match': '"v7"' },
    });
    assertProblem(stale, 412, 'precondition-failed');
    assert.equal(stale.headers.etag, '"v1"');
    // a person who is not missing does not return
    const back = await call('nhatrang', 'POST', `/api/v1/people/${id}/returns`, {
      body: { date: '2026-11-20', reason: 'Trở về', legal_basis: 'Điều 70 BLDS 2015' },
    });
    assertProblem(back, 409, 'person-not-missing');
    assert.deepEqual(snapshot(), before);
  });

  test('a declaration sets the status, ends the residence periods and is recorded', async () => {
    const before = await settled();
    const r = await call('nhatrang', 'POST', `/api/v1/people/${id}/missing-declarations`, {
      body: declare(),
      headers: { 'If-Match': '"v1"' },
      purpose: null, // the access-log row then takes the reason
    });
    assert.equal(r.status, 201, r.text);
    const p = r.json();
    assert.equal(p.status, 'missing');
    assert.equal(p.death_date, '');
    assert.equal(p.version, 2);
    assert.equal(r.headers.etag, '"v2"');
    assert.deepEqual(p.residences, []);
    assert.equal(p.permanent_commune, NT, 'the last address is kept');
    const after = snapshot();
    assert.equal(after.history, before.history + 1);
    assert.equal(after.events, before.events + 1);
    assert.equal(after.access, before.access + 1);
    assert.equal(after.open_residences, before.open_residences - 1);
    const h = (await call('nhatrang', 'GET', `/api/v1/people/${id}/history`)).json().items.at(-1);
    assert.equal(h.kind, 'missing');
    assert.deepEqual(h.changes, {
      status: { from: 'alive', to: 'missing' },
      missing: { from: null, to: { date: '2026-11-01' } },
    });
    assert.equal(h.legal_basis, LAW_MISSING);
    assert.equal(h.dossier, 'MT-2026-1');
    assert.equal(h.actor, `officer:${officerIds.nhatrang} (commune-police ${NT})`);
    const ev = sql("SELECT type || '|' || subject || '|' || payload FROM events WHERE type NOT IN ('access.reads', 'access.outside_area', 'soc.alert') ORDER BY id DESC LIMIT 1").split('|');
    assert.equal(ev[0], 'person.missing');
    assert.equal(ev[1], `person:${id}`);
    // The person's figures before and after, for the dashboards (docs/INSIGHT.md).
    const figures = (status) => ({
      status, province: P, commune: NT, birth_year: '1975', sex: 'female', ethnicity: '', religion: '',
      temporary_province: '', temporary_commune: '',
    });
    assert.deepEqual(JSON.parse(ev.slice(2).join('|')), {
      id_number: id,
      date: '2026-11-01',
      province: P,
      commune: NT,
      version: 2,
      before: figures('alive'),
      after: figures('missing'),
    });
    assert.equal(
      sql(
        `SELECT actor || '|' || purpose FROM access_log WHERE id_number = '${id}' AND action = 'change' ORDER BY id DESC LIMIT 1`,
      ),
      `officer:${officerIds.nhatrang}|Tòa án tuyên bố mất tích`,
    );
    // twice is a conflict, and stores nothing
    const again = await settled();
    assertProblem(
      await call('nhatrang', 'POST', `/api/v1/people/${id}/missing-declarations`, { body: declare() }),
      409,
      'person-already-missing',
    );
    assert.deepEqual(snapshot(), again);
  });

  test('a return before the declaration is refused; a return makes the person alive', async () => {
    const before = await settled();
    const early = await call('nhatrang', 'POST', `/api/v1/people/${id}/returns`, {
      body: { date: '2026-10-31', reason: 'Trở về', legal_basis: 'Điều 70 BLDS 2015' },
      headers: { 'Accept-Language': 'en' },
    });
    const b = assertProblem(early, 400, 'validation-failed');
    assert.deepEqual(b.errors.map((e) => `${e.field}:${e.code}`), ['date:date-order']);
    assert.match(b.errors[0].message, /before the declaration/);
    assert.deepEqual(snapshot(), before);
    const r = await call('nhatrang', 'POST', `/api/v1/people/${id}/returns`, {
      body: { date: '2026-11-20', reason: 'Người mất tích trở về', legal_basis: 'Quyết định hủy tuyên bố mất tích; Điều 70 BLDS 2015' },
      headers: withKey('found-201'),
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json().status, 'alive');
    assert.equal(r.json().version, 3);
    const items = (await call('nhatrang', 'GET', `/api/v1/people/${id}/history`)).json().items;
    assert.deepEqual(items.map((i) => i.kind), ['born', 'missing', 'found']);
    assert.deepEqual(items[2].changes, {
      status: { from: 'missing', to: 'alive' },
      found: { from: null, to: { date: '2026-11-20' } },
    });
    const ev = JSON.parse(sql("SELECT payload FROM events WHERE type = 'person.found' ORDER BY id DESC LIMIT 1"));
    assert.equal(ev.declared_on, '2026-11-01');
    assert.equal(ev.date, '2026-11-20');
    // folding the history gives the stored person
    const person = (await call('nhatrang', 'GET', `/api/v1/people/${id}`)).json();
    const state = {};
    for (const it of items) for (const [f, c] of Object.entries(it.changes)) state[f] = c.to ?? '';
    delete state.missing;
    delete state.found;
    for (const [f, v] of Object.entries(state)) assert.equal(person[f], v, f);
  });

  test('a dead person is neither declared missing nor returns', async () => {
    const dead = idFor('male', 1940, 202);
    await register('nhatrang', { id_number: dead, full_name: 'Võ Văn Mất', birth_date: '1940' });
    const d = await call('nhatrang', 'POST', `/api/v1/people/${dead}/deaths`, {
      body: { date: '2026-10-01', reason: 'Khai tử', legal_basis: LAW_BIRTH },
    });
    assert.equal(d.status, 201, d.text);
    const before = await settled();
    assertProblem(
      await call('nhatrang', 'POST', `/api/v1/people/${dead}/missing-declarations`, { body: declare() }),
      422,
      'person-dead',
    );
    assertProblem(
      await call('nhatrang', 'POST', `/api/v1/people/${dead}/returns`, {
        body: { date: '2026-11-20', reason: 'x', legal_basis: 'y' },
        headers: withKey('dead-return'),
      }),
      422,
      'person-dead',
    );
    assert.deepEqual(snapshot(), before);
  });
});

describe('household head changes', () => {
  const head = idFor('male', 1950, 301);
  const wife = idFor('female', 1955, 302);
  const son = idFor('male', 1980, 303);
  const late = idFor('male', 1952, 304);
  const stranger = idFor('male', 1960, 305);
  const HK = 'HK-NT-300';
  const path = `/api/v1/households/${HK}/head-changes`;

  before(async () => {
    await register('nhatrang', { id_number: head, full_name: 'Trương Văn Chủ', birth_date: '1950' });
    const founded = await call('nhatrang', 'POST', `/api/v1/people/${head}/moves`, {
      body: {
        kind: 'permanent',
        province: P,
        commune: NT,
        address: '30 Yersin',
        from: '2026-01-01',
        new_household_number: HK,
        reason: 'Đăng ký thường trú',
        legal_basis: LAW_RESIDENCE,
      },
    });
    assert.equal(founded.status, 201, founded.text);
    for (const [pid, name, year, sex, rel] of [
      [wife, 'Lý Thị Vợ', 1955, 'female', 'Vợ'],
      [son, 'Trương Văn Con', 1980, 'male', 'Con'],
      [late, 'Trương Văn Em', 1952, 'male', 'Em'],
    ])
      await register('nhatrang', {
        id_number: pid,
        full_name: name,
        birth_date: String(year),
        sex,
        household_number: HK,
        relation_to_head: rel,
        permanent_province: undefined,
        permanent_commune: undefined,
        permanent_address: undefined,
      });
    const d = await call('nhatrang', 'POST', `/api/v1/people/${late}/deaths`, {
      body: { date: '2026-09-01', reason: 'Khai tử', legal_basis: LAW_BIRTH },
    });
    assert.equal(d.status, 201, d.text);
    await register('nhatrang', { id_number: stranger, full_name: 'Người Ngoài', birth_date: '1960' });
  });

  const change = (over = {}) => ({
    new_head: wife,
    former_head_relation: 'Chồng',
    reason: 'Thay đổi chủ hộ theo thỏa thuận của các thành viên',
    legal_basis: 'Điều 10, Điều 26 Luật Cư trú 2020',
    ...over,
  });

  test('bad head changes store nothing', async () => {
    const before = await settled();
    const cases = [
      [change({ new_head: undefined }), 'new_head', 'required'],
      [change({ new_head: stranger }), 'new_head', 'not-a-member'],
      [change({ new_head: head, former_head_relation: undefined }), 'new_head', 'same-head'],
      [change({ former_head_relation: undefined }), 'former_head_relation', 'required'],
      [change({ members: [{ id_number: wife, relation_to_head: 'Vợ' }] }), 'members[0]', 'member-is-head'],
      [change({ members: [{ id_number: stranger, relation_to_head: 'Con' }] }), 'members[0]', 'not-a-member'],
      [change({ members: [{ id_number: son }] }), 'members[0]', 'member-invalid'],
      [change({ members: [] }), 'members', 'members-invalid'],
      [change({ reason: undefined }), 'reason', 'required'],
      [change({ head: wife }), 'head', 'unknown-field'],
    ];
    for (const [body, field, code] of cases) {
      const r = await call('nhatrang', 'POST', path, { body, headers: withKey(`bad ${field} ${code}`) });
      const b = assertProblem(r, 400, 'validation-failed');
      assert.ok(b.errors.some((e) => e.field === field && e.code === code), `${field} ${code}: ${r.text}`);
    }
    // a dead member cannot become the head
    assertProblem(await call('nhatrang', 'POST', path, { body: change({ new_head: late }) }), 422, 'head-not-alive');
    // outside the area, unknown and closed households are not found
    assertProblem(await call('camranh', 'POST', path, { body: change() }), 404, 'not-found');
    assertProblem(
      await call('nhatrang', 'POST', '/api/v1/households/HK-NONE/head-changes', { body: change() }),
      404,
      'not-found',
    );
    assert.deepEqual(snapshot(), before);
  });

  test('the new head takes "Chủ hộ", the former head the relation given, others keep theirs', async () => {
    const before = await settled();
    const r = await call('nhatrang', 'POST', path, {
      body: change({ members: [{ id_number: son, relation_to_head: 'Con' }], dossier: 'CH-1' }),
      headers: withKey('head-301'),
    });
    assert.equal(r.status, 200, r.text);
    const h = r.json();
    assert.equal(h.head_id, wife);
    const rel = Object.fromEntries(h.members.map((m) => [m.id_number, [m.relation_to_head, m.head]]));
    assert.deepEqual(rel, {
      [wife]: ['Chủ hộ', true],
      [head]: ['Chồng', false],
      [son]: ['Con', false],
      [late]: ['Em', false],
    });
    const after = snapshot();
    assert.equal(after.history, before.history + 2, 'history for the two whose relation changed');
    assert.equal(after.access, before.access + 2);
    assert.equal(after.events, before.events + 1);
    const ev = JSON.parse(sql("SELECT payload FROM events WHERE type = 'household.changed' ORDER BY id DESC LIMIT 1"));
    assert.deepEqual(ev, {
      action: 'head-change',
      household: HK,
      former_head: head,
      new_head: wife,
      members: [wife, head],
    });
    const entry = (await call('nhatrang', 'GET', `/api/v1/people/${head}/history`)).json().items.at(-1);
    assert.equal(entry.kind, 'household');
    assert.deepEqual(entry.changes, { relation_to_head: { from: 'Chủ hộ', to: 'Chồng' } });
    assert.equal(entry.dossier, 'CH-1');
    const p = (await call('nhatrang', 'GET', `/api/v1/people/${son}`)).json();
    assert.equal(p.household.head_id, wife);
    // the same request again is a replay; without its key it is refused (already the head)
    const settledAgain = await settled();
    const again = await call('nhatrang', 'POST', path, {
      body: change({ members: [{ id_number: son, relation_to_head: 'Con' }], dossier: 'CH-1' }),
      headers: withKey('head-301'),
    });
    assert.equal(again.status, 200);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.text, r.text);
    assert.deepEqual(snapshot(), settledAgain);
    const plain = await call('nhatrang', 'POST', path, { body: change() });
    const b = assertProblem(plain, 400, 'validation-failed');
    assert.equal(b.errors[0].code, 'same-head');
  });

  test('a head declared missing can be replaced, not by a missing member', async () => {
    const m = await call('nhatrang', 'POST', `/api/v1/people/${wife}/missing-declarations`, {
      body: { date: '2026-11-10', reason: 'Tuyên bố mất tích', legal_basis: LAW_MISSING },
    });
    assert.equal(m.status, 201, m.text);
    const before = await settled();
    const changed = await call('nhatrang', 'POST', path, {
      body: change({ new_head: son, former_head_relation: 'Mẹ', members: [{ id_number: head, relation_to_head: 'Bố' }] }),
    });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.json().head_id, son);
    assert.equal(snapshot().history, before.history + 3);
    // the missing wife cannot be made head again
    const after = await settled();
    assertProblem(
      await call('nhatrang', 'POST', path, {
        body: change({ new_head: wife, former_head_relation: 'Con' }),
      }),
      422,
      'head-not-alive',
    );
    assert.deepEqual(snapshot(), after);
  });
});

describe('household changes under a key', () => {
  test('a split is made once and replayed with its Location', async () => {
    const head = idFor('male', 1945, 401);
    const son = idFor('male', 1975, 402);
    await register('nhatrang', { id_number: head, full_name: 'Hà Văn Gốc', birth_date: '1945' });
    const founded = await call('nhatrang', 'POST', `/api/v1/people/${head}/moves`, {
      body: {
        kind: 'permanent',
        province: P,
        commune: NT,
        address: '40 Yersin',
        from: '2026-01-01',
        new_household_number: 'HK-NT-400',
        reason: 'Đăng ký thường trú',
        legal_basis: LAW_RESIDENCE,
      },
    });
    assert.equal(founded.status, 201, founded.text);
    await register('nhatrang', {
      id_number: son,
      full_name: 'Hà Văn Nhánh',
      birth_date: '1975',
      household_number: 'HK-NT-400',
      relation_to_head: 'Con',
    });
    const split = {
      new_number: 'HK-NT-401',
      head_id: son,
      members: [{ id_number: son, relation_to_head: 'Chủ hộ' }],
      address: '41 Yersin',
      reason: 'Tách hộ',
      legal_basis: LAW_RESIDENCE,
    };
    const url = '/api/v1/households/HK-NT-400/splits';
    const r1 = await call('nhatrang', 'POST', url, { body: split, headers: withKey('split-401') });
    assert.equal(r1.status, 201, r1.text);
    const before = await settled();
    const r2 = await call('nhatrang', 'POST', url, { body: split, headers: withKey('split-401') });
    assert.equal(r2.status, 201, r2.text);
    assert.equal(r2.headers['idempotent-replayed'], 'true');
    assert.equal(r2.headers.location, '/api/v1/households/HK-NT-401');
    assert.equal(r2.text, r1.text);
    assert.deepEqual(snapshot(), before);
    // without the key it is a new request, refused: the son has left HK-NT-400 already
    const plain = await call('nhatrang', 'POST', url, { body: split });
    const b = assertProblem(plain, 400, 'validation-failed');
    assert.ok(b.errors.some((e) => e.code === 'not-a-member'), plain.text);
  });
});

describe('demo', () => {
  test('writes one register.demo_created event and one audit row', () => {
    const db = freshDb();
    const r = runCli(['demo', '--people', '300', '--seed', '4', '--as-of', '2025-11-01', '--db', db], {
      timeout: 120000,
    });
    assert.equal(r.status, 0, r.stderr);
    const m = /^ {2}(\d+) people in (\d+) households; (\d+) dead/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.equal(sqlOn(db, 'SELECT COUNT(*) FROM events'), '1');
    const [type, subject, payload] = sqlOn(db, "SELECT type || '|' || subject || '|' || payload FROM events").split('|');
    assert.equal(type, 'register.demo_created');
    assert.equal(subject, 'province:56');
    const detail = JSON.parse(payload);
    assert.equal(detail.province, '56');
    assert.equal(detail.seed, 4);
    assert.equal(detail.as_of, '2025-11-01');
    assert.equal(detail.people, 300);
    assert.equal(detail.households, Number(m[2]));
    assert.equal(detail.dead, Number(m[3]));
    assert.equal(detail.history, Number(sqlOn(db, 'SELECT COUNT(*) FROM person_history')));
    const audit = sqlOn(db, "SELECT actor || '|' || action || '|' || object || '|' || detail FROM audit_log").split('|');
    assert.match(audit[0], /^operator:/);
    assert.equal(audit[1], 'register.demo');
    assert.equal(audit[2], 'province:56');
    assert.deepEqual(JSON.parse(audit.slice(3).join('|')), detail);
    const verify = runCli(['audit', 'verify', '--db', db]);
    assert.equal(verify.status, 0, verify.stdout);
    assert.match(verify.stdout, /^OK: 1 rows verified$/m);
    // a refused second run writes neither
    const again = runCli(['demo', '--people', '300', '--db', db], { timeout: 120000 });
    assert.equal(again.status, 1);
    assert.equal(sqlOn(db, 'SELECT COUNT(*) FROM events'), '1');
    assert.equal(sqlOn(db, 'SELECT COUNT(*) FROM audit_log'), '1');
  });
});
