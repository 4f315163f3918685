// stays_integration.test.mjs — the rest of accommodation reporting on the real binary, on SQLite
// or PostgreSQL (DD_TEST_DB): the province police's watch list (a commune officer refused; a hit
// raises an alert at once, sent to the commune's contact with the establishment and room, and
// listed for that commune only; the establishment is told nothing); the hotels' software API
// under Idempotency-Key (a replay, a reused key); bulk check-in as JSON and CSV with good, bad
// and duplicate rows and a result per row; coach trips whose manifest is frozen at departure;
// the tourism figures kept from the stay events. Refused writes are checked to store nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertProblem, sleep } from './server.mjs';
import { call, count, officer, outbox, startIdentityServer } from './identity_util.mjs';
import { BNT, NT, P } from './org_util.mjs';
import { PURPOSE, establishment, local, person, qrOf, staySnapshot, vnDay } from './stay_util.mjs';

let srv;
let cp;
let cpB;
let pp; // province police
let hotel;

before(async () => {
  srv = await startIdentityServer(['--threads', '8']);
  cp = officer(srv, 'cand.nt.stay2', 'commune-police', `${P}-${NT}`);
  cpB = officer(srv, 'cand.bnt.stay2', 'commune-police', `${P}-${BNT}`);
  pp = officer(srv, 'cand.tinh.stay2', 'province-police', P);
  hotel = await establishment(srv, cp, { beds: 10 });
});
after(async () => {
  await srv?.stop();
});

const checkin = (body, headers = {}, as = hotel.token) => call(srv, 'POST', '/api/v1/stays/checkins', { as, body, headers });

describe('watch list', () => {
  test('only the province police keep it; bad entries store nothing', async () => {
    const before = staySnapshot(srv);
    assertProblem(await call(srv, 'POST', '/api/v1/stays/police/watchlist', { as: cp.token, body: { subject: '056090000001', reason: 'x' } }), 403, 'forbidden');
    assertProblem(await call(srv, 'POST', '/api/v1/stays/police/watchlist', { as: pp.token, body: { subject: '12', reason: 'x' } }), 400, 'validation-failed');
    assertProblem(await call(srv, 'POST', '/api/v1/stays/police/watchlist', { as: pp.token, body: { subject: '056090000001' } }), 400, 'validation-failed');
    assertProblem(await call(srv, 'POST', '/api/v1/stays/police/alert-contacts', { as: cp.token, body: { commune: NT, recipient: 'a@b.vn' } }), 403, 'forbidden');
    assert.deepEqual(staySnapshot(srv), before);
  });

  test('a hit raises an alert at once to the commune police, with the establishment and room', async () => {
    const g = person(srv, { full_name: 'Đỗ Văn Truy' });
    const w = await call(srv, 'POST', '/api/v1/stays/police/watchlist', { as: pp.token, body: { subject: g.id_number, full_name: g.full_name, reason: 'Đối tượng truy nã' } });
    assert.equal(w.status, 201, w.text);
    assert.equal(w.json().subject, g.id_number);
    assertProblem(await call(srv, 'POST', '/api/v1/stays/police/watchlist', { as: pp.token, body: { subject: g.id_number, reason: 'again' } }), 409, 'conflict');
    const c = await call(srv, 'POST', '/api/v1/stays/police/alert-contacts', { as: pp.token, body: { commune: NT, recipient: 'trucban.nt@congan.example.vn' } });
    assert.equal(c.status, 201, c.text);
    const r = await checkin({ id_number: g.id_number, room: '612' });
    assert.equal(r.status, 201, r.text);
    assert.equal(JSON.stringify(r.json()).includes('alert'), false, 'the desk is not told');
    let notice;
    for (let i = 0; i < 150 && !notice; i++) {
      notice = outbox(srv).find((n) => n.recipient === 'trucban.nt@congan.example.vn');
      if (!notice) await sleep(20);
    }
    assert.ok(notice, 'an alert notice was sent');
    assert.match(notice.body, /Phòng: 612/);
    assert.ok(notice.body.includes(hotel.org.name));
    assert.equal(notice.purpose, 'stay-watch-alert');
    // The notice is written before the consumer's transaction marks the alert: wait for it.
    let a;
    for (let i = 0; i < 150 && !a?.notified_at; i++) {
      const alerts = await call(srv, 'GET', '/api/v1/stays/police/alerts', { as: cp.token });
      assert.equal(alerts.status, 200, alerts.text);
      a = alerts.json().items.find((x) => x.id_number === g.id_number);
      if (!a?.notified_at) await sleep(20);
    }
    assert.equal(a.room, '612');
    assert.equal(a.establishment_name, hotel.org.name);
    assert.equal(a.reason, 'Đối tượng truy nã');
    assert.equal(a.notified_count, 1);
    assert.ok(a.notified_at);
    assert.equal((await call(srv, 'GET', '/api/v1/stays/police/alerts', { as: cpB.token })).json().items.length, 0);
    // Removed from the list, the next check-in raises nothing.
    const rm = await call(srv, 'POST', `/api/v1/stays/police/watchlist/${w.json().id}/removals`, { as: pp.token, body: {} });
    assert.equal(rm.status, 204, rm.text);
    await call(srv, 'POST', '/api/v1/stays/checkouts', { as: hotel.token, body: { id_number: g.id_number } });
    const n = count(srv, 'SELECT COUNT(*) FROM stay_alerts');
    assert.equal((await checkin({ id_number: g.id_number })).status, 201);
    assert.equal(count(srv, 'SELECT COUNT(*) FROM stay_alerts'), n);
  });

  test('a watched passport raises an alert too', async () => {
    const w = await call(srv, 'POST', '/api/v1/stays/police/watchlist', { as: pp.token, body: { subject: 'CHN:E12345678', reason: 'Truy nã quốc tế' } });
    assert.equal(w.status, 201, w.text);
    const r = await checkin({ passport: { number: 'E12345678', nationality: 'CHN', full_name: 'LI WEI', sex: 'male', birth_date: '1980-01-01' }, expected_departure: vnDay(2), room: 'A1' });
    assert.equal(r.status, 201, r.text);
    const alerts = (await call(srv, 'GET', '/api/v1/stays/police/alerts', { as: cp.token })).json().items;
    assert.ok(alerts.some((a) => a.passport_number === 'E12345678' && a.room === 'A1'));
  });
});

