// services.test.mjs — online public services in Debian's chromium driven by playwright-core, on
// a server where the portal is the registered public client ddc_portal. A citizen signs in
// through the OpenID provider onto /services/, starts a paperless procedure (temporary absence),
// sees the register-filled values and types only the rest (a missing field is refused on the
// page and stores nothing), submits; an officer with the service-officer role receives and
// approves it (through the API); the citizen's page shows the result, which is in the wallet's
// Documents page, and the register holds the absence. Then one inter-agency bundle (death
// registration, residence deletion, funeral allowance) from the page to the register's change
// once every part is approved. The kiosk looks the dossier up by the code and the ID number read
// from a card QR and prints a queue ticket. axe-core checks the pages; no CSP violation, page
// error or failed request for the site's own files happens.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { runCli } from '../api/server.mjs';
import { call, citizen, count, freshTotp, login, officer, startIdentityServer, totpAt } from '../api/identity_util.mjs';
import { enrolTotp } from '../api/sso_util.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.DD_CHROMIUM || '/usr/bin/chromium';
const P = '56';
const NT = '22366';
const CR = '22420';
let srv;
let browser;
const who = {};
let seq = 0;

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM}`);
  srv = await startIdentityServer();
  const r = runCli([
    'client', 'add', 'Cổng công dân', '--client-id', 'ddc_portal', '--grant', 'authorization_code',
    '--auth', 'none', '--scope', 'openid', '--redirect-uri', `${srv.url}/signin/callback.html`,
    '--db', srv.db, '--data-dir', srv.dataDir,
  ]);
  assert.equal(r.status, 0, r.stderr);
  who.admin = officer(srv, 'quantri', 'admin', P).token;
  who.officer = officer(srv, 'motcua', 'service-officer', P).token;
  for (const [id, name] of [['cong-an-56', 'Công an tỉnh Khánh Hòa'], ['ubnd-56', 'UBND tỉnh Khánh Hòa'], ['so-nv-56', 'Sở Nội vụ tỉnh Khánh Hòa']]) {
    const x = await call(srv, 'POST', '/api/v1/wallet/issuers', { as: who.admin, body: { id, name } });
    assert.equal(x.status, 201, x.text);
  }
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

const asOfficer = (method, p, body) =>
  call(srv, method, p, { as: who.officer, body, headers: { 'X-Purpose': 'Giai quyet ho so' } });

async function person(over = {}) {
  const sex = over.sex || 'male';
  const digit = sex === 'female' ? 1 : 0;
  const body = {
    id_number: `056${digit}85${String(300000 + (++seq) * 11 + Math.floor(Math.random() * 9)).padStart(6, '0')}`,
    full_name: 'Trần Văn Minh', birth_date: '1985-03-02', sex, permanent_province: P, permanent_commune: NT,
    permanent_address: '8 Lê Thánh Tôn', reason: 'Đăng ký khai sinh', legal_basis: 'Luật Hộ tịch 2014', ...over,
  };
  const r = await call(srv, 'POST', '/api/v1/people', { as: who.admin, body, headers: { 'X-Purpose': 'Thu nghiem' } });
  assert.equal(r.status, 201, r.text);
  return body;
}

async function openPage() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location().url || '';
    if (/\/(api\/v1|sso)\//.test(url) && /status of (400|401|403|404|409|422)\b/.test(m.text())) return;
    problems.push(`console error: ${m.text()} (${url})`);
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (r.status() >= 400 && u.origin === srv.url && !/^\/(api\/v1|sso)\//.test(u.pathname)) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await ctx.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    window.print = () => { window.__printed = (window.__printed || 0) + 1; };
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
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const serious = found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${name}: ${JSON.stringify(serious, null, 1)}`);
}

async function signIn(page, c, path) {
  await page.goto(`${srv.url}${path}`);
  await page.waitForURL(/\/login\.html\?next=%2Fsso%2Fauthorize/);
  await page.fill('#login', c.login);
  await page.fill('#password', c.password);
  await page.press('#password', 'Enter');
  await page.waitForURL(/\/sso\/consent\.html\?interaction=/);
  await page.waitForSelector('#consent-form:not([hidden])');
  await page.click('#approve');
  await page.waitForURL(`${srv.url}${path}`);
  await page.waitForSelector('body[data-ready="true"]');
}

// Takes a dossier (or part) through every step of its workflow as the service officer.
async function processDossier(code) {
  let d = (await asOfficer('POST', `/api/v1/dossiers/${code}/actions`, { action: 'accept' })).json();
  while (d.step < d.step_count - 1) d = (await asOfficer('POST', `/api/v1/dossiers/${code}/actions`, { action: 'advance' })).json();
  const r = await asOfficer('POST', `/api/v1/dossiers/${code}/actions`, { action: 'approve' });
  assert.equal(r.status, 200, r.text);
  return r.json();
}

