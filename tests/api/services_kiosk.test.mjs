// services_kiosk.test.mjs — registered kiosks and queue tickets on the real binary, on SQLite or
// PostgreSQL (DD_TEST_DB): an officer registers a kiosk (its credential shown once, stored
// hashed, audited) and revokes it; a kiosk identifies a citizen by the chip of their card
// (passive authentication against a CSCA made here with openssl, see chip_util.mjs), and the
// session that follows shows "my dossiers", the form filled from the register and a submission
// through the kiosk channel, until it is finished or expires; a chip that fails identifies
// nobody and raises card.verification_failed naming the kiosk. Queue tickets are numbered per
// office and per day without gaps under concurrent requests, called in order by officers, and
// counted in the statistics. Every refused write is checked to have stored nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ChipFactory } from './chip_util.mjs';
import { call, count, officer, sql, startIdentityServer } from './identity_util.mjs';
import { assertProblem } from './server.mjs';

const P = '56';
const NT = '22366'; // Phường Nha Trang
const CR = '22420'; // Phường Cam Ranh
let srv;
let chips;
const who = {};
let seq = 0;

const as = (token, method, p, body, headers = {}) =>
  call(srv, method, p, { as: token, body, headers: { 'X-Purpose': 'Kiem tra', ...headers } });
const kiosk = (key, method, p, body, headers = {}) =>
  call(srv, method, p, { body, headers: key ? { 'X-Kiosk-Key': key, ...headers } : headers });
const inSession = (key, token, method, p, body, headers = {}) =>
  kiosk(key, method, p, body, { 'X-Kiosk-Session': token, ...headers });

function idFor(sex, year, n) {
  const digit = Math.floor((year - 1900) / 100) * 2 + (sex === 'female' ? 1 : 0);
  return `056${digit}${String(year % 100).padStart(2, '0')}${String(n).padStart(6, '0')}`;
}

// A person of the register (no e-identity account: the chip is enough at a kiosk).
async function person(over = {}) {
  const sex = over.sex || 'female';
  const body = {
    id_number: idFor(sex, 1988, 300000 + (++seq) * 11 + Math.floor(Math.random() * 7)),
    full_name: 'Lê Thị Hoa',
    birth_date: '1988-03-09',
    sex,
    permanent_province: P,
    permanent_commune: NT,
    permanent_address: '8 Lý Thánh Tôn',
    reason: 'Đăng ký khai sinh',
    legal_basis: 'Luật Hộ tịch 2014',
    ...over,
  };
  const r = await as(who.admin, 'POST', '/api/v1/people', body);
  assert.equal(r.status, 201, r.text);
  return body;
}

