// lgsp.test.mjs — the data-sharing gateway (model 18, docs/LGSP.md) from the outside: a
// provider behind it, consumers with client-credentials tokens, the administrator's API, the
// exchange log and `dinhdanh lgsp log verify`, on SQLite or PostgreSQL (DD_TEST_DB).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCli } from './server.mjs';
import { addPerson, officer } from './identity_util.mjs';
import {
  accessToken, admin, adminOk, eventually, gw, machineClient, member, sql, startGateway, startProvider, verifyLog,
} from './lgsp_util.mjs';

const PERSON = '056090001234';
const FUTURE = '2099-12-31';

let srv;
let provider;
let answer = () => ({ status: 200, json: { ok: true } });
let health; // consumer VN/GOV/SYT/his
let police; // consumer VN/GOV/CATINH/hs

const count = (text) => Number(sql(srv, text));
const logRows = () => count('SELECT count(*) FROM lgsp_log');
const events = (type) => sql(srv, `SELECT subject || ' ' || payload FROM events WHERE type = '${type}' ORDER BY id`).split('\n').filter(Boolean);

async function service(code, extra = {}) {
  return adminOk(srv, 'POST', '/api/v1/lgsp/services', {
    subsystem: 'VN/GOV/BHXH/core', code, name: `Dịch vụ ${code}`, upstream_url: `${provider.url}/api`,
    legal_basis: 'Nghị định 47/2020/NĐ-CP', data_returned: 'thẻ BHYT', ...extra,
  });
}

async function grant(consumer, svc, o = {}) {
  return adminOk(srv, 'POST', '/api/v1/lgsp/rights', {
    consumer, service: `VN/GOV/BHXH/core/${svc}`, reason: 'Công văn 12/SYT', valid_until: FUTURE, ...o,
  });
}

before(async () => {
  provider = await startProvider((req, body) => answer(req, body));
  srv = await startGateway();
  await member(srv, 'BHXH', 'core');
  health = await member(srv, 'SYT', 'his', { client: true });
  police = await member(srv, 'CATINH', 'hs', { client: true });
});

after(async () => {
  await srv?.stop();
  await provider?.close();
});

