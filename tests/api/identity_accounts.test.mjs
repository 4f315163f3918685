// identity_accounts.test.mjs — e-identity accounts on the real binary, on SQLite or PostgreSQL
// (DD_TEST_DB): level-1 registration matched against the register (every mismatch answered the
// same way), the one-time code that confirms it (wrong, expired, five tries, used once),
// foreigners by passport, children attached to a parent or by an officer, level 2 raised by a
// commune police officer with manual checks, and the officer's look-up — each with its events
// and access-log rows, and every bad input checked to have stored nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertProblem, runCli } from './server.mjs';
import {
  addPerson,
  call,
  citizen,
  codeFor,
  count,
  idFor,
  noticesTo,
  officer,
  outbox,
  session,
  snapshot,
  sql,
  startIdentityServer,
} from './identity_util.mjs';

let srv;
let police; // commune police of 56-22366, with a token
let health; // an officer whose role has no identity scope
const P = '56';

before(async () => {
  srv = await startIdentityServer();
  police = officer(srv, 'cand.nhatrang', 'commune-police', `${P}-22366`);
  health = officer(srv, 'yte', 'health', P);
});
after(async () => {
  await srv?.stop();
});

const register = (body, headers) => call(srv, 'POST', '/api/v1/accounts', { body, headers });
const confirm = (login, code) =>
  call(srv, 'POST', '/api/v1/accounts/confirmations', { body: { login, code } });

function registration(person, over = {}) {
  return {
    id_number: person.id_number,
    full_name: person.full_name,
    birth_date: person.birth_date,
    phone: '0905123456',
    email: `${person.id_number}@example.vn`,
    password: 'hoa sen trong đầm',
    ...over,
  };
}

