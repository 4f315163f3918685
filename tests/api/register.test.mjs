// register.test.mjs — the population register's API on the real binary, on SQLite or PostgreSQL
// (DD_TEST_DB): birth registration with every rule and warning, reads with a purpose and an
// access-log row each, corrections against an ETag, deaths, moves, absences, the history and
// the state it folds back to, name search that folds case and diacritics and pages with a
// cursor, households split and merged, and the officers' areas: a commune officer sees only
// their commune, a province officer their province, others get 404. Every bad input is
// checked to have stored nothing (people, history, events, access log).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { DB_KIND, assertProblem, psql, runCli, sleep, startServer } from './server.mjs';

const P = '56'; // Khánh Hòa
const NT = '22366'; // Phường Nha Trang
const BNT = '22333'; // Phường Bắc Nha Trang
const CR = '22420'; // Phường Cam Ranh
const HCM = '79';
const HCM_C = '26882';
const LAW_BIRTH = 'Luật Hộ tịch 2014';
const LAW_RESIDENCE = 'Luật Cư trú 2020';

let srv;
const tokens = {};
const officerIds = {};

function sqlite(db, text) {
  const file = db.replace(/^sqlite:/, '');
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', '-batch', '-noheader', '-separator', '|', file, text], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
  return r.stdout.trim();
}

const sql = (text) => (DB_KIND === 'sqlite' ? sqlite(srv.db, text) : psql(srv.db, text));
const count = (text) => Number(sql(text));

// The rows a bad request must leave alone.
function snapshot() {
  return {
    people: count('SELECT COUNT(*) FROM people'),
    history: count('SELECT COUNT(*) FROM person_history'),
    events: count("SELECT COUNT(*) FROM events WHERE type NOT IN ('access.reads', 'access.outside_area', 'soc.alert')"),
    access: count('SELECT COUNT(*) FROM access_log'),
    households: count('SELECT COUNT(*) FROM households'),
    residences: count('SELECT COUNT(*) FROM residences'),
    versions: sql('SELECT COALESCE(SUM(version), 0) FROM people'),
  };
}

// Reads' access-log rows may be written a few milliseconds after the reply: waits until the
// table stops growing, then takes the snapshot.
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
  const m = /created \(id (\d+)\)/.exec(r.stdout);
  assert.ok(m, r.stdout);
  officerIds[name] = Number(m[1]);
  const t = runCli(['token', '--user', name, '--db', srv.db]);
  assert.equal(t.status, 0, t.stderr);
  tokens[name] = t.stdout.trim();
}

// A request as officer `who`; body objects are sent as JSON.
async function call(who, method, path, { body, headers = {}, purpose = 'Kiểm tra hồ sơ' } = {}) {
  const h = { Authorization: `Bearer ${tokens[who]}`, ...headers };
  if (purpose && !('X-Purpose' in headers)) h['X-Purpose'] = encodeURIComponent(purpose);
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return srv.request(method, path, { headers: h, body: text });
}

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
    ethnicity: 'Kinh',
    permanent_province: P,
    permanent_commune: NT,
    permanent_address: '12 Trần Phú',
    reason: 'Đăng ký khai sinh',
    legal_basis: LAW_BIRTH,
    dossier: 'HS-2026-0001',
    ...over,
  };
}

async function register(who, over) {
  const r = await call(who, 'POST', '/api/v1/people', { body: birth(over) });
  assert.equal(r.status, 201, r.text);
  return r.json();
}

async function getPerson(who, id, purpose) {
  return call(who, 'GET', `/api/v1/people/${id}`, { purpose });
}

// Rows may reach the access log a moment after the reply; waits for them.
async function waitForCount(text, want) {
  let n = -1;
  for (let i = 0; i < 100; i++) {
    n = count(text);
    if (n >= want) return n;
    await sleep(30);
  }
  return n;
}

before(async () => {
  srv = await startServer();
  officer('nhatrang', 'commune-police', P, NT);
  officer('camranh', 'commune-police', P, CR);
  officer('bacnhatrang', 'commune-police', P, BNT);
  officer('tinh', 'province-police', P);
  officer('dichvu', 'service-officer', P);
  officer('hcm', 'province-police', HCM);
  officer('yte', 'health', P);
});
after(async () => {
  await srv?.stop();
});

describe('officer add', () => {
  test('refuses bad accounts with a reason', () => {
    const bad = [
      [['officer', 'add', 'xy', '--role', 'admin', '--province', P], /username/],
      [['officer', 'add', 'ghost', '--role', 'wizard', '--province', P], /unknown role 'wizard'/],
      [['officer', 'add', 'ghost', '--role', 'commune-police', '--province', P], /works in one commune/],
      [['officer', 'add', 'ghost', '--role', 'admin', '--province', '5'], /province/],
      [['officer', 'add', 'ghost', '--role', 'admin'], /usage/],
    ];
    for (const [args, why] of bad) {
      const r = runCli([...args, '--db', srv.db]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, why);
    }
    const dup = runCli(['officer', 'add', 'nhatrang', '--role', 'admin', '--province', P, '--db', srv.db]);
    assert.equal(dup.status, 1);
    assert.match(dup.stderr, /taken/);
    assert.equal(count("SELECT COUNT(*) FROM officers WHERE username = 'ghost'"), 0);
  });
});