describe("the hotels' software API", () => {
  test('an Idempotency-Key gives the first reply again and stores once', async () => {
    const g = person(srv);
    const key = `ks-${Date.now()}`;
    const body = { id_number: g.id_number, room: '11', arrived_at: local(new Date(Date.now() - 60e3)) };
    const first = await checkin(body, { 'Idempotency-Key': key });
    assert.equal(first.status, 201, first.text);
    const n = staySnapshot(srv);
    const again = await checkin(body, { 'Idempotency-Key': key });
    assert.equal(again.status, 201, again.text);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.json().stay.id, first.json().stay.id);
    assert.deepEqual(staySnapshot(srv), n);
    assertProblem(await checkin({ ...body, room: '12' }, { 'Idempotency-Key': key }), 422, 'idempotency-key-reused');
    assert.deepEqual(staySnapshot(srv), n);
    // Without the key the same request is a duplicate.
    assertProblem(await checkin(body), 409, 'stay-duplicate');
  });

  test('check-ins arriving together are committed together, each with its own outcome', async () => {
    const guests = Array.from({ length: 20 }, () => person(srv));
    const before = staySnapshot(srv);
    // Twenty guests, five of them sent twice at once: each pair stores one stay and one 409.
    const bodies = [...guests, ...guests.slice(0, 5)].map((g, i) => ({ id_number: g.id_number, room: String(300 + i) }));
    const results = await Promise.all(bodies.map((b) => checkin(b)));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [...Array(20).fill(201), ...Array(5).fill(409)]);
    for (const r of results.filter((x) => x.status === 409)) assert.equal(r.json().type, 'urn:dinhdanh:problem:stay-duplicate');
    assert.equal(staySnapshot(srv).stays, before.stays + 20);
    const ids = new Set(results.filter((r) => r.status === 201).map((r) => r.json().stay.id));
    assert.equal(ids.size, 20);
  });

  test('bulk JSON: a result per row; bad and duplicate rows store nothing, good rows are stored', async () => {
    const a = person(srv);
    const b = person(srv);
    const before = staySnapshot(srv);
    const items = [
      { id_number: a.id_number, room: '21' },
      { id_number: '12345', room: '22' },
      { id_number: a.id_number, room: '23' },
      { passport: { number: 'B7654321', nationality: 'RUS', full_name: 'IVAN PETROV', sex: 'male', birth_date: '1979-03-02' }, expected_departure: vnDay(4) },
      { qr: qrOf(b), room: '25' },
      'not an object',
    ];
    const r = await call(srv, 'POST', '/api/v1/stays/checkins/bulk', { as: hotel.token, body: { items }, headers: { 'Idempotency-Key': `bulk-${Date.now()}` } });
    assert.equal(r.status, 200, r.text);
    const j = r.json();
    assert.deepEqual(j.items.map((x) => x.status), [201, 400, 409, 201, 201, 400]);
    assert.deepEqual([j.created, j.covered, j.failed], [3, 0, 3]);
    assert.equal(j.items[1].errors[0].field, 'id_number');
    assert.equal(j.items[2].problem.type, 'urn:dinhdanh:problem:stay-duplicate');
    assert.equal(staySnapshot(srv).stays, before.stays + 3);
    const rooms = (await call(srv, 'GET', '/api/v1/stays/guests?limit=500', { as: hotel.token })).json().items.filter((s) => s.id_number === a.id_number);
    assert.deepEqual(rooms.map((s) => s.room), ['21']);
  });

  test('bulk CSV: quoted fields, a row with the wrong number of fields, a bad header', async () => {
    const a = person(srv, { full_name: 'Nguyễn Thị, Lan' });
    const csv = [
      'id_number,room,full_name,passport_number,nationality,sex,birth_date,expected_departure',
      `${a.id_number},"P ""31""",,,,,,`,
      '001099000555,32,"Khách, Ngoài Tỉnh",,,,,',
      ',33,SMITH JOHN,X1234567,GBR,male,1970-01-01,' + vnDay(2),
      '001099000556,34',
      ',35,NO NAT,X7654321,,male,1970-01-01,' + vnDay(2),
    ].join('\r\n');
    const before = staySnapshot(srv);
    const r = await srv.request('POST', '/api/v1/stays/checkins/bulk', { headers: { Authorization: `Bearer ${hotel.token}`, 'Content-Type': 'text/csv; charset=utf-8' }, body: csv });
    assert.equal(r.status, 200, r.text);
    const j = r.json();
    assert.deepEqual(j.items.map((x) => x.status), [201, 201, 201, 400, 400]);
    assert.equal(staySnapshot(srv).stays, before.stays + 3);
    const guests = (await call(srv, 'GET', '/api/v1/stays/guests?limit=500', { as: hotel.token })).json().items;
    assert.equal(guests.find((s) => s.id_number === a.id_number).room, 'P "31"');
    assert.equal(guests.find((s) => s.id_number === '001099000555').full_name, 'Khách, Ngoài Tỉnh');
    assert.equal(guests.find((s) => s.passport_number === 'X1234567').nationality, 'GBR');
    const mid = staySnapshot(srv);
    const bad = await srv.request('POST', '/api/v1/stays/checkins/bulk', { headers: { Authorization: `Bearer ${hotel.token}`, 'Content-Type': 'text/csv' }, body: 'id_number,colour\n1,2\n' });
    assertProblem(bad, 400, 'validation-failed');
    assertProblem(await call(srv, 'POST', '/api/v1/stays/checkins/bulk', { as: hotel.token, body: { items: [] } }), 400, 'validation-failed');
    assertProblem(await call(srv, 'POST', '/api/v1/stays/checkins/bulk', { as: hotel.token, body: '{"items": [' }), 400, 'invalid-json');
    assert.deepEqual(staySnapshot(srv), mid);
  });
});

