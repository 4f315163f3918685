// lgsp.test.mjs — the data-sharing gateway's console (web/lgsp/) in a real browser (Debian's
// chromium driven by playwright-core), logged in as an LGSP administrator (an officer with the
// admin role, password and TOTP): a member and a subsystem are added, a service is published
// and a right granted through the forms; a consumer calls the gateway; the usage and the log
// show the call, the provider's view of its own traffic shows it and another subsystem's view
// does not; the right is revoked; a consumer is suspended and reinstated. No CSP violation, page
// error or failed request for the page's own files.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { call, freshTotp, login, officer, startIdentityServer } from '../api/identity_util.mjs';
import { accessToken, gw, machineClient, startProvider } from '../api/lgsp_util.mjs';

const CHROMIUM = process.env.DD_CHROMIUM || '/usr/bin/chromium';
let srv;
let browser;
let provider;
let adm;

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM}`);
  provider = await startProvider(() => ({ status: 200, json: { ok: true } }));
  srv = await startIdentityServer();
  adm = officer(srv, 'lgsp.web', 'admin', '56', 'mật khẩu quản trị LGSP');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  await provider?.close();
});

async function adminSession() {
  const r = await login(srv, adm.name, adm.password);
  const enrol = r.json().enrolment.session_token;
  const t = await call(srv, 'POST', '/api/v1/me/totp', { as: enrol });
  const secret = t.json().secret;
  await call(srv, 'POST', '/api/v1/me/totp/confirmations', { as: enrol, body: { code: await freshTotp(secret) } });
  const full = await login(srv, adm.name, adm.password, { totp: await freshTotp(secret) });
  assert.equal(full.status, 201, full.text);
  return full.json().session_token;
}

async function notice(page, re) {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('notice').textContent), re.source);
}

test('the administrator builds the catalogue, sees the traffic, revokes and suspends', async () => {
  const token = await adminSession();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'vi-VN' });
  await ctx.addCookies([{ name: 'dd_session', value: token, url: srv.url }]);
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400 && !new URL(r.url()).pathname.startsWith('/api/v1/')) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on('dialog', (d) => d.accept('Hết nhu cầu khai thác'));
  await page.goto(`${srv.url}/lgsp/`);
  await page.waitForSelector('main[aria-busy="false"]');

  const client = machineClient(srv, 'Bệnh viện tỉnh');
  for (const [code, name] of [['BHXH', 'Bảo hiểm xã hội tỉnh'], ['SYT', 'Sở Y tế']]) {
    await page.fill('#member-code', code);
    await page.fill('#member-name', name);
    await page.locator('#member-form button').click();
    await notice(page, /Đã thêm thành viên/);
  }
  await page.fill('#sub-member', 'BHXH');
  await page.fill('#sub-code', 'core');
  await page.locator('#subsystem-form button').click();
  await notice(page, /VN\/GOV\/BHXH\/core/);
  await page.fill('#sub-member', 'SYT');
  await page.fill('#sub-code', 'his');
  await page.fill('#sub-client', client.client_id);
  await page.locator('#subsystem-form button').click();
  await notice(page, /VN\/GOV\/SYT\/his/);
  assert.equal(await page.locator('#subsystems tbody tr').count(), 2);

  await page.fill('#svc-subsystem', 'VN/GOV/BHXH/core');
  await page.fill('#svc-code', 'cards');
  await page.fill('#svc-name', 'Tra cứu thẻ BHYT');
  await page.fill('#svc-url', `${provider.url}/api`);
  await page.fill('#svc-legal', 'Nghị định 47/2020/NĐ-CP');
  await page.locator('#service-form button').click();
  await notice(page, /Đã công bố dịch vụ VN\/GOV\/BHXH\/core\/cards/);

  await page.fill('#right-consumer', 'VN/GOV/SYT/his');
  await page.fill('#right-service', 'VN/GOV/BHXH/core/cards');
  await page.fill('#right-until', '2099-12-31');
  await page.fill('#right-reason', 'Công văn 12/SYT');
  await page.locator('#right-form button').click();
  await notice(page, /Đã cấp quyền #\d+/);

  const at = await accessToken(srv, client);
  assert.equal((await gw(srv, at, 'GET', 'VN/GOV/BHXH/core/cards/x')).status, 200);

  // The provider's view of its traffic shows the call once the log's batch is written.
  await page.selectOption('#view-kind', 'provider');
  await page.fill('#view-subsystem', 'VN/GOV/BHXH/core');
  for (let i = 0; i < 40 && (await page.locator('#log tbody tr').count()) === 0; i++) {
    await page.locator('#view button').click();
    await page.waitForTimeout(150);
  }
  const row = page.locator('#log tbody tr').first();
  assert.match(await row.innerText(), /VN\/GOV\/SYT\/his/);
  assert.match(await row.innerText(), /GET \/x/);
  assert.match(await page.locator('#usage tbody').innerText(), /VN\/GOV\/BHXH\/core\/cards\s+1\s+0\s+0/);
  // Another subsystem, as a provider, sees none of it.
  await page.fill('#view-subsystem', 'VN/GOV/SYT/his');
  await page.locator('#view button').click();
  await page.waitForFunction(() => document.querySelectorAll('#log tbody tr').length === 0);

  await page.locator('#rights button[data-revoke]').first().click();
  await notice(page, /Đã thu hồi quyền/);
  assert.match(await page.locator('#rights tbody tr').first().innerText(), /Đã thu hồi: Hết nhu cầu khai thác/);
  assert.equal((await gw(srv, at, 'GET', 'VN/GOV/BHXH/core/cards/x')).status, 403);

  await page.fill('#suspend-consumer', 'VN/GOV/SYT/his');
  await page.fill('#suspend-reason', 'Kiểm tra an ninh');
  await page.locator('#suspend').click();
  await notice(page, /Đã tạm dừng/);
  await page.waitForFunction(() => /Tạm dừng: Kiểm tra an ninh/.test(document.getElementById('subsystems').innerText));
  await page.locator('#reinstate').click();
  await notice(page, /hoạt động lại/);

  await page.waitForTimeout(200);
  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'CSP violations');
  assert.deepEqual(problems, []);
  await ctx.close();
});
