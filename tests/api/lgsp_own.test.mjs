// lgsp_own.test.mjs — an agency's own views of the gateway (/api/v1/me/lgsp/…): a member bound
// to an organisation, whose staff sign in and see their own subsystems, the exchanges of their
// consumers and the calls to their services, and the usage of both — never another agency's.
// Bad input to the binding stores nothing. On SQLite or PostgreSQL (DD_TEST_DB).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { officer } from './identity_util.mjs';
import { NT, P, registerOrg } from './org_util.mjs';
import { admin, adminOk, call, eventually, gw, machineClient, accessToken, sql, startGateway, startProvider } from './lgsp_util.mjs';

let srv;
let provider;
let orgHealth; // Sở Y tế's organisation: consumer VN/GOV/SYT/his
let orgInsurance; // BHXH's organisation: provider VN/GOV/BHXH/core
const count = (q) => Number(sql(srv, q));

async function memberOf(code, sub, org, withClient) {
  await adminOk(srv, 'POST', '/api/v1/lgsp/members', { code, name: `Cơ quan ${code}`, ...(org ? { organisation: org.org.id } : {}) });
  const c = withClient ? machineClient(srv, `${code} ${sub}`) : null;
  await adminOk(srv, 'POST', '/api/v1/lgsp/subsystems', { member: code, code: sub, client_id: c ? c.client_id : '' });
  return { id: `VN/GOV/${code}/${sub}`, token: c ? await accessToken(srv, c) : null };
}

let his;
let police;

before(async () => {
  provider = await startProvider(() => ({ status: 200, json: { ok: true } }));
  srv = await startGateway();
  const cp = officer(srv, 'cand.nt.lgsp', 'commune-police', `${P}-${NT}`);
  orgHealth = await registerOrg(srv, cp.token, { kind: 'hospital', name: 'Bệnh viện tỉnh' });
  orgInsurance = await registerOrg(srv, cp.token, { kind: 'clinic', name: 'Phòng khám BHXH' });
  await memberOf('BHXH', 'core', orgInsurance, false);
  his = await memberOf('SYT', 'his', orgHealth, true);
  police = await memberOf('CATINH', 'hs', null, true);
  await adminOk(srv, 'POST', '/api/v1/lgsp/services', {
    subsystem: 'VN/GOV/BHXH/core', code: 'cards', name: 'Thẻ BHYT', upstream_url: provider.url, legal_basis: 'x',
  });
  for (const c of [his.id, police.id])
    await adminOk(srv, 'POST', '/api/v1/lgsp/rights', { consumer: c, service: 'VN/GOV/BHXH/core/cards', reason: 'x', valid_until: '2099-12-31' });
  assert.equal((await gw(srv, his.token, 'GET', 'VN/GOV/BHXH/core/cards/a')).status, 200);
  assert.equal((await gw(srv, police.token, 'GET', 'VN/GOV/BHXH/core/cards/b')).status, 200);
  assert.equal((await gw(srv, police.token, 'GET', 'VN/GOV/BHXH/core/cards/c')).status, 200);
  assert.ok(await eventually(() => count('SELECT count(*) FROM lgsp_log') >= 3));
});

after(async () => {
  await srv?.stop();
  await provider?.close();
});

const mine = (org, p) => call(srv, 'GET', `/api/v1/me/lgsp/${p}`, { as: org.owner.session.token });