describe('coaches', () => {
  test('a trip manifest is checked in by card and frozen at departure; the police see it', async () => {
    const op = await establishment(srv, cp, { kind: 'coach-operator', type: 'coach-operator' });
    assertProblem(await call(srv, 'POST', '/api/v1/stays/checkins', { as: op.token, body: { id_number: '056090000001' } }), 403, 'stay-establishment-not-approved');
    const before = staySnapshot(srv);
    assertProblem(await call(srv, 'POST', '/api/v1/stays/trips', { as: op.token, body: { plate: 'x', route: '', departs_at: 'soon' } }), 400, 'validation-failed');
    assertProblem(await call(srv, 'POST', '/api/v1/stays/trips', { as: hotel.token, body: { plate: '79B-123.45', route: 'Nha Trang - Đà Lạt', departs_at: local(new Date(Date.now() + 3600e3)) } }), 403, 'stay-establishment-not-approved');
    assert.deepEqual(staySnapshot(srv), before);
    const t = await call(srv, 'POST', '/api/v1/stays/trips', { as: op.token, body: { plate: '79B-123.45', route: 'Nha Trang - Đà Lạt', departs_at: local(new Date(Date.now() + 3600e3)) } });
    assert.equal(t.status, 201, t.text);
    const trip = t.json();
    assert.equal(trip.frozen, false);
    const g = person(srv);
    const h = person(srv);
    const p1 = await call(srv, 'POST', `/api/v1/stays/trips/${trip.id}/passengers`, { as: op.token, body: { qr: qrOf(g), seat: 'A3' } });
    assert.equal(p1.status, 201, p1.text);
    assert.equal(p1.json().verified, true);
    assert.equal(p1.json().source, 'qr');
    assertProblem(await call(srv, 'POST', `/api/v1/stays/trips/${trip.id}/passengers`, { as: op.token, body: { id_number: g.id_number } }), 409, 'stay-duplicate');
    assert.equal((await call(srv, 'POST', `/api/v1/stays/trips/${trip.id}/passengers`, { as: op.token, body: { id_number: h.id_number, seat: 'A4' } })).status, 201);
    const dep = await call(srv, 'POST', `/api/v1/stays/trips/${trip.id}/departure`, { as: op.token, body: {} });
    assert.equal(dep.status, 200, dep.text);
    assert.equal(dep.json().frozen, true);
    const frozen = staySnapshot(srv);
    assertProblem(await call(srv, 'POST', `/api/v1/stays/trips/${trip.id}/passengers`, { as: op.token, body: { id_number: person(srv).id_number } }), 409, 'stay-manifest-frozen');
    assertProblem(await call(srv, 'POST', `/api/v1/stays/trips/${trip.id}/departure`, { as: op.token, body: {} }), 409, 'stay-manifest-frozen');
    assert.deepEqual(staySnapshot(srv), frozen);
    // A trip whose departure time has passed is frozen without being told.
    const past = await call(srv, 'POST', '/api/v1/stays/trips', { as: op.token, body: { plate: '79B-999.99', route: 'Nha Trang - Sài Gòn', departs_at: local(new Date(Date.now() - 60e3)) } });
    assert.equal(past.json().frozen, true);
    assertProblem(await call(srv, 'POST', `/api/v1/stays/trips/${past.json().id}/passengers`, { as: op.token, body: { id_number: g.id_number } }), 409, 'stay-manifest-frozen');
    // The police.
    const list = await call(srv, 'GET', `/api/v1/stays/police/trips?day=${trip.departure_day}`, { as: cp.token });
    assert.ok(list.json().items.some((x) => x.id === trip.id && x.passengers === 2));
    assertProblem(await call(srv, 'GET', `/api/v1/stays/police/trips/${trip.id}`, { as: cp.token }), 400, 'validation-failed');
    const got = await call(srv, 'GET', `/api/v1/stays/police/trips/${trip.id}`, { as: cp.token, headers: { 'X-Purpose': PURPOSE } });
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.json().manifest.map((m) => [m.id_number, m.seat]), [[g.id_number, 'A3'], [h.id_number, 'A4']]);
    assertProblem(await call(srv, 'GET', `/api/v1/stays/police/trips/${trip.id}`, { as: cpB.token, headers: { 'X-Purpose': PURPOSE } }), 404, 'not-found');
  });
});

