// login.test.mjs — the login and account pages in a real browser (Debian's chromium driven by
// playwright-core), on a server with cheap password hashes and notices in the outbox file
// (tests/api/identity_util.mjs):
//   - a citizen with a password and an authenticator (enrolled through the API) follows the link
//     from the landing page, logs in with the keyboard only, is asked for the code, types a TOTP
//     code computed by the test (RFC 6238 with node:crypto: totpAt in identity_util.mjs), sees
//     their name, level, sessions and history on the account page, ends another of their
//     sessions, logs out; then a wrong password and an unknown login both get the same generic
//     message, on a phone-sized screen;
//   - an officer without a second factor is sent to the enrolment, reads the secret and the QR
//     code, turns it on with a code, sees 10 recovery codes, and logs in again with one of them;
//   - a login blocked after repeated failures tells how long to wait and holds the button;
//   - /login.html and /en/login.html (and the account pages) speak their own language, down to
//     the server's error messages.
// No test may cause a CSP violation, a page error or a failed request for a page's own files.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import {
  FAST,
  call,
  citizen,
  freshTotp,
  login as apiLogin,
  officer,
  session,
  startIdentityServer,
  totpAt,
} from '../api/identity_util.mjs';

const CHROMIUM = process.env.DD_CHROMIUM || '/usr/bin/chromium';
// Screenshots for a person to look at, when DD_SCREENSHOTS names a folder.
const SHOTS = process.env.DD_SCREENSHOTS || '';
// A login blocked after its 5th failure waits 2 units: one minute with this unit.
const DELAY_MS = 30000;
const GENERIC_VI = 'Tên đăng nhập hoặc mật khẩu không đúng.';
const GENERIC_EN = 'The login or the password is wrong.';
const PHONE = { width: 390, height: 844 };
let srv;
let browser;

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM}`);
  const args = [...FAST];
  args[args.indexOf('--login-delay-ms') + 1] = String(DELAY_MS);
  srv = await startIdentityServer(args);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

// A new browser context (its own cookies) and page, watched for what must not happen: CSP
// violations, page errors, failed requests, and HTTP errors on anything but the API (whose
// refusals are part of the flows: the browser logs them as "Failed to load resource").
async function openPage(viewport) {
  const ctx = await browser.newContext({ viewport, locale: 'vi-VN' });
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location().url || '';
    if (url.includes('/api/v1/') && /status of (401|403|429)\b/.test(m.text())) return;
    problems.push(`console error: ${m.text()} (${url})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // A request the page itself abandons by navigating away (the favicon, mostly) is no failure.
  page.on('requestfailed', (r) => {
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !new URL(r.url()).pathname.startsWith('/api/v1/'))
      problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const check = async () => {
    await page.waitForTimeout(200);
    assert.deepEqual(await page.evaluate(() => window.__csp), [], 'CSP violations');
    assert.deepEqual(problems, []);
    await ctx.close();
  };
  return { ctx, page, check };
}

async function shot(page, name) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

const focusedId = (page) => page.evaluate(() => document.activeElement?.id || '');

// Empties a live region, so that message() waits for what the next action makes it say.
const afresh = (page, id) =>
  page.evaluate((i) => (document.getElementById(i).textContent = ''), id);

// Waits for the live region to say something and returns it.
async function message(page, id) {
  const region = page.locator(`#${id}`);
  await region.waitFor({ state: 'visible' });
  await page.waitForFunction((i) => document.getElementById(i).textContent.trim() !== '', id);
  return (await region.innerText()).trim();
}

// A code not used yet with `secret` for the browser to type: never the previous time step's,
// which could leave the server's window (now ± 1 step) while it is being typed.
async function codeToType(secret) {
  for (;;) {
    const code = await freshTotp(secret);
    if (code !== totpAt(secret, Math.floor(Date.now() / 30000) - 1)) return code;
  }
}

const me = (token) => call(srv, 'GET', '/api/v1/me', { as: token });