describe('level-1 registration', () => {
  test('matches the register, stays pending until the e-mailed code confirms it', async () => {
    const person = addPerson(srv, { full_name: 'Trần Thị Bích Ngọc', sex: 'female', birth_date: '1988-03-09' });
    const events = count(srv, "SELECT COUNT(*) FROM events WHERE type = 'account.created'");
    // The name is compared folded: case, diacritics and spaces do not matter.
    const r = await register(registration(person, { full_name: '  tran thi  BICH ngoc ', portrait_ref: 'portrait:2026/abc-1.jpg' }));
    assert.equal(r.status, 201, r.text);
    const b = r.json();
    assert.equal(b.account.status, 'pending');
    assert.equal(b.account.level, 1);
    assert.equal(b.account.login, person.id_number);
    assert.equal(b.account.display_name, 'Trần Thị Bích Ngọc', 'the register’s own spelling is kept');
    assert.equal(b.account.phone, '+84905123456');
    assert.equal(b.account.portrait_ref, 'portrait:2026/abc-1.jpg');
    assert.equal(b.confirmation.channel, 'email');
    assert.equal(b.confirmation.sent_to, `${person.id_number[0]}***@example.vn`);
    assert.ok(!('password_hash' in b.account));
    assert.match(sql(srv, `SELECT password_hash FROM accounts WHERE login = '${person.id_number}'`), /^\$argon2id\$/);

    // Not usable before the confirmation.
    const early = await call(srv, 'POST', '/api/v1/sessions', {
      body: { login: person.id_number, password: 'hoa sen trong đầm' },
    });
    assertProblem(early, 403, 'account-not-confirmed');

    const code = await codeFor(srv, `${person.id_number}@example.vn`);
    const notice = outbox(srv).at(-1);
    assert.equal(notice.purpose, 'registration-code');
    assert.match(notice.subject, /đăng ký/);
    const ok = await confirm(person.id_number, code);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json().account.status, 'active');
    assert.equal(count(srv, "SELECT COUNT(*) FROM events WHERE type = 'account.created'"), events + 1);
    // Used once.
    assertProblem(await confirm(person.id_number, code), 422, 'code-invalid');
    // Now the account exists: another registration is a conflict.
    assertProblem(await register(registration(person)), 409, 'account-exists');
  });

  test('a mismatch answers the same whichever field is wrong, and stores nothing', async () => {
    const person = addPerson(srv, { full_name: 'Lê Văn Hùng', birth_date: '1975-12-01' });
    const dead = addPerson(srv, { full_name: 'Phạm Văn Tư', birth_date: '1940-01-01', status: 'dead' });
    const before = snapshot(srv);
    const cases = [
      registration(person, { full_name: 'Lê Văn Hoà' }),
      registration(person, { birth_date: '1975-12-02' }),
      registration(person, { id_number: idFor('male', 1975, 999999) }),
      registration(dead),
    ];
    const bodies = [];
    for (const c of cases) {
      const b = assertProblem(await register(c), 422, 'register-mismatch');
      bodies.push({ ...b, request_id: undefined });
    }
    for (const b of bodies.slice(1)) assert.deepEqual(b, bodies[0]);
    assert.ok(!/name|birth|date|tên|ngày/i.test(bodies[0].detail), bodies[0].detail);
    assert.deepEqual(snapshot(srv), before);
  });

  test('bad fields are listed at once and nothing is stored', async () => {
    const person = addPerson(srv);
    const before = snapshot(srv);
    const r = await register({
      id_number: '12345',
      full_name: '',
      birth_date: '1990-02-30',
      phone: '12',
      email: 'not-an-address',
      password: 'short',
      extra: 1,
    });
    const b = assertProblem(r, 400, 'validation-failed');
    const fields = b.errors.map((e) => `${e.field}:${e.code}`).sort();
    assert.deepEqual(fields, [
      'birth_date:date-invalid',
      'email:email-invalid',
      'extra:unknown-field',
      'full_name:required',
      'id_number:id-invalid',
      'password:password-too-short',
      'phone:phone-invalid',
    ]);
    // The password rules in English too.
    const en = await register(registration(person, { password: person.id_number }), { 'Accept-Language': 'en' });
    const eb = assertProblem(en, 400, 'validation-failed');
    assert.deepEqual(eb.errors.map((e) => e.code), ['password-is-id-number']);
    assertProblem(await register(registration(person, { nationality: 'KOR', passport_number: 'M1234567' })), 400, 'validation-failed');
    assertProblem(await register('[1]'), 400, 'validation-failed');
    assertProblem(await register('{"id_number":'), 400, 'invalid-json');
    assert.deepEqual(snapshot(srv), before);
  });

  test('under 14 a guardian is needed', async () => {
    const child = addPerson(srv, { full_name: 'Nguyễn Minh Khang', birth_date: '2016-06-01' });
    const before = snapshot(srv);
    assertProblem(await register(registration(child)), 422, 'guardian-required');
    assert.deepEqual(snapshot(srv), before);
  });

  test('registering again while pending replaces the details and sends a new code', async () => {
    const person = addPerson(srv, { full_name: 'Đỗ Thị Lan', sex: 'female', birth_date: '1995-07-07' });
    assert.equal((await register(registration(person, { email: 'lan1@example.vn' }))).status, 201);
    const first = await codeFor(srv, 'lan1@example.vn');
    const again = await register(registration(person, { email: 'lan2@example.vn', password: 'mật khẩu thứ hai' }));
    assert.equal(again.status, 201, again.text);
    assert.equal(count(srv, `SELECT COUNT(*) FROM accounts WHERE login = '${person.id_number}'`), 1);
    const second = await codeFor(srv, 'lan2@example.vn');
    if (first !== second) assertProblem(await confirm(person.id_number, first), 422, 'code-invalid');
    assert.equal((await confirm(person.id_number, second)).status, 200);
    assert.equal((await session(srv, person.id_number, 'mật khẩu thứ hai')).json.account.email, 'lan2@example.vn');
  });

  test('without e-mail the code goes by SMS', async () => {
    const person = addPerson(srv, { birth_date: '1999-09-09' });
    const body = registration(person, { phone: '+84912000111' });
    delete body.email;
    const r = await register(body);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json().confirmation.channel, 'sms');
    assert.equal(r.json().confirmation.sent_to, '+84*******11');
    const code = await codeFor(srv, '+84912000111');
    assert.equal(outbox(srv).at(-1).channel, 'sms');
    assert.equal((await confirm(person.id_number, code)).status, 200);
  });
});

