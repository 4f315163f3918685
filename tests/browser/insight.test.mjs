// insight.test.mjs — the leaders' dashboards in a real browser (Debian's chromium driven by
// playwright-core), logged in by a leader's session cookie made through the API, on a tablet
// (1024×768) and on the operations centre's wall screen (2560×1440):
//   - the home shows the key numbers the register and the stays hold (people, births, guest
//     nights) with their trend, and links to each area;
//   - the population page draws the commune tile map (one tile per commune in force, a click
//     filters by it), the age pyramid and the monthly series as SVG, with their data tables;
//   - the labour, tourism and public-order pages draw their charts; the export links download a
//     CSV with small cells hidden.
// axe-core checks every page (WCAG 2.1 A and AA rules): no serious or critical violation. No page
// may cause a CSP violation, a page error or a failed request for its own files. Screenshots go to
// build/test-artifacts/screenshots/ (or DD_SCREENSHOTS).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { ROOT, runCli, sleep } from '../api/server.mjs';
import { call, count, freshTotp, login, officer, startIdentityServer } from '../api/identity_util.mjs';
import { BNT, NT, P } from '../api/org_util.mjs';
import { establishment, person } from '../api/stay_util.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.DD_CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.DD_SCREENSHOTS || path.join(ROOT, 'build/test-artifacts/screenshots');
const TABLET = { width: 1024, height: 768 };
const WALL = { width: 2560, height: 1440 };
const MONTH = new Date(Date.now() + 7 * 3600000).toISOString().slice(0, 7); // this month in Vietnam, as the register and the figures count
let srv;
let browser;
let leader;
let token;

function idFor(sex, year, seq) {
  const digit = Math.floor((year - 1900) / 100) * 2 + (sex === 'female' ? 1 : 0);
  return `056${digit}${String(year % 100).padStart(2, '0')}${String(seq).padStart(6, '0')}`;
}