test('a citizen logs in with password and TOTP, ends another session and logs out', async () => {
  const c = await citizen(srv, {
    full_name: 'Trần Thị Hoà',
    sex: 'female',
    birth_date: '1988-03-09',
  });
  const first = await session(srv, c.login, c.password);
  const start = await call(srv, 'POST', '/api/v1/me/totp', { as: first.token });
  assert.equal(start.status, 201, start.text);
  const secret = start.json().secret;
  const on = await call(srv, 'POST', '/api/v1/me/totp/confirmations', {
    as: first.token,
    body: { code: await freshTotp(secret) },
  });
  assert.equal(on.status, 200, on.text);
  // Another session, on a phone elsewhere: the one the person will end from the page.
  const phone = await call(srv, 'POST', '/api/v1/sessions', {
    body: { login: c.login, password: c.password, totp: await freshTotp(secret) },
    headers: { 'User-Agent': 'Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile' },
  });
  assert.equal(phone.status, 201, phone.text);
  const other = phone.json();

  const { ctx, page, check } = await openPage(PHONE);
  await page.goto(`${srv.url}/`);
  await Promise.all([page.waitForURL(`${srv.url}/login.html`), page.click('a[href="/login.html"]')]);
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.equal(await focusedId(page), 'login', 'the login field has the focus');

  // Keyboard only: type, Tab, type, Enter.
  await page.keyboard.type(c.login);
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'password');
  await page.keyboard.type(c.password);
  await page.keyboard.press('Enter');

  await page.locator('#code-form').waitFor({ state: 'visible' });
  assert.ok(await page.locator('#password-form').isHidden(), 'the password step is gone');
  assert.equal(await focusedId(page), 'totp', 'the code field has the focus');
  assert.match(await message(page, 'notice'), /xác thực hai lớp/);
  await shot(page, 'login-code-vi');
  // A wrong code first: the server's message, the field emptied and focused again.
  const now = Math.floor(Date.now() / 30000);
  const valid = [-2, -1, 0, 1, 2].map((d) => totpAt(secret, now + d));
  const wrong = ['000000', '111111', '222222', '333333'].find((x) => !valid.includes(x));
  await page.keyboard.type(wrong);
  await page.keyboard.press('Enter');
  assert.equal(await message(page, 'error'), 'Mã xác thực hoặc mã khôi phục không đúng hoặc đã được dùng.');
  assert.equal(await page.locator('#totp').inputValue(), '');
  assert.equal(await focusedId(page), 'totp');
  assert.equal(await page.locator('#totp').getAttribute('aria-invalid'), '');
  await page.keyboard.type(await codeToType(secret));
  await Promise.all([page.waitForURL(`${srv.url}/account.html`), page.keyboard.press('Enter')]);

  await page.locator('#session-list li').first().waitFor();
  assert.equal((await page.locator('#name').innerText()).trim(), 'Trần Thị Hoà');
  assert.equal(await page.locator('#login').innerText(), c.login);
  assert.match(await page.locator('#level').innerText(), /^Mức 1\b/);
  assert.equal(await page.locator('#kind').innerText(), 'Công dân');
  assert.equal(await page.locator('#second-factor-state').innerText(), 'Đã bật');
  assert.ok(await page.locator('#totp-on').isVisible(), 'second factor shown as on');
  assert.ok(await page.locator('#totp-start').isHidden(), 'no enrolment offered when on');

  // Sessions: the enrolment's, the phone's and this one, which is marked and has no end button.
  const cards = page.locator('#session-list li');
  assert.equal(await cards.count(), 3);
  const mine = cards.filter({ has: page.locator('.badge') });
  assert.equal(await mine.count(), 1);
  assert.equal(await mine.locator('.badge').innerText(), 'Phiên này');
  assert.equal(await mine.locator('button').count(), 0);
  const phoneCard = page.locator(`#session-list li[data-session="${other.session_id}"]`);
  assert.match(await phoneCard.innerText(), /Android/);

  // History: the logins and the wrong code, newest first.
  const rows = page.locator('#history-rows tr');
  assert.ok((await rows.count()) >= 4, 'history rows');
  assert.match(await rows.nth(0).innerText(), /Thành công[\s\S]*Mật khẩu và mã xác thực[\s\S]*Trang web/);
  assert.match(await rows.nth(1).innerText(), /Không thành công \(sai mã xác thực\)/);
  await shot(page, 'account-vi-phone');

  // End the phone's session with the keyboard.
  await phoneCard.locator('button').focus();
  await page.keyboard.press('Enter');
  assert.equal(await message(page, 'notice'), 'Đã kết thúc phiên.');
  await page.waitForFunction(() => document.querySelectorAll('#session-list li').length === 2);
  assert.equal((await me(other.session_token)).status, 401, 'the ended session is refused');
  assert.equal((await me(first.token)).status, 200, 'the other sessions still run');

  // Log out: back to the login page, the cookie gone, the session ended on the server.
  const cookie = (await ctx.cookies()).find((k) => k.name === 'dd_session');
  assert.match(cookie?.value || '', /^dds_[0-9a-f]{64}$/);
  assert.ok(cookie.httpOnly, 'the session cookie is HttpOnly');
  await Promise.all([page.waitForURL(`${srv.url}/login.html?out`), page.click('#logout')]);
  assert.equal(await message(page, 'notice'), 'Bạn đã đăng xuất.');
  assert.equal((await ctx.cookies()).filter((k) => k.name === 'dd_session').length, 0);
  assert.equal((await me(cookie.value)).status, 401, 'the browser session is ended');
  await page.goto(`${srv.url}/account.html`);
  await page.waitForURL(`${srv.url}/login.html?signin`);

  // A wrong password, then an unknown login: the same generic message, nothing more.
  await page.fill('#login', c.login);
  await page.fill('#password', 'không phải mật khẩu này');
  await page.press('#password', 'Enter');
  assert.equal(await message(page, 'error'), GENERIC_VI);
  assert.equal(await page.locator('#error').getAttribute('role'), 'alert');
  assert.equal(await focusedId(page), 'password');
  assert.equal(await page.locator('#password').inputValue(), '', 'the password is cleared');
  assert.ok(await page.locator('#code-form').isHidden(), 'no second step after a wrong password');
  await shot(page, 'login-wrong-vi');
  await page.fill('#login', '056199999999');
  await page.fill('#password', 'một mật khẩu dài');
  await afresh(page, 'error');
  await page.press('#password', 'Enter');
  assert.equal(await message(page, 'error'), GENERIC_VI, 'unknown login, same message');
  // Empty fields are caught before anything is sent.
  await page.fill('#login', '');
  await afresh(page, 'error');
  await page.press('#login', 'Enter');
  assert.match(await message(page, 'error'), /Hãy nhập số định danh/);
  assert.equal(await page.locator('#login').getAttribute('aria-invalid'), '');
  await check();
});

