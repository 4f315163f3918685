// soc.test.mjs — the security operations centre's console in a real browser (Debian's chromium
// driven by playwright-core), signed in through the platform's OpenID provider as the portal
// client with password and TOTP, like every page of the shared frame:
//   - an analyst sees a brute-force alert in the live queue (raised by failed logins made
//     through the API after the page is open: the queue refreshes by itself), raises it to an
//     incident, lands on the incident's page, adds a note that joins the timeline;
//   - searches the security events by type and source;
//   - sees the rules with their hit counts and reloads them;
//   - an officer of another role opening the console is told it is not theirs.
// No CSP violation, page error or failed request for the site's own files; axe-core finds no
// serious WCAG 2.1 AA violation on the console's pages.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { runCli } from '../api/server.mjs';
import { call, citizen, count, freshTotp, login, officer, session, sql, totpAt } from '../api/identity_util.mjs';
import { enrolTotp } from '../api/sso_util.mjs';
import { failLogins, settle, startSocServer } from '../api/soc_util.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.DD_CHROMIUM || '/usr/bin/chromium';
const DESK = { width: 1280, height: 900 };
let srv;
let browser;

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM}`);
  srv = await startSocServer();
  const r = runCli([
    'client', 'add', 'Cổng công dân', '--client-id', 'ddc_portal', '--grant', 'authorization_code',
    '--auth', 'none', '--scope', 'openid', '--redirect-uri', `${srv.url}/signin/callback.html`,
    '--db', srv.db, '--data-dir', srv.dataDir,
  ]);
  assert.equal(r.status, 0, r.stderr);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function openPage() {
  const ctx = await browser.newContext({ viewport: DESK, locale: 'vi-VN' });
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location().url || '';
    if (/\/(api\/v1|sso)\//.test(url) && /status of (400|401|403|404|409|422)\b/.test(m.text())) return;
    problems.push(`console error: ${m.text()} (${url})`);
  });
  page.on('requestfailed', (r) => {
    if (new URL(r.url()).origin === srv.url && !/ERR_ABORTED/.test(r.failure()?.errorText || '')) problems.push(`failed: ${r.url()}`);
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (r.status() >= 400 && u.origin === srv.url && !/^\/(api\/v1|sso)\//.test(u.pathname)) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const check = async () => {
    assert.deepEqual(await page.evaluate(() => window.__csp || []), [], 'CSP violations');
    assert.deepEqual(problems, []);
    await ctx.close();
  };
  return { page, check };
}

async function axe(page, name) {
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const serious = found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${name}: ${JSON.stringify(serious, null, 1)}`);
}

async function codeToType(secret) {
  for (;;) {
    const code = await freshTotp(secret);
    if (code !== totpAt(secret, Math.floor(Date.now() / 30000) - 1)) return code;
  }
}

const ready = (page) => page.waitForSelector('body[data-ready="true"]');

async function signIn(page, who, home) {
  await page.waitForURL(/\/login\.html\?next=%2Fsso%2Fauthorize/);
  await page.fill('#login', who.login);
  await page.fill('#password', who.password);
  await page.press('#password', 'Enter');
  await page.locator('#code-form').waitFor({ state: 'visible' });
  await page.fill('#totp', await codeToType(who.secret));
  await page.press('#totp', 'Enter');
  await page.waitForURL(/\/sso\/consent\.html\?interaction=/);
  await page.waitForSelector('#consent-form:not([hidden])');
  await page.click('#approve');
  await page.waitForURL(`${srv.url}${home}`);
  await ready(page);
}

async function officerWithTotp(name, role, area) {
  const password = 'mật khẩu cán bộ đủ dài';
  const o = officer(srv, name, role, area, password);
  const r = await login(srv, name, password);
  assert.equal(r.status, 403, r.text);
  const secret = await enrolTotp(srv, r.json().enrolment.session_token);
  return { ...o, login: name, password, secret };
}

async function nav(page, href) {
  await Promise.all([page.waitForURL(`${srv.url}${href}`), page.click(`nav a[href="${href}"]`)]);
  await ready(page);
}

