// sso_consent.test.mjs — single sign-on's pages in a real browser (Debian's chromium driven by
// playwright-core): an application sends the person to /sso/authorize; without a session the
// login page takes them (its `next` brings them back), the consent page lists what the
// application asks for, and the answer, given with the keyboard only, goes back to the
// application's redirect URI (a code with the state, or access_denied). In English with
// ui_locales=en. Then the account page lists the remembered consent and withdraws it. No page
// may cause a CSP violation, a page error or a failed request for the site's own files.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { call, citizen, session } from '../api/identity_util.mjs';
import { addResidence, clientAdd, startSsoServer } from '../api/sso_util.mjs';

const CHROMIUM = process.env.DD_CHROMIUM || '/usr/bin/chromium';
let CALLBACK; // the application's redirect URI: a small server here that records each visit
let srv;
let browser;
let app;
let appServer;
const visits = [];

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM}`);
  appServer = http.createServer((req, res) => {
    const u = new URL(req.url, CALLBACK);
    if (u.pathname === '/cb') visits.push(u); /* not the browser's favicon */
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('app');
  });
  await new Promise((resolve) => appServer.listen(0, '127.0.0.1', resolve));
  CALLBACK = `http://127.0.0.1:${appServer.address().port}/cb`;
  srv = await startSsoServer();
  app = clientAdd(srv, 'Cổng dịch vụ công tỉnh', {
    redirectUris: [CALLBACK],
    scope: 'openid profile national_id residence',
    auth: 'none',
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  appServer?.close();
});

// A page in a context of its own; the application's callback records where it was sent.
async function openPage(locale) {
  const ctx = await browser.newContext({ locale });
  const page = await ctx.newPage();
  const problems = [];
  visits.length = 0;
  const callbacks = visits;
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 401\b/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (r.status() >= 400 && u.origin === srv.url && !u.pathname.startsWith('/api/v1/'))
      problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective));
  });
  const check = async () => {
    assert.deepEqual(await page.evaluate(() => window.__csp || []), [], 'CSP violations');
    assert.deepEqual(problems, []);
    await ctx.close();
  };
  return { page, callbacks, check };
}

function authorizeUrl(extra = {}) {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: app.client_id,
    redirect_uri: CALLBACK,
    scope: 'openid profile national_id residence',
    state: crypto.randomBytes(8).toString('hex'),
    nonce: crypto.randomBytes(8).toString('hex'),
    code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  });
  return { url: `${srv.url}/sso/authorize?${params}`, state: params.get('state') };
}

const focusedId = (page) => page.evaluate(() => document.activeElement?.id || '');

// Logs in on the login page with the keyboard, as the authorization request asked.
async function keyboardLogin(page, person) {
  await page.waitForSelector('#login:focus');
  await page.keyboard.type(person.login);
  await page.keyboard.press('Tab');
  await page.keyboard.type(person.password);
  await page.keyboard.press('Enter');
}

