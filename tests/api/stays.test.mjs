// stays.test.mjs — accommodation reporting on the real binary, on SQLite or PostgreSQL
// (DD_TEST_DB): establishments asked for by their owner and approved by the commune police; the
// desk's check-in by typed ID number (the register fills the guest in and an access-log row is
// written), by the card's QR text and by passport; unknown ID numbers accepted unverified; a
// duplicate check-in, a check-out before a check-in and a departure before the arrival refused;
// the deadlines (23:00, 08:00 the next day, 12 hours for foreigners, 24 in remote communes) and
// late marking; close relatives' standing notification; hospitals' companions; corrections with
// history; every refused write checked to have stored nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertProblem } from './server.mjs';
import { call, count, officer, sql, startIdentityServer } from './identity_util.mjs';
import { BNT, NT, P, addStaff } from './org_util.mjs';
import { PURPOSE, establishment, local, person, qrOf, staySnapshot, vnDay, vnTime } from './stay_util.mjs';

let srv;
let cp; // commune police of Nha Trang
let cpB; // commune police of Bắc Nha Trang
let hotel; // an approved 3-star hotel in Nha Trang
let clerk; // a clerk of that hotel

before(async () => {
  srv = await startIdentityServer();
  cp = officer(srv, 'cand.nt.stay', 'commune-police', `${P}-${NT}`);
  cpB = officer(srv, 'cand.bnt.stay', 'commune-police', `${P}-${BNT}`);
  hotel = await establishment(srv, cp);
  clerk = await addStaff(srv, hotel.org.id, hotel.token, 'clerk');
});
after(async () => {
  await srv?.stop();
});

const checkin = (as, body, headers = {}) => call(srv, 'POST', '/api/v1/stays/checkins', { as, body, headers });