describe('gateway', () => {
  test('deny by default, then grant, forward with path and query, and revoke', async () => {
    await service('cards');
    let r = await gw(srv, health.token, 'GET', 'VN/GOV/BHXH/core/cards/v1/the?so=123');
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json().type, 'urn:dinhdanh:problem:lgsp-no-right');
    assert.equal(provider.seen.length, 0, 'nothing reaches the provider without a right');

    const right = await grant(health.id, 'cards', { operation: 'GET' });
    answer = () => ({ status: 200, json: { card: 'HS4560123456789' } });
    r = await gw(srv, health.token, 'GET', 'VN/GOV/BHXH/core/cards/v1/the?so=123&x=a%20b');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json(), { card: 'HS4560123456789' });
    const seen = provider.seen.at(-1);
    assert.equal(seen.url, '/api/v1/the?so=123&x=a%20b');
    assert.equal(seen.headers['x-lgsp-client'], 'VN/GOV/SYT/his');
    assert.equal(seen.headers.authorization, undefined, 'the consumer token is not passed on');

    // The right is for GET only.
    r = await gw(srv, health.token, 'POST', 'VN/GOV/BHXH/core/cards/v1/the', { body: { a: 1 } });
    assert.equal(r.status, 403);
    // Another consumer has no right.
    r = await gw(srv, police.token, 'GET', 'VN/GOV/BHXH/core/cards/v1/the');
    assert.equal(r.json().type, 'urn:dinhdanh:problem:lgsp-no-right');

    await adminOk(srv, 'POST', `/api/v1/lgsp/rights/${right.id}/revocation`, { reason: 'Hết nhu cầu' }, 200);
    r = await gw(srv, health.token, 'GET', 'VN/GOV/BHXH/core/cards/v1/the');
    assert.equal(r.status, 403);
    assert.equal(r.json().type, 'urn:dinhdanh:problem:lgsp-no-right');
    const listed = await adminOk(srv, 'GET', `/api/v1/lgsp/rights?consumer=${encodeURIComponent(health.id)}`, undefined, 200);
    assert.equal(listed.items.find((x) => x.id === right.id).revoke_reason, 'Hết nhu cầu');
  });

  test('an expired right is refused as expired', async () => {
    await service('expired');
    await grant(health.id, 'expired', { valid_until: '2020-01-01' });
    const r = await gw(srv, health.token, 'GET', 'VN/GOV/BHXH/core/expired/x');
    assert.equal(r.status, 403);
    assert.equal(r.json().type, 'urn:dinhdanh:problem:lgsp-right-expired');
  });

  test('no token, a bad token and an officer token are refused, and logged as bad-token', async () => {
    await service('tok');
    await grant(health.id, 'tok');
    const before_ = logRows();
    assert.equal((await gw(srv, null, 'GET', 'VN/GOV/BHXH/core/tok/x')).status, 401);
    assert.equal((await gw(srv, 'eyJ.bad.token', 'GET', 'VN/GOV/BHXH/core/tok/x')).status, 401);
    assert.equal((await gw(srv, srv.admin.token, 'GET', 'VN/GOV/BHXH/core/tok/x')).status, 403);
    assert.ok(await eventually(() => logRows() >= before_ + 3));
    const badToken = () => events('lgsp.refused').filter((e) => e.includes('"reason":"bad-token"') && e.includes('"ip":"127.0.0.1"')).length;
    assert.equal(await eventually(() => badToken() === 3 && 3), 3);
  });

  test('consent required: refused without it, forwarded with it; the person access log is written', async () => {
    await service('person', { consent_item: 'identity', person_field: 'id_number' });
    await grant(police.id, 'person');
    answer = () => ({ status: 200, json: { id_number: PERSON, full_name: 'Nguyễn Văn A' } });
    const headers = { 'X-Person-Id': PERSON, 'X-Purpose': encodeURIComponent('Xác minh nhân thân') };
    let r = await gw(srv, police.token, 'GET', `VN/GOV/BHXH/core/person/${PERSON}`, { headers });
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json().type, 'urn:dinhdanh:problem:lgsp-consent-missing');

    sql(srv, `INSERT INTO consents (id_number, service, service_name, items, purpose, valid_from, valid_until, granted_at)
              VALUES ('${PERSON}', 'lgsp:catinh:hs', 'Công an tỉnh', '["identity"]', 'Xác minh', '2020-01-01', '2099-12-31', '2020-01-01T00:00:00.000Z')`);
    sql(srv, `INSERT INTO consent_items (id_number, service, item, consent_id)
              SELECT '${PERSON}', 'lgsp:catinh:hs', 'identity', max(id) FROM consents`);
    // Without a purpose the call is refused before it reaches the provider.
    const seenBefore = provider.seen.length;
    r = await gw(srv, police.token, 'GET', `VN/GOV/BHXH/core/person/${PERSON}`, { headers: { 'X-Person-Id': PERSON } });
    assert.equal(r.status, 400, r.text);
    assert.equal(provider.seen.length, seenBefore);

    r = await gw(srv, police.token, 'GET', `VN/GOV/BHXH/core/person/${PERSON}`, { headers });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().id_number, PERSON);
    const row = await eventually(() => sql(srv, `SELECT actor || '|' || agency || '|' || purpose || '|' || data FROM access_log WHERE id_number = '${PERSON}'`));
    assert.equal(row, 'lgsp:VN/GOV/CATINH/hs|Sở CATINH|Xác minh nhân thân|VN/GOV/BHXH/core/person');
    const read = events('lgsp.person_read');
    assert.equal(read.length, 1);
    assert.ok(read[0].startsWith(`person:${PERSON} `));
    assert.deepEqual(JSON.parse(read[0].slice(read[0].indexOf(' ') + 1)), {
      consumer: 'VN/GOV/CATINH/hs', service: 'VN/GOV/BHXH/core/person', person: PERSON, purpose: 'Xác minh nhân thân',
    });
  });

  test('quota per day and rate per second', async () => {
    await service('quota', { quota_per_day: 2 });
    await grant(health.id, 'quota');
    answer = () => ({ status: 200, json: { ok: 1 } });
    assert.equal((await gw(srv, health.token, 'GET', 'VN/GOV/BHXH/core/quota/a')).status, 200);
    assert.equal((await gw(srv, health.token, 'GET', 'VN/GOV/BHXH/core/quota/a')).status, 200);
    const r = await gw(srv, health.token, 'GET', 'VN/GOV/BHXH/core/quota/a');
    assert.equal(r.status, 429);
    assert.equal(r.json().type, 'urn:dinhdanh:problem:lgsp-quota-exceeded');
    assert.ok(r.headers['retry-after']);

    await service('rate', { rate_per_second: 2 });
    await grant(health.id, 'rate');
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await gw(srv, health.token, 'GET', 'VN/GOV/BHXH/core/rate/a')).status);
    assert.ok(codes.includes(429), codes.join());
    assert.equal(codes[0], 200);
    assert.ok(await eventually(() => events('lgsp.refused').some((e) => e.includes('"reason":"rate-limit"'))));
    assert.ok(events('lgsp.refused').some((e) => e.startsWith('lgsp:VN/GOV/SYT/his ') && e.includes('"reason":"quota"')));
  });

  test('a provider timeout and a provider 5xx are clear errors and do not hang', async () => {
    await service('slow', { timeout_ms: 300 });
    await grant(health.id, 'slow');
    answer = () => ({ status: 200, json: { late: true }, delayMs: 2000 });
    const t0 = Date.now();
    let r = await gw(srv, health.token, 'GET', 'VN/GOV/BHXH/core/slow/x');
    assert.ok(Date.now() - t0 < 1500, 'answered soon after the timeout');
    assert.equal(r.status, 503);
    assert.equal(r.json().type, 'urn:dinhdanh:problem:lgsp-upstream-timeout');

    answer = () => ({ status: 500, text: 'boom' });
    r = await gw(srv, health.token, 'GET', 'VN/GOV/BHXH/core/slow/x');
    assert.equal(r.status, 503);
    assert.equal(r.json().type, 'urn:dinhdanh:problem:lgsp-upstream-error');
    assert.equal(r.json().upstream_status, 500);

    // A provider that is not there at all.
    await adminOk(srv, 'POST', '/api/v1/lgsp/services', {
      subsystem: 'VN/GOV/BHXH/core', code: 'gone', name: 'x', upstream_url: 'http://127.0.0.1:9/', legal_basis: 'x',
    });
    await grant(health.id, 'gone');
    r = await gw(srv, health.token, 'GET', 'VN/GOV/BHXH/core/gone/x');
    assert.equal(r.json().type, 'urn:dinhdanh:problem:lgsp-upstream-error');
    const outcomes = await eventually(() => count("SELECT count(*) FROM lgsp_log WHERE service_id = 'VN/GOV/BHXH/core/slow'") === 2
      && sql(srv, "SELECT outcome FROM lgsp_log WHERE service_id = 'VN/GOV/BHXH/core/slow' ORDER BY seq"));
    assert.equal(outcomes, 'timeout\nupstream-error');
  });

  test('POST bodies pass through; bodies are kept only where the policy says', async () => {
    await service('post', { keep_bodies_days: 30 });
    await grant(health.id, 'post', { operation: 'POST' });
    answer = (req, body) => ({ status: 201, json: { got: JSON.parse(body) } });
    const r = await gw(srv, health.token, 'POST', 'VN/GOV/BHXH/core/post/claims', { body: { claim: 7 } });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json(), { got: { claim: 7 } });
    const kept = await eventually(() => sql(srv, "SELECT b.request_body FROM lgsp_bodies b JOIN lgsp_log l ON l.seq = b.seq WHERE l.service_id = 'VN/GOV/BHXH/core/post'"));
    assert.equal(kept, '{"claim":7}');
    assert.equal(count("SELECT count(*) FROM lgsp_bodies b JOIN lgsp_log l ON l.seq = b.seq WHERE l.service_id <> 'VN/GOV/BHXH/core/post'"), 0);
  });

  test('a suspension by the SOC refuses every call until an administrator reinstates', async () => {
    await service('susp');
    await grant(health.id, 'susp');
    answer = () => ({ status: 200, json: { ok: 1 } });
    assert.equal((await gw(srv, health.token, 'GET', 'VN/GOV/BHXH/core/susp/a')).status, 200);
    const e = runCli(['events', 'emit', 'soc.contain.suspend_consumer', `lgsp:${health.id}`,
      JSON.stringify({ consumer: health.id, reason: 'Rò rỉ dữ liệu', incident: 'INC-7', actor: 'officer:3' }), '--db', srv.db]);
    assert.equal(e.status, 0, e.stderr);
    const refused = await eventually(async () => {
      const r = await gw(srv, health.token, 'GET', 'VN/GOV/BHXH/core/susp/a');
      return r.status === 403 && r;
    }, 30000);
    assert.ok(refused, 'suspended within the dispatcher delay');
    assert.equal(refused.json().type, 'urn:dinhdanh:problem:lgsp-consumer-suspended');
    const s = events('lgsp.consumer_suspended');
    assert.equal(s.length, 1);
    assert.ok(s[0].startsWith(`lgsp:${health.id} `));
    assert.equal(JSON.parse(s[0].slice(s[0].indexOf(' ') + 1)).actor, 'officer:3');

    await adminOk(srv, 'POST', '/api/v1/lgsp/reinstatements', { consumer: health.id, reason: 'Đã khắc phục' });
    assert.equal((await gw(srv, health.token, 'GET', 'VN/GOV/BHXH/core/susp/a')).status, 200);
    assert.equal(events('lgsp.consumer_reinstated').length, 1);
  });

  test('the register published as a service: the gateway calls it with its own credential', async () => {
    const cred = officer(srv, 'lgsp.gateway', 'province-police', '56');
    const p = addPerson(srv, { full_name: 'Trần Thị Bình', sex: 'female', birth_date: '1985-02-03' });
    sql(srv, `UPDATE people SET permanent_province = '56', permanent_commune = '22366' WHERE id_number = '${p.id_number}'`);
    await member(srv, 'CA-KH', 'register');
    await adminOk(srv, 'POST', '/api/v1/lgsp/services', {
      subsystem: 'VN/GOV/CA-KH/register', code: 'person', name: 'Tra cứu công dân', upstream_url: `${srv.url}/api/v1/people`,
      upstream_authorization: `Bearer ${cred.token}`, legal_basis: 'Luật Căn cước 2023', person_field: 'id_number',
    });
    await adminOk(srv, 'POST', '/api/v1/lgsp/rights', {
      consumer: police.id, service: 'VN/GOV/CA-KH/register/person', operation: 'GET', reason: 'Phối hợp', valid_until: FUTURE,
    });
    const r = await gw(srv, police.token, 'GET', `VN/GOV/CA-KH/register/person/${p.id_number}`, {
      headers: { 'X-Purpose': encodeURIComponent('Xác minh hồ sơ') },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().full_name, 'Trần Thị Bình');
    const rows = await eventually(() => {
      const v = sql(srv, `SELECT actor FROM access_log WHERE id_number = '${p.id_number}' ORDER BY actor`).split('\n').filter(Boolean);
      return v.length === 2 && v;
    });
    assert.deepEqual(rows, [`lgsp:${police.id}`, `officer:${cred.id}`]);
    // The provider's credential is never shown.
    const list = await adminOk(srv, 'GET', '/api/v1/lgsp/services?limit=500', undefined, 200);
    assert.ok(!JSON.stringify(list).includes(cred.token));
  });

  test('every person an answer names gets an access-log row, nested or listed, once; a name inside a string does not count', async () => {
    await service('household', { person_field: 'id_number' });
    await grant(health.id, 'household');
    const [a, b, c, d] = ['056090000011', '056090000012', '056090000013', '056090000014'];
    answer = () => ({ status: 200, json: {
      number: 'H1', head: { id_number: a }, members: [{ id_number: a }, { id_number: b }],
      items: [{ id_number: c }], note: `"id_number":"${d}"`, other_id: { id_number: '12345' },
    } });
    const r = await gw(srv, health.token, 'GET', 'VN/GOV/BHXH/core/household/H1', { headers: { 'X-Purpose': 'kiem-tra' } });
    assert.equal(r.status, 200, r.text);
    const rows = await eventually(() => {
      const v = sql(srv, "SELECT id_number FROM access_log WHERE data = 'VN/GOV/BHXH/core/household' ORDER BY id_number").split('\n').filter(Boolean);
      return v.length >= 3 && v;
    });
    assert.deepEqual(rows, [a, b, c]);
  });

  test('usage and /metrics count per service and consumer', async () => {
    const u = await adminOk(srv, 'GET', `/api/v1/lgsp/usage?consumer=${encodeURIComponent(health.id)}`, undefined, 200);
    const cards = u.items.find((x) => x.service === 'VN/GOV/BHXH/core/cards');
    assert.ok(cards.calls >= 4 && cards.refused >= 2, JSON.stringify(cards));
    const slow = u.items.find((x) => x.service === 'VN/GOV/BHXH/core/slow');
    assert.equal(slow.errors, 2);
    const m = (await srv.get('/metrics')).text;
    assert.match(m, /lgsp_errors_total\{consumer="VN\/GOV\/SYT\/his",service="VN\/GOV\/BHXH\/core\/slow"\} 2/);
    const log = await adminOk(srv, 'GET', `/api/v1/lgsp/log?provider=VN/GOV/BHXH/core&limit=2`, undefined, 200);
    assert.equal(log.items.length, 2);
    assert.ok(log.next_cursor);
    const more = await adminOk(srv, 'GET', `/api/v1/lgsp/log?provider=VN/GOV/BHXH/core&limit=2&cursor=${log.next_cursor}`, undefined, 200);
    assert.ok(more.items[0].seq < log.items[1].seq);
  });
});

