// insight_tourism.test.mjs — the leaders' tourism figures and the population density on the real
// binary, on SQLite or PostgreSQL (DD_TEST_DB): check-ins and a check-out through the stays API
// reach, through the one `insight` consumer, both the stays module's daily figures and the
// dashboards' monthly ones (guest nights, occupancy over rooms and beds, length of stay), with a
// comparison period; every export table by name as CSV and XLSX, with the comparison period's
// rows and small cells hidden outside the police; the communes' areas loaded by
// `dinhdanh insight areas` give the density where an area is known (a bad file stores nothing);
// `dinhdanh insight rebuild` gives the same tourism figures from the stays.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { assertProblem, runCli, sleep, tempDir } from './server.mjs';
import { addPerson, call, count, officer, sql, startIdentityServer } from './identity_util.mjs';
import { NT, P } from './org_util.mjs';
import { establishment, person, vnDay } from './stay_util.mjs';

let srv;
let leader;
let pp; // province police
let tour; // the tourism department
let home; // a homestay of 4 beds in 2 rooms

const ARRIVED = vnDay(-2);
const MONTH = vnDay(0).slice(0, 7);
const FROM = ARRIVED.slice(0, 7);
const LAST_YEAR = `${Number(FROM.slice(0, 4)) - 1}${FROM.slice(4)}`;
const RANGE = `from=${FROM}&to=${MONTH}`;
const get = (who, path) => call(srv, 'GET', path, { as: who.token });

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
  const rows = text.slice(0, -2).split('\r\n').map((l) => l.split(','));
  for (const r of rows) assert.equal(r.length, rows[0].length, `same columns: ${r}`);
  return rows;
}

before(async () => {
  srv = await startIdentityServer();
  const cp = officer(srv, 'cand.nt.instour', 'commune-police', `${P}-${NT}`);
  leader = officer(srv, 'lanhdao.instour', 'leader', P);
  pp = officer(srv, 'cand.tinh.instour', 'province-police', P);
  tour = officer(srv, 'dulich.instour', 'tourism', P);
  home = await establishment(srv, cp, { kind: 'homestay', type: 'homestay', beds: 4, commune: NT });
  const g = person(srv, {}, '48');
  const inA = await call(srv, 'POST', '/api/v1/stays/checkins', { as: home.token, body: { id_number: g.id_number, arrived_at: `${ARRIVED}T14:00:00+07:00` } });
  assert.equal(inA.status, 201, inA.text);
  const inB = await call(srv, 'POST', '/api/v1/stays/checkins', { as: home.token, body: { passport: { number: 'J7654321', nationality: 'JPN', full_name: 'SATO KEN', sex: 'male', birth_date: '1985-05-05' }, expected_departure: vnDay(1), arrived_at: `${ARRIVED}T15:00:00+07:00` } });
  assert.equal(inB.status, 201, inB.text);
  const out = await call(srv, 'POST', '/api/v1/stays/checkouts', { as: home.token, body: { id_number: g.id_number } });
  assert.equal(out.status, 200, out.text);
  await settled();
});
after(async () => {
  await srv?.stop();
});