test('a paperless procedure from the citizen page to the result in the wallet, and the kiosk', async () => {
  const p = await person();
  const c = await citizen(srv, { person: p });
  const { page, check } = await openPage();
  await signIn(page, c, '/services/');
  assert.equal(await page.locator('nav a[aria-current="page"]').getAttribute('href'), '/services/');
  assert.equal(await page.locator('#procedures li').count(), 25);
  await page.click('button[data-procedure="1.003677"]');
  await page.waitForSelector('#apply-form');
  const known = await page.locator('#prefilled').innerText();
  assert.match(known, /Trần Văn Minh/);
  assert.match(known, /8 Lê Thánh Tôn/);
  assert.equal(await page.locator('#f-full_name').count(), 0, 'a register field is not typed');
  await axe(page, 'services-form');
  // A missing field: said next to it, nothing stored.
  await page.fill('#f-province', P);
  await page.fill('#f-commune', CR);
  await page.fill('#f-until', '2027-06-30');
  await page.click('#apply-submit');
  await page.waitForSelector('#f-address[aria-invalid="true"]');
  assert.equal(count(srv, 'SELECT COUNT(*) FROM service_dossiers'), 0);
  await page.fill('#f-address', '3 Hùng Vương');
  await page.click('#apply-submit');
  await page.waitForSelector('#my-dossiers li[data-status="submitted"]');
  const code = (await page.locator('#my-dossiers li h3').first().innerText()).split(' ')[0];
  assert.match(code, /^HS\d{6}-[2-9A-Z]{6}$/);
  // The receipt prints.
  await page.click(`#dossier-${code} button.secondary`);
  assert.equal(await page.evaluate(() => window.__printed), 1);

  const done = await processDossier(code);
  assert.equal(done.status, 'approved');
  await page.reload();
  await page.waitForSelector(`#dossier-${code}[data-status="approved"]`);
  assert.match(await page.locator(`#dossier-${code}`).innerText(), /Đã có kết quả[\s\S]*Đúng hạn/);
  await page.click(`#result-${code}`);
  await page.waitForURL(`${srv.url}/portal/documents.html`);
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.locator(`li.doc[data-doc="${done.result_doc}"]`).count(), 1);
  assert.match(await page.locator(`li.doc[data-doc="${done.result_doc}"] h3`).innerText(), /Phiếu khai báo tạm vắng/);
  const person_ = (await call(srv, 'GET', `/api/v1/people/${p.id_number}`, { as: who.admin, headers: { 'X-Purpose': 'Thu nghiem' } })).json();
  assert.ok(person_.residences.some((x) => x.kind === 'absence' && x.commune === CR));
  await check();

  // The kiosk: identify by the card's QR, look the dossier up, take a ticket.
  const k = await openPage();
  await k.page.goto(`${srv.url}/kiosk/`);
  await k.page.waitForSelector('body[data-ready="true"]');
  await k.page.click('#kiosk-identify');
  await k.page.fill('#qr-qr', `${p.id_number}|123456789|Trần Văn Minh|02031985|Nam|8 Lê Thánh Tôn, Nha Trang|01012024`);
  await k.page.press('#qr-qr', 'Enter');
  await k.page.waitForFunction(() => /Xin chào Trần Văn Minh/.test(document.getElementById('kiosk-title')?.textContent || ''));
  await k.page.click('#kiosk-lookup-open');
  assert.equal(await k.page.inputValue('#kl-id_number'), p.id_number);
  await k.page.fill('#kl-code', code);
  await k.page.click('#kiosk-lookup button[type="submit"]');
  await k.page.waitForFunction(() => /Đã có kết quả/.test(document.getElementById('kiosk-lookup-result').textContent));
  await k.page.click('#kiosk-back');
  await k.page.click('#kiosk-ticket');
  assert.equal(await k.page.locator('#ticket-number').innerText(), '001');
  await k.page.click('#ticket-print');
  assert.equal(await k.page.evaluate(() => window.__printed), 1);
  await axe(k.page, 'kiosk');
  await k.check();
});

