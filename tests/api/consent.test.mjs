// consent.test.mjs — consent, the citizen's access log, the copy of their data and correction
// requests on the real binary, on SQLite or PostgreSQL (DD_TEST_DB). Citizens register, confirm
// with the code the file notice adapter writes, and log in for a session token (dds_…), as
// docs/IDENTITY.md describes; officers use bearer tokens. Covered: granting, listing and
// withdrawing consents and the officers' consent check; "who looked at my data" as pages and as
// CSV and JSON downloads; the data copy; correction requests from the citizen through the
// commune's queue to the decision and the register's correction. Every refused write is checked
// to have stored nothing (consents, their items, correction requests, events, access log).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DB_KIND, assertProblem, psql, runCli, sleep, startServer } from './server.mjs';

const P = '56'; // Khánh Hòa
const NT = '22366'; // Phường Nha Trang
const BNT = '22333'; // Phường Bắc Nha Trang
const AN = '056090001234'; // a man born in 1990, living in Nha Trang
const BINH = '056185000321'; // a woman born in 1985, living in Bắc Nha Trang
const PASSWORD = 'Mat-khau-rat-dai-2026';

let srv;
const tokens = {}; // officers' bearer tokens
const citizens = {}; // session tokens and account ids

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

// The rows a refused request must leave alone.
function snapshot() {
  return {
    consents: count('SELECT COUNT(*) FROM consents'),
    withdrawn: count("SELECT COUNT(*) FROM consents WHERE withdrawn_at <> ''"),
    items: count('SELECT COUNT(*) FROM consent_items'),
    corrections: count('SELECT COUNT(*) FROM correction_requests'),
    decided: count("SELECT COUNT(*) FROM correction_requests WHERE status <> 'open'"),
    events: count('SELECT COUNT(*) FROM events'),
    access: count('SELECT COUNT(*) FROM access_log'),
    history: count('SELECT COUNT(*) FROM person_history'),
  };
}

// Reads' access-log rows come a few milliseconds after the reply: waits until the log stops
// growing, then takes the snapshot.
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

function officer(name, role, commune, agency = 'Công an tỉnh Khánh Hòa') {
  const args = ['officer', 'add', name, '--role', role, '--province', P];
  if (commune) args.push('--commune', commune);
  args.push('--display-name', `Cán bộ ${name}`, '--agency', agency, '--db', srv.db);
  const r = runCli(args);
  assert.equal(r.status, 0, r.stderr);
  const t = runCli(['token', '--user', name, '--db', srv.db]);
  assert.equal(t.status, 0, t.stderr);
  tokens[name] = t.stdout.trim();
}

// A request with a bearer token (an officer's or a citizen's session); objects go as JSON.
async function call(token, method, p, { body, headers = {}, purpose } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (purpose) h['X-Purpose'] = encodeURIComponent(purpose);
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return srv.request(method, p, { headers: h, body: text });
}
const as = (who, method, p, o) => call(tokens[who] ?? citizens[who]?.token, method, p, o);

// The one-time code the file adapter wrote for `email` (notices are sent after the reply).
async function codeFor(email) {
  const file = path.join(srv.dataDir, 'notify', 'outbox.jsonl');
  for (let i = 0; i < 200; i++) {
    if (fs.existsSync(file)) {
      const lines = fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
      const mine = lines.map((l) => JSON.parse(l)).filter((n) => n.recipient === email);
      if (mine.length) return /\b(\d{6})\b/.exec(mine.at(-1).body)[1];
    }
    await sleep(25);
  }
  assert.fail(`no code sent to ${email}`);
}

// Registers, confirms and logs in a citizen at level 1; returns { token, account }.
async function citizen(name, { id_number, full_name, birth_date, nationality, passport_number }) {
  const email = `${name}@example.vn`;
  const body = { full_name, birth_date, phone: '+84901234567', email, password: PASSWORD };
  if (id_number) body.id_number = id_number;
  else Object.assign(body, { nationality, passport_number });
  const r = await call(null, 'POST', '/api/v1/accounts', { body });
  assert.ok(r.status === 201 || r.status === 202, `registration: ${r.status} ${r.text}`);
  const login = id_number || `P:${nationality}:${passport_number}`;
  const code = await codeFor(email);
  const c = await call(null, 'POST', '/api/v1/accounts/confirmations', { body: { login, code } });
  assert.equal(c.status, 200, c.text);
  const s = await call(null, 'POST', '/api/v1/sessions', {
    body: { login, password: PASSWORD, service: 'api' },
  });
  assert.equal(s.status, 201, s.text);
  const j = s.json();
  assert.match(j.session_token, /^dds_/);
  citizens[name] = { token: j.session_token, account: j.account.id };
  return citizens[name];
}

function birth(id_number, full_name, birth_date, sex, commune) {
  return {
    id_number,
    full_name,
    birth_date,
    sex,
    permanent_province: P,
    permanent_commune: commune,
    permanent_address: '12 Trần Phú',
    reason: 'Đăng ký khai sinh',
    legal_basis: 'Luật Hộ tịch 2014',
  };
}

