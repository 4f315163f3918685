// soc_rules_more.test.mjs — the SOC's rules that compare and look further, replayed against a
// running server on SQLite or PostgreSQL (DD_TEST_DB): credential stuffing told apart from
// password spraying by the number of different passwords; officers reading far more than their
// own usual rate or their peers' (history older than the window is put into soc_events as it
// would have been written, since a test cannot wait days); officers reading people who live
// outside their area; an administrator on a new device and from a new network; a level-2 raise
// outside working hours; chips failing passive authentication at one place; the audit chain
// failing verification. Each attack has its control that raises nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DB_KIND, ROOT, runCli } from './server.mjs';
import { call, citizen, idFor, login, officer, sql } from './identity_util.mjs';
import { enrolTotp } from './sso_util.mjs';
import { freshTotp } from './identity_util.mjs';
import { alerts, failLogins, settle, startSocServer, testRules, writeRules } from './soc_util.mjs';

const P = '56';
const PURPOSE = { 'X-Purpose': encodeURIComponent('Xác minh hồ sơ') };
const iso = (ms) => new Date(ms).toISOString();

// People put straight into the register, living (permanently) in `commune` and, when given,
// temporarily in `temp`.
let seq = 0;
function people(srv, n, commune, temp = '') {
  const ids = [];
  const rows = [];
  for (let i = 0; i < n; i++) {
    const id = idFor('male', 1985, 610000 + ++seq);
    ids.push(id);
    rows.push(`('${id}', 'Lê Văn Tám', 'le van tam', 'tam', '1985-01-02', 1985, 'male', 'alive', '', '', ` +
      `'2020-01-01', '2020-01-01', '${P}', '${commune}', '${temp ? P : ''}', '${temp}')`);
  }
  sql(srv, 'INSERT INTO people (id_number, full_name, name_folded, given_folded, birth_date, birth_year, sex, ' +
    'status, father_id, mother_id, created_at, updated_at, permanent_province, permanent_commune, ' +
    `temporary_province, temporary_commune) VALUES ${rows.join(', ')}`);
  return ids;
}

async function read(srv, token, ids) {
  for (const id of ids) {
    const r = await call(srv, 'GET', `/api/v1/people/${id}`, { as: token, headers: PURPOSE });
    assert.equal(r.status, 200, r.text);
  }
}

// access.reads history of an officer as the SOC would have stored it: `n` batches of `amount`,
// one an hour, from 2 to n + 1 hours ago (all before the 60-minute window).
let fakeEvent = 0;
function history(srv, o, group, n, amount) {
  const now = Date.now();
  const rows = [];
  for (let i = 0; i < n; i++)
    rows.push(`(${-(++fakeEvent)}, '${iso(now - (i + 2) * 3600 * 1000)}', 'access.reads', 'register', ` +
      `'officer:${o.id}', 'officer:${o.id}', '', 'info', ${amount}, '{}', '${group}')`);
  sql(srv, 'INSERT INTO soc_events (event_id, at, type, module, actor, subject, source, outcome, amount, ' +
    `details, actor_group) VALUES ${rows.join(', ')}`);
}

const keys = async (srv, token, rule) => (await alerts(srv, token, `?rule=${rule}`)).map((a) => a.key).sort();

