// lgsp.test.mjs — the data-sharing gateway's console (web/lgsp/) in a real browser (Debian's
// chromium driven by playwright-core), in the web frame: an LGSP administrator (an officer with
// the admin role, password and TOTP) signs in through the platform's OpenID provider; a member and a subsystem are added, a service is published
// and a right granted through the forms; a consumer calls the gateway; the usage and the log
// show the call, the provider's view of its own traffic shows it and another subsystem's view
// does not; the right is revoked; a consumer is suspended and reinstated. No CSP violation, page
// error or failed request for the page's own files.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, officer, startIdentityServer } from '../api/identity_util.mjs';
import { accessToken, gw, machineClient, startProvider } from '../api/lgsp_util.mjs';
import { NT, P, PASSWORD, registerOrg } from '../api/org_util.mjs';
import { LAPTOP, axe, codeToType, frameBrowser, officerWithTotp, openPage, signIn } from './frame_util.mjs';

let srv;
let browser;
let provider;

before(async () => {
  provider = await startProvider(() => ({ status: 200, json: { ok: true } }));
  srv = await startIdentityServer();
  browser = await frameBrowser(srv);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  await provider?.close();
});

async function notice(page, re) {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('notice').textContent), re.source);
}

test('the administrator signs in through the frame, builds the catalogue, sees the traffic, revokes and suspends', async () => {
  const adm = await officerWithTotp(srv, 'lgsp.web', 'admin', '56');
  const { page, check } = await openPage(browser, srv, LAPTOP);
  page.on('dialog', (d) => d.accept('Hết nhu cầu khai thác'));
  await page.goto(`${srv.url}/lgsp/`);
  await signIn(page, srv, adm, '/lgsp/');
  assert.equal((await page.locator('h1').innerText()).trim(), 'Nền tảng tích hợp, chia sẻ dữ liệu (LGSP)');
  assert.equal((await page.locator('#h-rights').innerText()).trim(), 'Quyền truy cập');
  await page.waitForSelector('#who-name');
  await axe(page, 'lgsp console');

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
  // The list reloads after the notice: wait for the second row rather than count at once.
  await page.waitForFunction(() => document.querySelectorAll('#subsystems tbody tr').length === 2);
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
  // The rights list reloads after the notice: wait for the row to show the revocation.
  await page.waitForFunction(() => /Đã thu hồi: Hết nhu cầu khai thác/.test(document.querySelector('#rights tbody tr')?.textContent || ''));
  assert.match(await page.locator('#rights tbody tr').first().innerText(), /Đã thu hồi: Hết nhu cầu khai thác/);
  assert.equal((await gw(srv, at, 'GET', 'VN/GOV/BHXH/core/cards/x')).status, 403);

  await page.fill('#suspend-consumer', 'VN/GOV/SYT/his');
  await page.fill('#suspend-reason', 'Kiểm tra an ninh');
  await page.locator('#suspend').click();
  await notice(page, /Đã tạm dừng/);
  await page.waitForFunction(() => /Tạm dừng: Kiểm tra an ninh/.test(document.getElementById('subsystems').innerText));
  await page.locator('#reinstate').click();
  await notice(page, /hoạt động lại/);

  // The same page in English, from the frame's language switch.
  await Promise.all([page.waitForEvent('load'), page.click('#lang-switch')]);
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal((await page.locator('#h-rights').innerText()).trim(), 'Access rights');
  assert.match(await page.locator('#subsystems').innerText(), /Active/);
  await page.waitForTimeout(200);
  await check();
});

test('a leader who opens the console is told whose page it is', async () => {
  const { page, check } = await openPage(browser, srv, LAPTOP);
  const who = await officerWithTotp(srv, 'lgsp.leader', 'leader', '56');
  await page.goto(`${srv.url}/lgsp/`);
  await page.waitForURL(/\/login\.html\?next=%2Fsso%2Fauthorize/);
  await page.fill('#login', who.login);
  await page.fill('#password', who.password);
  await page.press('#password', 'Enter');
  await page.locator('#code-form').waitFor({ state: 'visible' });
  await page.fill('#totp', await codeToType(who.secret));
  await page.press('#totp', 'Enter');
  await page.waitForURL((u) => /\/sso\/consent\.html\?interaction=/.test(u.href) || u.href === `${srv.url}/lgsp/`);
  if (page.url() !== `${srv.url}/lgsp/`) {
    await page.waitForSelector('#consent-form:not([hidden])');
    await page.click('#approve');
  }
  await page.waitForSelector('#own-home');
  assert.equal(await page.locator('#usage').count(), 0, 'no console for a leader');
  await check();
});

