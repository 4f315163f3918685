// insight.test.mjs — the leaders' dashboards on the real binary, on SQLite or PostgreSQL
// (DD_TEST_DB): births and a death registered through the register's API reach the figures
// through the `insight` event consumer; a commune officer sees their commune only; exports as CSV
// (parsed and checked line by line) and XLSX (opened with exceljs) with small cells hidden for
// readers outside the police and kept for the police; bad filters and formats refused; the
// labour department's CSV import with a result per line, refused lines storing nothing;
// `dinhdanh insight rebuild` gives the same figures.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { assertProblem, runCli, sleep } from './server.mjs';
import { call, count, officer, startIdentityServer } from './identity_util.mjs';
import { BNT, NT, P } from './org_util.mjs';

let srv;
let leader;
let pp; // province police
let cpB; // commune police of Bắc Nha Trang
let admin;

const LAW = 'Luật Hộ tịch 2014';
const MONTH = new Date().toISOString().slice(0, 7);
const FROM = `${Number(MONTH.slice(0, 4)) - 1}${MONTH.slice(4)}`;

function idFor(sex, year, seq) {
  const digit = Math.floor((year - 1900) / 100) * 2 + (sex === 'female' ? 1 : 0);
  return `056${digit}${String(year % 100).padStart(2, '0')}${String(seq).padStart(6, '0')}`;
}

async function born(seq, commune, sex = 'male', date = `${MONTH}-01`) {
  const year = Number(date.slice(0, 4));
  const r = await call(srv, 'POST', '/api/v1/people', {
    as: pp.token,
    body: {
      id_number: idFor(sex, year, seq), full_name: 'Nguyễn Văn Sinh', birth_date: date, sex,
      permanent_province: P, permanent_commune: commune, permanent_address: '1 Trần Phú',
      reason: 'Đăng ký khai sinh', legal_basis: LAW,
    },
  });
  assert.equal(r.status, 201, r.text);
  return r.json().id_number;
}

const get = (who, path) => call(srv, 'GET', path, { as: who.token });

// Waits until the consumer has delivered every event.
async function settled() {
  for (let i = 0; i < 300; i++) {
    const pending = count(srv, "SELECT (SELECT COALESCE(MAX(id), 0) FROM events) - COALESCE((SELECT position FROM event_cursors WHERE consumer = 'insight'), 0)");
    if (pending === 0) return;
    await sleep(20);
  }
  assert.fail('the insight consumer did not catch up');
}

function parseCsv(text) {
  assert.ok(text.endsWith('\r\n'), 'lines end with CRLF');
  const lines = text.slice(0, -2).split('\r\n');
  const rows = lines.map((l) => l.split(','));
  for (const r of rows) assert.equal(r.length, rows[0].length, `same columns: ${r}`);
  return rows;
}

before(async () => {
  srv = await startIdentityServer();
  leader = officer(srv, 'lanhdao.ins', 'leader', P);
  pp = officer(srv, 'cand.tinh.ins', 'province-police', P);
  cpB = officer(srv, 'cand.bnt.ins', 'commune-police', `${P}-${BNT}`);
  admin = officer(srv, 'quantri.ins', 'admin', P);
  for (let i = 0; i < 7; i++) await born(100 + i, NT, i < 5 ? 'male' : 'female');
  for (let i = 0; i < 2; i++) await born(200 + i, BNT, 'female');
  const d = await call(srv, 'POST', `/api/v1/people/${idFor('male', Number(MONTH.slice(0, 4)), 100)}/deaths`, {
    as: pp.token, body: { date: `${MONTH}-02`, reason: 'Khai tử', legal_basis: LAW },
  });
  assert.equal(d.status, 201, d.text);
  await settled();
});
after(async () => {
  await srv?.stop();
});