test('an officer enrols an authenticator at the first login, then uses a recovery code', async () => {
  const password = 'mật khẩu cán bộ đủ dài';
  const o = officer(srv, 'canbo.hoa', 'province-police', '56', password);
  const { page, check } = await openPage({ width: 1100, height: 900 });
  await page.goto(`${srv.url}/login.html`);
  await page.fill('#login', o.name);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForURL(`${srv.url}/account.html#second-factor`),
    page.click('#password-form button[type="submit"]'),
  ]);
  await page.locator('#enrol-required').waitFor({ state: 'visible' });
  assert.equal((await page.locator('#name').innerText()).trim(), `Cán bộ ${o.name}`);
  assert.match(await page.locator('dl.facts').innerText(), /Công an tỉnh/);
  assert.ok(await page.locator('#sessions').isHidden(), 'an enrolment-only session sees no sessions');
  assert.ok(await page.locator('#history').isHidden());
  assert.equal(await focusedId(page), 'second-factor-title');

  await page.keyboard.press('Tab'); // to the set-up button
  assert.equal(await focusedId(page), 'totp-start');
  await page.keyboard.press('Enter');
  await page.locator('#totp-setup').waitFor({ state: 'visible' });
  const secret = (await page.locator('#totp-secret').innerText()).replace(/\s+/g, '');
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.ok(await page.locator('#qr svg').isVisible(), 'QR code drawn');
  assert.equal(await page.locator('#qr svg').getAttribute('role'), 'img');
  const uri = await page.locator('#totp-uri').textContent();
  assert.equal(
    uri,
    `otpauth://totp/dinhdanh:${o.name}?secret=${secret}&issuer=dinhdanh&algorithm=SHA1&digits=6&period=30`,
  );
  assert.equal(await focusedId(page), 'totp-code');
  await shot(page, 'account-enrol-vi');
  await page.keyboard.type(await codeToType(secret));
  await page.keyboard.press('Enter');
  await page.locator('#recovery').waitFor({ state: 'visible' });
  const codes = await page.locator('#recovery-codes li').allInnerTexts();
  assert.equal(codes.length, 10);
  for (const code of codes) assert.match(code.trim(), /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
  assert.equal(await page.locator('#second-factor-state').innerText(), 'Đã bật');
  assert.equal(await focusedId(page), 'recovery-title');
  await shot(page, 'account-recovery-vi');

  await Promise.all([page.waitForURL(`${srv.url}/login.html?signin`), page.click('#relogin')]);
  await page.fill('#login', o.name);
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.locator('#code-form').waitFor({ state: 'visible' });
  await page.click('#switch-method');
  assert.equal(await focusedId(page), 'recovery');
  await page.keyboard.type(codes[3].trim().toUpperCase());
  await Promise.all([page.waitForURL(`${srv.url}/account.html`), page.keyboard.press('Enter')]);
  await page.locator('#session-list li').first().waitFor();
  assert.equal(await page.locator('#session-list li').count(), 1, 'the enrolment session ended');
  assert.match(await page.locator('#history-rows tr').first().innerText(), /Mật khẩu và mã khôi phục/);
  await check();
});