const todayVN = () => new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
function addDays(date, n) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
const addYears = (date, n) => `${Number(date.slice(0, 4)) + n}${date.slice(4)}`;

function grantBody(over = {}) {
  return {
    service: 'lgsp:bhxh',
    service_name: 'Bảo hiểm xã hội tỉnh Khánh Hòa',
    items: ['identity', 'health-insurance'],
    purpose: 'Cấp lại thẻ bảo hiểm y tế',
    valid_until: addDays(todayVN(), 300),
    ...over,
  };
}

const codes = (problem) => problem.errors.map((e) => `${e.field}:${e.code}`).sort();
const lastConsentEvent = () =>
  JSON.parse(sql("SELECT payload FROM events WHERE type = 'consent.changed' ORDER BY id DESC LIMIT 1"));
const checkPath = (id, service, item) =>
  `/api/v1/consents/checks?id_number=${id}&service=${encodeURIComponent(service)}&item=${item}`;
const withdraw = (who, id, body = {}) =>
  as(who, 'POST', `/api/v1/me/consents/${id}/withdrawals`, { body });
const LOG_COLUMNS =
  'id_number, day, at, actor, actor_name, role, agency, action, data, purpose, request_id';
// The day of a time in Vietnam (UTC+7), as the access log counts days.
const dayOf = (ms) => Math.floor((ms + 7 * 3600000) / 86400000);

before(async () => {
  srv = await startServer({ args: ['--notify-adapter', 'file', '--login-delay-ms', '1'] });
  officer('nt01', 'commune-police', NT, 'Công an phường Nha Trang');
  officer('bnt01', 'commune-police', BNT, 'Công an phường Bắc Nha Trang');
  officer('tinh', 'province-police', null);
  officer('dichvu', 'service-officer', null, 'Trung tâm Phục vụ hành chính công');
  officer('quantri', 'admin', null);
  for (const [who, b] of [
    ['nt01', birth(AN, 'Nguyễn Văn An', '1990-05-17', 'male', NT)],
    ['bnt01', birth(BINH, 'Trần Thị Bình', '1985-11-02', 'female', BNT)],
  ]) {
    const r = await as(who, 'POST', '/api/v1/people', { body: b });
    assert.equal(r.status, 201, r.text);
  }
  await citizen('an', { id_number: AN, full_name: 'Nguyễn Văn An', birth_date: '1990-05-17' });
  await citizen('binh', { id_number: BINH, full_name: 'Trần Thị Bình', birth_date: '1985-11-02' });
});
after(async () => {
  await srv?.stop();
});

describe('who may call', () => {
  test('citizen routes need a citizen session: 401 without, 403 for an officer token', async () => {
    for (const p of ['/api/v1/me/consents', '/api/v1/me/access-log', '/api/v1/me/data-export']) {
      assertProblem(await call(null, 'GET', p), 401, 'unauthenticated');
      assertProblem(await as('nt01', 'GET', p), 403, 'forbidden');
    }
  });

  test("a foreigner's account has no personal ID number: 403 no-id-number", async () => {
    await citizen('kim', {
      full_name: 'Kim Min Jun',
      birth_date: '1988-03-04',
      nationality: 'KOR',
      passport_number: 'M12345678',
    });
    const r = await as('kim', 'GET', '/api/v1/me/consents');
    const b = assertProblem(r, 403, 'no-id-number');
    assert.equal(b.title, 'No Personal ID Number');
    assertProblem(await as('kim', 'GET', '/api/v1/me/access-log.csv'), 403, 'no-id-number');
    const en = assertProblem(
      await as('kim', 'GET', '/api/v1/me/data-export', { headers: { 'Accept-Language': 'en' } }),
      403,
      'no-id-number',
    );
    assert.equal(en.detail, 'This account is not tied to a personal ID number.');
    assert.equal(b.detail, 'Tài khoản này không gắn với số định danh cá nhân.');
  });

  test('officer routes: scope and credentials', async () => {
    const q = `/api/v1/consents/checks?id_number=${AN}&service=lgsp:bhxh&item=identity`;
    assertProblem(await call(null, 'GET', q), 401, 'unauthenticated');
    assertProblem(await as('dichvu', 'GET', q, { purpose: 'x' }), 403, 'forbidden');
    assertProblem(await as('an', 'GET', q, { purpose: 'x' }), 403, 'forbidden');
    assertProblem(await as('an', 'GET', '/api/v1/correction-requests'), 403, 'forbidden');
  });
});