describe('officers: their own rate, their peers, their area', () => {
  let srv;
  let analyst;
  before(async () => {
    srv = await startSocServer();
    analyst = officer(srv, 'soc.more', 'soc-analyst', P);
  });
  after(() => srv?.stop());

  test('far above their own usual rate, or their peers\', raises the matching rule only', async () => {
    // A reads 12 after a quiet history (24 in two days); B reads 12 too, but usually reads 10 an
    // hour. S reads 12 where peers P1 and P2 (same role, same commune) read 1 an hour; Q reads 12
    // where their peers read 20 an hour. None reaches the flat 20 of officer-mass-lookups.
    const a = officer(srv, 'cb.a', 'commune-police', `${P}-22333`);
    const b = officer(srv, 'cb.b', 'commune-police', `${P}-22390`);
    const s = officer(srv, 'cb.s', 'commune-police', `${P}-22366`);
    const p1 = officer(srv, 'cb.p1', 'commune-police', `${P}-22366`);
    const p2 = officer(srv, 'cb.p2', 'commune-police', `${P}-22366`);
    const q = officer(srv, 'cb.q', 'commune-police', `${P}-22402`);
    const r1 = officer(srv, 'cb.r1', 'commune-police', `${P}-22402`);
    const r2 = officer(srv, 'cb.r2', 'commune-police', `${P}-22402`);
    history(srv, a, 'commune-police@56/22333', 24, 1);
    history(srv, b, 'commune-police@56/22390', 24, 10);
    history(srv, p1, 'commune-police@56/22366', 24, 1);
    history(srv, p2, 'commune-police@56/22366', 24, 1);
    history(srv, r1, 'commune-police@56/22402', 24, 20);
    history(srv, r2, 'commune-police@56/22402', 24, 20);
    await read(srv, a.token, people(srv, 12, '22333'));
    await read(srv, b.token, people(srv, 12, '22390'));
    await read(srv, s.token, people(srv, 12, '22366'));
    await read(srv, q.token, people(srv, 12, '22402'));
    await settle(srv);
    assert.deepEqual(await keys(srv, analyst.token, 'officer-lookups-above-own'), [`officer:${a.id}`]);
    assert.deepEqual(await keys(srv, analyst.token, 'officer-lookups-above-peers'), [`officer:${s.id}`]);
    assert.deepEqual(await alerts(srv, analyst.token, '?rule=officer-mass-lookups'), []);
    assert.deepEqual(await alerts(srv, analyst.token, '?rule=officer-outside-area'), []);
    // The reads carry the officer's role and area.
    const ev = await call(srv, 'GET', `/api/v1/soc/events?type=access.reads&actor=officer:${s.id}`, { as: analyst.token });
    assert.equal(ev.status, 200, ev.text);
    assert.ok(ev.json().items.length > 0);
    for (const e of ev.json().items) {
      assert.equal(e.details.role, 'commune-police');
      assert.equal(e.details.area, '56/22366');
    }
    const own = (await alerts(srv, analyst.token, '?rule=officer-lookups-above-own'))[0];
    assert.ok(own.value >= 10 && own.value <= 12, String(own.value));
  });

  test('reading people who live outside the officer\'s area raises officer-outside-area', async () => {
    // Four people living in 22333 and staying in 22411: the 22411 officer sees them (temporary
    // residence) but they live elsewhere; four living in 22411 are the control.
    const o = officer(srv, 'cb.o', 'commune-police', `${P}-22411`);
    const home = people(srv, 4, '22411');
    const away = people(srv, 4, '22333', '22411');
    await read(srv, o.token, home);
    await settle(srv);
    assert.deepEqual(await alerts(srv, analyst.token, '?rule=officer-outside-area'), []);
    await read(srv, o.token, away);
    await settle(srv);
    const a = await alerts(srv, analyst.token, '?rule=officer-outside-area');
    assert.deepEqual(a.map((x) => x.key), [`officer:${o.id}`]);
    assert.equal(a[0].value, 4);
    const ev = await call(srv, 'GET', `/api/v1/soc/events?type=access.outside_area&actor=officer:${o.id}`, { as: analyst.token });
    const persons = ev.json().items.flatMap((e) => e.details.persons);
    assert.deepEqual(persons.map((p) => p.person).sort(), [...away].sort());
    assert.ok(persons.every((p) => p.province === P && p.commune === '22333'));
    assert.ok(ev.json().items.every((e) => e.details.area === '56/22411'));
  });

  test('a search counts the people it lists who live outside the officer\'s area', async () => {
    const o = officer(srv, 'cb.search', 'commune-police', `${P}-22411`);
    const r = await call(srv, 'GET', `/api/v1/people?name=${encodeURIComponent('lê văn tám')}&limit=50`,
      { as: o.token, headers: PURPOSE });
    assert.equal(r.status, 200, r.text);
    const items = r.json().items;
    const away = items.filter((p) => p.permanent_commune !== '22411').map((p) => p.id_number);
    assert.equal(away.length, 4);
    assert.equal(items.length, 8);
    await settle(srv);
    const a = await alerts(srv, analyst.token, '?rule=officer-outside-area');
    assert.equal(a.find((x) => x.key === `officer:${o.id}`)?.value, 4);
    const ev = await call(srv, 'GET', `/api/v1/soc/events?type=access.outside_area&actor=officer:${o.id}`, { as: analyst.token });
    const persons = ev.json().items.flatMap((e) => e.details.persons);
    assert.deepEqual(persons.map((p) => p.person).sort(), [...away].sort());
    assert.ok(persons.every((p) => p.province === P && p.commune === '22333'));
  });
});