describe('administration', () => {
  test('bad input is refused and nothing is stored', async () => {
    const tables = ['lgsp_members', 'lgsp_subsystems', 'lgsp_services', 'lgsp_rights'];
    const snap = () => tables.map((t) => count(`SELECT count(*) FROM ${t}`));
    const before_ = snap();
    const bad = [
      ['/api/v1/lgsp/members', { code: 'bad code', name: 'x' }],
      ['/api/v1/lgsp/members', { code: 'OK' }],
      ['/api/v1/lgsp/subsystems', { member: 'BHXH', code: 'a/b' }],
      ['/api/v1/lgsp/services', { subsystem: 'VN/GOV/BHXH/core', code: 'x', name: 'x', upstream_url: 'ftp://x', legal_basis: 'x' }],
      ['/api/v1/lgsp/services', { subsystem: 'VN/GOV/BHXH/core', code: 'x', name: 'x', upstream_url: 'http://x', legal_basis: 'x', consent_item: 'nope' }],
      ['/api/v1/lgsp/services', { subsystem: 'VN/GOV/BHXH/core', code: 'x', name: 'x', upstream_url: 'http://x', legal_basis: 'x', quota_per_day: -1 }],
      ['/api/v1/lgsp/rights', { consumer: health.id, service: 'VN/GOV/BHXH/core/cards', reason: 'x', valid_until: 'mai' }],
      ['/api/v1/lgsp/rights', { consumer: health.id, service: 'VN/GOV/BHXH/core/cards', reason: 'x', valid_until: FUTURE, operation: 'TRACE' }],
      ['/api/v1/lgsp/rights', { consumer: health.id, service: 'VN/GOV/BHXH/core/cards', valid_until: FUTURE }],
    ];
    for (const [p, body] of bad) {
      const r = await admin(srv, 'POST', p, body);
      assert.equal(r.status, 400, `${p} ${JSON.stringify(body)}: ${r.text}`);
    }
    // Unknown references: 404 or nothing.
    let r = await admin(srv, 'POST', '/api/v1/lgsp/rights', { consumer: 'VN/GOV/NO/x', service: 'VN/GOV/BHXH/core/cards', reason: 'x', valid_until: FUTURE });
    assert.equal(r.status, 404);
    r = await admin(srv, 'POST', '/api/v1/lgsp/rights/999999/revocation', { reason: 'x' });
    assert.equal(r.status, 404);
    r = await admin(srv, 'POST', '/api/v1/lgsp/members', { code: 'BHXH', name: 'again' });
    assert.equal(r.status, 409);
    assert.deepEqual(snap(), before_);
  });

  test('only an officer with lgsp:admin manages the gateway', async () => {
    const r = await srv.request('GET', '/api/v1/lgsp/members', {});
    assert.equal(r.status, 401);
    const c = machineClient(srv, 'other');
    const t = await accessToken(srv, c);
    assert.equal((await srv.request('GET', '/api/v1/lgsp/members', { headers: { Authorization: `Bearer ${t}` } })).status, 401);
  });
});

