// soc_detection.test.mjs — the security operations centre's detection on the real binary, on
// SQLite or PostgreSQL (DD_TEST_DB): scripted attacks replayed against a running server raise
// the alerts their rules describe, with their evidence, repeated hits grouped into one alert;
// a replay of ordinary traffic raises none. Logins go through POST /api/v1/sessions, look-ups
// through GET /api/v1/people/{id}, and gateway reads through the gateway itself (/lgsp/r1/…)
// with a provider behind it, so the gateway emits its lgsp.person_read and lgsp.refused events.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertProblem, runCli, sleep } from './server.mjs';
import { addPerson, call, citizen, idFor, officer, session, sql } from './identity_util.mjs';
import { alerts, failLogins, gateway, settle, startSocServer } from './soc_util.mjs';

// Registers people through the API (a province police officer), so that reads find them.
async function registerPeople(srv, token, n, seqBase) {
  const ids = [];
  for (let i = 0; i < n; i++) {
    const id = idFor(i % 2 ? 'female' : 'male', 1980 + (i % 30), seqBase + i);
    const r = await call(srv, 'POST', '/api/v1/people', {
      as: token,
      headers: { 'X-Purpose': encodeURIComponent('Đăng ký khai sinh') },
      body: {
        id_number: id, full_name: 'Trần Văn Bình', birth_date: `${1980 + (i % 30)}-03-04`,
        sex: i % 2 ? 'female' : 'male', ethnicity: 'Kinh', permanent_province: '56',
        permanent_commune: '22366', permanent_address: `${i + 1} Trần Phú`,
        reason: 'Đăng ký khai sinh', legal_basis: 'Luật Hộ tịch 2014', dossier: `HS-${seqBase + i}`,
      },
    });
    assert.equal(r.status, 201, r.text);
    ids.push(id);
  }
  return ids;
}

async function readPeople(srv, token, ids) {
  for (const id of ids) {
    const r = await call(srv, 'GET', `/api/v1/people/${id}`, {
      as: token,
      headers: { 'X-Purpose': encodeURIComponent('Xác minh hồ sơ') },
    });
    assert.equal(r.status, 200, r.text);
  }
}

describe('a replay of ordinary traffic', () => {
  let srv;
  before(async () => {
    srv = await startSocServer();
  });
  after(() => srv?.stop());

  test('raises no alert, while its events are all in the security-event table', async () => {
    const analyst = officer(srv, 'socnormal', 'soc-analyst', '56');
    const clerk = officer(srv, 'clerknormal', 'province-police', '56');
    // Citizens log in, one mistypes a password once; an officer registers and reads a few
    // people; a gateway consumer reads a few persons and is refused once.
    for (let i = 0; i < 4; i++) {
      const c = await citizen(srv);
      if (i === 1) await failLogins(srv, c.login, 1);
      await session(srv, c.login, c.password);
      await session(srv, c.login, c.password);
    }
    const ids = await registerPeople(srv, clerk.token, 6, 700100);
    await readPeople(srv, clerk.token, ids);
    const gw = await gateway(srv);
    const bhxh = await gw.consumer('BHXH');
    for (const id of ids) await bhxh.read(id);
    await bhxh.readUngranted();
    await gw.close();
    await settle(srv);
    // The gateway's set-up granted one right (an administrator's privilege change, recorded as a
    // low-severity alert like an officer's role change); the traffic itself raises nothing.
    const raised = await alerts(srv, analyst.token);
    assert.deepEqual(raised.map((a) => [a.rule, a.severity]), [['gateway-right-granted', 'low']]);
    const ev = await call(srv, 'GET', '/api/v1/soc/events?limit=500', { as: analyst.token });
    assert.equal(ev.status, 200, ev.text);
    const types = new Set(ev.json().items.map((e) => e.type));
    for (const t of ['auth.succeeded', 'auth.failed', 'access.reads', 'lgsp.person_read', 'lgsp.refused', 'account.created', 'lgsp.right_granted'])
      assert.ok(types.has(t), `no ${t} in ${[...types]}`);
    const reads = ev.json().items.filter((e) => e.type === 'access.reads');
    assert.equal(reads.reduce((s, e) => s + e.amount, 0), 6);
    assert.ok(reads.every((e) => e.actor === `officer:${clerk.id}` && e.module === 'register'));
    const refused = ev.json().items.find((e) => e.type === 'lgsp.refused');
    assert.equal(refused.actor, `lgsp:${bhxh.id}`);
    assert.equal(refused.source, '127.0.0.0/24'); // a network, never the full address
    assert.equal(refused.outcome, 'failure');
    assert.equal(refused.details.reason, 'no-right');
    const read = ev.json().items.filter((e) => e.type === 'lgsp.person_read');
    assert.deepEqual(read.map((e) => e.subject).sort(), ids.map((id) => `person:${id}`).sort());
    assert.ok(read.every((e) => e.actor === `lgsp:${bhxh.id}`));
  });
});

