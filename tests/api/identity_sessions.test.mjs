// identity_sessions.test.mjs — sessions and the account's own pages on the real binary, on
// SQLite or PostgreSQL: the session as a bearer token and as a cookie (with X-CSRF-Token on
// every change, else 403 csrf-failed), listing and ending sessions, logout, locking one's own
// e-identity and the officer's unlock, suspension and reinstatement, and the password reset
// that answers alike for every login. Every refused change is checked to have stored nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertProblem, sleep } from './server.mjs';
import {
  addPerson,
  call,
  citizen,
  codeFor,
  count,
  login,
  noticesTo,
  officer,
  outbox,
  session,
  snapshot,
  sql,
  startIdentityServer,
} from './identity_util.mjs';

let srv;
let police;
let health;

before(async () => {
  srv = await startIdentityServer();
  police = officer(srv, 'cand.phien', 'commune-police', '56-22366');
  health = officer(srv, 'yte.phien', 'health', '56');
});
after(async () => {
  await srv?.stop();
});

describe('credentials', () => {
  test('a session works as a bearer token and as a cookie', async () => {
    const c = await citizen(srv);
    const s = await session(srv, c.login, c.password);
    const bearer = await call(srv, 'GET', '/api/v1/me', { as: s.token });
    assert.equal(bearer.status, 200, bearer.text);
    assert.equal(bearer.json().account.login, c.login);
    assert.equal(bearer.json().csrf_token, s.csrf);
    assert.equal(bearer.json().session_id, s.id);
    const cookie = await call(srv, 'GET', '/api/v1/me', { cookie: s.token });
    assert.equal(cookie.status, 200, cookie.text);
    assert.equal(cookie.json().account.id, c.account.id);
    for (const bad of [{ as: 'dds_' + '0'.repeat(64) }, { cookie: 'dds_' + '1'.repeat(64) }, { as: 'xyz' }, { cookie: 'garbage' }])
      assertProblem(await call(srv, 'GET', '/api/v1/me', bad), 401, 'unauthenticated');
    const basic = await srv.request('GET', '/api/v1/me', { headers: { Authorization: 'Basic YTpi' } });
    assertProblem(basic, 401, 'unauthenticated');
  });

  test('a cookie needs X-CSRF-Token on every change; a bearer token does not', async () => {
    const c = await citizen(srv);
    const s = await session(srv, c.login, c.password);
    const other = await session(srv, c.login, c.password);
    const before = snapshot(srv);
    const path = `/api/v1/me/sessions/${other.id}`;
    assertProblem(await call(srv, 'DELETE', path, { cookie: s.token }), 403, 'csrf-failed');
    assertProblem(await call(srv, 'DELETE', path, { cookie: s.token, csrf: other.csrf }), 403, 'csrf-failed');
    assertProblem(await call(srv, 'DELETE', path, { cookie: s.token, csrf: s.csrf.slice(0, 63) }), 403, 'csrf-failed');
    assertProblem(await call(srv, 'POST', '/api/v1/me/lock', { cookie: s.token, body: {} }), 403, 'csrf-failed');
    const en = await call(srv, 'POST', '/api/v1/me/totp', { cookie: s.token, headers: { 'Accept-Language': 'en' } });
    assert.match(assertProblem(en, 403, 'csrf-failed').detail, /X-CSRF-Token/);
    assert.deepEqual(snapshot(srv), before);
    // Reads need no CSRF token.
    assert.equal((await call(srv, 'GET', '/api/v1/me/sessions', { cookie: s.token })).status, 200);
    // With the right one the change is made.
    assert.equal((await call(srv, 'DELETE', path, { cookie: s.token, csrf: s.csrf })).status, 204);
    assertProblem(await call(srv, 'GET', '/api/v1/me', { as: other.token }), 401, 'unauthenticated');
  });

  test('citizens are refused on officers’ routes and officers’ tokens on account pages', async () => {
    const c = await citizen(srv);
    const s = await session(srv, c.login, c.password);
    assertProblem(await call(srv, 'GET', '/api/v1/accounts?login=1', { as: s.token }), 403, 'forbidden');
    assertProblem(await call(srv, 'GET', '/api/v1/people?name=an', { as: s.token }), 403, 'forbidden');
    assertProblem(await call(srv, 'GET', '/api/v1/me', { as: police.token }), 403, 'forbidden');
    assertProblem(await call(srv, 'GET', '/api/v1/accounts?login=1', { as: health.token }), 403, 'forbidden');
    assert.equal((await call(srv, 'GET', '/api/v1/accounts?login=1', { as: police.token })).status, 200);
  });
});