const stored = () => ({
  kiosks: count(srv, 'SELECT COUNT(*) FROM service_kiosks'),
  sessions: count(srv, 'SELECT COUNT(*) FROM service_kiosk_sessions'),
  tickets: count(srv, 'SELECT COUNT(*) FROM service_tickets'),
  counters: count(srv, 'SELECT COUNT(*) FROM service_ticket_counters'),
  dossiers: count(srv, 'SELECT COUNT(*) FROM service_dossiers'),
  audit: count(srv, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'kiosk.%'"),
  failures: count(srv, "SELECT COUNT(*) FROM events WHERE type = 'card.verification_failed'"),
});

async function register(token, body, status = 201) {
  const r = await as(token, 'POST', '/api/v1/kiosks', body);
  assert.equal(r.status, status, r.text);
  return r.json();
}

before(async () => {
  chips = new ChipFactory();
  chips.makeCert('CSCA VN', { ca: true, days: 3650 });
  chips.makeCert('DS VN', { issuer: 'CSCA VN', days: 90 });
  chips.makeCert('Other CSCA', { ca: true, days: 3650 });
  chips.makeCert('DS Other', { issuer: 'Other CSCA', days: 90 });
  srv = await startIdentityServer(['--card-csca', chips.trustStore('CSCA VN')]);
  who.admin = officer(srv, 'quantri', 'admin', P).token;
  who.officer = officer(srv, 'motcua', 'service-officer', P).token;
  who.leader = officer(srv, 'lanhdao', 'leader', P).token;
  who.police = officer(srv, 'congan', 'commune-police', `${P}-${NT}`).token;
  who.elsewhere = officer(srv, 'motcua79', 'service-officer', '79').token;
});
after(async () => {
  await srv?.stop();
  chips?.remove();
});

describe('registering kiosks', () => {
  test('bad inputs and callers without the role are refused and store nothing', async () => {
    const before = stored();
    const bad = async (body, field) => {
      const r = await as(who.officer, 'POST', '/api/v1/kiosks', body);
      assertProblem(r, 400, 'validation-failed');
      assert.ok(r.json().errors.some((e) => e.field === field), `${field}: ${r.text}`);
    };
    await bad({ commune: NT }, 'name');
    await bad({ name: '', commune: NT }, 'name');
    await bad({ name: 'x'.repeat(101), commune: NT }, 'name');
    await bad({ name: 'Kiosk 1' }, 'commune');
    await bad({ name: 'Kiosk 1', commune: '99999' }, 'commune');
    await bad({ name: 'Kiosk 1', commune: '2236' }, 'commune');
    await bad({ name: 'Kiosk 1', commune: NT, secret: 'mine' }, 'secret');
    // a commune of province 56 is not in the area of province 79's officer
    const r79 = await as(who.elsewhere, 'POST', '/api/v1/kiosks', { name: 'K', commune: NT });
    assertProblem(r79, 400, 'validation-failed');
    // the leader has services:stats, not services:kiosks
    assertProblem(await as(who.leader, 'POST', '/api/v1/kiosks', { name: 'K', commune: NT }), 403, 'forbidden');
    assertProblem(await call(srv, 'POST', '/api/v1/kiosks', { body: { name: 'K', commune: NT } }), 401, 'unauthenticated');
    assert.deepEqual(stored(), before);
  });

  test('a kiosk registered: its credential once, only a hash stored, audited, listed without it', async () => {
    const before = stored();
    const k = await register(who.officer, { name: 'Kiosk sảnh A', commune: NT });
    assert.match(k.credential, /^dk_[0-9a-f]{64}$/);
    assert.equal(k.commune, NT);
    assert.equal(k.province, P);
    assert.equal(k.revoked, false);
    assert.equal(stored().kiosks, before.kiosks + 1);
    assert.equal(stored().audit, before.audit + 1);
    const row = sql(srv, `SELECT secret_hash || '|' || created_by FROM service_kiosks WHERE id = ${k.id}`);
    const [hash, by] = row.split('|');
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.notEqual(hash, k.credential);
    assert.equal(sql(srv, `SELECT COUNT(*) FROM service_kiosks WHERE secret_hash LIKE '%${k.credential.slice(3, 20)}%'`), '0');
    assert.match(by, /^officer:\d+$/);
    assert.equal(sql(srv, `SELECT object FROM audit_log WHERE action = 'kiosk.register' ORDER BY id DESC LIMIT 1`), `kiosk:${k.id}`);
    const list = await as(who.officer, 'GET', '/api/v1/kiosks');
    assert.equal(list.status, 200, list.text);
    const mine = list.json().items.find((i) => i.id === k.id);
    assert.equal(mine.name, 'Kiosk sảnh A');
    assert.equal('credential' in mine, false);
    // province 79's officer sees none of province 56's kiosks
    const other = await as(who.elsewhere, 'GET', '/api/v1/kiosks');
    assert.equal(other.json().items.some((i) => i.id === k.id), false);
  });

  test('a revoked kiosk is refused at once; revoking again or another area is 404', async () => {
    const k = await register(who.officer, { name: 'Kiosk tạm', commune: CR });
    let t = await kiosk(k.credential, 'POST', '/api/v1/kiosk/tickets', {});
    assert.equal(t.status, 201, t.text);
    assertProblem(await as(who.elsewhere, 'POST', `/api/v1/kiosks/${k.id}/revocation`), 404, 'not-found');
    const before = stored();
    const r = await as(who.officer, 'POST', `/api/v1/kiosks/${k.id}/revocation`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().revoked, true);
    assert.equal(stored().audit, before.audit + 1);
    assertProblem(await as(who.officer, 'POST', `/api/v1/kiosks/${k.id}/revocation`), 404, 'not-found');
    t = await kiosk(k.credential, 'POST', '/api/v1/kiosk/tickets', {});
    assertProblem(t, 401, 'unauthenticated');
    const p = await person();
    assertProblem(await kiosk(k.credential, 'POST', '/api/v1/kiosk/sessions', chips.chipBody(p, 'DS VN')), 401, 'unauthenticated');
    assert.equal(stored().tickets, before.tickets);
    assert.equal(stored().sessions, before.sessions);
  });
});

describe('identifying by the chip', () => {
  let k;
  before(async () => {
    k = await register(who.officer, { name: 'Kiosk chip', commune: NT });
  });

  test('a genuine chip: a session for that person; dossiers, the filled form, a kiosk submission; finish ends it', async () => {
    const p = await person();
    const before = stored();
    const r = await kiosk(k.credential, 'POST', '/api/v1/kiosk/sessions', chips.chipBody(p, 'DS VN'));
    assert.equal(r.status, 201, r.text);
    const s = r.json();
    assert.match(s.session, /^ks_[0-9a-f]{64}$/);
    assert.equal(s.person.id_number, p.id_number);
    assert.equal(s.person.full_name, p.full_name);
    assert.ok(s.expires_at - Date.now() > 4 * 60000 && s.expires_at - Date.now() <= 5 * 60000 + 1000);
    assert.equal(stored().sessions, before.sessions + 1);
    assert.equal(stored().failures, before.failures);
    assert.equal(sql(srv, `SELECT COUNT(*) FROM service_kiosk_sessions WHERE token_hash = '${s.session}'`), '0');
    const log = sql(srv, `SELECT actor || '|' || data FROM access_log WHERE id_number = '${p.id_number}' ORDER BY id DESC LIMIT 1`);
    assert.equal(log, `client:kiosk-${k.id}|card`);

    const me = await inSession(k.credential, s.session, 'GET', '/api/v1/kiosk/session');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json().person.id_number, p.id_number);
    let list = await inSession(k.credential, s.session, 'GET', '/api/v1/kiosk/session/dossiers');
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json().items, []);
    const form = await inSession(k.credential, s.session, 'GET', '/api/v1/kiosk/session/procedures/2.001159/form');
    assert.equal(form.status, 200, form.text);
    assert.equal(form.json().values.full_name, p.full_name);
    // a level-2 procedure still needs the e-identity
    const l2 = await inSession(k.credential, s.session, 'GET', '/api/v1/kiosk/session/procedures/1.004222/form');
    assert.equal(l2.status, 200, l2.text);
    assert.equal(l2.json().level_ok, false);

    const sub = await inSession(k.credential, s.session, 'POST', '/api/v1/kiosk/session/dossiers',
      { procedure: '2.001159', form: { province: P, commune: NT, address: '1 Yersin', until: '2027-01-31' }, channel: 'online' },
      { 'Idempotency-Key': `kiosk-${Date.now()}` });
    assert.equal(sub.status, 201, sub.text);
    const d = sub.json();
    assert.equal(d.channel, 'kiosk');
    assert.equal(sql(srv, `SELECT applicant_id || '|' || channel FROM service_dossiers WHERE code = '${d.code}'`), `${p.id_number}|kiosk`);
    list = await inSession(k.credential, s.session, 'GET', '/api/v1/kiosk/session/dossiers');
    assert.deepEqual(list.json().items.map((i) => i.code), [d.code]);

    // Asked for more, the citizen answers at the kiosk: before the request 422, a bad date 400
    // (nothing changes), then the dossier is submitted again with the new address.
    const more = `/api/v1/kiosk/session/dossiers/${d.code}/supplements`;
    assertProblem(await inSession(k.credential, s.session, 'POST', more, { form: { address: '1A Yersin' } }), 422, 'rule-violated');
    const ask = await call(srv, 'POST', `/api/v1/dossiers/${d.code}/actions`,
      { as: who.officer, body: { action: 'ask-more', note: 'Ghi rõ số nhà' }, headers: { 'X-Purpose': 'Giai quyet ho so' } });
    assert.equal(ask.status, 200, ask.text);
    const badDate = await inSession(k.credential, s.session, 'POST', more, { form: { until: '31/01/2027' } });
    assertProblem(badDate, 400, 'validation-failed');
    assert.equal(sql(srv, `SELECT status FROM service_dossiers WHERE code = '${d.code}'`), 'more-info');
    assertProblem(await kiosk(k.credential, 'POST', more, { form: { address: '1A Yersin' } }), 401, 'unauthenticated');
    const sup = await inSession(k.credential, s.session, 'POST', more, { form: { address: '1A Yersin' } });
    assert.equal(sup.status, 200, sup.text);
    assert.equal(sup.json().status, 'submitted');
    assert.equal(sup.json().form.address, '1A Yersin');

    // the session is bound to its kiosk
    const other = await register(who.officer, { name: 'Kiosk khác', commune: NT });
    assertProblem(await inSession(other.credential, s.session, 'GET', '/api/v1/kiosk/session/dossiers'), 401, 'unauthenticated');
    assertProblem(await kiosk(k.credential, 'GET', '/api/v1/kiosk/session/dossiers'), 401, 'unauthenticated');
    assertProblem(await kiosk(null, 'GET', '/api/v1/kiosk/session/dossiers', undefined, { 'X-Kiosk-Session': s.session }), 401, 'unauthenticated');

    const fin = await inSession(k.credential, s.session, 'POST', '/api/v1/kiosk/session/finish');
    assert.equal(fin.status, 204, fin.text);
    assertProblem(await inSession(k.credential, s.session, 'GET', '/api/v1/kiosk/session/dossiers'), 401, 'unauthenticated');
    assertProblem(await inSession(k.credential, s.session, 'POST', '/api/v1/kiosk/session/finish'), 401, 'unauthenticated');
  });

  test('an expired session is refused and a refused submission stores nothing', async () => {
    const p = await person();
    const s = (await kiosk(k.credential, 'POST', '/api/v1/kiosk/sessions', chips.chipBody(p, 'DS VN'))).json();
    const before = stored();
    const bad = await inSession(k.credential, s.session, 'POST', '/api/v1/kiosk/session/dossiers',
      { procedure: '2.001159', form: { province: P, commune: '123', address: '1 Yersin', until: '2027-01-31' } },
      { 'Idempotency-Key': `kiosk-bad-${Date.now()}` });
    assertProblem(bad, 400, 'validation-failed');
    assert.deepEqual(stored(), before);
    sql(srv, `UPDATE service_kiosk_sessions SET expires_at = ${Date.now() - 1} WHERE kiosk_id = ${k.id} AND id_number = '${p.id_number}'`);
    const late = await inSession(k.credential, s.session, 'POST', '/api/v1/kiosk/session/dossiers',
      { procedure: '2.001159', form: { province: P, commune: NT, address: '1 Yersin', until: '2027-01-31' } },
      { 'Idempotency-Key': `kiosk-late-${Date.now()}` });
    assertProblem(late, 401, 'unauthenticated');
    assert.deepEqual(stored(), before);
  });

  test('a tampered DG1 or an unknown signer identifies nobody and raises card.verification_failed', async () => {
    const p = await person();
    const body = chips.chipBody(p, 'DS VN');
    const dg1 = Buffer.from(body.dg['1'], 'base64');
    dg1[dg1.length - 3] ^= 1;
    let before = stored();
    let r = await kiosk(k.credential, 'POST', '/api/v1/kiosk/sessions', { ...body, dg: { 1: dg1.toString('base64') } });
    assertProblem(r, 422, 'card-not-authentic');
    assert.equal(r.json().report.checks.hashes.result, 'fail');
    assert.equal(stored().sessions, before.sessions);
    assert.equal(stored().failures, before.failures + 1);
    const ev = JSON.parse(sql(srv, "SELECT payload FROM events WHERE type = 'card.verification_failed' ORDER BY id DESC LIMIT 1"));
    assert.equal(ev.actor, `kiosk:${k.id}`);
    assert.equal(ev.hashes, 'fail');
    assert.equal(JSON.stringify(ev).includes(p.id_number), false);

    before = stored();
    r = await kiosk(k.credential, 'POST', '/api/v1/kiosk/sessions', chips.chipBody(p, 'DS Other'));
    assertProblem(r, 422, 'card-not-authentic');
    assert.equal(r.json().report.checks.chain.result, 'fail');
    assert.equal(stored().sessions, before.sessions);
    assert.equal(stored().failures, before.failures + 1);
  });

  test('a genuine chip of nobody in the register, or of a dead person, opens no session', async () => {
    const ghost = { id_number: idFor('male', 1970, 999001), full_name: 'Không Có Ai', birth_date: '1970-01-01', sex: 'male' };
    const before = stored();
    let r = await kiosk(k.credential, 'POST', '/api/v1/kiosk/sessions', chips.chipBody(ghost, 'DS VN'));
    assertProblem(r, 422, 'card-not-authentic');
    assert.equal(r.json().reason, 'not-in-register');
    const dead = await person();
    sql(srv, `UPDATE people SET status = 'dead' WHERE id_number = '${dead.id_number}'`);
    r = await kiosk(k.credential, 'POST', '/api/v1/kiosk/sessions', chips.chipBody(dead, 'DS VN'));
    assertProblem(r, 422, 'card-not-authentic');
    assert.deepEqual(stored(), before);
  });

  test('bad bodies and missing credentials store nothing', async () => {
    const p = await person();
    const good = chips.chipBody(p, 'DS VN');
    const before = stored();
    assertProblem(await kiosk(null, 'POST', '/api/v1/kiosk/sessions', good), 401, 'unauthenticated');
    assertProblem(await kiosk(`dk_${'0'.repeat(64)}`, 'POST', '/api/v1/kiosk/sessions', good), 401, 'unauthenticated');
    assertProblem(await kiosk(k.credential, 'POST', '/api/v1/kiosk/sessions', { dg: good.dg }), 400, 'validation-failed');
    assertProblem(await kiosk(k.credential, 'POST', '/api/v1/kiosk/sessions', { ...good, extra: 1 }), 400, 'validation-failed');
    assertProblem(await kiosk(k.credential, 'POST', '/api/v1/kiosk/sessions', { ...good, sod: 'not base64!' }), 400, 'validation-failed');
    assertProblem(await kiosk(k.credential, 'POST', '/api/v1/kiosk/sessions', { ...good, sod: Buffer.from('xyz').toString('base64') }), 422, 'card-sod-invalid');
    assert.deepEqual(stored(), before);
  });
});