describe('exchange log', () => {
  test('verify passes, and finds an altered row, a removed row, rows cut at the end and a forged batch', async () => {
    await eventually(() => count('SELECT count(*) FROM lgsp_log') === count('SELECT last_seq FROM lgsp_log_head'));
    await srv.stop();
    const ok = () => {
      const v = verifyLog(srv);
      assert.equal(v.status, 0, v.stdout + v.stderr);
      return v.stdout;
    };
    const brokenAt = (re) => {
      const v = verifyLog(srv);
      assert.equal(v.status, 1, v.stdout + v.stderr);
      assert.match(v.stdout, re);
    };
    const n = count('SELECT count(*) FROM lgsp_log');
    assert.ok(n > 20, `${n} rows`);
    assert.match(ok(), new RegExp(`^OK: ${n} exchanges, [1-9]\\d* batches verified`));

    // An altered field.
    const status = sql(srv, 'SELECT status FROM lgsp_log WHERE seq = 3');
    sql(srv, `UPDATE lgsp_log SET status = ${Number(status) + 1} WHERE seq = 3`);
    brokenAt(/^BROKEN at exchange 3: altered/);
    sql(srv, `UPDATE lgsp_log SET status = ${status} WHERE seq = 3`);
    ok();

    // A forged batch signature.
    const sig = sql(srv, 'SELECT signature FROM lgsp_log_batches ORDER BY id LIMIT 1');
    const forged = (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1);
    sql(srv, `UPDATE lgsp_log_batches SET signature = '${forged}' WHERE signature = '${sig}'`);
    brokenAt(/batch: the signature is not the gateway's/);
    sql(srv, `UPDATE lgsp_log_batches SET signature = '${sig}' WHERE signature = '${forged}'`);
    ok();

    // The last row removed (the head still names it).
    sql(srv, `CREATE TABLE lgsp_bak AS SELECT * FROM lgsp_log WHERE seq = ${n}`);
    sql(srv, `DELETE FROM lgsp_log WHERE seq = ${n}`);
    brokenAt(new RegExp(`^BROKEN at exchange ${n}: (truncated|batch)`));
    sql(srv, 'INSERT INTO lgsp_log SELECT * FROM lgsp_bak');
    sql(srv, 'DROP TABLE lgsp_bak');
    ok();

    // A row removed in the middle.
    sql(srv, 'DELETE FROM lgsp_log WHERE seq = 5');
    brokenAt(/^BROKEN at exchange 5: missing/);
  });
});