describe('sessions', () => {
  test('the person lists their sessions and ends any of them', async () => {
    const c = await citizen(srv);
    const a = await session(srv, c.login, c.password);
    const b = await session(srv, c.login, c.password, { service: 'api' });
    const list = await call(srv, 'GET', '/api/v1/me/sessions', { as: a.token });
    assert.equal(list.status, 200, list.text);
    const items = list.json().items;
    assert.deepEqual(items.map((i) => i.id), [b.id, a.id]);
    assert.deepEqual(items.map((i) => i.current), [false, true]);
    assert.equal(items[0].service, 'api');
    assert.equal(items[1].network, '127.0.0.0/24');
    assert.equal(list.json().next_cursor, null);
    assert.ok(Date.parse(items[0].expires_at) - Date.parse(items[0].created_at) === 12 * 3600 * 1000);

    // Another person's session, or a bad number: 404, and nothing changes.
    const d = await citizen(srv);
    const theirs = await session(srv, d.login, d.password);
    const before = snapshot(srv);
    assertProblem(await call(srv, 'DELETE', `/api/v1/me/sessions/${theirs.id}`, { as: a.token }), 404, 'not-found');
    assertProblem(await call(srv, 'DELETE', '/api/v1/me/sessions/abc', { as: a.token }), 404, 'not-found');
    assertProblem(await call(srv, 'DELETE', '/api/v1/me/sessions/0', { as: a.token }), 404, 'not-found');
    assert.deepEqual(snapshot(srv), before);
    assert.equal((await call(srv, 'GET', '/api/v1/me', { as: theirs.token })).status, 200);

    // Ending the other session stops it at once.
    assert.equal((await call(srv, 'DELETE', `/api/v1/me/sessions/${b.id}`, { as: a.token })).status, 204);
    assertProblem(await call(srv, 'GET', '/api/v1/me', { as: b.token }), 401, 'unauthenticated');
    assertProblem(await call(srv, 'DELETE', `/api/v1/me/sessions/${b.id}`, { as: a.token }), 404, 'not-found');
    assert.equal(sql(srv, `SELECT end_reason FROM sessions WHERE id = ${b.id}`), 'revoked');
    // Ending one's own removes the cookie too.
    const own = await call(srv, 'DELETE', `/api/v1/me/sessions/${a.id}`, { as: a.token });
    assert.equal(own.status, 204);
    assert.match(own.headers['set-cookie'][0], /^dd_session=; Path=\/; Max-Age=0/);
  });

  test('logout ends the current session', async () => {
    const c = await citizen(srv);
    const s = await session(srv, c.login, c.password);
    const r = await call(srv, 'DELETE', '/api/v1/sessions/current', { cookie: s.token, csrf: s.csrf });
    assert.equal(r.status, 204, r.text);
    assert.match(r.headers['set-cookie'][0], /^dd_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax/);
    assertProblem(await call(srv, 'GET', '/api/v1/me', { cookie: s.token }), 401, 'unauthenticated');
    assertProblem(await call(srv, 'DELETE', '/api/v1/sessions/current', { as: s.token }), 401, 'unauthenticated');
    assert.equal(sql(srv, `SELECT end_reason FROM sessions WHERE id = ${s.id}`), 'logout');
  });

  test('an idle session ends', async () => {
    const c = await citizen(srv);
    const s = await session(srv, c.login, c.password);
    // Not used since the login, so not in the session cache: the database decides.
    sql(srv, `UPDATE sessions SET idle_until = '2020-01-01T00:00:00.000Z' WHERE id = ${s.id}`);
    assertProblem(await call(srv, 'GET', '/api/v1/me', { as: s.token }), 401, 'unauthenticated');
  });
});