describe('birth registration', () => {
  test('creates the person with history, residence, event and access log', async () => {
    const before = await settled();
    const r = await call('nhatrang', 'POST', '/api/v1/people', { body: birth() });
    assert.equal(r.status, 201, r.text);
    const p = r.json();
    const id = idFor('male', 1990, 1);
    assert.equal(r.headers.location, `/api/v1/people/${id}`);
    assert.equal(r.headers.etag, '"v1"');
    assert.equal(p.id_number, id);
    assert.equal(p.full_name, 'Nguyễn Văn An');
    assert.equal(p.status, 'alive');
    assert.equal(p.nationality, 'VN');
    assert.equal(p.version, 1);
    assert.equal(p.household, null);
    assert.deepEqual(p.warnings, []);
    assert.equal(p.residences.length, 1);
    assert.equal(p.residences[0].kind, 'permanent');
    assert.equal(p.residences[0].commune, NT);
    assert.equal(p.residences[0].until, null);

    const after = snapshot();
    assert.equal(after.people, before.people + 1);
    assert.equal(after.history, before.history + 1);
    assert.equal(after.events, before.events + 1);
    assert.equal(after.access, before.access + 1);
    const h = sql(
      `SELECT kind || '|' || actor || '|' || reason || '|' || legal_basis || '|' || dossier FROM person_history WHERE id_number = '${id}'`,
    );
    assert.equal(
      h,
      `born|officer:${officerIds.nhatrang} (commune-police ${NT})|Đăng ký khai sinh|${LAW_BIRTH}|HS-2026-0001`,
    );
    const ev = sql(`SELECT type || '|' || subject FROM events WHERE type NOT IN ('access.reads', 'access.outside_area', 'soc.alert') ORDER BY id DESC LIMIT 1`);
    assert.equal(ev, `person.born|person:${id}`);
    const payload = JSON.parse(sql("SELECT payload FROM events WHERE type NOT IN ('access.reads', 'access.outside_area', 'soc.alert') ORDER BY id DESC LIMIT 1"));
    assert.equal(payload.id_number, id);
    assert.equal(payload.commune, NT);
    const log = sql(
      `SELECT action || '|' || data || '|' || actor || '|' || role FROM access_log WHERE id_number = '${id}'`,
    );
    assert.equal(log, `change|person|officer:${officerIds.nhatrang}|commune-police`);
    const keys = sql(`SELECT name_folded || '|' || given_folded || '|' || birth_year FROM people WHERE id_number = '${id}'`);
    assert.equal(keys, 'nguyen van an|an nguyen van|1990');
  });

  test('an unknown place code in the ID number is a warning, not an error', async () => {
    const id = idFor('female', 2001, 7, '003');
    const r = await call('nhatrang', 'POST', '/api/v1/people', {
      body: birth({ id_number: id, full_name: 'Nguyễn Thị An', birth_date: '2001-02-03', sex: 'female' }),
      headers: { 'Accept-Language': 'en' },
    });
    assert.equal(r.status, 201, r.text);
    const w = r.json().warnings;
    assert.equal(w.length, 1);
    assert.equal(w[0].field, 'id_number');
    assert.equal(w[0].code, 'id-place-unknown');
    assert.match(w[0].message, /place of birth registration/);
  });

  test('every problem is listed at once, and nothing is stored', async () => {
    const before = await settled();
    const r = await call('nhatrang', 'POST', '/api/v1/people', {
      body: {
        id_number: idFor('male', 1990, 2).replace(/^056(.)/, '0561'), // century/sex digit of a woman
        full_name: '',
        birth_date: '1990-02-30',
        sex: 'man',
        nationality: 'Vietnam',
        permanent_province: P,
        permanent_commune: '2236',
        father_id: '12',
        colour: 'blue',
        legal_basis: LAW_BIRTH,
      },
    });
    const b = assertProblem(r, 400, 'validation-failed');
    const got = new Set(b.errors.map((e) => `${e.field}:${e.code}`));
    for (const want of [
      'full_name:name-invalid',
      'birth_date:date-invalid',
      'sex:sex-invalid',
      'nationality:nationality-invalid',
      'permanent_commune:commune-format',
      'father_id:id-format',
      'colour:unknown-field',
      'reason:required',
    ])
      assert.ok(got.has(want), `${want} missing from ${[...got].join(', ')}`);
    for (const e of b.errors) assert.equal(typeof e.message, 'string');
    assert.deepEqual(snapshot(), before);
  });

  test('an ID number that contradicts the sex or year is refused with a clear message', async () => {
    const before = await settled();
    const r = await call('nhatrang', 'POST', '/api/v1/people', {
      body: birth({ id_number: idFor('male', 1990, 3), sex: 'female', birth_date: '1991-01-01' }),
      headers: { 'Accept-Language': 'en' },
    });
    const b = assertProblem(r, 400, 'validation-failed');
    const byCode = Object.fromEntries(b.errors.map((e) => [e.code, e]));
    assert.match(byCode['id-century-sex'].message, /4th digit .* is 0, but a female born in 1991 needs 1/);
    assert.match(byCode['id-year'].message, /are 90, but the year is 1991/);
    assert.deepEqual(snapshot(), before);
  });

  test('a commune that is not an administrative unit of the province is refused', async () => {
    const before = await settled();
    for (const [province, commune] of [
      [P, '99999'],
      [HCM, NT], // a commune of Khánh Hòa named with another province
    ]) {
      const r = await call('tinh', 'POST', '/api/v1/people', {
        body: birth({
          id_number: idFor('male', 1993, 8),
          birth_date: '1993',
          temporary_province: province,
          temporary_commune: commune,
          temporary_address: 'x',
        }),
      });
      const b = assertProblem(r, 400, 'validation-failed');
      assert.deepEqual(
        b.errors.map((e) => `${e.field}:${e.code}`),
        ['temporary_commune:commune-unknown'],
      );
    }
    assert.deepEqual(snapshot(), before);
  });

  test('bodies that are not objects, wrong types and bad JSON store nothing', async () => {
    const before = await settled();
    for (const body of ['[]', '"x"', '{"full_name": 5}', '{"id_number": null}', '{bad json']) {
      const r = await call('nhatrang', 'POST', '/api/v1/people', { body });
      assert.equal(r.status, 400, body);
    }
    const r = await call('nhatrang', 'POST', '/api/v1/people', { body: { ...birth(), reason: 'x'.repeat(501) } });
    const b = assertProblem(r, 400, 'validation-failed');
    assert.equal(b.errors[0].field, 'reason');
    assert.deepEqual(snapshot(), before);
  });

  test('an ID number already registered is a conflict', async () => {
    const before = await settled();
    const r = await call('tinh', 'POST', '/api/v1/people', { body: birth({ full_name: 'Người Khác' }) });
    const b = assertProblem(r, 409, 'conflict');
    assert.equal(b.errors[0].field, 'id_number');
    assert.deepEqual(snapshot(), before);
  });

  test('a commune officer cannot register a person outside their commune', async () => {
    const before = await settled();
    const r = await call('nhatrang', 'POST', '/api/v1/people', {
      body: birth({ id_number: idFor('male', 1995, 9), birth_date: '1995', permanent_commune: CR }),
    });
    assertProblem(r, 403, 'forbidden');
    assert.deepEqual(snapshot(), before);
  });

  test('roles without register:write are refused; without a token 401', async () => {
    const before = await settled();
    assertProblem(
      await call('dichvu', 'POST', '/api/v1/people', { body: birth({ id_number: idFor('male', 1996, 1) }) }),
      403,
      'forbidden',
    );
    assertProblem(await call('yte', 'GET', `/api/v1/people/${idFor('male', 1990, 1)}`), 403, 'forbidden');
    const r = await srv.request('POST', '/api/v1/people', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(birth({ id_number: idFor('male', 1996, 2) })),
    });
    assertProblem(r, 401, 'unauthenticated');
    assert.deepEqual(snapshot(), before);
  });
});