describe('replayed attacks', () => {
  let srv;
  let scrapeHits = 0;
  let analyst;
  let clerk;
  before(async () => {
    srv = await startSocServer();
    analyst = officer(srv, 'socana', 'soc-analyst', '56');
    clerk = officer(srv, 'clerkmass', 'province-police', '56');
  });
  after(() => srv?.stop());

  test('password spraying: many logins from one network raise one grouped alert', async () => {
    // Eight accounts that do not exist and one that does, one wrong password each.
    const victim = await citizen(srv);
    for (let i = 0; i < 8; i++) await failLogins(srv, idFor('male', 1970, 900000 + i), 1);
    await failLogins(srv, victim.login, 1);
    await settle(srv);
    const a = await alerts(srv, analyst.token, '?rule=password-spraying');
    assert.equal(a.length, 1, JSON.stringify(a));
    assert.equal(a[0].key, '127.0.0.0/24');
    assert.equal(a[0].severity, 'high');
    assert.equal(a[0].status, 'open');
    assert.equal(a[0].hits, 5); // at the 5th, 6th, 7th, 8th and 9th account
    assert.equal(a[0].value, 9);
    const one = await call(srv, 'GET', `/api/v1/soc/alerts/${a[0].id}`, { as: analyst.token });
    assert.equal(one.status, 200, one.text);
    const evidence = one.json().evidence_events;
    assert.equal(evidence.length, 9);
    assert.ok(evidence.every((e) => e.type === 'auth.failed' && e.source === '127.0.0.0/24'));
    // Unknown logins stand as the SHA-256 of what was typed; never the password.
    assert.ok(evidence.filter((e) => /^login:[0-9a-f]{64}$/.test(e.subject)).length === 8);
    assert.ok(!JSON.stringify(evidence).includes('sai mật khẩu'));
    assert.equal(evidence.filter((e) => e.subject === `account:${victim.account.id}`).length, 1);
    assert.deepEqual(await alerts(srv, analyst.token, '?rule=brute-force'), []);
  });

  test('brute force on one account raises its alert, keyed by the account', async () => {
    const victim = await citizen(srv);
    await failLogins(srv, victim.login, 6);
    await settle(srv);
    const a = await alerts(srv, analyst.token, '?rule=brute-force');
    assert.equal(a.length, 1, JSON.stringify(a));
    assert.equal(a[0].key, `account:${victim.account.id}`);
    assert.equal(a[0].hits, 2);
    assert.equal(a[0].value, 6);
  });

  test("an officer's mass look-ups raise an alert on that officer", async () => {
    const ids = await registerPeople(srv, clerk.token, 24, 700300);
    await readPeople(srv, clerk.token, ids);
    await settle(srv);
    const a = await alerts(srv, analyst.token, '?rule=officer-mass-lookups');
    assert.equal(a.length, 1, JSON.stringify(a));
    assert.equal(a[0].key, `officer:${clerk.id}`);
    assert.ok(a[0].value >= 20 && a[0].value <= 24, String(a[0].value));
  });

  test('a gateway scraping run raises an alert on the consumer; containment suspends it at the gateway', async () => {
    // A consumer with a right reads 32 different persons through the gateway; another reads a
    // few, under the threshold.
    const gw = await gateway(srv);
    const scraper = await gw.consumer('SCRAPER');
    const quiet = await gw.consumer('QUIET');
    for (let i = 0; i < 32; i++) await scraper.read(idFor('female', 1990, 800000 + i));
    for (let i = 0; i < 3; i++) await quiet.read(idFor('female', 1991, 800000 + i));
    await settle(srv);
    const a = await alerts(srv, analyst.token, '?rule=gateway-scraping');
    assert.equal(a.length, 1, JSON.stringify(a));
    assert.equal(a[0].key, `lgsp:${scraper.id}`);
    assert.equal(a[0].hits, 3);
    assert.equal(a[0].value, 32);
    // The analyst raises an incident and suspends the consumer: the gateway refuses it after.
    const inc = await call(srv, 'POST', '/api/v1/soc/incidents', { as: analyst.token, body: { title: 'Cào dữ liệu qua LGSP', severity: 'high', alerts: [a[0].id] } });
    assert.equal(inc.status, 201, inc.text);
    const act = await call(srv, 'POST', `/api/v1/soc/incidents/${inc.json().id}/actions`, {
      as: analyst.token, body: { action: 'suspend-consumer', consumer: scraper.id, reason: 'Đọc hàng loạt nhân khẩu' },
    });
    assert.equal(act.status, 201, act.text);
    let status = 200;
    for (let i = 0; i < 100 && status === 200; i++) {
      await sleep(100);
      status = (await scraper.get(`person/${idFor('female', 1990, 800100)}`, { 'X-Person-Id': idFor('female', 1990, 800100) })).status;
    }
    assert.equal(status, 403);
    await quiet.read(idFor('female', 1991, 800009));
    await gw.close();
    // Reads that passed before the suspension took effect are further hits of the same alert.
    await settle(srv);
    const after = await alerts(srv, analyst.token, '?rule=gateway-scraping');
    assert.equal(after.length, 1);
    scrapeHits = after[0].hits;
    assert.ok(scrapeHits >= 3);
  });

  test('a burst of bulk exports raises an alert on the operator', async () => {
    for (let i = 0; i < 3; i++) {
      const r = runCli(['export', 'people', '--out', '/dev/null', '--db', srv.db], { env: { USER: 'ops-an' } });
      assert.equal(r.status, 0, r.stderr);
    }
    await settle(srv);
    const a = await alerts(srv, analyst.token, '?rule=bulk-export-burst');
    assert.equal(a.length, 1, JSON.stringify(a));
    assert.match(a[0].key, /^operator:/);
    assert.equal(a[0].value, 3);
  });

  test('the rule list counts hits per rule', async () => {
    const r = await call(srv, 'GET', '/api/v1/soc/rules', { as: analyst.token });
    assert.equal(r.status, 200, r.text);
    const by = Object.fromEntries(r.json().items.map((x) => [x.id, x]));
    assert.equal(by['brute-force'].hits, 2);
    assert.equal(by['brute-force'].threshold, 5);
    assert.equal(by['gateway-scraping'].hits, scrapeHits);
    assert.equal(by['audit-chain-broken'].hits, 0);
    assert.ok(by['password-spraying'].hits >= 5);
    assert.equal(by['password-spraying'].alerts, 1);
  });

  test('a new alert is itself an event (soc.alert) for the SIEM', async () => {
    const n = Number(sql(srv, "SELECT COUNT(*) FROM events WHERE type = 'soc.alert'"));
    assert.equal(n, 6); // the five attacks' alerts and the scraping test's gateway-right-granted
  });

  test('event search filters by type, actor, source and time, and pages', async () => {
    const q = `/api/v1/soc/events?type=auth.failed&source=${encodeURIComponent('127.0.0.0/24')}&limit=5`;
    const p1 = await call(srv, 'GET', q, { as: analyst.token });
    assert.equal(p1.status, 200, p1.text);
    assert.equal(p1.json().items.length, 5);
    assert.ok(p1.json().next_cursor);
    const p2 = await call(srv, 'GET', `${q}&cursor=${p1.json().next_cursor}`, { as: analyst.token });
    assert.ok(p2.json().items.every((e) => e.id < p1.json().items[4].id && e.type === 'auth.failed'));
    const future = await call(srv, 'GET', '/api/v1/soc/events?since=2999-01-01T00:00:00Z', { as: analyst.token });
    assert.deepEqual(future.json().items, []);
    const bad = await call(srv, 'GET', '/api/v1/soc/events?since=yesterday&limit=0', { as: analyst.token });
    assertProblem(bad, 400, 'validation-failed');
    assert.deepEqual(bad.json().errors.map((e) => e.field).sort(), ['limit', 'since']);
  });

  test('only SOC roles see the SOC', async () => {
    const none = await call(srv, 'GET', '/api/v1/soc/alerts');
    assert.equal(none.status, 401);
    const other = await call(srv, 'GET', '/api/v1/soc/alerts', { as: clerk.token });
    assertProblem(other, 403, 'forbidden');
  });
});