test("an agency's staff see their own traffic on /lgsp/mine.html, and only theirs", async () => {
  const admin = officer(srv, 'lgsp.api', 'admin', '56');
  const cp = officer(srv, 'cand.nt.web', 'commune-police', `${P}-${NT}`);
  const { org, owner } = await registerOrg(srv, cp.token, { kind: 'clinic', name: 'Trung tâm BHXH' });
  const post = async (p, body) => {
    const r = await call(srv, 'POST', p, { as: admin.token, body });
    assert.equal(r.status, 201, `${p}: ${r.text}`);
  };
  const client = machineClient(srv, 'Công an xã');
  await post('/api/v1/lgsp/members', { code: 'BHXHW', name: 'BHXH tỉnh', organisation: org.id });
  await post('/api/v1/lgsp/members', { code: 'CAW', name: 'Công an' });
  await post('/api/v1/lgsp/subsystems', { member: 'BHXHW', code: 'core' });
  await post('/api/v1/lgsp/subsystems', { member: 'CAW', code: 'app', client_id: client.client_id });
  await post('/api/v1/lgsp/subsystems', { member: 'CAW', code: 'other' });
  await post('/api/v1/lgsp/services', { subsystem: 'VN/GOV/BHXHW/core', code: 'cards', name: 'Thẻ', upstream_url: provider.url, legal_basis: 'x' });
  await post('/api/v1/lgsp/services', { subsystem: 'VN/GOV/CAW/other', code: 'x', name: 'X', upstream_url: provider.url, legal_basis: 'x' });
  await post('/api/v1/lgsp/rights', { consumer: 'VN/GOV/CAW/app', service: 'VN/GOV/BHXHW/core/cards', reason: 'x', valid_until: '2099-12-31' });
  await post('/api/v1/lgsp/rights', { consumer: 'VN/GOV/CAW/app', service: 'VN/GOV/CAW/other/x', reason: 'x', valid_until: '2099-12-31' });
  const at = await accessToken(srv, client);
  assert.equal((await gw(srv, at, 'GET', 'VN/GOV/BHXHW/core/cards/the-1')).status, 200);
  assert.equal((await gw(srv, at, 'GET', 'VN/GOV/CAW/other/x/not-theirs')).status, 200);

  const { page, check } = await openPage(browser, srv, LAPTOP);
  await page.goto(`${srv.url}/lgsp/mine.html`);
  await signIn(page, srv, { login: owner.username, password: PASSWORD }, '/lgsp/mine.html');
  assert.equal((await page.locator('h1').innerText()).trim(), 'Lưu lượng chia sẻ dữ liệu của cơ quan');
  assert.match(await page.locator('#own-subsystems tbody').innerText(), /VN\/GOV\/BHXHW\/core/);
  let rows = page.locator('#own-log tbody tr');
  for (let i = 0; i < 40 && !/the-1/.test(await page.locator('#own-log tbody').innerText()); i++) {
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    rows = page.locator('#own-log tbody tr');
  }
  const log = await page.locator('#own-log tbody').innerText();
  assert.match(log, /VN\/GOV\/CAW\/app/);
  assert.match(log, /GET \/the-1/);
  assert.doesNotMatch(log, /not-theirs/);
  assert.equal(await rows.count(), 1);
  assert.match(await page.locator('#own-usage tbody').innerText(), /VN\/GOV\/BHXHW\/core\/cards/);
  assert.doesNotMatch(await page.locator('#own-usage tbody').innerText(), /CAW\/other/);
  // As a consumer the agency made no call.
  await page.selectOption('#own-as', 'consumer');
  await page.waitForFunction(() => !/the-1/.test(document.querySelector('#own-log tbody').innerText));
  await axe(page, 'lgsp own view');
  await check();
});
