// soc_changes.test.mjs — configuration and key changes as security events, on SQLite or
// PostgreSQL (DD_TEST_DB): a wallet issuer's key made and rotated (in the change's transaction,
// a refused request emitting nothing), the single sign-on signing key rotated with `dinhdanh keys
// rotate`, a client secret rotated, the gateway's log key made at the first start, the detection
// rules reloaded by the API and by SIGHUP or refused, an officer's role and area changed, a
// gateway right granted and revoked and a subsystem's certificate registered; each reaches
// soc_events with its actor and raises its alert.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertProblem, runCli, sleep } from './server.mjs';
import { call, count, officer, sql } from './identity_util.mjs';
import { alerts, settle, startSocServer, testRules, writeRules } from './soc_util.mjs';
import { machineClient } from './lgsp_util.mjs';

let srv;
let analyst;
let admin;
before(async () => {
  srv = await startSocServer();
  analyst = officer(srv, 'soc.changes', 'soc-analyst', '56');
  admin = officer(srv, 'qt.khoa', 'admin', '56');
});
after(() => srv?.stop());

async function events(q) {
  const r = await call(srv, 'GET', `/api/v1/soc/events?limit=500&${q}`, { as: analyst.token });
  assert.equal(r.status, 200, r.text);
  return r.json().items;
}

const outboxCount = (type) => count(srv, `SELECT COUNT(*) FROM events WHERE type LIKE '${type}'`);

describe('keys', () => {
  test('the gateway\'s log signing key, made at the first start, is a security event', async () => {
    await settle(srv);
    const e = await events('type=keys.created');
    const lgsp = e.filter((x) => x.subject === 'lgsp-log-key');
    assert.equal(lgsp.length, 1, JSON.stringify(e));
    assert.equal(lgsp[0].details.kind, 'lgsp-log-signing');
    assert.equal(lgsp[0].module, 'config');
  });

  test('a wallet issuer\'s key made and rotated, in the same transaction; a refused request emits nothing', async () => {
    const before = outboxCount('keys.%');
    const bad = await call(srv, 'POST', '/api/v1/wallet/issuers', { as: admin.token, body: { id: 'Có Dấu', name: 'x' } });
    assertProblem(bad, 400, 'validation-failed');
    const missing = await call(srv, 'POST', '/api/v1/wallet/issuers/khong-co/keys', { as: admin.token, body: {} });
    assert.equal(missing.status, 404, missing.text);
    assert.equal(outboxCount('keys.%'), before);
    assert.equal(count(srv, "SELECT COUNT(*) FROM wallet_issuers WHERE id = 'khong-co'"), 0);

    const made = await call(srv, 'POST', '/api/v1/wallet/issuers', { as: admin.token, body: { id: 'so-tp-56', name: 'Sở Tư pháp' } });
    assert.equal(made.status, 201, made.text);
    const rot = await call(srv, 'POST', '/api/v1/wallet/issuers/so-tp-56/keys', { as: admin.token, body: {} });
    assert.equal(rot.status, 201, rot.text);
    assert.equal(outboxCount('keys.%'), before + 2);
    await settle(srv);
    const created = (await events('type=keys.created')).filter((x) => x.subject === 'wallet:so-tp-56');
    const rotated = (await events('type=keys.rotated')).filter((x) => x.subject === 'wallet:so-tp-56');
    assert.equal(created.length, 1);
    assert.equal(rotated.length, 1);
    assert.equal(rotated[0].actor, `officer:${admin.id}`);
    assert.equal(rotated[0].details.issuer, 'so-tp-56');
    const a = await alerts(srv, analyst.token, '?rule=signing-key-rotated');
    assert.ok(a.some((x) => x.key === 'wallet:so-tp-56'), JSON.stringify(a));
  });

  test('`dinhdanh keys rotate` and a client secret rotation are recorded with the operator', async () => {
    const r = runCli(['keys', 'rotate', '--data-dir', srv.dataDir, '--db', srv.db]);
    assert.equal(r.status, 0, r.stderr);
    const kid = JSON.parse(r.stdout).kid;
    const c = runCli(['client', 'add', 'Cổng dịch vụ', '--client-id', 'ddc_changes', '--grant', 'client_credentials',
      '--auth', 'client_secret_basic', '--scope', 'lgsp:read', '--db', srv.db, '--data-dir', srv.dataDir]);
    assert.equal(c.status, 0, c.stderr);
    const s = runCli(['client', 'rotate-secret', 'ddc_changes', '--db', srv.db, '--data-dir', srv.dataDir]);
    assert.equal(s.status, 0, s.stderr);
    // Rotating the secret of a client that does not exist changes nothing and records nothing.
    const before = outboxCount('keys.%');
    assert.notEqual(runCli(['client', 'rotate-secret', 'ddc_none', '--db', srv.db]).status, 0);
    assert.equal(outboxCount('keys.%'), before);
    await settle(srv);
    const e = await events('type=keys.rotated');
    const sso = e.find((x) => x.subject === 'sso-keys');
    assert.ok(sso, JSON.stringify(e));
    assert.equal(sso.details.kid, kid);
    assert.equal(sso.details.kind, 'sso-signing');
    assert.match(sso.actor, /^operator:/);
    const secret = e.find((x) => x.subject === 'ddc_changes');
    assert.ok(secret, JSON.stringify(e));
    assert.equal(secret.details.kind, 'sso-client-secret');
    assert.match(secret.actor, /^operator:/);
  });
});