test('a login blocked after failures says how long to wait and holds the button', async () => {
  const loginName = 'khong.co.ai';
  for (let i = 0; i < 5; i++)
    assert.equal((await apiLogin(srv, loginName, 'sai mật khẩu rồi')).status, 401);
  const { page, check } = await openPage(PHONE);
  await page.goto(`${srv.url}/login.html`);
  await page.fill('#login', loginName);
  await page.fill('#password', 'sai mật khẩu rồi');
  await page.press('#password', 'Enter');
  const text = await message(page, 'error');
  const seconds = Number(
    /^Đăng nhập không thành công quá nhiều lần\. Vui lòng đợi (\d+) giây rồi thử lại\.$/.exec(text)?.[1],
  );
  assert.ok(seconds > 30 && seconds <= 60, `wait of ${seconds} s in: ${text}`);
  // The button is held, and counts down.
  const button = page.locator('#password-form button[type="submit"]');
  assert.ok(await button.isDisabled(), 'button held');
  const label = async () => Number(/^Đăng nhập \((\d+)\)$/.exec(await button.innerText())?.[1]);
  const before = await label();
  assert.ok(before > 30 && before <= 60, `button label: ${await button.innerText()}`);
  await page.waitForFunction(
    (b) => {
      const text = document.querySelector('#password-form button[type="submit"]').textContent;
      return Number(/\((\d+)\)$/.exec(text)?.[1]) < b;
    },
    before,
    { timeout: 3000 },
  );
  assert.ok(await button.isDisabled(), 'still held while counting down');
  await shot(page, 'login-throttled-vi');
  await check();
});

test('the Vietnamese and English pages each speak their own language', async () => {
  const { page, check } = await openPage(PHONE);
  await page.goto(`${srv.url}/login.html`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.match(await page.title(), /Đăng nhập/);
  assert.equal(await page.locator('label[for="password"]').innerText(), 'Mật khẩu');
  assert.match(await page.locator('#password-form button[type="submit"]').innerText(), /^Đăng nhập$/);

  await Promise.all([page.waitForURL(`${srv.url}/en/login.html`), page.click('a[href="/en/login.html"]')]);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.match(await page.title(), /^Log in/);
  assert.equal(await page.locator('label[for="login"]').innerText(), 'Personal ID number or username');
  assert.equal(await page.locator('label[for="password"]').innerText(), 'Password');
  assert.doesNotMatch(await page.locator('main').innerText(), /[À-ỹ]/, 'no Vietnamese on the English page');
  // The server's messages follow the page, whatever the browser's own language (vi-VN here).
  await page.fill('#login', 'khong.ai.ca');
  await page.fill('#password', 'a wrong password');
  await page.press('#password', 'Enter');
  assert.equal(await message(page, 'error'), GENERIC_EN);
  await page.fill('#login', '');
  await afresh(page, 'error');
  await page.press('#login', 'Enter');
  assert.equal(await message(page, 'error'), 'Enter your personal ID number or your username.');
  await shot(page, 'login-en');

  // The account pages without a session send the person to their own language's login page.
  await page.goto(`${srv.url}/en/account.html`);
  await page.waitForURL(`${srv.url}/en/login.html?signin`);
  assert.equal(await message(page, 'notice'), 'Log in to see your account.');
  await page.goto(`${srv.url}/account.html`);
  await page.waitForURL(`${srv.url}/login.html?signin`);
  assert.equal(await message(page, 'notice'), 'Hãy đăng nhập để xem tài khoản của bạn.');

  // The landing pages link to their own language's login page.
  await page.goto(`${srv.url}/en/`);
  assert.ok(await page.locator('a[href="/en/login.html"]').isVisible());
  await page.goto(`${srv.url}/`);
  assert.ok(await page.locator('a[href="/login.html"]').isVisible());
  await check();
});