describe('one-time codes', () => {
  test('five wrong codes kill the code; unknown logins get the same answer', async () => {
    const person = addPerson(srv, { birth_date: '1980-01-01' });
    const email = `${person.id_number}@example.vn`;
    assert.equal((await register(registration(person))).status, 201);
    const code = await codeFor(srv, email);
    const wrong = code === '000000' ? '111111' : '000000';
    const unknown = await confirm('056099999999', wrong);
    const ub = assertProblem(unknown, 422, 'code-invalid');
    for (let i = 0; i < 5; i++) {
      const r = await confirm(person.id_number, wrong);
      if (r.status === 429) {
        await new Promise((ok) => setTimeout(ok, Number(r.json().retry_after_ms) + 5));
        i--;
        continue;
      }
      const b = assertProblem(r, 422, 'code-invalid');
      assert.deepEqual({ ...b, request_id: 0 }, { ...ub, request_id: 0 });
    }
    assert.equal(count(srv, `SELECT attempts FROM one_time_codes o JOIN accounts a ON a.id = o.account_id WHERE a.login = '${person.id_number}'`), 5);
    // The right code is refused now; the account stays pending.
    let r;
    do {
      r = await confirm(person.id_number, code);
      if (r.status === 429) await new Promise((ok) => setTimeout(ok, Number(r.json().retry_after_ms) + 5));
    } while (r.status === 429);
    assertProblem(r, 422, 'code-invalid');
    assert.equal(sql(srv, `SELECT status FROM accounts WHERE login = '${person.id_number}'`), 'pending');
    assert.ok(count(srv, `SELECT COUNT(*) FROM auth_history h JOIN accounts a ON a.id = h.account_id WHERE a.login = '${person.id_number}' AND h.method = 'otc' AND h.success = 0`) >= 6);
  });

  test('a code expires after 10 minutes', async () => {
    const person = addPerson(srv, { birth_date: '1981-02-02' });
    assert.equal((await register(registration(person))).status, 201);
    const code = await codeFor(srv, `${person.id_number}@example.vn`);
    const until = sql(srv, `SELECT o.expires_at FROM one_time_codes o JOIN accounts a ON a.id = o.account_id WHERE a.login = '${person.id_number}'`);
    const created = sql(srv, `SELECT o.created_at FROM one_time_codes o JOIN accounts a ON a.id = o.account_id WHERE a.login = '${person.id_number}'`);
    assert.equal(Date.parse(until) - Date.parse(created), 10 * 60 * 1000);
    // Ten minutes later, as the server sees it.
    sql(srv, `UPDATE one_time_codes SET expires_at = '2020-01-01T00:00:00.000Z' WHERE account_id = (SELECT id FROM accounts WHERE login = '${person.id_number}')`);
    assertProblem(await confirm(person.id_number, code), 422, 'code-invalid');
    assert.equal(sql(srv, `SELECT status FROM accounts WHERE login = '${person.id_number}'`), 'pending');
  });

  test('a bad confirmation body stores nothing', async () => {
    const before = snapshot(srv);
    const b = assertProblem(await call(srv, 'POST', '/api/v1/accounts/confirmations', { body: { login: 5 } }), 400, 'validation-failed');
    assert.deepEqual(b.errors.map((e) => e.field).sort(), ['code', 'login']);
    assert.deepEqual(snapshot(srv), before);
  });
});

describe('foreigners', () => {
  test('register by passport at level 1, without the register', async () => {
    const body = {
      nationality: 'kor',
      passport_number: 'm12345678',
      full_name: 'Kim Min-jun',
      birth_date: '1985-04-04',
      phone: '+821012345678',
      email: 'minjun@example.kr',
      password: 'seoul to nha trang',
    };
    const r = await register(body);
    assert.equal(r.status, 201, r.text);
    const acc = r.json().account;
    assert.equal(acc.login, 'P:KOR:M12345678');
    assert.equal(acc.id_number, null);
    assert.deepEqual(acc.passport, { nationality: 'KOR', number: 'M12345678' });
    const code = await codeFor(srv, 'minjun@example.kr');
    assert.equal((await confirm('p:kor:m12345678', code)).status, 200);
    const s = await session(srv, 'P:KOR:M12345678', 'seoul to nha trang');
    assert.equal(s.json.account.level, 1);
    // Level 2 is for citizens with an ID number.
    const up = await call(srv, 'POST', `/api/v1/accounts/${acc.id}/level-2`, {
      as: police.token,
      body: { card_check: 'manual', face_check: 'manual' },
    });
    assertProblem(up, 422, 'rule-violated');
    assert.equal(sql(srv, `SELECT level FROM accounts WHERE id = ${acc.id}`), '1');
    // Vietnamese passports are not a foreigner's; partial dates neither.
    const bad = assertProblem(await register({ ...body, nationality: 'VNM', birth_date: '1985' }), 400, 'validation-failed');
    assert.deepEqual(bad.errors.map((e) => e.field).sort(), ['birth_date', 'nationality']);
  });
});