describe('configuration', () => {
  test('rule reloads by the API and by SIGHUP are config.changed; a refused file config.refused', async () => {
    writeRules(srv.rulesFile, testRules({ 'brute-force': 6 }));
    const ok = await call(srv, 'POST', '/api/v1/soc/rules/reload', { as: analyst.token });
    assert.equal(ok.status, 200, ok.text);
    const bad = testRules();
    bad.rules[0].measure = 'median';
    writeRules(srv.rulesFile, bad);
    assertProblem(await call(srv, 'POST', '/api/v1/soc/rules/reload', { as: analyst.token }), 422, 'rule-violated');
    writeRules(srv.rulesFile, testRules({ 'brute-force': 8 }));
    srv.proc.kill('SIGHUP');
    let changed = [];
    for (let i = 0; i < 100 && changed.length < 2; i++) {
      await sleep(100);
      await settle(srv);
      changed = await events('type=config.changed');
    }
    assert.equal(changed.length, 2, JSON.stringify(changed));
    assert.deepEqual(changed.map((x) => x.actor).sort(), [`officer:${analyst.id}`, 'operator:sighup'].sort());
    assert.ok(changed.every((x) => x.subject === 'soc-rules' && x.details.rules > 0));
    const refused = await events('type=config.refused');
    assert.equal(refused.length, 1);
    assert.match(refused[0].details.reason, /password-spraying/);
    assert.equal((await alerts(srv, analyst.token, '?rule=detection-rules-refused')).length, 1);
    assert.equal((await alerts(srv, analyst.token, '?rule=detection-rules-changed')).length, 1);
  });

  test('an officer\'s role and area changed is a privilege change with its alert', async () => {
    const o = officer(srv, 'cb.doi', 'commune-police', '56-22366');
    const r = runCli(['user', 'role', 'cb.doi', 'province-police', '--area', '56', '--db', srv.db]);
    assert.equal(r.status, 0, r.stderr);
    const bad = runCli(['user', 'role', 'cb.doi', 'no-such-role', '--area', '56', '--db', srv.db]);
    assert.notEqual(bad.status, 0);
    await settle(srv);
    const e = await events('type=officer.role_changed');
    assert.equal(e.length, 1, JSON.stringify(e));
    assert.equal(e[0].details.role, 'province-police');
    assert.equal(e[0].details.province, '56');
    assert.equal(sql(srv, `SELECT role FROM officers WHERE id = ${o.id}`), 'province-police');
    const a = await alerts(srv, analyst.token, '?rule=officer-privilege-change');
    assert.equal(a.length, 1, JSON.stringify(a));
  });

  test('a gateway right granted and revoked, a certificate registered: privilege changes with their actor', async () => {
    const as = async (method, p, body, status) => {
      const r = await call(srv, method, p, { as: admin.token, body });
      assert.equal(r.status, status, `${method} ${p}: ${r.text}`);
      return r.json();
    };
    await as('POST', '/api/v1/lgsp/members', { code: 'BHXH', name: 'Bảo hiểm xã hội tỉnh' }, 201);
    await as('POST', '/api/v1/lgsp/subsystems', { member: 'BHXH', code: 'core', client_id: '' }, 201);
    await as('POST', '/api/v1/lgsp/services', {
      subsystem: 'VN/GOV/BHXH/core', code: 'cards', name: 'Tra cứu thẻ', upstream_url: 'http://127.0.0.1:9/api',
      legal_basis: 'Nghị định 47/2020/NĐ-CP', data_returned: 'số thẻ',
    }, 201);
    await as('POST', '/api/v1/lgsp/members', { code: 'SYT', name: 'Sở Y tế' }, 201);
    const c = machineClient(srv, 'SYT his');
    await as('POST', '/api/v1/lgsp/subsystems', { member: 'SYT', code: 'his', client_id: c.client_id }, 201);
    // A refused grant (no such service) emits nothing.
    await as('POST', '/api/v1/lgsp/rights', {
      consumer: 'VN/GOV/SYT/his', service: 'VN/GOV/BHXH/core/none', reason: 'Công văn 2/SYT', valid_until: '2099-12-31',
    }, 404);
    const right = await as('POST', '/api/v1/lgsp/rights', {
      consumer: 'VN/GOV/SYT/his', service: 'VN/GOV/BHXH/core/cards', reason: 'Công văn 1/SYT', valid_until: '2099-12-31',
    }, 201);
    await as('POST', `/api/v1/lgsp/rights/${right.id}/revocation`, { reason: 'Hết nhu cầu' }, 200);
    await as('POST', `/api/v1/lgsp/rights/${right.id}/revocation`, { reason: 'Lần nữa' }, 404);
    await as('POST', '/api/v1/lgsp/certificates', { subsystem: 'VN/GOV/SYT/his', certificate_sha256: 'a'.repeat(64) }, 200);
    assert.equal(outboxCount('lgsp.right_granted'), 1);
    assert.equal(outboxCount('lgsp.right_revoked'), 1);
    assert.equal(outboxCount('lgsp.certificate_changed'), 1);
    await settle(srv);
    const granted = await events('type=lgsp.right_granted');
    assert.equal(granted.length, 1, JSON.stringify(granted));
    assert.equal(granted[0].details.service, 'VN/GOV/BHXH/core/cards');
    assert.equal(granted[0].actor, `officer:${admin.id}`);
    const revoked = await events('type=lgsp.right_revoked');
    assert.equal(revoked[0].details.right, right.id);
    assert.equal((await alerts(srv, analyst.token, '?rule=gateway-right-granted')).length, 1);
    assert.equal((await alerts(srv, analyst.token, '?rule=gateway-certificate-changed')).length, 1);
  });
});