describe('establishments', () => {
  test('a profile is pending until the commune police approve it; only then may it report', async () => {
    const { registerOrg } = await import('./org_util.mjs');
    const o = await registerOrg(srv, cp.token, { kind: 'guesthouse' });
    const t = o.owner.session.token;
    const before = staySnapshot(srv);
    assertProblem(await call(srv, 'POST', '/api/v1/stays/establishment', { as: t, body: { type: 'hospital' } }), 400, 'validation-failed');
    assertProblem(await call(srv, 'POST', '/api/v1/stays/establishment', { as: t, body: { type: 'hotel' } }), 400, 'validation-failed');
    assertProblem(await call(srv, 'POST', '/api/v1/stays/establishment', { as: t, body: { type: 'motel', colour: 'x' } }), 400, 'validation-failed');
    assert.deepEqual(staySnapshot(srv), before);
    const r = await call(srv, 'POST', '/api/v1/stays/establishment', { as: t, body: { type: 'motel', beds: 10 } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json().status, 'pending');
    assert.equal(r.json().class, 'motel');
    assertProblem(await call(srv, 'POST', '/api/v1/stays/establishment', { as: t, body: { type: 'motel' } }), 409, 'stay-establishment-exists');
    const g = person(srv);
    assertProblem(await checkin(t, { id_number: g.id_number }), 403, 'stay-establishment-not-approved');
    // The police of another commune do not see it.
    assertProblem(await call(srv, 'POST', `/api/v1/stays/police/establishments/${o.org.id}/decisions`, { as: cpB.token, body: { decision: 'approve' } }), 404, 'not-found');
    const list = await call(srv, 'GET', '/api/v1/stays/police/establishments?status=pending', { as: cp.token });
    assert.ok(list.json().items.some((e) => e.id === o.org.id));
    const d = await call(srv, 'POST', `/api/v1/stays/police/establishments/${o.org.id}/decisions`, { as: cp.token, body: { decision: 'approve' } });
    assert.equal(d.status, 200, d.text);
    assert.equal(d.json().status, 'approved');
    assert.equal((await checkin(t, { id_number: g.id_number })).status, 201);
  });

  test('a hotel needs its star class; a clerk cannot ask for the profile', async () => {
    assertProblem(await call(srv, 'POST', '/api/v1/stays/establishment', { as: clerk.session.token, body: { type: 'hotel', stars: 3 } }), 403, 'forbidden');
    const me = await call(srv, 'GET', '/api/v1/stays/establishment', { as: clerk.session.token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json().class, 'hotel-3');
    assert.equal(me.json().stars, 3);
  });
});

describe('check-in', () => {
  test('a typed ID number is filled in by the register, verified, with an access-log row', async () => {
    const g = person(srv, { full_name: 'Phạm Thị Hoa', sex: 'female', birth_date: '1988-02-03' }, '01');
    const events = count(srv, "SELECT COUNT(*) FROM events WHERE type = 'stay.checked_in'");
    const r = await checkin(clerk.session.token, { id_number: g.id_number, room: '305', reason: 'Du lịch' });
    assert.equal(r.status, 201, r.text);
    const s = r.json().stay;
    assert.equal(r.headers.location, `/api/v1/stays/guests/${s.id}`);
    assert.equal(s.full_name, 'Phạm Thị Hoa');
    assert.equal(s.birth_date, '1988-02-03');
    assert.equal(s.sex, 'female');
    assert.equal(s.origin_province, '01');
    assert.equal(s.verified, true);
    assert.equal(s.source, 'typed');
    assert.equal(s.room, '305');
    assert.equal(s.nationality, 'VNM');
    assert.equal(s.late, false);
    assert.equal(s.commune, NT);
    assert.equal(s.reported_by, `account:${clerk.account_id}`);
    assert.equal(count(srv, "SELECT COUNT(*) FROM events WHERE type = 'stay.checked_in'"), events + 1);
    let rows = 0;
    for (let i = 0; i < 100 && rows === 0; i++) {
      rows = count(srv, `SELECT COUNT(*) FROM access_log WHERE id_number = '${g.id_number}' AND data = 'stay'`);
      if (!rows) await new Promise((res) => setTimeout(res, 20));
    }
    assert.equal(rows, 1);
  });

  test('the card QR text checks a guest in', async () => {
    const g = person(srv, { full_name: 'Lê Văn Bình', sex: 'male', birth_date: '1975-11-20' });
    const r = await checkin(clerk.session.token, { qr: qrOf(g), room: '101' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json().stay.source, 'qr');
    assert.equal(r.json().stay.verified, true);
    assert.equal(r.json().stay.id_number, g.id_number);
    const before = staySnapshot(srv);
    assertProblem(await checkin(clerk.session.token, { qr: 'not|a|card' }), 400, 'validation-failed');
    assert.deepEqual(staySnapshot(srv), before);
  });

  test('a chip read checks a guest in', async () => {
    const g = person(srv);
    const r = await checkin(clerk.session.token, { chip: { id_number: g.id_number, full_name: g.full_name, birth_date: g.birth_date, sex: g.sex } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json().stay.source, 'chip');
    assert.equal(r.json().stay.verified, true);
  });

  test('an ID number not in the register is accepted and marked unverified', async () => {
    const r = await checkin(clerk.session.token, { id_number: '001099000123', full_name: 'Khách Ngoài Tỉnh', room: '7' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json().stay.verified, false);
    assert.equal(r.json().stay.full_name, 'Khách Ngoài Tỉnh');
    assert.equal(r.json().stay.origin_province, null);
    assert.equal(count(srv, "SELECT COUNT(*) FROM access_log WHERE id_number = '001099000123'"), 0);
    // An old 9-digit ID number too.
    const old = await checkin(clerk.session.token, { id_number: '225123456', full_name: 'Người Dùng CMND' });
    assert.equal(old.status, 201, old.text);
    assert.equal(old.json().stay.verified, false);
  });

  test('a second check-in of a present guest is 409 stay-duplicate and stores nothing', async () => {
    const g = person(srv);
    const first = await checkin(clerk.session.token, { id_number: g.id_number, room: '1' });
    assert.equal(first.status, 201, first.text);
    const before = staySnapshot(srv);
    const again = await checkin(hotel.token, { id_number: g.id_number, room: '2' });
    const b = assertProblem(again, 409, 'stay-duplicate');
    assert.equal(b.stay_id, first.json().stay.id);
    assert.deepEqual(staySnapshot(srv), before);
    // Another establishment may have the same guest.
    const other = await establishment(srv, cp, { kind: 'homestay', type: 'homestay' });
    assert.equal((await checkin(other.token, { id_number: g.id_number })).status, 201);
  });

  test('bad input is 400 with each field named, and stores nothing', async () => {
    const before = staySnapshot(srv);
    const cases = [
      [{}, ''],
      [{ id_number: '123' }, 'id_number'],
      [{ id_number: '056090000001', passport: { number: 'X' } }, ''],
      [{ id_number: '056090000001', arrived_at: 'yesterday' }, 'arrived_at'],
      [{ id_number: '056090000001', arrived_at: '2099-01-01T00:00:00Z' }, 'arrived_at'],
      [{ id_number: '056090000001', room: 'x'.repeat(201) }, 'room'],
      [{ id_number: '056090000001', patient: { full_name: 'A', ward: 'B' } }, 'patient'],
      [{ id_number: '056090000001', colour: 'blue' }, 'colour'],
      [{ passport: { number: 'M1234567', nationality: 'KOR', full_name: 'KIM MIN', sex: 'male', birth_date: '1990-01-01' } }, 'expected_departure'],
      [{ passport: { number: 'M1234567', nationality: 'VNM', full_name: 'KIM', sex: 'male', birth_date: '1990-01-01' }, expected_departure: vnDay(3) }, 'passport.nationality'],
      ['[1,2]', ''],
    ];
    for (const [body, field] of cases) {
      const r = await checkin(clerk.session.token, body);
      const b = assertProblem(r, 400, 'validation-failed');
      assert.ok(b.errors.some((e) => e.field === field), `${JSON.stringify(body)}: ${r.text}`);
    }
    assert.deepEqual(staySnapshot(srv), before);
  });
});

describe('check-out and corrections', () => {
  test('a check-out before any check-in is 409 stay-not-checked-in; a departure before arrival 422', async () => {
    const g = person(srv);
    const before = staySnapshot(srv);
    assertProblem(await call(srv, 'POST', '/api/v1/stays/checkouts', { as: clerk.session.token, body: { id_number: g.id_number } }), 409, 'stay-not-checked-in');
    assertProblem(await call(srv, 'POST', '/api/v1/stays/checkouts', { as: clerk.session.token, body: { passport: { number: 'P0000001', nationality: 'FRA' } } }), 409, 'stay-not-checked-in');
    assertProblem(await call(srv, 'POST', '/api/v1/stays/checkouts', { as: clerk.session.token, body: { stay_id: 999999 } }), 404, 'not-found');
    assert.deepEqual(staySnapshot(srv), before);
    const arrived = new Date(Date.now() - 3 * 3600e3);
    const s = (await checkin(clerk.session.token, { id_number: g.id_number, arrived_at: local(arrived) })).json().stay;
    const mid = staySnapshot(srv);
    assertProblem(
      await call(srv, 'POST', '/api/v1/stays/checkouts', { as: clerk.session.token, body: { id_number: g.id_number, departed_at: local(new Date(arrived.getTime() - 60e3)) } }),
      422,
      'stay-departure-before-arrival',
    );
    assert.deepEqual(staySnapshot(srv), mid);
    const out = await call(srv, 'POST', '/api/v1/stays/checkouts', { as: clerk.session.token, body: { id_number: g.id_number } });
    assert.equal(out.status, 200, out.text);
    assert.ok(out.json().stay.departed_at);
    assert.equal(out.json().stay.version, 2);
    assertProblem(await call(srv, 'POST', '/api/v1/stays/checkouts', { as: clerk.session.token, body: { stay_id: s.id } }), 409, 'stay-already-departed');
    assertProblem(await call(srv, 'POST', '/api/v1/stays/checkouts', { as: clerk.session.token, body: { id_number: g.id_number } }), 409, 'stay-not-checked-in');
    // Checked out, the guest may check in again.
    assert.equal((await checkin(clerk.session.token, { id_number: g.id_number })).status, 201);
  });

  test('a correction keeps the history; the police read it', async () => {
    const g = person(srv);
    const s = (await checkin(clerk.session.token, { id_number: g.id_number, room: '201' })).json().stay;
    const before = staySnapshot(srv);
    const bad = [{ changes: { room: '202' } }, { changes: { id_number: '1' }, reason: 'x' }, { changes: { room: '201' }, reason: 'nhầm' }, { changes: { birth_date: '1990-13-01' }, reason: 'x' }];
    for (const body of bad)
      assertProblem(await call(srv, 'POST', `/api/v1/stays/guests/${s.id}/corrections`, { as: clerk.session.token, body }), 400, 'validation-failed');
    assert.deepEqual(staySnapshot(srv), before);
    const r = await call(srv, 'POST', `/api/v1/stays/guests/${s.id}/corrections`, { as: clerk.session.token, body: { changes: { room: '202' }, reason: 'Đổi phòng' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().stay.room, '202');
    assert.equal(r.json().stay.version, 2);
    const got = await call(srv, 'GET', `/api/v1/stays/police/stays/${s.id}`, { as: cp.token, headers: { 'X-Purpose': PURPOSE } });
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.json().history.map((h) => [h.version, h.kind, h.reason, h.changes]), [[2, 'corrected', 'Đổi phòng', { room: { from: '201', to: '202' } }]]);
    assertProblem(await call(srv, 'GET', `/api/v1/stays/police/stays/${s.id}`, { as: cpB.token, headers: { 'X-Purpose': PURPOSE } }), 404, 'not-found');
  });
});

describe('deadlines', () => {
  test('an arrival before 23:00 is due at 23:00 that day, one at 23:00 by 08:00 the next', async () => {
    const y = vnDay(-1);
    const g1 = person(srv);
    const a = (await checkin(clerk.session.token, { id_number: g1.id_number, arrived_at: `${y}T22:59:59+07:00` })).json().stay;
    assert.equal(a.due_at, vnTime(y, '23:00:00').toISOString());
    assert.equal(a.arrival_day, y);
    assert.equal(a.late, true);
    const g2 = person(srv);
    const b = (await checkin(clerk.session.token, { id_number: g2.id_number, arrived_at: `${y}T23:00:00+07:00` })).json().stay;
    const due = vnTime(vnDay(0), '08:00:00');
    assert.equal(b.due_at, due.toISOString());
    assert.equal(b.late, Date.now() >= due.getTime());
    const g3 = person(srv);
    const now = (await checkin(clerk.session.token, { id_number: g3.id_number })).json().stay;
    assert.equal(now.late, false);
    // Late ones are listed for the police.
    const late = await call(srv, 'GET', `/api/v1/stays/police/stays?day=${y}&late=true`, { as: cp.token, headers: { 'X-Purpose': PURPOSE } });
    assert.equal(late.status, 200, late.text);
    assert.ok(late.json().items.some((s) => s.id === a.id));
    assert.ok(late.json().items.every((s) => s.late));
  });

  test('a foreign guest is due within 12 hours; 24 in a remote commune', async () => {
    const pp = (n, over = {}) => ({ passport: { number: n, nationality: 'KOR', full_name: 'KIM MIN JUN', sex: 'male', birth_date: '1991-04-05', ...over }, expected_departure: vnDay(3) });
    const t13 = new Date(Date.now() - 13 * 3600e3);
    const t11 = new Date(Date.now() - 11 * 3600e3);
    const late = await checkin(clerk.session.token, { ...pp('M7000001'), arrived_at: local(t13) });
    assert.equal(late.status, 201, late.text);
    const s = late.json().stay;
    assert.equal(s.foreign, true);
    assert.equal(s.nationality, 'KOR');
    assert.equal(s.passport_number, 'M7000001');
    assert.equal(s.verified, false);
    assert.equal(s.source, 'passport');
    assert.equal(s.late, true);
    assert.equal(new Date(s.due_at).getTime(), Math.floor(t13.getTime() / 1000) * 1000 + 12 * 3600e3);
    const ok = (await checkin(clerk.session.token, { ...pp('M7000002'), arrived_at: local(t11) })).json().stay;
    assert.equal(ok.late, false);
    const remote = await establishment(srv, cp, { kind: 'homestay', type: 'homestay', remote: true });
    assert.equal(remote.profile.remote, true);
    const r = (await checkin(remote.token, { ...pp('M7000003'), arrived_at: local(t13) })).json().stay;
    assert.equal(r.late, false);
    assert.equal(new Date(r.due_at).getTime(), Math.floor(t13.getTime() / 1000) * 1000 + 24 * 3600e3);
    // Duplicate by passport too.
    assertProblem(await checkin(clerk.session.token, pp('M7000001')), 409, 'stay-duplicate');
  });
});

describe('relatives and hospitals', () => {
  test("a close relative's standing notification covers their repeated stays", async () => {
    const g = person(srv);
    const first = await checkin(clerk.session.token, { id_number: g.id_number, relative: { relationship: 'con', until: vnDay(30) } });
    assert.equal(first.status, 201, first.text);
    const id = first.json().stay.id;
    assert.deepEqual(first.json().stay.relative, { relationship: 'con', until: vnDay(30) });
    await call(srv, 'POST', '/api/v1/stays/checkouts', { as: clerk.session.token, body: { stay_id: id } });
    const before = staySnapshot(srv);
    const again = await checkin(clerk.session.token, { id_number: g.id_number });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json().covered, true);
    assert.equal(again.json().stay.id, id);
    assert.equal(staySnapshot(srv).stays, before.stays);
    assertProblem(await checkin(clerk.session.token, { id_number: g.id_number, relative: { relationship: 'con', until: vnDay(-5) } }), 400, 'validation-failed');
  });

  test("a hospital reports a patient's overnight companion with the patient and ward", async () => {
    const h = await establishment(srv, cp, { kind: 'hospital', type: 'hospital' });
    const g = person(srv);
    const before = staySnapshot(srv);
    assertProblem(await checkin(h.token, { id_number: g.id_number }), 400, 'validation-failed');
    assertProblem(await checkin(h.token, { id_number: g.id_number, patient: { full_name: 'Bệnh Nhân' } }), 400, 'validation-failed');
    assert.deepEqual(staySnapshot(srv), before);
    const r = await checkin(h.token, { id_number: g.id_number, reason: 'Chăm người bệnh', patient: { full_name: 'Trần Văn Bệnh', ward: 'Khoa Nội, phòng 4' } });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json().stay.patient, { full_name: 'Trần Văn Bệnh', id_number: null, ward: 'Khoa Nội, phòng 4' });
  });
});

describe('the police view', () => {
  test('the daily list of a commune needs a purpose and writes search rows; it stays in the area', async () => {
    const g = person(srv);
    const s = (await checkin(clerk.session.token, { id_number: g.id_number, room: '909' })).json().stay;
    assertProblem(await call(srv, 'GET', '/api/v1/stays/police/stays', { as: cp.token }), 400, 'validation-failed');
    const r = await call(srv, 'GET', '/api/v1/stays/police/stays?limit=500', { as: cp.token, headers: { 'X-Purpose': PURPOSE } });
    assert.equal(r.status, 200, r.text);
    const mine = r.json().items.find((x) => x.id === s.id);
    assert.equal(mine.establishment_name, hotel.org.name);
    assert.equal(mine.room, '909');
    let rows = 0;
    for (let i = 0; i < 100 && rows === 0; i++) {
      rows = count(srv, `SELECT COUNT(*) FROM access_log WHERE id_number = '${g.id_number}' AND data = 'stays' AND action = 'search'`);
      if (!rows) await new Promise((res) => setTimeout(res, 20));
    }
    assert.equal(rows, 1);
    // Pages.
    const p1 = await call(srv, 'GET', '/api/v1/stays/police/stays?limit=2', { as: cp.token, headers: { 'X-Purpose': PURPOSE } });
    assert.equal(p1.json().items.length, 2);
    const p2 = await call(srv, 'GET', `/api/v1/stays/police/stays?limit=2&cursor=${p1.json().next_cursor}`, { as: cp.token, headers: { 'X-Purpose': PURPOSE } });
    assert.ok(p2.json().items[0].id > p1.json().items[1].id);
    // Another commune's police see none of it, and may not ask for this commune.
    const other = await call(srv, 'GET', '/api/v1/stays/police/stays', { as: cpB.token, headers: { 'X-Purpose': PURPOSE } });
    assert.equal(other.json().items.length, 0);
    assertProblem(await call(srv, 'GET', `/api/v1/stays/police/stays?commune=${NT}`, { as: cpB.token, headers: { 'X-Purpose': PURPOSE } }), 400, 'validation-failed');
    // By establishment.
    const byEst = await call(srv, 'GET', `/api/v1/stays/police/stays?establishment=${hotel.org.id}&limit=500`, { as: cp.token, headers: { 'X-Purpose': PURPOSE } });
    assert.ok(byEst.json().items.every((x) => x.establishment_id === hotel.org.id));
    // A province officer names the commune.
    const pp = officer(srv, 'cand.tinh.stay1', 'province-police', P);
    assertProblem(await call(srv, 'GET', '/api/v1/stays/police/stays', { as: pp.token, headers: { 'X-Purpose': PURPOSE } }), 400, 'validation-failed');
    const pr = await call(srv, 'GET', `/api/v1/stays/police/stays?commune=${NT}&limit=500`, { as: pp.token, headers: { 'X-Purpose': PURPOSE } });
    assert.ok(pr.json().items.some((x) => x.id === s.id));
  });

  test("a person's stays are a read with an access-log row", async () => {
    const g = person(srv);
    await checkin(clerk.session.token, { id_number: g.id_number });
    const r = await call(srv, 'GET', `/api/v1/stays/police/people/${g.id_number}/stays`, { as: cp.token, headers: { 'X-Purpose': PURPOSE } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().items.length, 1);
    assert.equal(r.json().items[0].id_number, g.id_number);
    let rows = 0;
    for (let i = 0; i < 100 && rows === 0; i++) {
      rows = count(srv, `SELECT COUNT(*) FROM access_log WHERE id_number = '${g.id_number}' AND data = 'stays' AND action = 'read'`);
      if (!rows) await new Promise((res) => setTimeout(res, 20));
    }
    assert.equal(rows, 1);
    const far = await call(srv, 'GET', `/api/v1/stays/police/people/${g.id_number}/stays`, { as: cpB.token, headers: { 'X-Purpose': PURPOSE } });
    assert.equal(far.json().items.length, 0);
  });

  test('establishments that reported nothing on a day are listed as missing', async () => {
    const quiet = await establishment(srv, cp, { kind: 'guesthouse', type: 'guesthouse' });
    const r = await call(srv, 'GET', '/api/v1/stays/police/missing', { as: cp.token });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json().items.some((e) => e.id === quiet.org.id && e.ever_reported === false));
    assert.ok(!r.json().items.some((e) => e.id === hotel.org.id));
  });
});