describe('consents', () => {
  let granted;

  test('a grant is stored with its items and period and listed newest first', async () => {
    const before = await settled();
    const r = await as('an', 'POST', '/api/v1/me/consents', { body: grantBody() });
    assert.equal(r.status, 201, r.text);
    granted = r.json();
    assert.equal(r.headers.location, `/api/v1/me/consents/${granted.id}`);
    assert.equal(granted.service, 'lgsp:bhxh');
    assert.equal(granted.service_name, 'Bảo hiểm xã hội tỉnh Khánh Hòa');
    assert.deepEqual(granted.items, ['identity', 'health-insurance']);
    assert.equal(granted.valid_from, todayVN());
    assert.equal(granted.state, 'active');
    assert.equal(granted.withdrawn_at, null);
    const now = snapshot();
    assert.equal(now.consents, before.consents + 1);
    assert.equal(now.items, before.items + 2);
    assert.equal(now.events, before.events + 1);
    assert.deepEqual(lastConsentEvent(), {
      consent_id: granted.id,
      change: 'granted',
      id_number: AN,
      service: 'lgsp:bhxh',
      items: ['identity', 'health-insurance'],
    });

    const later = await as('an', 'POST', '/api/v1/me/consents', {
      body: grantBody({
        service: 'sso:benh-vien-tinh',
        service_name: 'Bệnh viện tỉnh',
        items: ['identity'],
        valid_from: addDays(todayVN(), 10),
      }),
    });
    assert.equal(later.status, 201, later.text);
    assert.equal(later.json().state, 'pending');
    const list = (await as('an', 'GET', '/api/v1/me/consents')).json();
    assert.deepEqual(list.items.map((c) => c.id), [later.json().id, granted.id]);
    assert.equal(list.next_cursor, null);
    const page = (await as('an', 'GET', '/api/v1/me/consents?limit=1')).json();
    assert.equal(page.items.length, 1);
    const rest = (await as('an', 'GET', `/api/v1/me/consents?limit=1&cursor=${page.next_cursor}`)).json();
    assert.deepEqual(rest.items.map((c) => c.id), [granted.id]);
    assert.equal(rest.next_cursor, null);
    const one = await as('an', 'GET', `/api/v1/me/consents/${granted.id}`);
    assert.deepEqual(one.json(), granted);
    // Bình sees none of An's.
    assertProblem(await as('binh', 'GET', `/api/v1/me/consents/${granted.id}`), 404, 'not-found');
    assert.deepEqual((await as('binh', 'GET', '/api/v1/me/consents')).json().items, []);
  });

  test('bad grants are refused with every problem named, and store nothing', async () => {
    const today = todayVN();
    const cases = [
      [{ items: ['identity', 'dna'] }, ['items:item-unknown']],
      [{ items: ['residence', 'residence'] }, ['items:item-repeated']],
      [{ items: [] }, ['items:items-count']],
      [{ items: 'identity' }, ['items:items-invalid']],
      [{ valid_from: addDays(today, -1) }, ['valid_from:date-past']],
      [{ valid_until: addYears(today, 5) }, ['valid_until:period-too-long']],
      [{ valid_from: addDays(today, 3), valid_until: addDays(today, 2) }, ['valid_until:period-reversed']],
      [{ valid_until: '2027-02-30' }, ['valid_until:date-invalid']],
      [{ service: 'BHXH Khánh Hòa' }, ['service:service-invalid']],
      [{ service_name: '' }, ['service_name:text-invalid']],
      [{ purpose: 'a\tb' }, ['purpose:text-invalid']],
      [{ purpose: 'x'.repeat(501) }, ['purpose:text-invalid']],
      [{ service: 5, extra: true }, ['extra:unknown-field', 'service:type-string']],
      [{ valid_until: undefined, purpose: undefined }, ['purpose:required', 'valid_until:required']],
      [
        { service: 'Sai', items: ['dna'], valid_until: addYears(today, 6) },
        ['items:item-unknown', 'service:service-invalid', 'valid_until:period-too-long'],
      ],
    ];
    const before = await settled();
    for (const [over, want] of cases) {
      const r = await as('an', 'POST', '/api/v1/me/consents', { body: grantBody(over) });
      const b = assertProblem(r, 400, 'validation-failed');
      assert.deepEqual(codes(b), want, JSON.stringify(over));
    }
    const raw = (body) => as('an', 'POST', '/api/v1/me/consents', { body });
    assertProblem(await raw('[1]'), 400, 'validation-failed');
    assertProblem(await raw('{"service":'), 400, 'invalid-json');
    assert.deepEqual(await settled(), before);
  });

  test('a grant under an Idempotency-Key is made once and replayed', async () => {
    const before = await settled();
    const headers = { 'Idempotency-Key': 'cap-the-bhyt-1' };
    const body = grantBody({ service: 'lgsp:thue', service_name: 'Cục Thuế', items: ['tax'] });
    const a = await as('an', 'POST', '/api/v1/me/consents', { body, headers });
    const b = await as('an', 'POST', '/api/v1/me/consents', { body, headers });
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.equal(b.headers['idempotent-replayed'], 'true');
    assert.equal(b.text, a.text);
    assert.equal(b.headers.location, a.headers.location);
    assert.equal(snapshot().consents, before.consents + 1);
  });

  test('the officers’ check follows the grant, is logged, and needs a purpose', async () => {
    const q = (item, service = 'lgsp:bhxh') => checkPath(AN, service, item);
    const yes = await as('quantri', 'GET', q('health-insurance'), { purpose: 'Cấp thẻ BHYT' });
    assert.equal(yes.status, 200, yes.text);
    const y = yes.json();
    assert.equal(y.holds, true);
    assert.equal(y.consent_id, granted.id);
    assert.equal(y.valid_until, granted.valid_until);
    const no = (await as('quantri', 'GET', q('residence'), { purpose: 'Cấp thẻ BHYT' })).json();
    assert.deepEqual([no.holds, no.consent_id, no.valid_until], [false, null, null]);
    const pending = await as('quantri', 'GET', q('identity', 'sso:benh-vien-tinh'), { purpose: 'x' });
    assert.equal(pending.json().holds, false); // not begun
    const stranger = checkPath('079000000001', 'lgsp:bhxh', 'identity');
    assert.equal((await as('quantri', 'GET', stranger, { purpose: 'x' })).json().holds, false);

    const before = await settled();
    const b = assertProblem(await as('quantri', 'GET', q('identity')), 400, 'validation-failed');
    assert.deepEqual(codes(b), ['X-Purpose:purpose-required']);
    const wrong = await as('quantri', 'GET', checkPath('123', 'A', 'dna'), { purpose: 'x' });
    assert.deepEqual(codes(assertProblem(wrong, 400, 'validation-failed')), [
      'id_number:id-number-invalid',
      'item:item-unknown',
      'service:service-invalid',
    ]);
    assert.deepEqual(await settled(), before);
    // The checks are in An's access log.
    const log = (await as('an', 'GET', '/api/v1/me/access-log?limit=500')).json();
    const checks = log.items.filter((e) => e.data === 'consent');
    assert.equal(checks.length, 3);
    assert.equal(checks[0].purpose, 'x');
    assert.equal(checks.at(-1).purpose, 'Cấp thẻ BHYT');
  });

  test('a withdrawal ends the consent, keeps it listed, and happens once', async () => {
    const before = await settled();
    const r = await withdraw('an', granted.id, { reason: 'Không còn dùng dịch vụ này' });
    assert.equal(r.status, 201, r.text);
    const w = r.json();
    assert.equal(w.state, 'withdrawn');
    assert.equal(w.withdrawal_reason, 'Không còn dùng dịch vụ này');
    assert.match(w.withdrawn_at, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual({ ...w, state: 'active', withdrawn_at: null, withdrawal_reason: null }, granted);
    const now = snapshot();
    assert.equal(now.consents, before.consents);
    assert.equal(now.withdrawn, before.withdrawn + 1);
    assert.equal(now.events, before.events + 1);
    assert.equal(lastConsentEvent().change, 'withdrawn');

    const check = await as('quantri', 'GET', checkPath(AN, 'lgsp:bhxh', 'identity'), { purpose: 'x' });
    assert.equal(check.json().holds, false);
    const listed = (await as('an', 'GET', `/api/v1/me/consents/${granted.id}`)).json();
    assert.equal(listed.state, 'withdrawn');

    const again = await settled();
    const b = assertProblem(await withdraw('an', granted.id), 409, 'consent-not-active');
    assert.equal(b.title, 'Consent Not Active');
    assertProblem(await withdraw('binh', granted.id), 404, 'not-found');
    assertProblem(await withdraw('an', 999999), 404, 'not-found');
    assertProblem(await withdraw('an', 'abc'), 404, 'not-found');
    const mine = (await as('an', 'GET', '/api/v1/me/consents')).json().items;
    const other = mine.find((c) => c.state === 'pending');
    const bad = assertProblem(
      await withdraw('an', other.id, { reason: 7, why: 'x' }),
      400,
      'validation-failed',
    );
    assert.deepEqual(codes(bad), ['reason:type-string', 'why:unknown-field']);
    assert.deepEqual(await settled(), again);
  });
});

describe('who looked at my data', () => {
  const purpose = 'Xác minh, đối chiếu "hồ sơ" cư trú';

  test('an officer’s read shows who, when, which data and why — never the officer’s name', async () => {
    const r = await as('nt01', 'GET', `/api/v1/people/${AN}`, { purpose });
    assert.equal(r.status, 200);
    let top;
    for (let i = 0; i < 100; i++) {
      top = (await as('an', 'GET', '/api/v1/me/access-log?limit=1')).json().items[0];
      if (top?.request_id === r.headers['x-request-id']) break;
      await sleep(25);
    }
    assert.deepEqual(top, {
      at: top.at,
      reader: { kind: 'officer', agency: 'Công an phường Nha Trang', role: 'commune-police', name: null },
      action: 'read',
      data: 'person',
      purpose,
      request_id: r.headers['x-request-id'],
    });
    assert.ok(Math.abs(Date.parse(top.at) - Date.now()) < 60000);
  });

  test('pages come newest first and join up to the whole log; cursors are checked', async () => {
    for (let i = 0; i < 3; i++)
      await as('tinh', 'GET', `/api/v1/people/${AN}/history`, { purpose: `Lần ${i}` });
    await settled();
    const all = (await as('an', 'GET', '/api/v1/me/access-log?limit=500')).json();
    assert.equal(all.next_cursor, null);
    assert.ok(all.items.length >= 8, `${all.items.length} rows`);
    const stamps = all.items.map((e) => e.at);
    assert.deepEqual([...stamps].sort().reverse(), stamps);
    const paged = [];
    let cursor = null;
    do {
      const q = `/api/v1/me/access-log?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await as('an', 'GET', q)).json();
      assert.ok(page.items.length <= 3);
      paged.push(...page.items);
      cursor = page.next_cursor;
      if (cursor) assert.match(cursor, /^\d+\.\d+$/);
    } while (cursor);
    assert.deepEqual(paged, all.items);
    for (const bad of ['limit=0', 'limit=501', 'limit=x', 'cursor=abc', 'cursor=1', 'cursor=1.-2']) {
      const r = await as('an', 'GET', `/api/v1/me/access-log?${bad}`);
      const b = assertProblem(r, 400, 'validation-failed');
      assert.equal(b.errors[0].field, bad.split('=')[0]);
    }
    // Narrowed pages: by kind of reader, action and period (days in Vietnam), paged the same way.
    const dayVN = (iso) => new Date(Date.parse(iso) + 7 * 3600e3).toISOString().slice(0, 10);
    const today = dayVN(new Date().toISOString());
    for (const [query, keep] of [
      ['reader=officer', (e) => e.reader.kind === 'officer'],
      ['action=read', (e) => e.action === 'read'],
      ['reader=officer&action=search', (e) => e.reader.kind === 'officer' && e.action === 'search'],
      [`from=${today}&to=${today}`, (e) => dayVN(e.at) === today],
      ['from=2020-01-01&to=2020-12-31', () => false],
      ['reader=client', (e) => e.reader.kind === 'client'],
    ]) {
      const want = all.items.filter(keep);
      const narrowed = [];
      let next = null;
      do {
        const page = (await as('an', 'GET', `/api/v1/me/access-log?limit=2&${query}${next ? `&cursor=${next}` : ''}`)).json();
        assert.ok(page.items.length <= 2);
        narrowed.push(...page.items);
        next = page.next_cursor;
      } while (next);
      assert.deepEqual(narrowed, want, query);
    }
    assert.ok(all.items.some((e) => e.reader.kind === 'officer' && e.action === 'read'), 'the narrowing is tried on real rows');
    for (const [bad, field] of [['from=2026-13-01', 'from'], ['to=yesterday', 'to'], ['from=2026-05-02&to=2026-05-01', 'to'], ['reader=neighbour', 'reader'], ['action=delete', 'action']]) {
      const b = assertProblem(await as('an', 'GET', `/api/v1/me/access-log?${bad}`), 400, 'validation-failed');
      assert.equal(b.errors[0].field, field, bad);
    }
    // Bình's log holds none of An's rows.
    const binh = (await as('binh', 'GET', '/api/v1/me/access-log?limit=500')).json();
    assert.ok(binh.items.length >= 1);
    const same = (a, e) => a.request_id === e.request_id && a.at === e.at;
    assert.ok(binh.items.every((e) => !all.items.some((a) => same(a, e))));
  });

  test('the CSV download has a header, every row, and RFC 4180 quoting', async () => {
    const all = (await as('an', 'GET', '/api/v1/me/access-log?limit=500')).json().items;
    const r = await as('an', 'GET', '/api/v1/me/access-log.csv');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^text\/csv; charset=utf-8/);
    assert.match(r.headers['content-disposition'], /^attachment; filename="access-log\.csv"$/);
    assert.equal(r.headers['cache-control'], 'no-store');
    const lines = r.text.split('\r\n');
    assert.equal(lines[0], 'at,reader_kind,agency,role,reader_name,action,data,purpose,request_id');
    assert.equal(lines.at(-1), '');
    assert.equal(lines.length, all.length + 2);
    const quoted = `"${purpose.replaceAll('"', '""')}"`;
    const row = lines.find((l) => l.includes(quoted));
    assert.ok(row, `no row with ${quoted}`);
    assert.match(row, /^[\d-]{10}T[\d:.]+Z,officer,Công an phường Nha Trang,commune-police,,read,person,/);
    for (let i = 0; i < all.length; i++) assert.ok(lines[i + 1].startsWith(`${all[i].at},`), `row ${i}`);
  });

  test('the JSON download is the whole log as one document', async () => {
    const all = (await as('an', 'GET', '/api/v1/me/access-log?limit=500')).json();
    const r = await as('an', 'GET', '/api/v1/me/access-log.json');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^application\/json/);
    assert.match(r.headers['content-disposition'], /filename="access-log\.json"/);
    assert.deepEqual(r.json(), all);
  });

  test('the person’s own requests leave no row, and rows older than five years are not shown', async () => {
    const before = await settled();
    const own = ['access-log', 'access-log.csv', 'access-log.json', 'data-export', 'consents'];
    for (const p of own) assert.equal((await as('an', 'GET', `/api/v1/me/${p}`)).status, 200);
    assert.equal((await settled()).access, before.access);
    const shown = (await as('an', 'GET', '/api/v1/me/access-log.json')).json().items.length;
    const old = new Date(Date.now() - (5 * 366 + 2) * 86400000);
    sql(
      `INSERT INTO access_log (${LOG_COLUMNS}) VALUES ('${AN}', ${dayOf(old.getTime())}, ` +
        `'${old.toISOString()}', 'officer:1', 'x', 'commune-police', 'Công an', 'read', ` +
        `'person', 'cũ', 'old')`,
    );
    assert.equal((await as('an', 'GET', '/api/v1/me/access-log.json')).json().items.length, shown);
    assert.equal((await as('an', 'GET', '/api/v1/me/access-log.csv')).text.split('\r\n').length, shown + 2);
  });
});

describe('a long access log', () => {
  test('downloads are written page by page and agree with the pages', async () => {
    const n = 1234;
    const values = [];
    const now = Date.now();
    for (let i = 0; i < n; i++) {
      const at = new Date(now - (n - i) * 3600000); // one an hour for 51 days, in time order
      values.push(
        `('${BINH}', ${dayOf(at.getTime())}, '${at.toISOString()}', 'establishment:${i % 7}', ` +
          `'Khách sạn Biển Xanh ${i % 7}', 'staff', '', 'read', 'guest', ` +
          `'Khai báo lưu trú, phòng ${i}', 'bulk-${i}')`,
      );
    }
    for (let i = 0; i < n; i += 200)
      sql(`INSERT INTO access_log (${LOG_COLUMNS}) VALUES ${values.slice(i, i + 200).join(', ')}`);
    const csv = await as('binh', 'GET', '/api/v1/me/access-log.csv');
    const lines = csv.text.split('\r\n').slice(1, -1);
    const json = (await as('binh', 'GET', '/api/v1/me/access-log.json')).json().items;
    assert.ok(json.length >= n + 1, `${json.length} rows`);
    assert.equal(lines.length, json.length);
    const bulk = json.filter((e) => e.request_id.startsWith('bulk-'));
    assert.equal(bulk.length, n);
    assert.deepEqual(bulk.map((e) => e.request_id), Array.from({ length: n }, (_, i) => `bulk-${n - 1 - i}`));
    assert.deepEqual(bulk[n - 1 - 5].reader, {
      kind: 'establishment',
      agency: null,
      role: 'staff',
      name: 'Khách sạn Biển Xanh 5',
    });
    const hotel = lines.filter((l) => l.includes(',establishment,,staff,Khách sạn Biển Xanh '));
    assert.equal(hotel.length, n);
    assert.ok(lines.some((l) => l.endsWith(',read,guest,"Khai báo lưu trú, phòng 7",bulk-7')));
    const paged = [];
    let cursor = null;
    do {
      const q = `/api/v1/me/access-log?limit=500${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await as('binh', 'GET', q)).json();
      paged.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    assert.deepEqual(paged, json);
  });

  test('a client that goes away in the middle of a download costs nothing', async () => {
    const net = await import('node:net');
    const token = citizens.binh.token;
    await new Promise((resolve) => {
      const sock = net.connect(srv.port, '127.0.0.1', () => {
        sock.write(
          `GET /api/v1/me/access-log.json HTTP/1.1\r\nHost: x\r\n` +
            `Authorization: Bearer ${token}\r\n\r\n`,
        );
      });
      sock.once('data', () => {
        sock.destroy();
        resolve();
      });
      sock.on('error', resolve);
    });
    const r = await as('binh', 'GET', '/api/v1/me/access-log?limit=1');
    assert.equal(r.status, 200);
  });
});

describe('a copy of my data', () => {
  test('of a person loaded by an import holds their first version, as the history shows it', async () => {
    const LOADED = '056092004321'; // a man born in 1992, loaded from a file
    const file = path.join(srv.dataDir, 'loaded.csv');
    fs.writeFileSync(
      file,
      'id_number,full_name,birth_date,sex,permanent_province,permanent_commune,permanent_address\n' +
        `${LOADED},Trần Văn Nạp,1992-03-04,male,${P},${NT},Số 9 đường Trần Phú\n`,
    );
    const r = runCli(['import', 'people', file, '--db', srv.db]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    await citizen('nap', { id_number: LOADED, full_name: 'Trần Văn Nạp', birth_date: '1992-03-04' });
    const d = (await as('nap', 'GET', '/api/v1/me/data-export')).json();
    assert.equal(d.history.length, 1);
    assert.equal(d.history[0].version, 1);
    assert.equal(d.history[0].kind, 'imported');
    assert.equal(d.history[0].changes.full_name.to, 'Trần Văn Nạp');
    assert.equal(d.history[0].changes.permanent_commune.to, NT);
    assert.equal(count(`SELECT COUNT(*) FROM person_history WHERE id_number = '${LOADED}'`), 0);
  });

  test('holds the record, history, consents, account and access log, and no secret', async () => {
    const r = await as('an', 'GET', '/api/v1/me/data-export');
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers['content-disposition'], /filename="data-export\.json"/);
    const d = r.json();
    assert.equal(d.id_number, AN);
    assert.equal(d.person.full_name, 'Nguyễn Văn An');
    assert.equal(d.person.permanent_commune, NT);
    assert.equal(d.history[0].kind, 'born');
    assert.equal(d.history[0].version, 1);
    assert.equal(d.history[0].changes.full_name.to, 'Nguyễn Văn An');
    assert.equal(d.residences[0].kind, 'permanent');
    assert.ok(d.consents.some((c) => c.state === 'withdrawn'));
    assert.deepEqual(d.consents, (await as('an', 'GET', '/api/v1/me/consents?limit=500')).json().items);
    assert.ok(Array.isArray(d.correction_requests));
    assert.equal(d.account.login, AN);
    assert.equal(d.account.id, citizens.an.account);
    assert.equal(d.account.second_factor, false);
    assert.ok(d.sessions.length >= 1);
    assert.ok(d.auth_history.some((h) => h.success === true && h.method === 'password'));
    assert.deepEqual(d.access_log, (await as('an', 'GET', '/api/v1/me/access-log.json')).json().items);
    for (const secret of ['password_hash', 'totp', 'token_hash', 'csrf', '$argon2', 'code_hash', PASSWORD])
      assert.ok(!r.text.includes(secret), `the copy mentions ${secret}`);
    assert.ok(!r.text.includes(citizens.an.token));
    // Bình's copy holds only Bình.
    const b = (await as('binh', 'GET', '/api/v1/me/data-export')).json();
    assert.equal(b.person.id_number, BINH);
    assert.deepEqual(b.consents, []);
  });
});

describe('correction requests', () => {
  let anRequest;
  let binhRequest;

  test('a request goes to the commune where the person lives', async () => {
    const before = await settled();
    const r = await as('an', 'POST', '/api/v1/me/correction-requests', {
      body: {
        field: 'full_name',
        proposed_value: 'Nguyễn Văn Ân',
        reason: 'Tên trên giấy khai sinh có dấu mũ',
        evidence_ref: 'GKS-1990-0517',
      },
    });
    assert.equal(r.status, 201, r.text);
    anRequest = r.json();
    assert.deepEqual(
      { ...anRequest, id: 0, created_at: '' },
      {
        id: 0,
        id_number: AN,
        field: 'full_name',
        current_value: 'Nguyễn Văn An',
        proposed_value: 'Nguyễn Văn Ân',
        reason: 'Tên trên giấy khai sinh có dấu mũ',
        evidence_ref: 'GKS-1990-0517',
        province: P,
        commune: NT,
        status: 'open',
        created_at: '',
        decision: null,
        dossier: `correction-request:${anRequest.id}`,
      },
    );
    const b = await as('binh', 'POST', '/api/v1/me/correction-requests', {
      body: { field: 'religion', proposed_value: 'Phật giáo', reason: 'Bổ sung tôn giáo' },
    });
    assert.equal(b.status, 201, b.text);
    binhRequest = b.json();
    assert.equal(binhRequest.commune, BNT);
    assert.equal(binhRequest.evidence_ref, null);
    const now = snapshot();
    assert.equal(now.corrections, before.corrections + 2);
    assert.equal(now.events, before.events + 2);
    assert.equal(count("SELECT COUNT(*) FROM events WHERE type = 'correction.requested'"), 2);
    const mine = (await as('an', 'GET', '/api/v1/me/correction-requests')).json();
    assert.deepEqual(mine.items, [anRequest]);
  });

  test('requests the register could not apply are refused and store nothing', async () => {
    const before = await settled();
    const post = (body) => as('an', 'POST', '/api/v1/me/correction-requests', { body });
    const cases = [
      [
        { field: 'permanent_address', proposed_value: '1 Lê Lợi', reason: 'r' },
        ['field:field-not-correctable'],
      ],
      [{ field: 'id_number', proposed_value: '056090009999', reason: 'r' }, ['field:field-not-correctable']],
      [{ field: 'sex', proposed_value: 'female', reason: 'r' }, ['proposed_value:id-century-sex']],
      [{ field: 'birth_date', proposed_value: '1991-05-17', reason: 'r' }, ['proposed_value:id-year']],
      [{ field: 'father_id', proposed_value: AN, reason: 'r' }, ['proposed_value:link-self']],
      [{ field: 'full_name', proposed_value: 'Nguyễn Văn Ân' }, ['reason:required']],
      [{ field: 'full_name', reason: 'r' }, ['proposed_value:required']],
      [
        { field: 'full_name', proposed_value: 'x'.repeat(301), reason: 'r', note: 1 },
        ['note:unknown-field', 'proposed_value:text-invalid'],
      ],
    ];
    for (const [body, want] of cases) {
      const b = assertProblem(await post(body), 400, 'validation-failed');
      assert.deepEqual(codes(b), want, JSON.stringify(body));
    }
    const unchanged = { field: 'full_name', proposed_value: 'Nguyễn Văn An', reason: 'r' };
    const same = assertProblem(await post(unchanged), 422, 'correction-same-value');
    assert.equal(same.title, 'Correction Same Value');
    const kim = await as('kim', 'POST', '/api/v1/me/correction-requests', { body: unchanged });
    assertProblem(kim, 403, 'no-id-number');
    assert.deepEqual(await settled(), before);
  });

  test('each officer sees the requests of their area, and the listing is logged', async () => {
    const list = async (who, q = '', purpose = 'Xử lý yêu cầu điều chỉnh') =>
      as(who, 'GET', `/api/v1/correction-requests${q}`, { purpose });
    const ids = async (who, q) => (await list(who, q)).json().items.map((c) => c.id);
    assert.deepEqual(await ids('nt01'), [anRequest.id]);
    assert.deepEqual(await ids('bnt01'), [binhRequest.id]);
    assert.deepEqual(await ids('tinh'), [anRequest.id, binhRequest.id]);
    assert.deepEqual(await ids('dichvu'), [anRequest.id, binhRequest.id]);
    const first = (await list('tinh', '?limit=1')).json();
    assert.deepEqual(first.items.map((c) => c.id), [anRequest.id]);
    assert.deepEqual(await ids('tinh', `?limit=1&cursor=${first.next_cursor}`), [binhRequest.id]);
    assert.deepEqual(await ids('nt01', '?status=accepted'), []);
    const before = await settled();
    const noPurpose = assertProblem(await list('nt01', '', null), 400, 'validation-failed');
    assert.deepEqual(codes(noPurpose), ['X-Purpose:purpose-required']);
    const badStatus = assertProblem(await list('nt01', '?status=done'), 400, 'validation-failed');
    assert.deepEqual(codes(badStatus), ['status:status-invalid']);
    assert.deepEqual(await settled(), before);
    const log = (await as('an', 'GET', '/api/v1/me/access-log?limit=500')).json().items;
    const listed = log.filter((e) => e.data === 'correction-request');
    assert.ok(listed.length >= 4, `${listed.length} rows`);
    assert.equal(listed[0].purpose, 'Xử lý yêu cầu điều chỉnh');
  });

  test('a decision is made once, by an officer of the area, and does not touch the register', async () => {
    const decide = (who, id, body) =>
      as(who, 'POST', `/api/v1/correction-requests/${id}/decisions`, { body });
    const before = await settled();
    assertProblem(await decide('bnt01', anRequest.id, { decision: 'accept', note: 'x' }), 404, 'not-found');
    assertProblem(await decide('dichvu', anRequest.id, { decision: 'accept', note: 'x' }), 403, 'forbidden');
    assertProblem(await decide('nt01', 999999, { decision: 'accept', note: 'x' }), 404, 'not-found');
    const maybe = await decide('nt01', anRequest.id, { decision: 'maybe', note: '' });
    const bad = assertProblem(maybe, 400, 'validation-failed');
    assert.deepEqual(codes(bad), ['decision:decision-invalid', 'note:text-invalid']);
    assert.deepEqual(await settled(), before);

    const note = 'Đúng theo giấy khai sinh bản chính';
    const r = await decide('nt01', anRequest.id, { decision: 'accept', note });
    assert.equal(r.status, 201, r.text);
    const d = r.json();
    assert.equal(d.status, 'accepted');
    assert.equal(d.decision.note, note);
    assert.equal(d.decision.officer_name, 'Cán bộ nt01');
    assert.match(d.decision.officer, /^officer:\d+$/);
    const now = await settled();
    assert.equal(now.decided, before.decided + 1);
    assert.equal(now.history, before.history); // the register is unchanged
    assert.equal(now.access, before.access + 1);
    assert.equal(count("SELECT COUNT(*) FROM events WHERE type = 'correction.decided'"), 1);
    const person = await as('nt01', 'GET', `/api/v1/people/${AN}`, { purpose: 'Điều chỉnh' });
    assert.equal(person.json().full_name, 'Nguyễn Văn An');

    const again = await settled();
    const twice = await decide('nt01', anRequest.id, { decision: 'reject', note: 'x' });
    const b = assertProblem(twice, 409, 'correction-request-decided');
    assert.equal(b.title, 'Correction Request Decided');
    assert.deepEqual(await settled(), again);
    assert.deepEqual((await as('an', 'GET', '/api/v1/me/correction-requests')).json().items[0], d);
    const rej = await decide('bnt01', binhRequest.id, { decision: 'reject', note: 'Thiếu giấy tờ' });
    assert.equal(rej.json().status, 'rejected');
    const rejected = await as('tinh', 'GET', '/api/v1/correction-requests?status=rejected', {
      purpose: 'x',
    });
    assert.deepEqual(rejected.json().items.map((c) => c.id), [binhRequest.id]);
  });

  test('the officer then corrects the record with the request as the dossier', async () => {
    const got = await as('nt01', 'GET', `/api/v1/people/${AN}`, { purpose: 'Điều chỉnh' });
    const r = await as('nt01', 'PATCH', `/api/v1/people/${AN}`, {
      headers: { 'If-Match': got.headers.etag },
      body: {
        full_name: anRequest.proposed_value,
        reason: 'Điều chỉnh theo yêu cầu của công dân',
        legal_basis: 'Luật Cư trú 2020',
        dossier: anRequest.dossier,
      },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().full_name, 'Nguyễn Văn Ân');
    const copy = (await as('an', 'GET', '/api/v1/me/data-export')).json();
    assert.equal(copy.person.full_name, 'Nguyễn Văn Ân');
    assert.equal(copy.history.at(-1).dossier, `correction-request:${anRequest.id}`);
    assert.equal(copy.correction_requests[0].status, 'accepted');
  });
});