describe('locks and suspensions', () => {
  test('a person locks their own e-identity; a commune police officer unlocks it', async () => {
    const c = await citizen(srv);
    const s = await session(srv, c.login, c.password);
    const s2 = await session(srv, c.login, c.password);
    const before = snapshot(srv);
    assertProblem(await call(srv, 'POST', '/api/v1/me/lock', { as: s.token, body: { reason: 5 } }), 400, 'validation-failed');
    assert.deepEqual(snapshot(srv), before);
    const r = await call(srv, 'POST', '/api/v1/me/lock', { cookie: s.token, csrf: s.csrf, body: { reason: 'Mất điện thoại' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().account.status, 'locked');
    assert.match(r.headers['set-cookie'][0], /Max-Age=0/);
    for (const t of [s.token, s2.token]) assertProblem(await call(srv, 'GET', '/api/v1/me', { as: t }), 401, 'unauthenticated');
    assert.equal(count(srv, `SELECT COUNT(*) FROM events WHERE type = 'account.locked' AND subject = 'account:${c.account.id}' AND payload LIKE '%"self"%'`), 1);
    assertProblem(await login(srv, c.login, c.password), 403, 'account-locked');
    assertProblem(await login(srv, c.login, 'wrong password here'), 401, 'invalid-credentials');
    // A password reset does not unlock it: no code is sent.
    const sent = noticesTo(srv, c.recipient);
    assert.equal((await call(srv, 'POST', '/api/v1/password-resets', { body: { login: c.login } })).status, 202);
    await sleep(300);
    assert.equal(noticesTo(srv, c.recipient), sent);

    const unlockPath = `/api/v1/accounts/${c.account.id}/unlock`;
    const locked = snapshot(srv);
    assertProblem(await call(srv, 'POST', unlockPath, { as: health.token, body: {} }), 403, 'forbidden');
    assertProblem(await call(srv, 'POST', unlockPath, { as: police.token, body: { note: 1 } }), 400, 'validation-failed');
    assertProblem(await call(srv, 'POST', unlockPath, { as: police.token }), 415, 'unsupported-media-type');
    assertProblem(await call(srv, 'POST', '/api/v1/accounts/424242/unlock', { as: police.token, body: {} }), 404, 'not-found');
    assert.deepEqual(snapshot(srv), locked);
    const u = await call(srv, 'POST', unlockPath, { as: police.token, body: { note: 'Đã đối chiếu căn cước' } });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.json().account.status, 'active');
    assert.equal(count(srv, `SELECT COUNT(*) FROM events WHERE type = 'account.unlocked' AND subject = 'account:${c.account.id}'`), 1);
    assert.equal(count(srv, `SELECT COUNT(*) FROM access_log WHERE id_number = '${c.login}' AND action = 'change' AND purpose = 'Đã đối chiếu căn cước'`), 1);
    assert.equal((await login(srv, c.login, c.password)).status, 201);
  });

  test('an officer suspends an account with a reason and reinstates it', async () => {
    const c = await citizen(srv);
    const s = await session(srv, c.login, c.password);
    const path = `/api/v1/accounts/${c.account.id}/suspensions`;
    const before = snapshot(srv);
    const bad = assertProblem(await call(srv, 'POST', path, { as: police.token, body: { reason: '' } }), 400, 'validation-failed');
    assert.equal(bad.errors[0].field, 'reason');
    assertProblem(await call(srv, 'POST', path, { as: health.token, body: { reason: 'x' } }), 403, 'forbidden');
    assertProblem(await call(srv, 'POST', path, { as: s.token, body: { reason: 'x' } }), 403, 'forbidden');
    assertProblem(await call(srv, 'POST', `/api/v1/accounts/${c.account.id}/reinstatements`, { as: police.token, body: { reason: 'x' } }), 409, 'conflict');
    assertProblem(await call(srv, 'POST', `/api/v1/accounts/${c.account.id}/reinstatements`, { as: police.token, body: { why: 'x' } }), 400, 'validation-failed');
    assert.deepEqual(snapshot(srv), before);

    const r = await call(srv, 'POST', path, { as: police.token, body: { reason: 'Nghi giả mạo danh tính' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().account.status, 'suspended');
    assert.equal(r.json().account.status_reason, 'Nghi giả mạo danh tính');
    assertProblem(await call(srv, 'GET', '/api/v1/me', { as: s.token }), 401, 'unauthenticated');
    const refused = assertProblem(await login(srv, c.login, c.password), 403, 'account-suspended');
    assert.equal(refused.reason, 'Nghi giả mạo danh tính');
    assertProblem(await call(srv, 'POST', path, { as: police.token, body: { reason: 'again' } }), 409, 'conflict');
    assert.equal(count(srv, `SELECT COUNT(*) FROM events WHERE type = 'account.suspended' AND subject = 'account:${c.account.id}'`), 1);

    const back = await call(srv, 'POST', `/api/v1/accounts/${c.account.id}/reinstatements`, { as: police.token, body: { reason: 'Đã xác minh' } });
    assert.equal(back.status, 200, back.text);
    assert.equal(back.json().account.status, 'active');
    assert.equal((await login(srv, c.login, c.password)).status, 201);
    // A registration never confirmed cannot be suspended (its reinstatement would activate it).
    const pending = addPerson(srv, { birth_date: '1977-07-07' });
    const reg = await call(srv, 'POST', '/api/v1/accounts', {
      body: { id_number: pending.id_number, full_name: pending.full_name, birth_date: pending.birth_date, phone: '0905000111', password: 'mật khẩu chờ xác nhận' },
    });
    assert.equal(reg.status, 201, reg.text);
    assertProblem(await call(srv, 'POST', `/api/v1/accounts/${reg.json().account.id}/suspensions`, { as: police.token, body: { reason: 'x' } }), 409, 'conflict');
    // Officers' own accounts are not touched through this route.
    const officerAccount = Number(sql(srv, "SELECT account_id FROM officers WHERE username = 'cand.phien'"));
    if (officerAccount) assertProblem(await call(srv, 'POST', `/api/v1/accounts/${officerAccount}/suspensions`, { as: police.token, body: { reason: 'x' } }), 404, 'not-found');
  });
});

describe('password reset', () => {
  test('answers alike for every login, sends a code only to an active account', async () => {
    const c = await citizen(srv);
    const before = outbox(srv).length;
    const sent = noticesTo(srv, c.recipient);
    const known = await call(srv, 'POST', '/api/v1/password-resets', { body: { login: c.login } });
    const unknown = await call(srv, 'POST', '/api/v1/password-resets', { body: { login: '056099999998' } });
    assert.equal(known.status, 202);
    assert.equal(unknown.status, 202);
    assert.equal(known.text, unknown.text);
    const code = await codeFor(srv, c.recipient, sent);
    await sleep(200);
    assert.equal(outbox(srv).length, before + 1);
    assert.equal(outbox(srv).at(-1).purpose, 'password-reset-code');
    assert.equal(count(srv, "SELECT COUNT(*) FROM auth_history WHERE account_id IS NULL AND reason = 'reset-refused'"), 1);

    const s = await session(srv, c.login, c.password);
    const confirmPath = '/api/v1/password-resets/confirmations';
    const snap = snapshot(srv);
    const weak = assertProblem(await call(srv, 'POST', confirmPath, { body: { login: c.login, code, new_password: c.login } }), 400, 'validation-failed');
    assert.equal(weak.errors[0].code, 'password-is-id-number');
    assertProblem(await call(srv, 'POST', confirmPath, { body: { login: c.login } }), 400, 'validation-failed');
    assert.deepEqual(snapshot(srv), snap);
    const wrong = code === '999999' ? '000000' : '999999';
    const w = assertProblem(await call(srv, 'POST', confirmPath, { body: { login: c.login, code: wrong, new_password: 'mật khẩu mới tinh' } }), 422, 'code-invalid');
    const u = assertProblem(await call(srv, 'POST', confirmPath, { body: { login: '056099999998', code, new_password: 'mật khẩu mới tinh' } }), 422, 'code-invalid');
    assert.deepEqual({ ...w, request_id: 0 }, { ...u, request_id: 0 });
    const ok = await call(srv, 'POST', confirmPath, { body: { login: c.login, code, new_password: 'mật khẩu mới tinh' } });
    assert.equal(ok.status, 204, ok.text);
    // Sessions end; the old password no longer works; the code was single use.
    assertProblem(await call(srv, 'GET', '/api/v1/me', { as: s.token }), 401, 'unauthenticated');
    assertProblem(await login(srv, c.login, c.password), 401, 'invalid-credentials');
    assert.equal((await login(srv, c.login, 'mật khẩu mới tinh')).status, 201);
    assertProblem(await call(srv, 'POST', confirmPath, { body: { login: c.login, code, new_password: 'mật khẩu khác nữa' } }), 422, 'code-invalid');
  });

  test('a bad request stores nothing', async () => {
    const before = snapshot(srv);
    assertProblem(await call(srv, 'POST', '/api/v1/password-resets', { body: {} }), 400, 'validation-failed');
    assertProblem(await call(srv, 'POST', '/api/v1/password-resets', { body: { login: 'x', more: 1 } }), 400, 'validation-failed');
    assertProblem(await call(srv, 'POST', '/api/v1/password-resets', { body: '' }), 400, 'invalid-json');
    assert.deepEqual(snapshot(srv), before);
  });
});