describe('queue tickets', () => {
  let a;
  let b;
  before(async () => {
    a = await register(who.officer, { name: 'Kiosk vé A', commune: '22333' });
    b = await register(who.officer, { name: 'Kiosk vé B', commune: '22402' });
  });

  test('bad inputs store nothing', async () => {
    const before = stored();
    let r = await kiosk(a.credential, 'POST', '/api/v1/kiosk/tickets', { procedure: '9.999999' });
    assertProblem(r, 400, 'validation-failed');
    r = await kiosk(a.credential, 'POST', '/api/v1/kiosk/tickets', { office: NT });
    assertProblem(r, 400, 'validation-failed');
    r = await kiosk(a.credential, 'POST', '/api/v1/kiosk/tickets', []);
    assertProblem(r, 400, 'validation-failed');
    assertProblem(await kiosk(null, 'POST', '/api/v1/kiosk/tickets', {}), 401, 'unauthenticated');
    assert.deepEqual(stored(), before);
  });

  test('numbered from 1 per office and day, without gaps under concurrent requests', async () => {
    const first = await kiosk(a.credential, 'POST', '/api/v1/kiosk/tickets', { procedure: '1.003677' });
    assert.equal(first.status, 201, first.text);
    const t = first.json();
    assert.equal(t.number, 1);
    assert.equal(t.commune, '22333');
    assert.equal(t.procedure, '1.003677');
    assert.equal(t.status, 'waiting');
    assert.equal(t.waiting_before, 0);
    const vn = new Date(Date.now() + 7 * 3600000).toISOString().slice(0, 10);
    assert.equal(t.day, vn);
    const many = await Promise.all(Array.from({ length: 16 }, () => kiosk(a.credential, 'POST', '/api/v1/kiosk/tickets', {})));
    for (const r of many) assert.equal(r.status, 201, r.text);
    const numbers = many.map((r) => r.json().number).sort((x, y) => x - y);
    assert.deepEqual(numbers, Array.from({ length: 16 }, (_, i) => i + 2));
    // another office counts on its own
    const other = await kiosk(b.credential, 'POST', '/api/v1/kiosk/tickets', {});
    assert.equal(other.json().number, 1);
    assert.equal(sql(srv, "SELECT last FROM service_ticket_counters WHERE commune = '22333'"), '17');
  });

  test('officers call the next ticket in order; nobody waiting is 404; the statistics count them', async () => {
    const list = await as(who.officer, 'GET', '/api/v1/service-tickets?commune=22333&status=waiting&limit=5');
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json().items.map((i) => i.number), [1, 2, 3, 4, 5]);
    assert.ok(list.json().next_cursor);
    const page2 = await as(who.officer, 'GET', `/api/v1/service-tickets?commune=22333&status=waiting&limit=5&cursor=${list.json().next_cursor}`);
    assert.deepEqual(page2.json().items.map((i) => i.number), [6, 7, 8, 9, 10]);
    assertProblem(await as(who.officer, 'GET', '/api/v1/service-tickets'), 400, 'validation-failed'); // province-wide: name the office
    assertProblem(await as(who.officer, 'GET', '/api/v1/service-tickets?commune=22333&status=done'), 400, 'validation-failed');
    assertProblem(await as(who.leader, 'GET', '/api/v1/service-tickets?commune=22333'), 403, 'forbidden');

    let r = await as(who.officer, 'POST', '/api/v1/service-tickets/next', { commune: '22333' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().number, 1);
    assert.equal(r.json().status, 'called');
    assert.match(r.json().called_by, /^officer:\d+$/);
    r = await as(who.officer, 'POST', '/api/v1/service-tickets/next', { commune: '22333' });
    assert.equal(r.json().number, 2);
    const before = stored();
    assertProblem(await as(who.officer, 'POST', '/api/v1/service-tickets/next', { commune: 5 }), 400, 'validation-failed');
    assertProblem(await as(who.officer, 'POST', '/api/v1/service-tickets/next', { commune: '22333', x: 1 }), 400, 'validation-failed');
    assertProblem(await as(who.elsewhere, 'POST', '/api/v1/service-tickets/next', { commune: '22333' }), 404, 'not-found');
    assert.equal(count(srv, "SELECT COUNT(*) FROM service_tickets WHERE status = 'called'"), 2);
    assert.deepEqual(stored(), before);

    // two officers at once never call the same ticket
    const both = await Promise.all([
      as(who.officer, 'POST', '/api/v1/service-tickets/next', { commune: '22402' }),
      as(who.admin, 'POST', '/api/v1/service-tickets/next', { commune: '22402' }),
    ]);
    assert.deepEqual(both.map((x) => x.status).sort(), [200, 404]);
    assertProblem(await as(who.officer, 'POST', '/api/v1/service-tickets/next', { commune: '22402' }), 404, 'not-found');

    const st = await as(who.leader, 'GET', '/api/v1/services/statistics');
    assert.equal(st.status, 200, st.text);
    const tk = st.json().tickets;
    const byA = tk.by_office.find((o) => o.commune === '22333');
    assert.equal(byA.tickets, 17);
    assert.equal(byA.called, 2);
    assert.ok(byA.average_wait_seconds >= 0);
    assert.ok(tk.total >= 18);
    assert.ok(tk.called >= 3);
    const none = await as(who.leader, 'GET', '/api/v1/services/statistics?from=2020-01-01&to=2020-01-31');
    assert.equal(none.json().tickets.total, 0);
  });
});