describe('reading a person', () => {
  const id = idFor('male', 1990, 1);

  test('needs a purpose, which goes to the access log with every read', async () => {
    const before = await settled();
    const none = await call('nhatrang', 'GET', `/api/v1/people/${id}`, { purpose: null });
    const b = assertProblem(none, 400, 'validation-failed');
    assert.equal(b.errors[0].field, 'X-Purpose');
    const r = await getPerson('nhatrang', id, 'Xác minh hồ sơ cấp căn cước');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.etag, '"v1"');
    assert.equal(r.json().full_name, 'Nguyễn Văn An');
    assert.equal(r.headers['cache-control'], 'no-store');
    await getPerson('tinh', id, 'Tra cứu');
    const n = await waitForCount(
      `SELECT COUNT(*) FROM access_log WHERE id_number = '${id}' AND action = 'read'`,
      2,
    );
    assert.equal(n, 2);
    const rows = sql(
      `SELECT actor || '|' || actor_name || '|' || agency || '|' || data || '|' || purpose FROM access_log WHERE id_number = '${id}' AND action = 'read' ORDER BY id`,
    ).split('\n');
    assert.deepEqual(rows, [
      `officer:${officerIds.nhatrang}|Cán bộ nhatrang|Công an tỉnh Khánh Hòa|person|Xác minh hồ sơ cấp căn cước`,
      `officer:${officerIds.tinh}|Cán bộ tinh|Công an tỉnh Khánh Hòa|person|Tra cứu`,
    ]);

    // Too long (201 bytes), a control character, bad UTF-8 once decoded: refused, nothing logged.
    for (const raw of [encodeURIComponent('x'.repeat(201)), 'Tra%01cuu', 'Tra%FFcuu']) {
      const bad = await call('nhatrang', 'GET', `/api/v1/people/${id}`, {
        purpose: null,
        headers: { 'X-Purpose': raw },
      });
      assert.equal(assertProblem(bad, 400, 'validation-failed').errors[0].field, 'X-Purpose', raw);
    }
    // 200 bytes of Vietnamese text is still a purpose, and is logged whole.
    const longest = 'ế'.repeat(66) + 'xx'; // 66 characters of 3 bytes, and 2 more bytes
    assert.equal((await getPerson('nhatrang', id, longest)).status, 200);
    const reads = `SELECT COUNT(*) FROM access_log WHERE id_number = '${id}' AND action = 'read'`;
    assert.equal(await waitForCount(reads, 3), 3);
    await sleep(100);
    assert.equal(count(reads), 3);
    assert.equal(
      sql(`SELECT purpose FROM access_log WHERE id_number = '${id}' ORDER BY id DESC LIMIT 1`),
      longest,
    );
  });

  test('outside the area, unknown and malformed IDs are all 404, and nothing is logged', async () => {
    const before = await settled();
    for (const [who, path] of [
      ['camranh', id],
      ['bacnhatrang', id],
      ['hcm', id],
      ['tinh', idFor('male', 1990, 999999)],
      ['tinh', '12345'],
      ['tinh', 'abcdefghijkl'],
    ]) {
      const r = await getPerson(who, path);
      assertProblem(r, 404, 'not-found');
    }
    await sleep(100);
    assert.equal(snapshot().access, before.access);
  });

  test('a service officer may read', async () => {
    const r = await getPerson('dichvu', id);
    assert.equal(r.status, 200);
  });
});