test('an inter-agency bundle: death registration, residence deletion and funeral allowance', async () => {
  const p = await person({ full_name: 'Lê Thị Hạnh', sex: 'female' });
  const dead = await person({ full_name: 'Lê Văn Tư' });
  const c = await citizen(srv, { person: p });
  const { page, check } = await openPage();
  await signIn(page, c, '/services/?procedure=1.010802');
  await page.waitForSelector('#apply-form');
  await page.fill('#f-deceased_id_number', dead.id_number);
  await page.fill('#f-death_date', '2026-11-20');
  await page.click('#apply-submit');
  await page.waitForSelector('#my-dossiers li[data-status="submitted"]');
  const li = page.locator('#my-dossiers li').first();
  assert.equal(await li.locator('[data-part]').count(), 3);
  const code = (await li.locator('h3').innerText()).split(' ')[0];
  const bundle = (await asOfficer('GET', `/api/v1/dossiers/${code}`)).json();
  for (const part of bundle.parts) {
    assert.equal((await call(srv, 'GET', `/api/v1/people/${dead.id_number}`, { as: who.admin, headers: { 'X-Purpose': 'Thu nghiem' } })).json().status, 'alive');
    await processDossier(part.code);
  }
  await page.reload();
  await page.waitForSelector(`#dossier-${code}[data-status="approved"]`);
  assert.equal(await page.locator(`#dossier-${code} [data-part] .state-approved`).count(), 3);
  const after_ = (await call(srv, 'GET', `/api/v1/people/${dead.id_number}`, { as: who.admin, headers: { 'X-Purpose': 'Thu nghiem' } })).json();
  assert.equal(after_.status, 'dead');
  assert.equal(count(srv, `SELECT COUNT(*) FROM person_history WHERE id_number = '${dead.id_number}' AND kind = 'died'`), 1);
  await axe(page, 'services-bundle');
  await check();
});

// A code not used yet, never the previous step's (it could leave the window while typed).
async function codeToType(secret) {
  for (;;) {
    const code = await freshTotp(secret);
    if (code !== totpAt(secret, Math.floor(Date.now() / 30000) - 1)) return code;
  }
}

test('the officer console: the dossiers of the area, one opened, refused without a note, accepted and approved', async () => {
  const password = 'mật khẩu cán bộ đủ dài';
  officer(srv, 'motcua.web', 'service-officer', P, password);
  const r = await login(srv, 'motcua.web', password);
  assert.equal(r.status, 403, r.text);
  const secret = await enrolTotp(srv, r.json().enrolment.session_token);
  const p = await person({ full_name: 'Hồ Thị Lan', sex: 'female' });
  const c = await citizen(srv, { person: p });
  const s = await call(srv, 'POST', '/api/v1/sessions', { body: { login: c.login, password: c.password } });
  assert.equal(s.status, 201, s.text);
  const sub = await call(srv, 'POST', '/api/v1/me/dossiers', {
    as: s.json().session_token,
    body: { procedure: '1.003677', form: { province: P, commune: NT, address: '4 Pasteur', until: '2027-03-31' } },
  });
  assert.equal(sub.status, 201, sub.text);
  const code = sub.json().code;

  const { page, check } = await openPage();
  await page.goto(`${srv.url}/officer/dossiers.html`);
  await page.waitForURL(/\/login\.html\?next=%2Fsso%2Fauthorize/);
  await page.fill('#login', 'motcua.web');
  await page.fill('#password', password);
  await page.press('#password', 'Enter');
  await page.locator('#code-form').waitFor({ state: 'visible' });
  await page.fill('#totp', await codeToType(secret));
  await page.press('#totp', 'Enter');
  await page.waitForURL(/\/sso\/consent\.html\?interaction=/);
  await page.waitForSelector('#consent-form:not([hidden])');
  await page.click('#approve');
  await page.waitForURL(`${srv.url}/officer/dossiers.html`);
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.locator('nav a[aria-current="page"]').getAttribute('href'), '/officer/dossiers.html');
  await page.waitForSelector(`#dossiers tr[data-code="${code}"]`);
  assert.match(await page.locator(`#dossiers tr[data-code="${code}"]`).innerText(), /Hồ Thị Lan[\s\S]*Đã nộp/);
  await page.click(`button[data-open="${code}"]`);
  await page.waitForSelector('#detail');
  assert.match(await page.locator('#dossier-form').innerText(), /4 Pasteur/);
  await axe(page, 'officer dossiers');
  // Asking for more without a note is refused on the page and changes nothing.
  await page.click('button[data-action="ask-more"]');
  await page.waitForSelector('#act-note[aria-invalid="true"]');
  assert.equal(count(srv, `SELECT COUNT(*) FROM service_dossier_log WHERE action = 'ask-more'`), 0);
  await page.click('button[data-action="accept"]');
  await page.waitForSelector('button[data-action="approve"]');
  await page.click('button[data-action="approve"]');
  await page.waitForFunction((c) => /Đã có kết quả/.test(document.querySelector(`#dossiers tr[data-code="${c}"]`)?.textContent || ''), code);
  const d = (await asOfficer('GET', `/api/v1/dossiers/${code}`)).json();
  assert.equal(d.status, 'approved');
  assert.ok(d.result_doc);
  await check();
});