async function leaderSession() {
  const r = await login(srv, leader.name, leader.password);
  const enrol = r.json().enrolment.session_token;
  const t = await call(srv, 'POST', '/api/v1/me/totp', { as: enrol });
  const secret = t.json().secret;
  await call(srv, 'POST', '/api/v1/me/totp/confirmations', { as: enrol, body: { code: await freshTotp(secret) } });
  const full = await login(srv, leader.name, leader.password, { totp: await freshTotp(secret) });
  assert.equal(full.status, 201, full.text);
  return full.json().session_token;
}

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM}`);
  srv = await startIdentityServer();
  const client = runCli([
    'client', 'add', 'Cổng dịch vụ', '--client-id', 'ddc_portal', '--grant', 'authorization_code',
    '--auth', 'none', '--scope', 'openid', '--redirect-uri', `${srv.url}/signin/callback.html`,
    '--db', srv.db, '--data-dir', srv.dataDir,
  ]);
  assert.equal(client.status, 0, client.stderr);
  leader = officer(srv, 'lanhdao.web', 'leader', P, 'mật khẩu của lãnh đạo');
  const pp = officer(srv, 'cand.tinh.web', 'province-police', P);
  for (let i = 0; i < 12; i++) {
    const r = await call(srv, 'POST', '/api/v1/people', {
      as: pp.token,
      body: {
        id_number: idFor(i % 2 ? 'female' : 'male', Number(MONTH.slice(0, 4)), 300 + i), full_name: 'Trần Thị Bé',
        birth_date: `${MONTH}-01`, sex: i % 2 ? 'female' : 'male', permanent_province: P,
        permanent_commune: i < 8 ? NT : BNT, permanent_address: '5 Lê Thánh Tôn', reason: 'Đăng ký khai sinh', legal_basis: 'Luật Hộ tịch 2014',
      },
    });
    assert.equal(r.status, 201, r.text);
  }
  const cp = officer(srv, 'cand.nt.insweb', 'commune-police', `${P}-${NT}`);
  const hotel = await establishment(srv, cp);
  for (let i = 0; i < 3; i++) {
    const g = person(srv, { full_name: 'Khách Du Lịch' });
    const c = await call(srv, 'POST', '/api/v1/stays/checkins', { as: hotel.token, body: { id_number: g.id_number, room: `30${i}` } });
    assert.equal(c.status, 201, c.text);
  }
  for (let i = 0; i < 300; i++) {
    if (count(srv, "SELECT (SELECT MAX(id) FROM events) - COALESCE((SELECT position FROM event_cursors WHERE consumer = 'insight'), 0)") === 0) break;
    await sleep(20);
  }
  token = await leaderSession();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function openPage(viewport) {
  const ctx = await browser.newContext({ viewport, locale: 'vi-VN' });
  await ctx.addCookies([{ name: 'dd_session', value: token, url: srv.url }]);
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => { if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()}`); });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const check = async () => {
    await page.waitForTimeout(200);
    assert.deepEqual(await page.evaluate(() => window.__csp), [], 'CSP violations');
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

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

const ready = (page) => page.waitForSelector('body[data-ready="true"]', { state: 'attached' });

// Opens a page of the frame: the frame signs in through the provider with the session cookie,
// which asks the leader's consent the first time only.
async function go(page, p) {
  await page.goto(`${srv.url}${p}`);
  await page.waitForURL((u) => u.pathname === p.split('?')[0] || u.pathname === '/sso/consent.html');
  if (new URL(page.url()).pathname === '/sso/consent.html') {
    await page.waitForSelector('#consent-form:not([hidden])');
    await page.click('#approve');
    await page.waitForURL((u) => u.pathname === p.split('?')[0]);
  }
  await ready(page);
}
const kpi = async (page, id) => (await page.locator(`#${id} .kpi-value`).innerText()).replace(/\D/g, '');

test('the home shows the key numbers and leads to each area, on a tablet and a wall screen', async () => {
  for (const [viewport, tag] of [[TABLET, 'tablet'], [WALL, 'wall']]) {
    const { page, check } = await openPage(viewport);
    await go(page, `/leader/`);
    assert.equal(await kpi(page, 'kpi-people'), '12');
    assert.equal(await kpi(page, 'kpi-births'), '12');
    assert.equal(await kpi(page, 'kpi-nights'), '3');
    assert.match(await page.locator('#kpi-births .kpi-change').innerText(), /▲ 12/);
    assert.equal(await page.locator('#areas a').count(), 4);
    assert.equal(await page.locator('#key svg.chart title').first().textContent(), 'Sinh và tử theo tháng');
    await axe(page, `home (${tag})`);
    await shot(page, `leader-home-${tag}`);
    await check();
  }
});

test('the population page draws the tile map, pyramid and series; a tile filters by its commune', async () => {
  const { page, check } = await openPage(WALL);
  await go(page, `/leader/population.html`);
  const tiles = await page.locator('#map g.tile').count();
  assert.ok(tiles >= 60 && tiles <= 70, `one tile per commune in force: ${tiles}`);
  assert.equal(await page.locator(`#map g.tile[data-commune="${NT}"] title`).textContent(), 'Phường Nha Trang: 8');
  assert.equal(await page.locator('#pyramid svg rect').count(), 34);
  assert.ok(await page.locator('#vital svg polyline').count() === 2);
  assert.equal(await kpi(page, 'kpi-people'), '12');
  await axe(page, 'population');
  await shot(page, 'leader-population-wall');
  await page.locator(`#map g.tile[data-commune="${BNT}"]`).click();
  await page.waitForURL(new RegExp(`commune=${BNT}`));
  await ready(page);
  assert.equal(await kpi(page, 'kpi-people'), '4');
  assert.equal(await page.locator('#f-commune').inputValue(), BNT);
  await check();
});

test('labour, tourism and public order draw their charts; the export downloads a CSV with small cells hidden', async () => {
  const { page, check } = await openPage(TABLET);
  for (const area of ['labour', 'tourism', 'order']) {
    await go(page, `/leader/${area}.html`);
    assert.ok(await page.locator('main svg.chart').count() >= 3, area);
    await axe(page, area);
    await shot(page, `leader-${area}-tablet`);
  }
  await go(page, `/leader/tourism.html`);
  assert.equal(await kpi(page, 'kpi-nights'), '3');
  const href = await page.locator('#export-tourism-csv').getAttribute('href');
  const csv = await page.evaluate(async (h) => (await fetch(h, { credentials: 'same-origin' })).text(), href);
  assert.match(csv, /^commune,month,class,arrivals,guest_nights\r\n/);
  assert.match(csv, new RegExp(`${NT},${MONTH},[a-z0-9-]+,<5,<5\\r\\n`));
  await check();
});