describe('population', () => {
  test('births and a death through the register reach the figures', async () => {
    const r = await get(leader, `/api/v1/insight/population?from=${FROM}&to=${MONTH}`);
    assert.equal(r.status, 200, r.text);
    const b = r.json();
    const nt = b.by_commune.find((c) => c.commune === NT);
    assert.equal(nt.people, 6);
    assert.equal(nt.male, 4);
    assert.equal(b.by_commune.find((c) => c.commune === BNT).people, 2);
    const month = b.by_month.find((m) => m.month === MONTH);
    assert.equal(month.births, 9);
    assert.equal(month.deaths, 1);
    assert.equal(month.natural_growth, 8);
    assert.equal(b.period.births, 9);
    const under5 = b.pyramid.find((p) => p.band === '0-4');
    assert.deepEqual([under5.male, under5.female], [4, 4]);
    assert.equal(b.totals.people, 8);
    assert.equal(b.ethnicity.reduce((s, e) => s + e.people, 0), 8);
  });

  test('a commune officer sees their commune only, whatever they ask', async () => {
    const r = await get(cpB, `/api/v1/insight/population?commune=${NT}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json().by_commune.map((c) => c.commune), [BNT]);
    assert.equal(r.json().totals.people, 2);
  });

  test('bad filters are 400 with the field; an unknown area is 404', async () => {
    for (const [q, field] of [['from=2025-13', 'from'], ['to=2025', 'to'], ['from=2010-01&to=2025-01', 'to'],
      ['commune=12', 'commune'], ['compare_from=2025-01', 'compare_to']]) {
      const b = assertProblem(await get(leader, `/api/v1/insight/tourism?${q}`), 400, 'validation-failed');
      assert.ok(b.errors.some((e) => e.field === field), `${q}: ${JSON.stringify(b.errors)}`);
    }
    assertProblem(await get(leader, '/api/v1/insight/weather/export'), 404, 'not-found');
    assertProblem(await get(leader, '/api/v1/insight/population/export?format=pdf'), 400, 'validation-failed');
  });
});

describe('exports', () => {
  test('CSV shared outside the police hides counts under 5; the police see them', async () => {
    const shared = await get(leader, '/api/v1/insight/population/export?format=csv');
    assert.equal(shared.status, 200, shared.text);
    assert.match(shared.headers['content-type'], /^text\/csv/);
    assert.equal(shared.headers['x-suppressed-below'], '5');
    const rows = parseCsv(shared.text);
    assert.deepEqual(rows[0], ['commune', 'age_band', 'sex', 'people']);
    const cell = (rs, c, s) => rs.find((r) => r[0] === c && r[1] === '0' && r[2] === s)?.[3];
    assert.equal(cell(rows, NT, 'male'), '<5');
    assert.equal(cell(rows, BNT, 'female'), '<5');
    assertProblem(await get(leader, '/api/v1/insight/population/export?format=csv&audience=police'), 403, 'forbidden');
    const police = await get(pp, '/api/v1/insight/population/export?format=csv&audience=police');
    assert.equal(police.status, 200, police.text);
    const prow = parseCsv(police.text);
    assert.equal(cell(prow, NT, 'male'), '4');
    assert.equal(cell(prow, BNT, 'female'), '2');
    assert.equal(prow.length, rows.length);
  });

  test('XLSX opens with a reader and holds the same table', async () => {
    const r = await srv.request('GET', '/api/v1/insight/population/export?format=xlsx&audience=police', {
      headers: { Authorization: `Bearer ${pp.token}` },
    });
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /spreadsheetml\.sheet/);
    const csv = parseCsv((await get(pp, '/api/v1/insight/population/export?format=csv&audience=police')).text);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.body);
    const ws = wb.getWorksheet('population');
    assert.ok(ws, 'the sheet is named after the area');
    assert.equal(ws.rowCount, csv.length);
    for (let i = 0; i < csv.length; i++)
      assert.deepEqual(ws.getRow(i + 1).values.slice(1).map(String), csv[i], `row ${i + 1}`);
    assert.equal(typeof ws.getRow(2).getCell(4).value, 'number', 'counts are numbers');
  });
});

describe('labour', () => {
  test('the import gives a result per line; refused lines and files store nothing', async () => {
    const a = idFor('male', Number(MONTH.slice(0, 4)), 101);
    const csv = 'id_number,commune,employment_status,sector,industrial_park\r\n' +
      `${a},${NT},employed,industry,KCN Suối Dầu\r\n` +
      `${a.slice(0, 11)}9,${NT},employed,industry,\r\n` +
      `${a},${NT},retired,,\r\n` +
      `${a},99999,employed,,\r\n`;
    const post = (body, as = admin) => srv.request('POST', '/api/v1/insight/labour-imports', {
      headers: { Authorization: `Bearer ${as.token}`, 'Content-Type': 'text/csv' }, body,
    });
    assertProblem(await post(csv, leader), 403, 'forbidden');
    assertProblem(await post('who,what\r\n1,2\r\n'), 400, 'validation-failed');
    assert.equal(count(srv, 'SELECT COUNT(*) FROM people_labour'), 0);
    const r = await post(csv);
    assert.equal(r.status, 200, r.text);
    const b = JSON.parse(r.text);
    assert.deepEqual([b.lines, b.recorded, b.rejected], [4, 1, 3]);
    assert.deepEqual(b.results.map((x) => x.result), ['recorded', 'rejected', 'rejected', 'rejected']);
    assert.equal(b.results[1].errors[0].field, 'id_number');
    assert.equal(b.results[2].errors[0].field, 'employment_status');
    assert.equal(b.results[3].errors[0].field, 'commune');
    assert.equal(count(srv, 'SELECT COUNT(*) FROM people_labour'), 1);
    const again = JSON.parse((await post(csv)).text);
    assert.equal(again.results[0].result, 'unchanged');
    await settled();
    const l = (await get(leader, '/api/v1/insight/labour')).json();
    assert.deepEqual(l.by_status, [{ status: 'employed', sector: 'industry', people: 1 }]);
    assert.deepEqual(l.by_park, [{ park: 'KCN Suối Dầu', people: 1 }]);
    assert.equal(l.working_age.reduce((s, c) => s + c.working_age, 0), 0, 'newborns are not of working age');
  });
});

describe('rebuild', () => {
  test('dinhdanh insight rebuild gives the same figures', async () => {
    await settled();
    const path = `/api/v1/insight/population?from=${FROM}&to=${MONTH}`;
    const before = (await get(leader, path)).json();
    const labour = (await get(leader, '/api/v1/insight/labour')).json();
    const r = runCli(['insight', 'rebuild', '--db', srv.db]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /rebuilt up to event \d+: \d+ living people counted/);
    assert.deepEqual((await get(leader, path)).json(), before);
    assert.deepEqual((await get(leader, '/api/v1/insight/labour')).json(), labour);
  });
});