describe('logins: stuffing and spraying, an administrator on a new device or network', () => {
  let srv;
  let analyst;
  before(async () => {
    srv = await startSocServer();
    analyst = officer(srv, 'soc.logins', 'soc-analyst', P);
  });
  after(() => srv?.stop());

  test('one network, many accounts, a different password each: stuffing, not spraying', async () => {
    for (let i = 0; i < 6; i++)
      await failLogins(srv, idFor('female', 1975, 920000 + i), 1, `mật khẩu bị lộ số ${i}`, '127.0.3.1');
    // Another network sprays one password over six accounts.
    for (let i = 0; i < 6; i++)
      await failLogins(srv, idFor('female', 1976, 930000 + i), 1, 'Matkhau@123', '127.0.4.1');
    await settle(srv);
    assert.deepEqual(await keys(srv, analyst.token, 'credential-stuffing'), ['127.0.3.0/24']);
    assert.deepEqual(await keys(srv, analyst.token, 'password-spraying'), ['127.0.4.0/24']);
    // The events carry a 4-digit tag of each password, never the password.
    const ev = await call(srv, 'GET', `/api/v1/soc/events?type=auth.failed&source=127.0.3.0%2F24`, { as: analyst.token });
    const tags = ev.json().items.map((e) => e.details.pw_tag);
    assert.equal(tags.length, 6);
    assert.ok(tags.every((t) => /^[0-9a-f]{4}$/.test(t)), JSON.stringify(tags));
    assert.equal(new Set(tags).size, 6);
    assert.ok(!ev.text.includes('bị lộ'));
    const sprayed = await call(srv, 'GET', `/api/v1/soc/events?type=auth.failed&source=127.0.4.0%2F24`, { as: analyst.token });
    assert.equal(new Set(sprayed.json().items.map((e) => e.details.pw_tag)).size, 1);
  });

  test('an administrator logging in from a new device, then a new network', async () => {
    const password = 'mật khẩu quản trị đủ dài';
    const admin = officer(srv, 'qt.vien', 'admin', P, password);
    const clerk = officer(srv, 'cb.thuong', 'province-police', P, password);
    const enrol = async (who) => {
      const r = await login(srv, who.name, password);
      assert.equal(r.status, 403, r.text);
      return enrolTotp(srv, r.json().enrolment.session_token);
    };
    const secrets = { [admin.name]: await enrol(admin), [clerk.name]: await enrol(clerk) };
    const signIn = async (who, ua, from) => {
      const r = await srv.request('POST', '/api/v1/sessions', {
        headers: { 'Content-Type': 'application/json', 'User-Agent': ua },
        body: JSON.stringify({ login: who.name, password, totp: await freshTotp(secrets[who.name]) }),
        localAddress: from,
      });
      assert.equal(r.status, 201, r.text);
    };
    const usual = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0';
    await signIn(admin, usual);
    await signIn(admin, usual);
    await signIn(clerk, usual);
    await signIn(clerk, 'curl/8.0');
    await settle(srv);
    assert.deepEqual(await alerts(srv, analyst.token, '?rule=admin-new-device'), []);
    assert.deepEqual(await alerts(srv, analyst.token, '?rule=admin-new-network'), []);
    await signIn(admin, 'Mozilla/5.0 (Windows NT 10.0) Chrome/120.0');
    await settle(srv);
    const dev = await alerts(srv, analyst.token, '?rule=admin-new-device');
    assert.equal(dev.length, 1, JSON.stringify(dev));
    assert.match(dev[0].key, /^account:\d+$/);
    assert.deepEqual(await alerts(srv, analyst.token, '?rule=admin-new-network'), []);
    await signIn(admin, usual, '127.0.9.1');
    await settle(srv);
    const net = await alerts(srv, analyst.token, '?rule=admin-new-network');
    assert.deepEqual(net.map((a) => a.key), [dev[0].key]);
    const ev = await call(srv, 'GET', `/api/v1/soc/events?type=auth.succeeded&actor=${dev[0].key}`, { as: analyst.token });
    const last = ev.json().items[0];
    assert.equal(last.source, '127.0.9.0/24');
    assert.equal(last.details.role, 'admin');
    assert.match(last.details.device, /^[0-9a-f]{16}$/);
  });
});

