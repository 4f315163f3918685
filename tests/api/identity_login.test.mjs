// identity_login.test.mjs — logging in on the real binary, on SQLite or PostgreSQL: the session
// cookie and token, no account enumeration (an unknown login and a wrong password answer alike,
// in body and in time), growing delays per login and per network, the lockout after ten
// failures and its end by a password reset or an officer, the password hash upgraded at login,
// TOTP enrolment and second-factor logins (replay refused, recovery codes used once), officers
// made to enrol before their first login, and the e-identity usage history.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertProblem, freshDb, runCli, sleep, startServer } from './server.mjs';
import {
  FAST,
  call,
  citizen,
  codeFor,
  count,
  freshTotp,
  login,
  noticesTo,
  officer,
  session,
  snapshot,
  sql,
  startIdentityServer,
} from './identity_util.mjs';

let srv;
let police;

before(async () => {
  srv = await startIdentityServer();
  police = officer(srv, 'cand.login', 'commune-police', '56-22366');
});
after(async () => {
  await srv?.stop();
});

// Retries while throttled (429), waiting what Retry-After in ms says.
async function attempt(s, loginName, password, extra = {}) {
  for (;;) {
    const r = await login(s, loginName, password, extra);
    if (r.status !== 429) return r;
    await sleep(Number(r.json().retry_after_ms) + 5);
  }
}

const problemBody = (r) => ({ ...r.json(), request_id: undefined });