test('login, then consent with the keyboard: the application gets a code with its state', async () => {
  const person = await citizen(srv, { full_name: 'Lê Thị Mai', sex: 'female', birth_date: '1992-04-02' });
  addResidence(srv, person.person.id_number, '7 Hùng Vương');
  const { page, callbacks, check } = await openPage('vi-VN');
  const { url, state } = authorizeUrl();
  await page.goto(url);
  await page.waitForURL(/\/login\.html\?next=/);
  await page.waitForFunction(() => document.getElementById('notice').textContent.trim() !== '');
  assert.match(await page.locator('#notice').innerText(), /ứng dụng/i, 'the login page says an application asks');
  await keyboardLogin(page, person);
  await page.waitForURL(/\/sso\/consent\.html\?interaction=/);
  await page.waitForSelector('#consent-form:not([hidden])');
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.equal(await focusedId(page), 'title', 'the heading has the focus once the request is shown');
  assert.equal(await page.locator('#client-name').innerText(), 'Cổng dịch vụ công tỉnh');
  const labels = await page.locator('#claims li .card-title').allInnerTexts();
  assert.equal(labels.length, 4, labels.join(' | '));
  assert.ok(labels.some((l) => l.includes('Số định danh cá nhân')), labels.join(' | '));
  assert.ok(labels.some((l) => l.includes('Nơi thường trú')), labels.join(' | '));
  // The buttons are reached with Tab; the first is "Đồng ý".
  let hops = 0;
  while ((await focusedId(page)) !== 'approve' && hops++ < 10) await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'approve');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${CALLBACK}**`);
  assert.equal(callbacks.length, 1);
  const cb = callbacks[0];
  assert.equal(cb.searchParams.get('state'), state);
  assert.equal(cb.searchParams.get('iss'), srv.issuer);
  assert.match(cb.searchParams.get('code'), /^[A-Za-z0-9_-]{43}$/);

  // The consent is remembered: the next authorization goes straight back with a code.
  const again = authorizeUrl();
  await page.goto(again.url);
  await page.waitForURL(`${CALLBACK}**`);
  assert.equal(callbacks[1].searchParams.get('state'), again.state);
  assert.ok(callbacks[1].searchParams.get('code'));
  await check();
});

test('in English (ui_locales=en), refusing with the keyboard sends access_denied', async () => {
  const person = await citizen(srv);
  const { page, callbacks, check } = await openPage('en-GB');
  const { url, state } = authorizeUrl({ ui_locales: 'en' });
  await page.goto(url);
  await page.waitForURL(/\/en\/login\.html\?next=/);
  await keyboardLogin(page, person);
  await page.waitForURL(/\/en\/sso\/consent\.html\?interaction=/);
  await page.waitForSelector('#consent-form:not([hidden])');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  const labels = await page.locator('#claims li .card-title').allInnerTexts();
  assert.ok(labels.some((l) => l.includes('Personal identification number')), labels.join(' | '));
  let hops = 0;
  while ((await focusedId(page)) !== 'refuse' && hops++ < 10) await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'refuse');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${CALLBACK}**`);
  const cb = callbacks[0];
  assert.equal(cb.searchParams.get('error'), 'access_denied');
  assert.equal(cb.searchParams.get('state'), state);
  assert.equal(cb.searchParams.get('code'), null);
  await check();
});

test('the account page lists the remembered consent and withdraws it', async () => {
  const person = await citizen(srv);
  const s = await session(srv, person.login, person.password);
  // Consent given through the flow's API, as the consent page gives it.
  const { page, callbacks, check } = await openPage('vi-VN');
  await page.goto(authorizeUrl().url);
  await page.waitForURL(/\/login\.html\?next=/);
  await keyboardLogin(page, person);
  await page.waitForSelector('#consent-form:not([hidden])');
  await page.click('#approve');
  await page.waitForURL(`${CALLBACK}**`);
  assert.equal(callbacks.length, 1);
  const listed = await call(srv, 'GET', '/api/v1/me/sso-consents', { as: s.token });
  assert.equal(listed.json().items.length, 1);

  await page.goto(`${srv.url}/account.html`);
  await page.waitForSelector('#sso-consents:not([hidden])');
  assert.match(await page.locator('#sso-consent-list').innerText(), /Cổng dịch vụ công tỉnh/);
  const withdraw = page.locator('#sso-consent-list button');
  assert.match(await withdraw.getAttribute('aria-label'), /Cổng dịch vụ công tỉnh/);
  await withdraw.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.querySelector('#sso-consent-list button'));
  await page.waitForFunction(() => document.getElementById('notice').textContent.trim() !== '');
  assert.match(await page.locator('#notice').innerText(), /Đã rút lại/);
  assert.equal(await focusedId(page), 'sso-consents-title', 'the focus goes back to the list');
  const after = await call(srv, 'GET', '/api/v1/me/sso-consents', { as: s.token });
  assert.deepEqual(after.json().items, []);
  await check();
});