test('an analyst works an alert into an incident, searches events and reads the rules', async () => {
  const analyst = await officerWithTotp('soc.phan.tich', 'soc-analyst', '56');
  const { page, check } = await openPage();
  await page.goto(`${srv.url}/soc/`);
  await signIn(page, analyst, '/soc/');
  assert.equal((await page.locator('h1').innerText()).trim(), 'Hàng đợi cảnh báo');
  assert.deepEqual(await page.locator('nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
    ['/soc/', '/soc/incidents.html', '/soc/events.html', '/soc/rules.html']);
  await page.waitForSelector('#alert-table td.empty');
  await axe(page, 'alert queue');

  // An attack while the page is open: the queue shows it without a reload.
  const victim = await citizen(srv);
  await failLogins(srv, victim.login, 5);
  const row = page.locator('#alert-table tbody tr', { hasText: `account:${victim.account.id}` });
  await row.waitFor({ timeout: 20000 });
  assert.match(await row.innerText(), /Dò mật khẩu một tài khoản/);
  await Promise.all([page.waitForURL(/\/soc\/incident\.html\?id=\d+/), row.locator('button.raise').click()]);
  await ready(page);
  assert.match(await page.locator('#incident-name').innerText(), /Dò mật khẩu một tài khoản/);
  assert.equal((await page.locator('#status').innerText()).trim(), 'open');
  await page.fill('#note-text', 'Đã gọi cho chủ tài khoản.');
  await page.click('#note-form button[type=submit]');
  await page.locator('#timeline li', { hasText: 'Đã gọi cho chủ tài khoản.' }).waitFor();
  assert.equal(await page.locator('#timeline li').count(), 2);
  await axe(page, 'incident');

  await nav(page, '/soc/events.html');
  await page.fill('#f-type', 'auth.failed');
  await page.fill('#f-source', '127.0.0.0/24');
  await page.click('#event-filters button[type=submit]');
  // The five failures of the victim, and the analyst's own first login (no second factor yet).
  await page.waitForFunction(() => document.querySelectorAll('#event-table tbody tr').length >= 5 &&
    [...document.querySelectorAll('#event-table tbody td:nth-child(2)')].every((td) => td.textContent === 'auth.failed'));
  const subjects = await page.locator('#event-table tbody td:nth-child(4)').allInnerTexts();
  assert.equal(subjects.filter((x) => x.trim() === `account:${victim.account.id}`).length, 5);
  await axe(page, 'events');

  await nav(page, '/soc/rules.html');
  const brute = page.locator('#rule-table tbody tr', { hasText: 'Dò mật khẩu một tài khoản' });
  await brute.waitFor();
  assert.equal((await brute.locator('td').nth(5).innerText()).trim(), '1');
  await page.click('#reload-rules');
  await page.locator('text=Đã nạp lại quy tắc.').waitFor();
  await axe(page, 'rules');
  await check();
});

test('containment and breach from the incident page, each after a confirmation dialog, audited', async () => {
  const analyst = await officerWithTotp('soc.ngan.chan', 'soc-analyst', '56');
  const victim = await citizen(srv);
  const own = await session(srv, victim.login, victim.password);
  await failLogins(srv, victim.login, 5);
  await settle(srv);
  const { page, check } = await openPage();
  await page.goto(`${srv.url}/soc/`);
  await signIn(page, analyst, '/soc/');
  const row = page.locator('#alert-table tbody tr', { hasText: `account:${victim.account.id}` });
  await row.waitFor({ timeout: 20000 });
  await Promise.all([page.waitForURL(/\/soc\/incident\.html\?id=\d+/), row.locator('button.raise').click()]);
  await ready(page);
  const incident = Number(new URL(page.url()).searchParams.get('id'));
  const audits = (action) => count(srv, `SELECT COUNT(*) FROM audit_log WHERE action = '${action}' AND object = 'soc-incident:${incident}'`);

  // Cancel changes nothing.
  await page.click('#do-lock-account');
  const dlg = page.locator('dialog[open]');
  await dlg.waitFor();
  assert.match(await dlg.locator('h2').innerText(), /Khóa tài khoản\?/);
  // The account the alert names is filled in.
  assert.equal(await dlg.locator('#act-account_id').inputValue(), String(victim.account.id));
  await axe(page, 'containment dialog');
  await dlg.locator('button[data-value="no"]').click();
  await dlg.waitFor({ state: 'detached' });
  assert.equal(sql(srv, `SELECT status FROM accounts WHERE id = ${victim.account.id}`), 'active');
  assert.equal(audits('soc.contain.lock_account'), 0);

  // A consumer that is no subsystem id: the dialog shows the error and nothing is stored.
  const suspends = () => count(srv, "SELECT COUNT(*) FROM events WHERE type = 'soc.contain.suspend_consumer'");
  await page.click('#do-suspend-consumer');
  await dlg.waitFor();
  await dlg.locator('#act-consumer').fill('có dấu cách');
  await dlg.locator('#act-reason').fill('Đọc dữ liệu hàng loạt');
  await dlg.locator('button[data-value="yes"]').click();
  await dlg.locator('#act-consumer-error:not([hidden])').waitFor();
  assert.equal(suspends(), 0);
  await dlg.locator('#act-consumer').fill('VN/GOV/000.00.00.G22/SCRAPER');
  await dlg.locator('button[data-value="yes"]').click();
  await dlg.waitFor({ state: 'detached' });
  await page.locator('#timeline li', { hasText: 'suspend-consumer' }).waitFor();
  assert.equal(suspends(), 1);
  assert.equal(audits('soc.contain.suspend_consumer'), 1);

  // Lock the account: its session ends, the step is audited with the analyst as actor.
  await page.click('#do-lock-account');
  await dlg.waitFor();
  await dlg.locator('#act-reason').fill('Dò mật khẩu, khóa để bảo vệ chủ tài khoản');
  await dlg.locator('button[data-value="yes"]').click();
  await dlg.waitFor({ state: 'detached' });
  await page.locator('#timeline li', { hasText: 'lock-account' }).waitFor();
  assert.equal(sql(srv, `SELECT status FROM accounts WHERE id = ${victim.account.id}`), 'locked');
  assert.equal(audits('soc.contain.lock_account'), 1);
  assert.equal(sql(srv, `SELECT actor FROM audit_log WHERE action = 'soc.contain.lock_account' AND object = 'soc-incident:${incident}'`), `officer:${analyst.id}`);
  assert.equal((await call(srv, 'GET', '/api/v1/me', { as: own.token })).status, 401);

  await page.click('#do-revoke-sessions');
  await dlg.waitFor();
  await dlg.locator('#act-reason').fill('Chấm dứt mọi phiên còn lại');
  await dlg.locator('button[data-value="yes"]').click();
  await dlg.waitFor({ state: 'detached' });
  await page.locator('#timeline li', { hasText: 'revoke-sessions' }).waitFor();
  assert.equal(audits('soc.contain.revoke_sessions'), 1);

  // Mark as a breach: a missing field is refused in the dialog; then the clock and the draft.
  await page.click('#mark-breach');
  await dlg.waitFor();
  await dlg.locator('#br-description').fill('Lộ danh sách tài khoản bị dò mật khẩu');
  await dlg.locator('button[data-value="yes"]').click();
  await dlg.locator('#br-categories-error:not([hidden])').waitFor();
  assert.equal(sql(srv, `SELECT breach FROM soc_incidents WHERE id = ${incident}`), '0');
  await dlg.locator('#br-categories').fill('họ tên, số định danh');
  await dlg.locator('#br-subjects_estimate').fill('1');
  await dlg.locator('button[data-value="yes"]').click();
  await dlg.waitFor({ state: 'detached' });
  await page.locator('#draft').waitFor();
  assert.match(await page.locator('#draft').innerText(), /THÔNG BÁO VI PHẠM/);
  assert.notEqual((await page.locator('#notify-by').innerText()).trim(), '');
  assert.equal(await page.locator('#mark-breach').count(), 0);
  assert.equal(sql(srv, `SELECT breach FROM soc_incidents WHERE id = ${incident}`), '1');
  assert.equal(audits('soc.incident.breach'), 1);
  await axe(page, 'incident with actions');
  await check();
});

test('another officer opening the console is pointed to their own home', async () => {
  const police = await officerWithTotp('canbo.tinh', 'province-police', '56');
  const { page, check } = await openPage();
  await page.goto(`${srv.url}/officer/`);
  await signIn(page, police, '/officer/');
  await page.goto(`${srv.url}/soc/`);
  await page.locator('#own-home').waitFor();
  assert.equal(await page.locator('#own-home').getAttribute('href'), '/officer/');
  assert.equal(await page.locator('#alert-table').count(), 0);
  await check();
});