describe('level 2', () => {
  test('a commune police officer raises an account after manual checks', async () => {
    const c = await citizen(srv, { full_name: 'Hoàng Văn Nam', birth_date: '1970-10-10' });
    const access = count(srv, `SELECT COUNT(*) FROM access_log WHERE id_number = '${c.login}'`);
    // The officer finds the account by the ID number.
    const found = await call(srv, 'GET', `/api/v1/accounts?login=${c.login}`, { as: police.token });
    assert.equal(found.status, 200, found.text);
    assert.equal(found.json().items[0].id, c.account.id);
    const r = await call(srv, 'POST', `/api/v1/accounts/${c.account.id}/level-2`, {
      as: police.token,
      body: { card_check: 'manual', face_check: 'manual', note: 'Đã đối chiếu căn cước' },
    });
    assert.equal(r.status, 200, r.text);
    const acc = r.json().account;
    assert.equal(acc.level, 2);
    assert.equal(acc.level2.card_check, 'manual');
    assert.equal(acc.level2.face_check, 'manual');
    assert.equal(acc.level2.by, `officer:${police.id}`);
    assert.equal(count(srv, `SELECT COUNT(*) FROM events WHERE type = 'account.level_changed' AND subject = 'account:${acc.id}'`), 1);
    const payload = JSON.parse(sql(srv, `SELECT payload FROM events WHERE type = 'account.level_changed' AND subject = 'account:${acc.id}'`));
    assert.deepEqual([payload.from, payload.to, payload.card_check], [1, 2, 'manual']);
    // The look-up and the change are in the person's access log.
    assert.equal(count(srv, `SELECT COUNT(*) FROM access_log WHERE id_number = '${c.login}' AND data = 'e-identity'`), access + 2);
    // The person's session sees level 2 at once.
    const s = await session(srv, c.login, c.password);
    const me = await call(srv, 'GET', '/api/v1/me', { as: s.token });
    assert.equal(me.json().account.level, 2);
    assertProblem(await call(srv, 'POST', `/api/v1/accounts/${acc.id}/level-2`, {
      as: police.token,
      body: { card_check: 'manual', face_check: 'manual' },
    }), 409, 'conflict');
  });

  test('only police with identity:verify, with manual checks stated, on a known account', async () => {
    const c = await citizen(srv, { birth_date: '1971-11-11' });
    const s = await session(srv, c.login, c.password);
    const path = `/api/v1/accounts/${c.account.id}/level-2`;
    const body = { card_check: 'manual', face_check: 'manual' };
    const before = snapshot(srv);
    assertProblem(await call(srv, 'POST', path, { as: health.token, body }), 403, 'forbidden');
    assertProblem(await call(srv, 'POST', path, { as: s.token, body }), 403, 'forbidden');
    assertProblem(await call(srv, 'POST', path, { body }), 401, 'unauthenticated');
    const bad = assertProblem(await call(srv, 'POST', path, { as: police.token, body: { card_check: 'chip', note: 7 } }), 400, 'validation-failed');
    assert.deepEqual(bad.errors.map((e) => e.field).sort(), ['card_check', 'face_check', 'note']);
    assertProblem(await call(srv, 'POST', '/api/v1/accounts/999999/level-2', { as: police.token, body }), 404, 'not-found');
    assertProblem(await call(srv, 'POST', '/api/v1/accounts/abc/level-2', { as: police.token, body }), 404, 'not-found');
    assertProblem(await call(srv, 'GET', '/api/v1/accounts', { as: police.token }), 400, 'validation-failed');
    assert.deepEqual(snapshot(srv), before);
    const none = await call(srv, 'GET', '/api/v1/accounts?login=056000000000', { as: police.token });
    assert.deepEqual(none.json().items, []);
  });
});