describe('tourism', () => {
  test('the check-ins write no figures themselves; the consumer keeps the daily and the monthly ones', async () => {
    // The events are all delivered: the daily table the stays API reads and the monthly one agree.
    const daily = count(srv, `SELECT COALESCE(SUM(guest_nights), 0) FROM stay_fig_nights WHERE commune_code = '${NT}' AND class = 'homestay'`);
    const monthly = count(srv, `SELECT COALESCE(SUM(guest_nights), 0) FROM insight_tourism WHERE commune_code = '${NT}' AND class = 'homestay'`);
    assert.equal(daily, 3); // the citizen's two nights, the Japanese guest's first
    assert.equal(monthly, daily);
    const f = (await get(tour, `/api/v1/stays/figures?from=${ARRIVED}&to=${vnDay(0)}&commune=${NT}`)).json();
    assert.equal(f.nights.filter((n) => n.class === 'homestay').reduce((s, n) => s + n.guest_nights, 0), 3);
  });

  test('occupancy over rooms and beds, length of stay, and a comparison period', async () => {
    const r = await get(leader, `/api/v1/insight/tourism?${RANGE}&compare_from=${LAST_YEAR}&compare_to=${LAST_YEAR}`);
    assert.equal(r.status, 200, r.text);
    const b = r.json();
    const row = b.by_commune_class.find((c) => c.commune === NT && c.class === 'homestay');
    assert.equal(row.guest_nights, 3);
    assert.equal(row.arrivals, 2);
    assert.equal(row.rooms, 2);
    assert.equal(row.beds, 4);
    assert.ok(row.days >= 3 && row.days <= 62, `days ${row.days}`);
    assert.equal(row.occupancy, 3 / (2 * row.days));
    assert.equal(row.bed_occupancy, 3 / (4 * row.days));
    const los = b.length_of_stay;
    assert.equal(los.stays, 1, 'only the guest who left counts');
    assert.equal(los.nights, 2);
    assert.equal(los.mean_nights, 2);
    assert.deepEqual(los.distribution.find((d) => d.nights === '2'), { nights: '2', stays: 1 });
    assert.equal(los.distribution.reduce((s, d) => s + d.stays, 0), 1);
    assert.deepEqual(los.by_nationality.map((n) => [n.nationality, n.stays, n.mean_nights]), [['VNM', 1, 2]]);
    assert.deepEqual(los.by_class.map((n) => n.class), ['homestay']);
    assert.deepEqual(b.by_commune_class_compare, []);
    assert.equal(b.length_of_stay_compare.stays, 0);
    assert.equal(b.length_of_stay_compare.mean_nights, null);
  });

  test('every table exports by name; the comparison period adds its rows; small cells hidden outside the police', async () => {
    const shared = await get(leader, `/api/v1/insight/tourism/export?format=csv&table=length_of_stay&${RANGE}`);
    assert.equal(shared.status, 200, shared.text);
    const rows = parseCsv(shared.text);
    assert.deepEqual(rows[0], ['commune', 'class', 'nationality', 'nights', 'stays']);
    assert.deepEqual(rows.slice(1), [[NT, 'homestay', 'VNM', '2', '<5']]);
    const police = parseCsv((await get(pp, `/api/v1/insight/tourism/export?format=csv&table=length_of_stay&audience=police&${RANGE}`)).text);
    assert.deepEqual(police.slice(1), [[NT, 'homestay', 'VNM', '2', '1']]);
    const cmp = parseCsv((await get(pp, `/api/v1/insight/tourism/export?format=csv&table=nights&audience=police&${RANGE}&compare_from=${LAST_YEAR}&compare_to=${LAST_YEAR}`)).text);
    assert.deepEqual(cmp[0], ['period', 'commune', 'month', 'class', 'arrivals', 'guest_nights']);
    assert.ok(cmp.slice(1).every((x) => x[0] === `${FROM}..${MONTH}`), 'last year had no stays');
    assert.equal(cmp.slice(1).filter((x) => x[3] === 'homestay').reduce((s, x) => s + Number(x[5]), 0), 3);
    const occ = await srv.request('GET', `/api/v1/insight/tourism/export?format=xlsx&table=occupancy&audience=police&${RANGE}`, { headers: { Authorization: `Bearer ${pp.token}` } });
    assert.equal(occ.status, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(occ.body);
    const ws = wb.getWorksheet('tourism occupancy');
    assert.ok(ws, 'the sheet is named after the area and the table');
    assert.deepEqual(ws.getRow(1).values.slice(1), ['commune', 'class', 'guest_nights', 'rooms', 'beds', 'days', 'occupancy', 'bed_occupancy']);
    const home_ = ws.getRows(2, ws.rowCount - 1).find((x) => x.getCell(2).value === 'homestay');
    assert.equal(home_.getCell(3).value, 3);
    assert.equal(home_.getCell(4).value, 2);
    for (const t of ['nights', 'arrivals']) assert.equal((await get(leader, `/api/v1/insight/tourism/export?table=${t}&${RANGE}`)).status, 200, t);
    for (const t of ['age', 'communes', 'flows', 'moves', 'composition']) assert.equal((await get(leader, `/api/v1/insight/population/export?table=${t}`)).status, 200, t);
    for (const t of ['status', 'working_age']) assert.equal((await get(leader, `/api/v1/insight/labour/export?table=${t}`)).status, 200, t);
    assert.equal((await get(leader, '/api/v1/insight/order/export?table=late_and_watch')).status, 200);
    const bad = assertProblem(await get(leader, '/api/v1/insight/tourism/export?table=age'), 400, 'validation-failed');
    assert.equal(bad.errors[0].field, 'table');
  });

  test('dinhdanh insight rebuild gives the same tourism figures, daily and monthly, from the stays', async () => {
    const path = `/api/v1/insight/tourism?${RANGE}`;
    const daily = `/api/v1/stays/figures?from=${ARRIVED}&to=${vnDay(0)}`;
    const before = [(await get(leader, path)).json(), (await get(tour, daily)).json()];
    const r = runCli(['insight', 'rebuild', '--db', srv.db]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual([(await get(leader, path)).json(), (await get(tour, daily)).json()], before);
  });
});

describe('density', () => {
  test('shown only where the commune has an area; a bad file stores nothing', async () => {
    // A resident of the province, written straight to the register: a rebuild counts them.
    sql(srv, `UPDATE people SET permanent_province = '${P}', permanent_commune = '${NT}' WHERE id_number = '${addPerson(srv).id_number}'`);
    assert.equal(runCli(['insight', 'rebuild', '--db', srv.db]).status, 0);
    const pop = (await get(leader, '/api/v1/insight/population')).json();
    assert.ok(pop.by_commune.length > 0);
    assert.ok(pop.by_commune.every((c) => c.area_km2 === null && c.density === null), 'no areas yet');
    const dir = tempDir('areas');
    const bad = join(dir, 'areas-bad.csv');
    writeFileSync(bad, 'province_code,commune_code,area_km2,source\n56,22366,12.5,test figure\n56,22333,-3,test figure\n');
    const rb = runCli(['insight', 'areas', bad, '--db', srv.db]);
    assert.notEqual(rb.status, 0);
    assert.match(rb.stderr, /line 3/);
    assert.equal(count(srv, 'SELECT COUNT(*) FROM insight_commune_areas'), 0);
    // Test figures, not the communes' real areas.
    const commune = pop.by_commune[0];
    const good = join(dir, 'areas.csv');
    writeFileSync(good, `province_code,commune_code,area_km2,source\n# test figures\n56,${commune.commune},12.5,test figure\n`);
    const r = runCli(['insight', 'areas', good, '--db', srv.db]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /1 communes' areas stored/);
    const after_ = (await get(leader, '/api/v1/insight/population')).json().by_commune;
    const c = after_.find((x) => x.commune === commune.commune);
    assert.equal(c.area_km2, 12.5);
    assert.equal(c.density, c.people / 12.5);
    assert.ok(after_.filter((x) => x.commune !== commune.commune).every((x) => x.density === null));
    const csv = parseCsv((await get(leader, '/api/v1/insight/population/export?table=communes')).text);
    assert.deepEqual(csv[0], ['commune', 'people', 'male', 'area_km2', 'density']);
    assert.equal(Number(csv.find((x) => x[0] === commune.commune)[3]), 12.5);
  });
});
