// lgsp_publish.test.mjs — `dinhdanh lgsp publish-register`: the register's person lookup,
// household and residence verification published as gateway services in one step, idempotent,
// usable at once by a consumer with a right; bad input stores nothing. On SQLite or PostgreSQL
// (DD_TEST_DB).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runCli } from './server.mjs';
import { addPerson } from './identity_util.mjs';
import { adminOk, eventually, gw, member, sql, startGateway } from './lgsp_util.mjs';

let srv;
const count = (q) => Number(sql(srv, q));
const publish = (...extra) => runCli(['lgsp', 'publish-register', ...extra, '--db', srv.db, '--data-dir', srv.dataDir]);

before(async () => {
  srv = await startGateway();
});

after(async () => {
  await srv?.stop();
});

test('bad input is refused and nothing is stored', () => {
  const before0 = [count('SELECT count(*) FROM lgsp_members'), count('SELECT count(*) FROM lgsp_services'), count('SELECT count(*) FROM officers')];
  for (const args of [[], ['--upstream', 'ftp://x'], ['--upstream', srv.url, '--member', 'bad!']]) {
    const r = publish(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
  }
  assert.deepEqual(
    [count('SELECT count(*) FROM lgsp_members'), count('SELECT count(*) FROM lgsp_services'), count('SELECT count(*) FROM officers')],
    before0,
  );
});

test('publishes person, household and residence once; again renews the token only', async () => {
  let r = publish('--upstream', `${srv.url}/`);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), [
    'VN/GOV/CA-KH/register/person', 'VN/GOV/CA-KH/register/household', 'VN/GOV/CA-KH/register/residence',
  ]);
  const auth1 = sql(srv, "SELECT upstream_auth FROM lgsp_services WHERE id = 'VN/GOV/CA-KH/register/person'");
  assert.match(auth1, /^Bearer ddt_[0-9a-f]{64}$/);
  assert.equal(sql(srv, "SELECT upstream_url FROM lgsp_services WHERE id = 'VN/GOV/CA-KH/register/household'"), `${srv.url}/api/v1/households`);
  assert.equal(sql(srv, "SELECT role FROM officers WHERE username = 'lgsp.register'"), 'province-police');

  r = publish('--upstream', srv.url);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(count("SELECT count(*) FROM lgsp_members WHERE code = 'CA-KH'"), 1);
  assert.equal(count("SELECT count(*) FROM lgsp_subsystems WHERE id = 'VN/GOV/CA-KH/register'"), 1);
  assert.equal(count("SELECT count(*) FROM lgsp_services WHERE subsystem_id = 'VN/GOV/CA-KH/register'"), 3);
  assert.equal(count("SELECT count(*) FROM officers WHERE username = 'lgsp.register'"), 1);
  const auth2 = sql(srv, "SELECT upstream_auth FROM lgsp_services WHERE id = 'VN/GOV/CA-KH/register/person'");
  assert.notEqual(auth2, auth1, 'a fresh token');

  // A consumer with a right reads a person through the gateway, with the published credential.
  const p = addPerson(srv, { full_name: 'Lê Văn Cường', sex: 'male', birth_date: '1979-09-09' });
  sql(srv, `UPDATE people SET permanent_province = '56', permanent_commune = '22366' WHERE id_number = '${p.id_number}'`);
  const c = await member(srv, 'SYT', 'his', { client: true });
  await adminOk(srv, 'POST', '/api/v1/lgsp/rights', {
    consumer: c.id, service: 'VN/GOV/CA-KH/register/residence', operation: 'GET', reason: 'Công văn 3/SYT', valid_until: '2099-12-31',
  });
  const res = await eventually(async () => {
    const x = await gw(srv, c.token, 'GET', `VN/GOV/CA-KH/register/residence/${p.id_number}`, { headers: { 'X-Purpose': 'xac-minh' } });
    return x.status === 200 && x;
  }, 15000);
  assert.ok(res, 'the published service answers (catalogue reloaded)');
  assert.equal(res.json().full_name, 'Lê Văn Cường');
  // No right for the person service itself.
  const no = await gw(srv, c.token, 'GET', `VN/GOV/CA-KH/register/person/${p.id_number}`, { headers: { 'X-Purpose': 'x' } });
  assert.equal(no.status, 403);
});