describe('children under 14', () => {
  test('a level-2 parent attaches their child; the child cannot log in', async () => {
    const parent = await citizen(srv, { full_name: 'Võ Thị Mai', sex: 'female', birth_date: '1985-05-05' });
    const child = addPerson(srv, { full_name: 'Võ Gia Bảo', birth_date: '2018-08-08', mother_id: parent.login });
    const other = addPerson(srv, { full_name: 'Lý Thu Hà', sex: 'female', birth_date: '2017-01-01' });
    const teen = addPerson(srv, { full_name: 'Võ Gia Huy', birth_date: '2008-01-01', mother_id: parent.login });
    const s1 = await session(srv, parent.login, parent.password);
    const body = { id_number: child.id_number, full_name: child.full_name, birth_date: child.birth_date };
    // Level 1 is not enough.
    assertProblem(await call(srv, 'POST', '/api/v1/accounts/children', { as: s1.token, body }), 403, 'forbidden');
    await call(srv, 'POST', `/api/v1/accounts/${parent.account.id}/level-2`, {
      as: police.token,
      body: { card_check: 'manual', face_check: 'manual' },
    });
    const s = await session(srv, parent.login, parent.password);
    const before = snapshot(srv);
    assertProblem(await call(srv, 'POST', '/api/v1/accounts/children', {
      as: s.token,
      body: { id_number: other.id_number, full_name: other.full_name, birth_date: other.birth_date },
    }), 403, 'not-a-parent');
    assertProblem(await call(srv, 'POST', '/api/v1/accounts/children', {
      as: s.token,
      body: { id_number: teen.id_number, full_name: teen.full_name, birth_date: teen.birth_date },
    }), 422, 'child-not-under-14');
    assertProblem(await call(srv, 'POST', '/api/v1/accounts/children', {
      as: s.token,
      body: { ...body, full_name: 'Võ Gia Bình' },
    }), 422, 'register-mismatch');
    assertProblem(await call(srv, 'POST', '/api/v1/accounts/children', {
      as: s.token,
      body: { ...body, guardian_id: 1 },
    }), 400, 'validation-failed');
    assert.deepEqual(snapshot(srv), before);

    const r = await call(srv, 'POST', '/api/v1/accounts/children', { as: s.token, body });
    assert.equal(r.status, 201, r.text);
    const acc = r.json().account;
    assert.equal(acc.guardian_id, parent.account.id);
    assert.equal(acc.status, 'active');
    assertProblem(await call(srv, 'POST', '/api/v1/accounts/children', { as: s.token, body }), 409, 'account-exists');
    const me = await call(srv, 'GET', '/api/v1/me', { as: s.token });
    assert.deepEqual(me.json().children.map((c) => c.login), [child.id_number]);
    // No password: a login is just a wrong one.
    assertProblem(await call(srv, 'POST', '/api/v1/sessions', { body: { login: child.id_number, password: 'anything at all' } }), 401, 'invalid-credentials');
  });

  test('an officer attaches a child to a named level-2 guardian', async () => {
    const guardian = await citizen(srv, { full_name: 'Bùi Văn Long', birth_date: '1960-06-06' });
    const level1 = await citizen(srv, { full_name: 'Bùi Văn Sơn', birth_date: '1962-06-06' });
    await call(srv, 'POST', `/api/v1/accounts/${guardian.account.id}/level-2`, {
      as: police.token,
      body: { card_check: 'manual', face_check: 'manual' },
    });
    const child = addPerson(srv, { full_name: 'Bùi Thị Na', sex: 'female', birth_date: '2019-09-19' });
    const body = { id_number: child.id_number, full_name: child.full_name, birth_date: child.birth_date };
    const before = snapshot(srv);
    const missing = assertProblem(await call(srv, 'POST', '/api/v1/accounts/children', { as: police.token, body }), 400, 'validation-failed');
    assert.equal(missing.errors[0].field, 'guardian_id');
    const weak = assertProblem(await call(srv, 'POST', '/api/v1/accounts/children', {
      as: police.token,
      body: { ...body, guardian_id: level1.account.id },
    }), 422, 'rule-violated');
    assert.equal(weak.errors[0].code, 'guardian-not-level-2');
    assertProblem(await call(srv, 'POST', '/api/v1/accounts/children', {
      as: health.token,
      body: { ...body, guardian_id: guardian.account.id },
    }), 403, 'forbidden');
    assert.deepEqual(snapshot(srv), before);
    const r = await call(srv, 'POST', '/api/v1/accounts/children', {
      as: police.token,
      body: { ...body, guardian_id: guardian.account.id },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json().account.guardian_id, guardian.account.id);
    assert.equal(count(srv, `SELECT COUNT(*) FROM access_log WHERE id_number = '${child.id_number}' AND actor = 'officer:${police.id}'`), 1);
  });
});

describe('officers from the command line', () => {
  test('user add, role, list and disable; officer add stays an alias', async () => {
    const r = runCli(['user', 'add', 'xa.test', '--role', 'commune-police', '--area', '56-22333',
      '--db', srv.db, '--password-stdin', '--password-memlimit-kib', '1024'], { input: 'mật khẩu cán bộ xã\n' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^user xa\.test created \(id \d+\)$/m);
    const alias = runCli(['officer', 'add', 'tinh.test', '--role', 'province-police', '--province', '56', '--db', srv.db]);
    assert.equal(alias.status, 0, alias.stderr);
    assert.match(alias.stdout, /^officer tinh\.test created \(id \d+\)$/m);
    const digits = runCli(['user', 'add', '123456', '--role', 'admin', '--area', '56', '--db', srv.db]);
    assert.equal(digits.status, 2);
    assert.match(digits.stderr, /letter/);
    const weak = runCli(['user', 'add', 'weak.pw', '--role', 'admin', '--area', '56', '--db', srv.db, '--password-stdin'], { input: 'short\n' });
    assert.equal(weak.status, 2);
    assert.equal(count(srv, "SELECT COUNT(*) FROM officers WHERE username IN ('123456', 'weak.pw')"), 0);
    const role = runCli(['user', 'role', 'xa.test', 'province-police', '--area', '56', '--db', srv.db]);
    assert.equal(role.status, 0, role.stderr);
    const badRole = runCli(['user', 'role', 'xa.test', 'commune-police', '--area', '56', '--db', srv.db]);
    assert.equal(badRole.status, 2);
    const list = runCli(['user', 'list', '--db', srv.db]);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^USERNAME +ROLE +AREA +STATUS +2FA +AGENCY$/m);
    assert.match(list.stdout, /^xa\.test +province-police +56 +active +- /m);
    assert.match(list.stdout, /^tinh\.test +province-police +56 +no-password /m);
    const off = runCli(['user', 'disable', 'xa.test', '--db', srv.db]);
    assert.equal(off.status, 0, off.stderr);
    assert.match(runCli(['user', 'list', '--db', srv.db]).stdout, /^xa\.test +province-police +56 +disabled /m);
    assertProblem(await call(srv, 'POST', '/api/v1/sessions', { body: { login: 'xa.test', password: 'mật khẩu cán bộ xã' } }), 403, 'account-disabled');
    assert.equal(runCli(['user', 'disable', 'nobody', '--db', srv.db]).status, 1);
    assert.equal(runCli(['user', 'frobnicate', '--db', srv.db]).status, 2);
  });
});

describe('nothing leaks into notices or events', () => {
  test('events carry no codes, passwords or typed logins', async () => {
    const payloads = sql(srv, "SELECT payload FROM events WHERE type LIKE 'auth.%' OR type LIKE 'account.%'");
    assert.ok(payloads.length > 0);
    // login_hash is the SHA-256 of a typed login that matched no account (for the SOC's rules):
    // hex digits that may hold twelve decimal digits in a row, and never the login itself.
    for (const line of payloads.split('\n')) {
      assert.match(line, /^(?!.*"login_hash":"(?![0-9a-f]{64}"|")).*$/);
      assert.doesNotMatch(line.replace(/"login_hash":"[0-9a-f]{64}"/, ''), /argon2|"password":|"code":|\d{12}/);
    }
    assert.ok(noticesTo(srv, 'minjun@example.kr') >= 1);
  });
});