describe('level 2 out of hours, cloned cards, the audit chain', () => {
  let srv;
  let analyst;
  before(async () => {
    srv = await startSocServer();
    analyst = officer(srv, 'soc.misc', 'soc-analyst', P);
  });
  after(() => srv?.stop());

  test('a level-2 raise outside the working hours of the rules raises its alert; inside, none', async () => {
    const police = officer(srv, 'cand.l2', 'commune-police', `${P}-22366`);
    const raise = async () => {
      const c = await citizen(srv);
      const r = await call(srv, 'POST', `/api/v1/accounts/${c.account.id}/level-2`, {
        as: police.token, body: { card_check: 'manual', face_check: 'manual' },
      });
      assert.equal(r.status, 200, r.text);
      return c.account.id;
    };
    // Working hours that hold now (Vietnam's time), then working hours that do not.
    const h = (new Date().getUTCHours() + 7) % 24;
    const rules = testRules();
    const l2 = rules.rules.find((r) => r.id === 'level2-after-hours');
    l2.outside_hours = [0, 24];
    writeRules(srv.rulesFile, rules);
    assert.equal((await call(srv, 'POST', '/api/v1/soc/rules/reload', { as: analyst.token })).status, 200);
    await raise();
    await settle(srv);
    assert.deepEqual(await alerts(srv, analyst.token, '?rule=level2-after-hours'), []);
    l2.outside_hours = h <= 20 ? [h + 2, h + 3] : [h - 10, h - 9];
    writeRules(srv.rulesFile, rules);
    assert.equal((await call(srv, 'POST', '/api/v1/soc/rules/reload', { as: analyst.token })).status, 200);
    const id = await raise();
    await settle(srv);
    assert.deepEqual(await keys(srv, analyst.token, 'level2-after-hours'), [`account:${id}`]);
  });

  test('chips failing passive authentication at one place raise card-clones', async () => {
    const admin = officer(srv, 'qt.the', 'admin', P);
    const other = officer(srv, 'qt.the2', 'admin', P);
    const b64 = (name) => fs.readFileSync(path.join(ROOT, 'tests/data/emrtd/bsi', name)).toString('base64');
    const chip = async (who, dg1) => {
      const r = await srv.request('POST', '/api/v1/card/chip', {
        headers: { Authorization: `Bearer ${who.token}`, 'Content-Type': 'application/json', ...PURPOSE },
        body: JSON.stringify({ sod: b64('EF.SOD'), dg: { 1: b64(dg1) } }),
      });
      assert.equal(r.status, 200, r.text);
    };
    await chip(other, 'DG1'); // a good chip
    await chip(other, 'DG1.tampered');
    await chip(other, 'DG1.tampered'); // two failures at the other place: under 3
    for (let i = 0; i < 3; i++) await chip(admin, 'DG1.tampered');
    await settle(srv);
    assert.deepEqual(await keys(srv, analyst.token, 'card-clones'), [`officer:${admin.id}`]);
  });

  test('the audit chain failing verification raises audit-chain-broken; an intact one does not', async () => {
    let r = runCli(['audit', 'verify', '--db', srv.db]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    await settle(srv);
    assert.deepEqual(await alerts(srv, analyst.token, '?rule=audit-chain-broken'), []);
    const first = sql(srv, 'SELECT MIN(id) FROM audit_log');
    assert.ok(Number(first) > 0, 'no audit rows to alter');
    if (DB_KIND === 'sqlite') {
      const triggers = sql(srv, "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_log'");
      const drops = triggers.split('\n').filter(Boolean).map((t) => `DROP TRIGGER ${t};`);
      sql(srv, `${drops.join(' ')} UPDATE audit_log SET detail = detail || ' ' WHERE id = ${first}`);
    } else {
      sql(srv, `ALTER TABLE audit_log DISABLE TRIGGER ALL; UPDATE audit_log SET detail = detail || ' ' WHERE id = ${first}; ALTER TABLE audit_log ENABLE TRIGGER ALL`);
    }
    r = runCli(['audit', 'verify', '--db', srv.db]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    await settle(srv);
    const a = await alerts(srv, analyst.token, '?rule=audit-chain-broken');
    assert.equal(a.length, 1, JSON.stringify(a));
    assert.equal(a[0].severity, 'critical');
  });
});