describe('an agency sees its own traffic only', () => {
  test('the consumer agency: its subsystem, its calls, its usage', async () => {
    const subs = await mine(orgHealth, 'subsystems');
    assert.equal(subs.status, 200, subs.text);
    assert.deepEqual(subs.json().items.map((x) => x.subsystem), ['VN/GOV/SYT/his']);
    const log = (await mine(orgHealth, 'log')).json().items;
    assert.deepEqual(log.map((x) => [x.consumer, x.path]), [['VN/GOV/SYT/his', '/a']]);
    const usage = (await mine(orgHealth, 'usage')).json().items;
    assert.deepEqual(usage.map((x) => [x.consumer, x.service, x.calls]), [['VN/GOV/SYT/his', 'VN/GOV/BHXH/core/cards', 1]]);
    // As a provider it has nothing.
    assert.deepEqual((await mine(orgHealth, 'log?as=provider')).json().items, []);
  });

  test('the provider agency: every call to its services, from every consumer, and their usage', async () => {
    const log = (await mine(orgInsurance, 'log?as=provider')).json().items;
    assert.deepEqual(log.map((x) => [x.consumer, x.path]), [
      ['VN/GOV/CATINH/hs', '/c'], ['VN/GOV/CATINH/hs', '/b'], ['VN/GOV/SYT/his', '/a'],
    ]);
    assert.deepEqual((await mine(orgInsurance, 'log?as=consumer')).json().items, []);
    const narrowed = (await mine(orgInsurance, `log?subsystem=${encodeURIComponent('VN/GOV/BHXH/core')}&limit=2`)).json();
    assert.equal(narrowed.items.length, 2);
    assert.ok(narrowed.next_cursor);
    const usage = (await mine(orgInsurance, 'usage')).json().items.map((x) => `${x.consumer} ${x.calls}`).sort();
    assert.deepEqual(usage, ['VN/GOV/CATINH/hs 2', 'VN/GOV/SYT/his 1']);
  });

  test("another agency's subsystem is unknown to them; the views need a staff sign-in", async () => {
    const r = await mine(orgHealth, `log?subsystem=${encodeURIComponent('VN/GOV/BHXH/core')}`);
    assert.equal(r.status, 404, r.text);
    const r2 = await mine(orgInsurance, `log?subsystem=${encodeURIComponent('VN/GOV/CATINH/hs')}`);
    assert.equal(r2.status, 404);
    const bad = await mine(orgHealth, 'log?as=everyone');
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.json().errors[0].field, 'as');
    // An officer (even the LGSP administrator) and no one at all are refused here.
    assert.equal((await call(srv, 'GET', '/api/v1/me/lgsp/log', { as: srv.admin.token })).status, 403);
    assert.equal((await call(srv, 'GET', '/api/v1/me/lgsp/usage')).status, 401);
    // A consumer's machine token is no staff sign-in either.
    const machine = await call(srv, 'GET', '/api/v1/me/lgsp/subsystems', { as: his.token });
    assert.ok([401, 403].includes(machine.status), machine.text);
    assert.ok(!machine.text.includes('VN/GOV/'));
  });

  test('binding a member to an organisation that does not exist is refused and stores nothing', async () => {
    const before0 = count('SELECT count(*) FROM lgsp_members');
    for (const body of [{ code: 'XX', name: 'x', organisation: 999999 }, { code: 'XY', name: 'x', organisation: 'một' }, { code: 'XZ', name: 'x', organisation: -1 }]) {
      const r = await admin(srv, 'POST', '/api/v1/lgsp/members', body);
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json().errors[0].field, 'organisation');
    }
    assert.equal(count('SELECT count(*) FROM lgsp_members'), before0);
    const listed = await adminOk(srv, 'GET', '/api/v1/lgsp/members', undefined, 200);
    assert.equal(listed.items.find((m) => m.code === 'SYT').organisation, orgHealth.org.id);
    // Subsystems and services are listed with their text ids.
    const subs = await adminOk(srv, 'GET', '/api/v1/lgsp/subsystems?limit=500', undefined, 200);
    assert.ok(subs.items.some((x) => x.id === 'VN/GOV/SYT/his'), JSON.stringify(subs.items[0]));
    const svcs = await adminOk(srv, 'GET', '/api/v1/lgsp/services', undefined, 200);
    assert.equal(svcs.items[0].id, 'VN/GOV/BHXH/core/cards');
  });
});