describe('tourism figures', () => {
  test('arrivals by nationality and province of origin, guest nights and occupancy, per day', async () => {
    const small = await establishment(srv, cp, { kind: 'homestay', type: 'homestay', beds: 4, commune: NT });
    const g = person(srv, {}, '48');
    const y = vnDay(-2);
    await call(srv, 'POST', '/api/v1/stays/checkins', { as: small.token, body: { id_number: g.id_number, arrived_at: `${y}T14:00:00+07:00` } });
    await call(srv, 'POST', '/api/v1/stays/checkins', { as: small.token, body: { passport: { number: 'J1112223', nationality: 'JPN', full_name: 'SATO KEN', sex: 'male', birth_date: '1985-05-05' }, expected_departure: vnDay(1), arrived_at: `${y}T15:00:00+07:00` } });
    const out = await call(srv, 'POST', '/api/v1/stays/checkouts', { as: small.token, body: { id_number: g.id_number } });
    assert.equal(out.status, 200, out.text);
    const tour = officer(srv, 'dulich.stay', 'tourism', P);
    assertProblem(await call(srv, 'GET', `/api/v1/stays/figures?from=${vnDay(0)}&to=${y}`, { as: tour.token }), 400, 'validation-failed');
    assertProblem(await call(srv, 'GET', '/api/v1/stays/figures', { as: cp.token.replace(/.$/, 'x') }), 401, 'unauthenticated');
    let f;
    for (let i = 0; i < 150; i++) {
      f = (await call(srv, 'GET', `/api/v1/stays/figures?from=${y}&to=${vnDay(0)}&commune=${NT}`, { as: tour.token })).json();
      const nights = f.nights.filter((n) => n.class === 'homestay').reduce((s, n) => s + n.guest_nights, 0);
      if (nights >= 3) break;
      await sleep(20);
    }
    const homestay = f.nights.filter((n) => n.class === 'homestay');
    // The citizen: nights of y and y+1 (left today); the Japanese guest: the night of y so far.
    const first = homestay.find((n) => n.day === y);
    assert.equal(first.guest_nights, 2);
    assert.ok(first.beds >= 4);
    assert.equal(first.occupancy, first.guest_nights / first.beds);
    assert.equal(homestay.find((n) => n.day === vnDay(-1)).guest_nights, 1);
    assert.ok(f.by_nationality.some((r) => r.day === y && r.nationality === 'JPN' && r.arrivals >= 1));
    assert.ok(f.by_origin.some((r) => r.day === y && r.origin_province === '48' && r.arrivals >= 1));
    assertProblem(await call(srv, 'GET', `/api/v1/stays/figures?from=${y}&to=${y}`, { as: hotel.token }), 403, 'forbidden');
  });
});