describe('a login', () => {
  test('gives a session cookie and a token for API clients', async () => {
    const c = await citizen(srv);
    const r = await login(srv, c.login, c.password, { service: 'api' });
    assert.equal(r.status, 201, r.text);
    const b = r.json();
    assert.match(b.session_token, /^dds_[0-9a-f]{64}$/);
    assert.match(b.csrf_token, /^[0-9a-f]{64}$/);
    assert.equal(b.account.id, c.account.id);
    const cookie = r.headers['set-cookie'][0];
    assert.match(cookie, new RegExp(`^dd_session=${b.session_token};`));
    assert.match(cookie, /; Path=\//);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Lax/);
    assert.match(cookie, /; Max-Age=43200/);
    assert.doesNotMatch(cookie, /Secure/, 'no Secure without TLS');
    // Only the hash of the token is stored.
    assert.equal(count(srv, `SELECT COUNT(*) FROM sessions WHERE token_hash LIKE '%${b.session_token.slice(4, 20)}%'`), 0);
    const h = sql(srv, `SELECT service || ' ' || method || ' ' || success FROM auth_history WHERE session_id = ${b.session_id}`);
    assert.equal(h, 'api password 1');
    assert.equal(count(srv, `SELECT COUNT(*) FROM events WHERE type = 'auth.succeeded' AND subject = 'account:${c.account.id}' AND payload LIKE '%"method":"password"%'`), 1);
    // The typed login is read as its canonical form.
    assert.equal((await login(srv, ` ${c.login} `, c.password)).status, 201);
  });

  test('an unknown login and a wrong password get the same answer', async () => {
    const c = await citizen(srv);
    const wrong = await login(srv, c.login, 'not the password at all');
    const unknown = await login(srv, '056099000001', 'not the password at all');
    const junk = await login(srv, 'tên đăng nhập lạ', 'not the password at all');
    for (const r of [wrong, unknown, junk]) assertProblem(r, 401, 'invalid-credentials');
    assert.deepEqual(problemBody(unknown), problemBody(wrong));
    assert.deepEqual(problemBody(junk), problemBody(wrong));
    assert.deepEqual(Object.keys(wrong.headers).sort(), Object.keys(unknown.headers).sort());
    // Both are in the history: the account's, and the typed login's hash.
    assert.equal(count(srv, `SELECT COUNT(*) FROM auth_history WHERE account_id = ${c.account.id} AND reason = 'bad-password'`), 1);
    assert.equal(count(srv, "SELECT COUNT(*) FROM auth_history WHERE account_id IS NULL AND reason = 'unknown-login' AND LENGTH(login_hash) = 64"), 2);
  });

  test('bad bodies are 400 and store nothing', async () => {
    const before = snapshot(srv);
    const b = assertProblem(await call(srv, 'POST', '/api/v1/sessions', {
      body: { login: 1, totp: '123456', recovery_code: 'abcd-efgh-jkmn', service: 'fax' },
    }), 400, 'validation-failed');
    assert.deepEqual(b.errors.map((e) => e.field).sort(), ['login', 'password', 'recovery_code', 'service']);
    assertProblem(await call(srv, 'POST', '/api/v1/sessions', { body: 'null' }), 400, 'validation-failed');
    assertProblem(await call(srv, 'POST', '/api/v1/sessions', { body: '{"login":"x","login":"y"}' }), 400, 'invalid-json');
    assert.deepEqual(snapshot(srv), before);
  });
});

describe('timing', () => {
  test('an unknown login costs the same Argon2id work as a wrong password', async () => {
    // At the real cost (19 MiB), where a missing hash would show.
    // Five tries of each: the fifth failure of a login is the last before its delays.
    const s = await startServer({ args: ['--notify-adapter', 'file', '--login-network-failures', '100000'] });
    try {
      const c = await citizen(s);
      const time = async (name) => {
        const t = process.hrtime.bigint();
        const r = await login(s, name, 'not the password at all');
        assert.equal(r.status, 401);
        return Number(process.hrtime.bigint() - t) / 1e6;
      };
      const known = [];
      const unknown = [];
      for (let i = 0; i < 5; i++) {
        known.push(await time(c.login));
        unknown.push(await time(`05609900000${i}`));
      }
      const median = (a) => a.sort((x, y) => x - y)[a.length >> 1];
      const [k, u] = [median(known), median(unknown)];
      // Without the dummy hash an unknown login would take a few ms against ~50 ms.
      assert.ok(u > k / 3 && u < k * 3, `unknown ${u} ms vs wrong password ${k} ms`);
    } finally {
      await s.stop();
    }
  });
});

describe('throttling and lockout', () => {
  test('after five failures a login waits, known or not, with Retry-After', async () => {
    const s = await startIdentityServer(['--login-delay-ms', '1000']);
    try {
      const c = await citizen(s);
      for (const name of [c.login, '056099000099']) {
        for (let i = 0; i < 5; i++) assertProblem(await login(s, name, 'wrong password here'), 401, 'invalid-credentials');
        const r = await login(s, name, c.password);
        const b = assertProblem(r, 429, 'too-many-requests');
        assert.ok(Number(r.headers['retry-after']) >= 1 && Number(r.headers['retry-after']) <= 2, r.headers['retry-after']);
        assert.ok(b.retry_after_ms > 0 && b.retry_after_ms <= 2000);
      }
      // Another login from the same network is not held up.
      const other = await citizen(s);
      assert.equal((await login(s, other.login, other.password)).status, 201);
      // The wait over, the right password works and clears the count.
      await sleep(2100);
      assert.equal((await login(s, c.login, c.password)).status, 201);
      assert.equal(count(s, "SELECT COUNT(*) FROM auth_throttle WHERE key LIKE 'login:%' AND failures >= 5"), 1);
    } finally {
      await s.stop();
    }
  });

  test('a network with too many failures waits too', async () => {
    const s = await startIdentityServer(['--login-delay-ms', '1000', '--login-network-failures', '6']);
    try {
      for (let i = 0; i < 6; i++) assertProblem(await login(s, `nobody${i}`, 'wrong password here'), 401, 'invalid-credentials');
      assertProblem(await login(s, 'nobody-else', 'wrong password here'), 429, 'too-many-requests');
      assert.equal(count(s, "SELECT failures FROM auth_throttle WHERE key = 'net:127.0.0.0/24'"), 6);
    } finally {
      await s.stop();
    }
  });

  test('ten failures lock the account out until a password reset', async () => {
    const c = await citizen(srv);
    for (let i = 0; i < 10; i++)
      assertProblem(await attempt(srv, c.login, 'wrong password here'), 401, 'invalid-credentials');
    assert.equal(count(srv, `SELECT COUNT(*) FROM events WHERE type = 'account.locked' AND subject = 'account:${c.account.id}'`), 1);
    assert.equal(sql(srv, `SELECT status FROM accounts WHERE id = ${c.account.id}`), 'active', 'status unchanged');
    // The right password now tells why it cannot log in; a wrong one still tells nothing.
    const locked = await attempt(srv, c.login, c.password);
    const b = assertProblem(locked, 403, 'account-locked-out');
    assert.ok(Date.parse(b.locked_until) > Date.now() + 50 * 60 * 1000);
    assertProblem(await attempt(srv, c.login, 'wrong password again'), 401, 'invalid-credentials');
    // A password reset lifts it.
    const sent = noticesTo(srv, c.recipient);
    assert.equal((await call(srv, 'POST', '/api/v1/password-resets', { body: { login: c.login } })).status, 202);
    const code = await codeFor(srv, c.recipient, sent);
    let r;
    do {
      r = await call(srv, 'POST', '/api/v1/password-resets/confirmations', {
        body: { login: c.login, code, new_password: 'mật khẩu sau khi khoá' },
      });
      if (r.status === 429) await sleep(Number(r.json().retry_after_ms) + 5);
    } while (r.status === 429);
    assert.equal(r.status, 204, r.text);
    assert.equal((await attempt(srv, c.login, 'mật khẩu sau khi khoá')).status, 201);
    assert.equal(sql(srv, `SELECT failed_logins || '/' || locked_until FROM accounts WHERE id = ${c.account.id}`), '0/');
  });

  test('an officer lifts a lockout', async () => {
    const c = await citizen(srv);
    for (let i = 0; i < 10; i++) await attempt(srv, c.login, 'wrong password here');
    assertProblem(await attempt(srv, c.login, c.password), 403, 'account-locked-out');
    const r = await call(srv, 'POST', `/api/v1/accounts/${c.account.id}/unlock`, { as: police.token, body: { note: 'Đã xác minh' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().account.locked_until, null);
    // The login's delay may still run; then the password works.
    assert.equal((await attempt(srv, c.login, c.password)).status, 201);
    assertProblem(await call(srv, 'POST', `/api/v1/accounts/${c.account.id}/unlock`, { as: police.token, body: {} }), 409, 'conflict');
  });
});

describe('password hashes', () => {
  test('a hash made at another cost is upgraded at the next login', async () => {
    const s = await startIdentityServer();
    const c = await citizen(s);
    const old = sql(s, `SELECT password_hash FROM accounts WHERE id = ${c.account.id}`);
    assert.match(old, /m=1024,t=1,/);
    await s.stop();
    const args = FAST.map((a) => (a === '1024' ? '2048' : a));
    const again = await startServer({ db: s.db, dataDir: s.dataDir, args: [...args, '--password-opslimit', '2'] });
    try {
      assertProblem(await login(again, c.login, 'wrong password here'), 401, 'invalid-credentials');
      assert.equal(sql(again, `SELECT password_hash FROM accounts WHERE id = ${c.account.id}`), old, 'no upgrade without the password');
      assert.equal((await login(again, c.login, c.password)).status, 201);
      const fresh = sql(again, `SELECT password_hash FROM accounts WHERE id = ${c.account.id}`);
      assert.match(fresh, /m=2048,t=2,/);
      assert.equal((await login(again, c.login, c.password)).status, 201);
    } finally {
      await again.stop();
    }
  });
});

describe('second factor', () => {
  test('TOTP enrolment, logins with it, replay refused, recovery codes used once', async () => {
    const c = await citizen(srv);
    const s = await session(srv, c.login, c.password);
    const e = await call(srv, 'POST', '/api/v1/me/totp', { as: s.token });
    assert.equal(e.status, 201, e.text);
    const { secret, otpauth_uri: uri } = e.json();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.equal(uri, `otpauth://totp/dinhdanh:${c.login}?secret=${secret}&issuer=dinhdanh&algorithm=SHA1&digits=6&period=30`);
    // Not on until confirmed: logins still need only the password.
    assert.equal((await login(srv, c.login, c.password)).status, 201);
    const before = snapshot(srv);
    assertProblem(await call(srv, 'POST', '/api/v1/me/totp/confirmations', { as: s.token, body: { code: 'abc' } }), 422, 'code-invalid');
    assertProblem(await call(srv, 'POST', '/api/v1/me/totp/confirmations', { as: s.token, body: {} }), 400, 'validation-failed');
    assert.deepEqual(snapshot(srv), before);
    const ok = await call(srv, 'POST', '/api/v1/me/totp/confirmations', { as: s.token, body: { code: await freshTotp(secret) } });
    assert.equal(ok.status, 200, ok.text);
    const codes = ok.json().recovery_codes;
    assert.equal(codes.length, 10);
    for (const rc of codes) assert.match(rc, /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    assert.equal(count(srv, `SELECT COUNT(*) FROM recovery_codes WHERE account_id = ${c.account.id} AND used_at = ''`), 10);
    assertProblem(await call(srv, 'POST', '/api/v1/me/totp', { as: s.token }), 409, 'conflict');

    // Now the password alone is not enough, and says so only to who has the password.
    assertProblem(await login(srv, c.login, c.password), 401, 'second-factor-required');
    assertProblem(await login(srv, c.login, 'wrong password here', { totp: '123456' }), 401, 'invalid-credentials');
    const code = await freshTotp(secret);
    const t = await login(srv, c.login, c.password, { totp: code });
    assert.equal(t.status, 201, t.text);
    assert.equal(sql(srv, `SELECT method FROM sessions WHERE id = ${t.json().session_id}`), 'totp');
    // The same code again is a replay.
    assertProblem(await login(srv, c.login, c.password, { totp: code }), 401, 'second-factor-invalid');
    // A recovery code works once, typed loosely.
    const loose = codes[0].toUpperCase().replace(/-/g, ' ');
    const rc = await login(srv, c.login, c.password, { recovery_code: loose });
    assert.equal(rc.status, 201, rc.text);
    assertProblem(await login(srv, c.login, c.password, { recovery_code: codes[0] }), 401, 'second-factor-invalid');
    assert.equal(count(srv, `SELECT COUNT(*) FROM recovery_codes WHERE account_id = ${c.account.id} AND used_at = ''`), 9);
    assert.equal((await attempt(srv, c.login, c.password, { recovery_code: codes[1] })).status, 201);
    const methods = sql(srv, `SELECT method || ':' || success || ':' || reason FROM auth_history WHERE account_id = ${c.account.id} ORDER BY id`).split('\n');
    assert.ok(methods.includes('totp:1:'), methods.join(' '));
    assert.ok(methods.includes('totp:0:bad-totp'), methods.join(' '));
    assert.ok(methods.includes('recovery:1:'), methods.join(' '));
    assert.ok(methods.includes('recovery:0:bad-recovery-code'), methods.join(' '));
    assert.ok(methods.includes('password:0:second-factor-missing'), methods.join(' '));
  });

  test('an officer must enrol a second factor before logging in', async () => {
    const o = officer(srv, 'canbo.totp', 'commune-police', '56-22366', 'mật khẩu của cán bộ');
    const r = await login(srv, 'canbo.totp', 'mật khẩu của cán bộ');
    const b = assertProblem(r, 403, 'second-factor-enrolment-required');
    assert.equal(b.enrolment.path, '/api/v1/me/totp');
    const enrol = b.enrolment.session_token;
    // The enrolment session opens the enrolment and nothing else.
    const me = await call(srv, 'GET', '/api/v1/me', { as: enrol });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json().enrolment_only, true);
    assertProblem(await call(srv, 'GET', '/api/v1/me/sessions', { as: enrol }), 403, 'forbidden');
    assertProblem(await call(srv, 'GET', '/api/v1/accounts?login=056090001234', { as: enrol }), 403, 'forbidden');
    const t = await call(srv, 'POST', '/api/v1/me/totp', { as: enrol });
    assert.equal(t.status, 201, t.text);
    const secret = t.json().secret;
    const ok = await call(srv, 'POST', '/api/v1/me/totp/confirmations', { as: enrol, body: { code: await freshTotp(secret) } });
    assert.equal(ok.status, 200, ok.text);
    // Then a full login, which works on officers' routes with the officer's role and area.
    const full = await login(srv, 'canbo.totp', 'mật khẩu của cán bộ', { totp: await freshTotp(secret) });
    assert.equal(full.status, 201, full.text);
    const token = full.json().session_token;
    assert.equal(full.json().account.officer.role, 'commune-police');
    assert.equal((await call(srv, 'GET', '/api/v1/me/sessions', { as: token })).status, 200);
    assertProblem(await call(srv, 'POST', '/api/v1/me/lock', { as: token, body: {} }), 403, 'forbidden');
    const found = await call(srv, 'GET', '/api/v1/accounts?login=056090001234', { as: token });
    assert.equal(found.status, 200, found.text);
    const people = await call(srv, 'GET', '/api/v1/people?name=nguyen&limit=1', { as: token, headers: { 'X-Purpose': 'Kiem tra' } });
    assert.equal(people.status, 200, people.text);
    assertProblem(await call(srv, 'POST', '/api/v1/accounts/1/suspensions', { as: o.token, body: {} }), 400, 'validation-failed');
  });
});

describe('e-identity usage history', () => {
  test('the person sees every attempt on their account, newest first, in pages', async () => {
    const c = await citizen(srv);
    await login(srv, c.login, 'wrong password here');
    const s = await session(srv, c.login, c.password);
    const page1 = await call(srv, 'GET', '/api/v1/me/auth-history?limit=2', { as: s.token });
    assert.equal(page1.status, 200, page1.text);
    const b1 = page1.json();
    assert.equal(b1.items.length, 2);
    assert.deepEqual(b1.items.map((i) => [i.method, i.success, i.reason]), [['password', true, ''], ['password', false, 'bad-password']]);
    assert.equal(b1.items[0].network, '127.0.0.0/24');
    assert.equal(b1.items[0].service, 'web');
    assert.ok(b1.next_cursor);
    const page2 = await call(srv, 'GET', `/api/v1/me/auth-history?limit=2&cursor=${b1.next_cursor}`, { as: s.token });
    const b2 = page2.json();
    assert.deepEqual(b2.items.map((i) => [i.method, i.reason]), [['otc', 'registration-confirmed']]);
    assert.equal(b2.next_cursor, null);
    assertProblem(await call(srv, 'GET', '/api/v1/me/auth-history?limit=0', { as: s.token }), 400, 'validation-failed');
    assertProblem(await call(srv, 'GET', '/api/v1/me/auth-history?cursor=x', { as: s.token }), 400, 'validation-failed');
    // Nobody else's rows.
    const other = await citizen(srv);
    const so = await session(srv, other.login, other.password);
    const theirs = (await call(srv, 'GET', '/api/v1/me/auth-history', { as: so.token })).json().items;
    assert.equal(theirs.length, 2);
  });
});

describe('the demo', () => {
  test('its officers log in with the passwords it prints once', async () => {
    const db = freshDb();
    const out = runCli(['demo', '--people', '200', '--db', db, ...FAST.slice(2, 6)], { timeout: 120000 });
    assert.equal(out.status, 0, out.stderr);
    const m = /^ {2}admin +([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})$/m.exec(out.stdout);
    assert.ok(m, out.stdout);
    assert.match(out.stdout, /user password NAME/);
    const again = runCli(['demo', '--if-empty', '--db', db]);
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /shown this once/, 'a password is printed only when it is made');
    const s = await startIdentityServer([], { db });
    try {
      const r = await login(s, 'admin', m[1]);
      const b = assertProblem(r, 403, 'second-factor-enrolment-required');
      assert.match(b.enrolment.session_token, /^dds_/);
      assertProblem(await login(s, 'admin', 'not the password'), 401, 'invalid-credentials');
    } finally {
      await s.stop();
    }
  });
});