describe('corrections', () => {
  const id = idFor('male', 1990, 1);

  test('need If-Match: missing is 400 naming the header, stale is 412', async () => {
    const before = await settled();
    const body = { religion: 'Phật giáo', reason: 'Sai sót khi nhập', legal_basis: LAW_BIRTH };
    const missing = await call('nhatrang', 'PATCH', `/api/v1/people/${id}`, { body });
    const b = assertProblem(missing, 400, 'validation-failed');
    assert.equal(b.errors[0].field, 'If-Match');
    const stale = await call('nhatrang', 'PATCH', `/api/v1/people/${id}`, {
      body,
      headers: { 'If-Match': '"v7"' },
    });
    assertProblem(stale, 412, 'precondition-failed');
    assert.equal(stale.headers.etag, '"v1"');
    const weak = await call('nhatrang', 'PATCH', `/api/v1/people/${id}`, {
      body,
      headers: { 'If-Match': 'W/"v1"' },
    });
    assertProblem(weak, 412, 'precondition-failed');
    assert.deepEqual(snapshot(), before);
  });

  test('re-check the ID number rules, refuse read-only fields, and store nothing when refused', async () => {
    const before = await settled();
    const cases = [
      [{ sex: 'female', reason: 'x', legal_basis: 'y' }, 'sex', 'id-century-sex', 'id_number'],
      [{ birth_date: '1991-05-17', reason: 'x', legal_basis: 'y' }, null, 'id-year', 'id_number'],
      [{ id_number: idFor('male', 1990, 5), reason: 'x', legal_basis: 'y' }, null, 'read-only', 'id_number'],
      [{ permanent_commune: CR, reason: 'x', legal_basis: 'y' }, null, 'read-only', 'permanent_commune'],
      [{ status: 'dead', reason: 'x', legal_basis: 'y' }, null, 'read-only', 'status'],
      [{ full_name: 'Nguyễn Văn Ân' }, null, 'required', 'reason'],
      [{ full_name: '', reason: 'x', legal_basis: 'y' }, null, 'name-invalid', 'full_name'],
      [{ nickname: 'Tí', reason: 'x', legal_basis: 'y' }, null, 'unknown-field', 'nickname'],
    ];
    for (const [body, , code, field] of cases) {
      const r = await call('nhatrang', 'PATCH', `/api/v1/people/${id}`, {
        body,
        headers: { 'If-Match': '"v1"' },
      });
      const b = assertProblem(r, 400, 'validation-failed');
      assert.ok(
        b.errors.some((e) => e.code === code && e.field === field),
        `${JSON.stringify(body)} → ${JSON.stringify(b.errors)}`,
      );
    }
    assert.deepEqual(snapshot(), before);
  });

  test('a correction bumps the version and records from/to', async () => {
    const r = await call('nhatrang', 'PATCH', `/api/v1/people/${id}`, {
      body: {
        full_name: 'Nguyễn Văn Ân',
        religion: 'Phật giáo',
        reason: 'Sai dấu trong họ tên',
        legal_basis: 'Nghị định 123/2015/NĐ-CP',
        dossier: 'HS-2026-0100',
      },
      headers: { 'If-Match': '"v1"' },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.etag, '"v2"');
    assert.equal(r.json().version, 2);
    assert.equal(r.json().full_name, 'Nguyễn Văn Ân');
    const changes = JSON.parse(
      sql(`SELECT changes FROM person_history WHERE id_number = '${id}' AND version = 2`),
    );
    assert.deepEqual(changes, {
      full_name: { from: 'Nguyễn Văn An', to: 'Nguyễn Văn Ân' },
      religion: { from: '', to: 'Phật giáo' },
    });
    assert.equal(sql("SELECT type FROM events WHERE type NOT IN ('access.reads', 'access.outside_area', 'soc.alert') ORDER BY id DESC LIMIT 1"), 'person.corrected');
    // the old ETag is stale now
    const again = await call('nhatrang', 'PATCH', `/api/v1/people/${id}`, {
      body: { religion: 'Không', reason: 'x', legal_basis: 'y' },
      headers: { 'If-Match': '"v1"' },
    });
    assertProblem(again, 412, 'precondition-failed');
    // a commune officer elsewhere gets 404, not 403
    const other = await call('camranh', 'PATCH', `/api/v1/people/${id}`, {
      body: { religion: 'Không', reason: 'x', legal_basis: 'y' },
      headers: { 'If-Match': '"v2"' },
    });
    assertProblem(other, 404, 'not-found');
  });
});

describe('residence', () => {
  const id = idFor('female', 1985, 11);

  before(async () => {
    await register('nhatrang', {
      id_number: id,
      full_name: 'Đặng Thị Hồng',
      birth_date: '1985-03',
      sex: 'female',
    });
  });

  test('a temporary residence is added with its end; the destination officer sees the person', async () => {
    assertProblem(await getPerson('camranh', id), 404, 'not-found');
    const r = await call('nhatrang', 'POST', `/api/v1/people/${id}/moves`, {
      body: {
        kind: 'temporary',
        province: P,
        commune: CR,
        address: '7 Nguyễn Trọng Kỷ',
        from: '2026-01-10',
        until: '2027-01-10',
        reason: 'Đăng ký tạm trú',
        legal_basis: LAW_RESIDENCE,
      },
    });
    assert.equal(r.status, 201, r.text);
    const p = r.json();
    assert.equal(p.temporary_commune, CR);
    assert.equal(p.temporary_until, '2027-01-10');
    const temp = p.residences.find((x) => x.kind === 'temporary');
    assert.deepEqual(temp, {
      kind: 'temporary',
      province: P,
      commune: CR,
      address: '7 Nguyễn Trọng Kỷ',
      from: '2026-01-10',
      until: '2027-01-10',
    });
    assert.equal((await getPerson('camranh', id)).status, 200);
    assert.equal(sql("SELECT type FROM events WHERE type NOT IN ('access.reads', 'access.outside_area', 'soc.alert') ORDER BY id DESC LIMIT 1"), 'residence.moved');
  });

  test('bad moves are refused and store nothing', async () => {
    const before = await settled();
    const base = {
      kind: 'permanent',
      province: P,
      commune: BNT,
      address: '1 Lê Lợi',
      from: '2026-02-01',
      reason: 'Chuyển hộ khẩu',
      legal_basis: LAW_RESIDENCE,
    };
    const cases = [
      [{ ...base, kind: 'forever' }, 'kind', 'kind-invalid'],
      [{ ...base, commune: '123' }, 'commune', 'commune-format'],
      [{ ...base, commune: '99999' }, 'commune', 'commune-unknown'],
      [{ ...base, from: '2026-02-30' }, 'from', 'date-invalid'],
      [{ ...base, from: '2100-01-01' }, 'from', 'date-future'],
      [{ ...base, until: '2027-01-01' }, 'until', 'until-temporary-only'],
      [{ ...base, kind: 'temporary', until: '2025-01-01' }, 'until', 'date-order'],
      [{ ...base, household_number: 'HK-NONE', relation_to_head: 'Con' }, 'household_number', 'household-unknown'],
      [{ ...base, relation_to_head: 'Con' }, 'relation_to_head', 'household-missing'],
      [{ ...base, address: undefined }, 'address', 'required'],
      [{ ...base, legal_basis: '' }, 'legal_basis', 'required'],
    ];
    for (const [body, field, code] of cases) {
      const r = await call('nhatrang', 'POST', `/api/v1/people/${id}/moves`, { body });
      const b = assertProblem(r, 400, 'validation-failed');
      assert.ok(
        b.errors.some((e) => e.field === field && e.code === code),
        `${field}/${code}: ${JSON.stringify(b.errors)}`,
      );
    }
    const stale = await call('nhatrang', 'POST', `/api/v1/people/${id}/moves`, {
      body: base,
      headers: { 'If-Match': '"v1"' },
    });
    assertProblem(stale, 412, 'precondition-failed');
    // an officer of neither the person's area nor the destination
    const hcm = await call('hcm', 'POST', `/api/v1/people/${id}/moves`, { body: base });
    assertProblem(hcm, 404, 'not-found');
    assert.deepEqual(snapshot(), before);
  });

  test('a permanent move founds a household, closes the old period, and moves the area', async () => {
    const r = await call('nhatrang', 'POST', `/api/v1/people/${id}/moves`, {
      body: {
        kind: 'permanent',
        province: P,
        commune: BNT,
        address: '1 Lê Lợi',
        from: '2026-02-01',
        new_household_number: 'HK-BNT-1',
        reason: 'Đăng ký thường trú',
        legal_basis: LAW_RESIDENCE,
        dossier: 'HS-CT-9',
      },
    });
    assert.equal(r.status, 201, r.text);
    const p = r.json();
    assert.equal(p.permanent_commune, BNT);
    assert.equal(p.household_number, 'HK-BNT-1');
    assert.equal(p.relation_to_head, 'Chủ hộ');
    assert.deepEqual(p.household, {
      number: 'HK-BNT-1',
      head_id: id,
      province: P,
      commune: BNT,
      address: '1 Lê Lợi',
    });
    const periods = sql(
      `SELECT commune_code || '|' || from_date || '|' || to_date FROM residences WHERE id_number = '${id}' AND kind = 'permanent' ORDER BY id`,
    ).split('\n');
    assert.equal(periods.length, 2);
    assert.match(periods[0], new RegExp(`^${NT}\\|\\d{4}-\\d\\d-\\d\\d\\|2026-02-01$`));
    assert.equal(periods[1], `${BNT}|2026-02-01|`);
    // Nha Trang no longer sees her; Bắc Nha Trang and Cam Ranh (temporary) do
    assertProblem(await getPerson('nhatrang', id), 404, 'not-found');
    assert.equal((await getPerson('bacnhatrang', id)).status, 200);
    assert.equal((await getPerson('camranh', id)).status, 200);
    const taken = await call('bacnhatrang', 'POST', `/api/v1/people/${idFor('female', 2001, 7, '003')}/moves`, {
      body: {
        kind: 'permanent',
        province: P,
        commune: BNT,
        address: '2 Lê Lợi',
        from: '2026-02-02',
        new_household_number: 'HK-BNT-1',
        reason: 'Đăng ký thường trú',
        legal_basis: LAW_RESIDENCE,
      },
    });
    const b = assertProblem(taken, 409, 'conflict');
    assert.equal(b.errors[0].field, 'new_household_number');
  });

  test('a temporary absence is declared and shown among the periods', async () => {
    const before = await settled();
    const bad = await call('bacnhatrang', 'POST', `/api/v1/people/${id}/absences`, {
      body: { from: '2026-03-01', province: P, reason: 'Đi làm xa', legal_basis: LAW_RESIDENCE },
    });
    const b = assertProblem(bad, 400, 'validation-failed');
    assert.equal(b.errors[0].code, 'place-incomplete');
    assert.deepEqual(snapshot(), before);

    const r = await call('bacnhatrang', 'POST', `/api/v1/people/${id}/absences`, {
      body: {
        from: '2026-03-01',
        until: '2027-03-01',
        province: HCM,
        commune: HCM_C,
        address: 'Khu công nghiệp',
        reason: 'Đi làm xa',
        legal_basis: LAW_RESIDENCE,
      },
    });
    assert.equal(r.status, 201, r.text);
    const absence = r.json().residences.find((x) => x.kind === 'absence');
    assert.equal(absence.commune, HCM_C);
    assert.equal(absence.until, '2027-03-01');
    const last = JSON.parse(
      sql(`SELECT changes FROM person_history WHERE id_number = '${id}' ORDER BY version DESC LIMIT 1`),
    );
    assert.equal(last.absence.to.commune, HCM_C);
    assert.equal(sql(`SELECT kind FROM person_history WHERE id_number = '${id}' ORDER BY version DESC LIMIT 1`), 'absent');
  });
});

describe('deaths', () => {
  const id = idFor('male', 1940, 21);

  before(async () => {
    await register('nhatrang', { id_number: id, full_name: 'Trần Văn Cụ', birth_date: '1940-01-01' });
  });

  test('bad dates store nothing', async () => {
    const before = await settled();
    for (const [date, code] of [
      ['1939-12-31', 'date-order'],
      ['2100-01-01', 'date-future'],
      ['31/12/2020', 'date-invalid'],
      [undefined, 'required'],
    ]) {
      const r = await call('nhatrang', 'POST', `/api/v1/people/${id}/deaths`, {
        body: { date, reason: 'Khai tử', legal_basis: LAW_BIRTH },
      });
      const b = assertProblem(r, 400, 'validation-failed');
      assert.ok(b.errors.some((e) => e.field === 'date' && e.code === code), `${date}: ${r.text}`);
    }
    assert.deepEqual(snapshot(), before);
  });

  test('a death is registered once; a dead person does not move', async () => {
    const r = await call('nhatrang', 'POST', `/api/v1/people/${id}/deaths`, {
      body: { date: '2026-10-02', reason: 'Khai tử', legal_basis: LAW_BIRTH, dossier: 'KT-1' },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json().status, 'dead');
    assert.equal(r.json().death_date, '2026-10-02');
    assert.deepEqual(r.json().residences, []);
    assert.equal(sql("SELECT type FROM events WHERE type NOT IN ('access.reads', 'access.outside_area', 'soc.alert') ORDER BY id DESC LIMIT 1"), 'person.died');
    const before = await settled();
    const again = await call('nhatrang', 'POST', `/api/v1/people/${id}/deaths`, {
      body: { date: '2026-10-02', reason: 'Khai tử', legal_basis: LAW_BIRTH },
    });
    assertProblem(again, 409, 'conflict');
    const move = await call('nhatrang', 'POST', `/api/v1/people/${id}/moves`, {
      body: {
        kind: 'temporary',
        province: P,
        commune: NT,
        address: 'x',
        from: '2026-10-03',
        reason: 'x',
        legal_basis: 'y',
      },
    });
    assertProblem(move, 422, 'rule-violated');
    assert.deepEqual(snapshot(), before);
  });
});

describe('history', () => {
  const id = idFor('male', 1990, 1);

  test('lists every change in order, and pages', async () => {
    const r = await call('tinh', 'GET', `/api/v1/people/${id}/history`);
    assert.equal(r.status, 200, r.text);
    const { items, next_cursor } = r.json();
    assert.equal(next_cursor, null);
    assert.deepEqual(
      items.map((i) => [i.version, i.kind]),
      [
        [1, 'born'],
        [2, 'corrected'],
      ],
    );
    assert.equal(items[0].changes.full_name.from, null);
    assert.equal(items[0].changes.full_name.to, 'Nguyễn Văn An');
    assert.equal(items[1].actor, `officer:${officerIds.nhatrang} (commune-police ${NT})`);
    assert.equal(items[1].legal_basis, 'Nghị định 123/2015/NĐ-CP');
    assert.equal(items[1].dossier, 'HS-2026-0100');
    assert.match(items[1].at, /^\d{4}-\d\d-\d\dT/);
    assert.ok(items[1].request_id.length > 0);
    const page1 = (await call('tinh', 'GET', `/api/v1/people/${id}/history?limit=1`)).json();
    assert.equal(page1.items.length, 1);
    assert.equal(typeof page1.next_cursor, 'string');
    const page2 = (
      await call('tinh', 'GET', `/api/v1/people/${id}/history?limit=1&cursor=${page1.next_cursor}`)
    ).json();
    assert.deepEqual(page2.items.map((i) => i.version), [2]);
    await waitForCount(
      `SELECT COUNT(*) FROM access_log WHERE id_number = '${id}' AND data = 'history'`,
      3,
    );
    for (const q of ['limit=0', 'limit=501', 'limit=x', 'cursor=-1', 'cursor=abc'])
      assertProblem(await call('tinh', 'GET', `/api/v1/people/${id}/history?${q}`), 400, 'validation-failed');
    assertProblem(await call('hcm', 'GET', `/api/v1/people/${id}/history`), 404, 'not-found');
  });

  test('folding the history gives the stored person', async () => {
    const hid = idFor('female', 1985, 11);
    const items = (await call('tinh', 'GET', `/api/v1/people/${hid}/history?limit=500`)).json().items;
    const person = (await getPerson('tinh', hid)).json();
    const state = {};
    for (const it of items) for (const [f, c] of Object.entries(it.changes)) state[f] = c.to ?? '';
    delete state.absence;
    for (const [f, v] of Object.entries(state)) assert.equal(person[f], v, f);
    assert.equal(items.at(-1).version, person.version);
    assert.deepEqual(
      items.map((i) => i.kind),
      ['born', 'moved', 'moved', 'absent'],
    );
  });
});

describe('search', () => {
  const people = [
    [idFor('male', 1970, 31), 'Nguyễn Văn Bình', '1970-01-01', 'male', NT],
    [idFor('male', 1971, 32), 'NGUYỄN VĂN AN', '1971', 'male', NT],
    [idFor('female', 1972, 33), 'Lê Thị Nguyên', '1972', 'female', NT],
    [idFor('male', 1973, 34), 'Đỗ Đức Anh', '1973', 'male', CR],
    [idFor('female', 1974, 35), 'Đặng Thị An', '1974', 'female', CR],
  ];

  before(async () => {
    for (const [id, name, date, sex, commune] of people)
      await register('tinh', {
        id_number: id,
        full_name: name,
        birth_date: date,
        sex,
        permanent_commune: commune,
      });
  });

  async function search(who, q, purpose) {
    const r = await call(who, 'GET', `/api/v1/people?${q}`, { purpose });
    assert.equal(r.status, 200, r.text);
    return r.json();
  }
  const names = (res) => res.items.map((i) => i.full_name);

  test('folds case and diacritics; full names first, then given names', async () => {
    assert.deepEqual(names(await search('tinh', 'name=nguyen%20van%20an')), ['NGUYỄN VĂN AN', 'Nguyễn Văn Ân']);
    assert.deepEqual(names(await search('tinh', 'name=dang')), ['Đặng Thị An', 'Đặng Thị Hồng']);
    assert.deepEqual(names(await search('tinh', 'name=%C4%90%E1%BA%B6NG%20TH')), ['Đặng Thị An', 'Đặng Thị Hồng']);
    assert.deepEqual(names(await search('tinh', 'name=an%20dang')), ['Đặng Thị An']);
    // "nguyen": surnames first, then the given name of Lê Thị Nguyên
    const r = await search('tinh', 'name=nguyen');
    assert.deepEqual(names(r).at(-1), 'Lê Thị Nguyên');
    assert.ok(names(r).length >= 4);
    assert.deepEqual(names(await search('tinh', 'name=an&birth_year=1974')), ['Đặng Thị An']);
    // Đặng Thị Hồng lives in Cam Ranh temporarily
    assert.deepEqual(names(await search('tinh', `name=d&commune=${CR}`)), [
      'Đặng Thị An',
      'Đặng Thị Hồng',
      'Đỗ Đức Anh',
    ]);
    const item = (await search('tinh', 'name=do%20duc')).items[0];
    assert.deepEqual(Object.keys(item).sort(), [
      'birth_date',
      'full_name',
      'household_number',
      'id_number',
      'permanent_commune',
      'permanent_province',
      'sex',
      'status',
      'temporary_commune',
      'temporary_province',
    ]);
  });

  test('pages with an opaque cursor across full-name and given-name matches', async () => {
    const all = names(await search('tinh', 'name=nguyen&limit=500'));
    const seen = [];
    let cursor = null;
    for (let i = 0; i < 10; i++) {
      const q = `name=nguyen&limit=1${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await search('tinh', q);
      seen.push(...names(page));
      cursor = page.next_cursor;
      if (!cursor) break;
    }
    assert.deepEqual(seen, all);
    const ids = [];
    cursor = null;
    for (let i = 0; i < 20; i++) {
      const page = await search('tinh', `limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...page.items.map((x) => x.id_number));
      cursor = page.next_cursor;
      if (!cursor) break;
    }
    assert.deepEqual(ids, [...ids].sort());
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.length >= 8);
  });

  test('is limited to the area in SQL', async () => {
    const nt = names(await search('nhatrang', 'name=nguyen&limit=500'));
    assert.ok(nt.includes('NGUYỄN VĂN AN'));
    assert.ok(!nt.includes('Đặng Thị Hồng'));
    assert.deepEqual(names(await search('camranh', 'name=d')), ['Đặng Thị An', 'Đặng Thị Hồng', 'Đỗ Đức Anh']);
    assert.deepEqual(names(await search('hcm', 'name=d')), []);
    assert.deepEqual(names(await search('hcm', 'limit=500')), []);
  });

  test('writes one search row per person returned', async () => {
    await settled();
    const before = count("SELECT COUNT(*) FROM access_log WHERE action = 'search'");
    const r = await search('tinh', 'name=dang', 'Rà soát dữ liệu');
    assert.equal(r.items.length, 2);
    const n = await waitForCount(
      "SELECT COUNT(*) FROM access_log WHERE action = 'search'",
      before + 2,
    );
    assert.equal(n, before + 2);
    const rows = sql(
      "SELECT id_number || '|' || purpose FROM access_log WHERE action = 'search' ORDER BY id DESC LIMIT 2",
    )
      .split('\n')
      .sort();
    assert.deepEqual(rows, r.items.map((i) => `${i.id_number}|Rà soát dữ liệu`).sort());
  });

  test('bad parameters are 400 and log nothing', async () => {
    const before = await settled();
    for (const q of [
      'name=',
      'name=%20%20',
      `name=${'a'.repeat(101)}`,
      'name=%FF',
      'birth_year=99',
      'province=5',
      'commune=1234',
      'limit=0',
      'limit=501',
      'cursor=zz',
      'cursor=6e09',
    ])
      assertProblem(await call('tinh', 'GET', `/api/v1/people?${q}`), 400, 'validation-failed');
    assertProblem(await call('tinh', 'GET', '/api/v1/people?name=an', { purpose: null }), 400, 'validation-failed');
    // a cursor belongs to its search: another name, or a list without a name, refuses it
    const named = (await call('tinh', 'GET', '/api/v1/people?name=nguyen&limit=1')).json().next_cursor;
    const listed = (await call('tinh', 'GET', '/api/v1/people?limit=1')).json().next_cursor;
    assert.equal(typeof named, 'string');
    assert.equal(typeof listed, 'string');
    for (const q of [`name=dang&cursor=${named}`, `cursor=${named}`, `name=nguyen&cursor=${listed}`])
      assertProblem(await call('tinh', 'GET', `/api/v1/people?${q}`), 400, 'validation-failed');
    await waitForCount('SELECT COUNT(*) FROM access_log', before.access + 2);
    await sleep(100);
    assert.deepEqual(snapshot(), { ...before, access: before.access + 2 });
  });
});

describe('households', () => {
  const head = idFor('male', 1960, 41);
  const wife = idFor('female', 1962, 42);
  const son = idFor('male', 1990, 43);
  const daughterInLaw = idFor('female', 1992, 44);
  const other = idFor('male', 1965, 45);

  before(async () => {
    await register('nhatrang', { id_number: head, full_name: 'Phạm Văn Hùng', birth_date: '1960' });
    const founded = await call('nhatrang', 'POST', `/api/v1/people/${head}/moves`, {
      body: {
        kind: 'permanent',
        province: P,
        commune: NT,
        address: '9 Yersin',
        from: '2026-01-01',
        new_household_number: 'HK-NT-9',
        reason: 'Đăng ký thường trú',
        legal_basis: LAW_RESIDENCE,
      },
    });
    assert.equal(founded.status, 201, founded.text);
    for (const [id, name, year, sex, rel] of [
      [wife, 'Võ Thị Lan', 1962, 'female', 'Vợ'],
      [son, 'Phạm Văn Nam', 1990, 'male', 'Con'],
      [daughterInLaw, 'Hồ Thị Mai', 1992, 'female', 'Con dâu'],
    ])
      await register('nhatrang', {
        id_number: id,
        full_name: name,
        birth_date: String(year),
        sex,
        household_number: 'HK-NT-9',
        relation_to_head: rel,
        permanent_province: undefined,
        permanent_commune: undefined,
        permanent_address: undefined,
      });
    await register('nhatrang', { id_number: other, full_name: 'Bùi Văn Tư', birth_date: '1965' });
    const own = await call('nhatrang', 'POST', `/api/v1/people/${other}/moves`, {
      body: {
        kind: 'permanent',
        province: P,
        commune: NT,
        address: '3 Yersin',
        from: '2026-01-01',
        new_household_number: 'HK-NT-3',
        reason: 'Đăng ký thường trú',
        legal_basis: LAW_RESIDENCE,
      },
    });
    assert.equal(own.status, 201, own.text);
  });

  test('a member joining at birth takes the household\'s address', async () => {
    const p = (await getPerson('nhatrang', wife)).json();
    assert.equal(p.permanent_address, '9 Yersin');
    assert.equal(p.household.head_id, head);
    assert.equal(p.relation_to_head, 'Vợ');
  });

  test('reads the household with its members, logging each', async () => {
    await settled();
    const before = count("SELECT COUNT(*) FROM access_log WHERE data = 'household'");
    const r = await call('nhatrang', 'GET', '/api/v1/households/HK-NT-9');
    assert.equal(r.status, 200, r.text);
    const h = r.json();
    assert.equal(h.head_id, head);
    assert.equal(h.closed_at, null);
    assert.deepEqual(
      h.members.map((m) => [m.id_number, m.relation_to_head, m.head]),
      [
        [son, 'Con', false],
        [head, 'Chủ hộ', true],
        [wife, 'Vợ', false],
        [daughterInLaw, 'Con dâu', false],
      ].sort(),
    );
    assert.equal(
      await waitForCount("SELECT COUNT(*) FROM access_log WHERE data = 'household'", before + 4),
      before + 4,
    );
    assertProblem(await call('camranh', 'GET', '/api/v1/households/HK-NT-9'), 404, 'not-found');
    assertProblem(await call('nhatrang', 'GET', '/api/v1/households/NOPE'), 404, 'not-found');
    assertProblem(
      await call('nhatrang', 'GET', '/api/v1/households/HK-NT-9', { purpose: null }),
      400,
      'validation-failed',
    );
  });

  test('bad splits store nothing', async () => {
    const before = await settled();
    const base = {
      new_number: 'HK-NT-10',
      head_id: son,
      members: [
        { id_number: son, relation_to_head: 'Chủ hộ' },
        { id_number: daughterInLaw, relation_to_head: 'Vợ' },
      ],
      reason: 'Tách hộ',
      legal_basis: LAW_RESIDENCE,
    };
    const cases = [
      [{ ...base, members: [] }, 400, 'members'],
      [{ ...base, members: [{ id_number: other, relation_to_head: 'Con' }], head_id: other }, 400, 'members[0]'],
      [{ ...base, head_id: wife }, 400, 'head_id'],
      [{ ...base, new_number: 'bad number!' }, 400, 'new_number'],
      [{ ...base, members: [base.members[0], base.members[0]] }, 400, 'members[1]'],
      [{ ...base, members: [{ id_number: son }] }, 400, 'members[0]'],
      [{ ...base, reason: undefined }, 400, 'reason'],
      [{ ...base, new_number: 'HK-NT-3' }, 409, 'new_number'],
    ];
    for (const [body, status, field] of cases) {
      const r = await call('nhatrang', 'POST', '/api/v1/households/HK-NT-9/splits', { body });
      const b = assertProblem(r, status, status === 409 ? 'conflict' : 'validation-failed');
      assert.ok(b.errors.some((e) => e.field === field), `${field}: ${r.text}`);
    }
    const headLeaves = await call('nhatrang', 'POST', '/api/v1/households/HK-NT-9/splits', {
      body: { ...base, head_id: head, members: [{ id_number: head, relation_to_head: 'Chủ hộ' }] },
    });
    assertProblem(headLeaves, 422, 'rule-violated');
    const elsewhere = await call('nhatrang', 'POST', '/api/v1/households/HK-NT-9/splits', {
      body: { ...base, province: P, commune: CR, address: '1 Cam Ranh' },
    });
    assertProblem(elsewhere, 403, 'forbidden');
    const outside = await call('camranh', 'POST', '/api/v1/households/HK-NT-9/splits', { body: base });
    assertProblem(outside, 404, 'not-found');
    assert.deepEqual(snapshot(), before);
  });

  test('a split moves members to a new household with history for each', async () => {
    const before = await settled();
    const r = await call('nhatrang', 'POST', '/api/v1/households/HK-NT-9/splits', {
      body: {
        new_number: 'HK-NT-10',
        head_id: son,
        members: [
          { id_number: son, relation_to_head: 'Con' },
          { id_number: daughterInLaw, relation_to_head: 'Vợ' },
        ],
        address: '11 Yersin',
        reason: 'Tách hộ',
        legal_basis: LAW_RESIDENCE,
        dossier: 'TH-1',
      },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.location, '/api/v1/households/HK-NT-10');
    const h = r.json();
    assert.equal(h.head_id, son);
    assert.equal(h.address, '11 Yersin');
    assert.deepEqual(
      h.members.map((m) => [m.id_number, m.relation_to_head]).sort(),
      [
        [son, 'Chủ hộ'],
        [daughterInLaw, 'Vợ'],
      ].sort(),
    );
    const after = snapshot();
    assert.equal(after.history, before.history + 2);
    assert.equal(after.events, before.events + 1);
    assert.equal(after.households, before.households + 1);
    assert.equal(after.residences, before.residences + 2);
    assert.equal(after.access, before.access + 2);
    const changes = JSON.parse(
      sql(`SELECT changes FROM person_history WHERE id_number = '${son}' ORDER BY version DESC LIMIT 1`),
    );
    assert.deepEqual(changes.household_number, { from: 'HK-NT-9', to: 'HK-NT-10' });
    assert.deepEqual(changes.permanent_address, { from: '9 Yersin', to: '11 Yersin' });
    const ev = sql("SELECT payload FROM events WHERE type = 'household.changed' ORDER BY id DESC LIMIT 1");
    assert.deepEqual(JSON.parse(ev), {
      action: 'split',
      household: 'HK-NT-9',
      new_household: 'HK-NT-10',
      members: [son, daughterInLaw],
    });
    const old = (await call('nhatrang', 'GET', '/api/v1/households/HK-NT-9')).json();
    assert.deepEqual(old.members.map((m) => m.id_number).sort(), [head, wife].sort());
  });

  test('bad merges store nothing', async () => {
    const before = await settled();
    const cases = [
      [{ from: 'HK-NT-3', into: 'HK-NT-3', members: [{ id_number: other, relation_to_head: 'Em' }] }, 400],
      [{ from: 'HK-NT-3', into: 'HK-NT-9', members: [{ id_number: son, relation_to_head: 'Em' }] }, 400],
      [{ from: 'HK-NT-10', into: 'HK-NT-9', members: [{ id_number: son, relation_to_head: 'Con' }] }, 400],
      [{ from: 'HK-NONE', into: 'HK-NT-9', members: [{ id_number: other, relation_to_head: 'Em' }] }, 404],
    ];
    for (const [body, status] of cases) {
      const r = await call('nhatrang', 'POST', '/api/v1/households/merges', {
        body: { ...body, reason: 'Nhập hộ', legal_basis: LAW_RESIDENCE },
      });
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
    }
    const outside = await call('camranh', 'POST', '/api/v1/households/merges', {
      body: {
        from: 'HK-NT-3',
        into: 'HK-NT-9',
        members: [{ id_number: other, relation_to_head: 'Em' }],
        reason: 'Nhập hộ',
        legal_basis: LAW_RESIDENCE,
      },
    });
    assertProblem(outside, 404, 'not-found');
    assert.deepEqual(snapshot(), before);
  });

  test('a merge moves every member and closes the household', async () => {
    const r = await call('nhatrang', 'POST', '/api/v1/households/merges', {
      body: {
        from: 'HK-NT-3',
        into: 'HK-NT-9',
        members: [{ id_number: other, relation_to_head: 'Em' }],
        reason: 'Nhập hộ',
        legal_basis: LAW_RESIDENCE,
      },
    });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json().members.some((m) => m.id_number === other && m.relation_to_head === 'Em'));
    const closed = (await call('nhatrang', 'GET', '/api/v1/households/HK-NT-3')).json();
    assert.match(closed.closed_at, /^\d{4}-\d\d-\d\d$/);
    assert.deepEqual(closed.members, []);
    const p = (await getPerson('nhatrang', other)).json();
    assert.equal(p.household_number, 'HK-NT-9');
    assert.equal(p.permanent_address, '9 Yersin');
    const ev = JSON.parse(
      sql("SELECT payload FROM events WHERE type = 'household.changed' ORDER BY id DESC LIMIT 1"),
    );
    assert.equal(ev.action, 'merge');
    assert.equal(ev.into, 'HK-NT-9');
    // a closed household takes no one in
    const again = await call('nhatrang', 'POST', '/api/v1/households/merges', {
      body: {
        from: 'HK-NT-3',
        into: 'HK-NT-9',
        members: [{ id_number: other, relation_to_head: 'Em' }],
        reason: 'Nhập hộ',
        legal_basis: LAW_RESIDENCE,
      },
    });
    assertProblem(again, 404, 'not-found');
  });

  test('a head may not move out and leave members behind', async () => {
    const before = await settled();
    const r = await call('nhatrang', 'POST', `/api/v1/people/${head}/moves`, {
      body: {
        kind: 'permanent',
        province: P,
        commune: NT,
        address: '100 Yersin',
        from: '2026-05-01',
        reason: 'Chuyển nơi ở',
        legal_basis: LAW_RESIDENCE,
      },
    });
    assertProblem(r, 422, 'rule-violated');
    assert.deepEqual(snapshot(), before);
  });
});

describe('events', () => {
  test('every change emitted its event, and the audit consumer took them', async () => {
    const types = sql("SELECT type FROM events WHERE type NOT IN ('access.reads', 'access.outside_area', 'soc.alert') ORDER BY id").split('\n');
    for (const t of ['person.born', 'person.corrected', 'person.died', 'residence.moved', 'household.changed'])
      assert.ok(types.includes(t), `${t} missing`);
    const history = count('SELECT COUNT(*) FROM person_history');
    const births = count("SELECT COUNT(*) FROM person_history WHERE kind = 'born'");
    const changes = count("SELECT COUNT(*) FROM access_log WHERE action = 'change'");
    assert.equal(changes, history, 'one change row per history entry');
    assert.equal(count("SELECT COUNT(*) FROM events WHERE type = 'person.born'"), births);
  });
});
