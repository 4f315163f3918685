// stay.test.mjs — the stays screens in a real browser (Debian's chromium driven by
// playwright-core) on a small laptop's screen, each logged in by a session cookie made through the
// API:
//   - the reception desk checks guests in with the keyboard alone: a card's QR text typed as a
//     scanner types it (then Enter), an ID number the register does not hold (accepted,
//     unverified), a duplicate (the server's message), a foreign guest by "P:NAT:NUMBER" and the
//     passport fields; the list of present guests follows; a guest is checked out;
//   - the police console lists the commune's stays of the day with a purpose, finds a person's
//     stays, and shows a watch-list alert with the establishment and room;
//   - a coach operator creates a trip, scans passengers in, records the departure, and the
//     manifest is frozen.
// No test may cause a CSP violation, a page error or a failed request for a page's own files.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { call, freshTotp, login, officer, startIdentityServer } from '../api/identity_util.mjs';
import { NT, P } from '../api/org_util.mjs';
import { establishment, person, qrOf, vnDay } from '../api/stay_util.mjs';

const CHROMIUM = process.env.DD_CHROMIUM || '/usr/bin/chromium';
const LAPTOP = { width: 1280, height: 720 };
let srv;
let browser;
let cp;
let hotel;

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM}`);
  srv = await startIdentityServer();
  cp = officer(srv, 'cand.nt.web', 'commune-police', `${P}-${NT}`, 'mật khẩu của cán bộ');
  hotel = await establishment(srv, cp);
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

// A page logged in with session `token`, watched for CSP violations, page errors and failed
// requests (the API's refusals are part of the flows).
async function openPage(token) {
  const ctx = await browser.newContext({ viewport: LAPTOP, locale: 'vi-VN' });
  await ctx.addCookies([{ name: 'dd_session', value: token, url: srv.url }]);
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location().url || '';
    if (url.includes('/api/v1/') && /status of (400|403|404|409|422)\b/.test(m.text())) return;
    problems.push(`console error: ${m.text()} (${url})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !new URL(r.url()).pathname.startsWith('/api/v1/')) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
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

async function message(page, id, re) {
  await page.waitForFunction(([i, src]) => new RegExp(src).test(document.getElementById(i).textContent), [id, re.source]);
  return (await page.locator(`#${id}`).innerText()).trim();
}

// A full session of the commune officer: TOTP enrolled through the API, then a login with it.
async function officerSession() {
  const r = await login(srv, cp.name, cp.password);
  const enrol = r.json().enrolment.session_token;
  const t = await call(srv, 'POST', '/api/v1/me/totp', { as: enrol });
  const secret = t.json().secret;
  await call(srv, 'POST', '/api/v1/me/totp/confirmations', { as: enrol, body: { code: await freshTotp(secret) } });
  const full = await login(srv, cp.name, cp.password, { totp: await freshTotp(secret) });
  assert.equal(full.status, 201, full.text);
  return full.json().session_token;
}

test('the reception desk checks guests in and out with the keyboard alone', async () => {
  const { page, check } = await openPage(hotel.token);
  await page.goto(`${srv.url}/stay/checkin.html`);
  await page.waitForSelector('main[aria-busy="false"]');
  assert.equal(await page.locator('#establishment').innerText(), hotel.org.name);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'scan');
  // A card scanned: the scanner types the QR text and presses Enter; the clerk typed the room first.
  const g = person(srv, { full_name: 'Võ Thị Mai', sex: 'female', birth_date: '1992-08-09' });
  await page.keyboard.press('Tab');
  await page.keyboard.type('204');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.type(qrOf(g));
  await page.keyboard.press('Enter');
  assert.match(await message(page, 'notice', /Võ Thị Mai/), /phòng 204/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'scan');
  await page.waitForSelector('#guests tbody tr >> text=Võ Thị Mai');
  // An ID number the register does not hold, with the name typed.
  await page.keyboard.type('001099000777');
  await page.keyboard.press('Tab');
  await page.keyboard.type('12');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Khách Tỉnh Khác');
  await page.keyboard.press('Enter');
  assert.match(await message(page, 'notice', /Khách Tỉnh Khác/), /chưa xác minh/);
  // The same guest again: the server's message, the input selected for the next scan.
  await page.keyboard.type('001099000777');
  await page.keyboard.press('Enter');
  assert.match(await message(page, 'error', /đang lưu trú/), /Khách này đang lưu trú tại cơ sở/);
  await page.keyboard.press('Escape');
  // A foreign guest: the passport line opens the passport fields.
  await page.keyboard.type('P:KOR:M5556667');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#passport:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'pp-name');
  await page.keyboard.type('KIM MIN JUN');
  await page.fill('#pp-birth', '1991-04-05');
  await page.fill('#pp-until', vnDay(3));
  await page.locator('#pp-until').press('Enter');
  assert.match(await message(page, 'notice', /KIM MIN JUN/), /Đã báo lưu trú/);
  assert.equal(await page.locator('#guests tbody tr').count(), 3);
  // Check-out.
  await page.locator('#guests tbody tr', { hasText: 'Võ Thị Mai' }).getByRole('button', { name: 'Trả phòng' }).click();
  await message(page, 'notice', /Đã trả phòng/);
  await page.waitForFunction(() => document.querySelectorAll('#guests tbody tr').length === 2);
  await check();
});

test('the police console lists the day, finds a person and shows an alert', async () => {
  const token = await officerSession();
  const g = person(srv, { full_name: 'Hồ Văn Theo' });
  const pp = officer(srv, 'cand.tinh.web', 'province-police', P);
  await call(srv, 'POST', '/api/v1/stays/police/watchlist', { as: pp.token, body: { subject: g.id_number, reason: 'Đối tượng truy nã' } });
  const r = await call(srv, 'POST', '/api/v1/stays/checkins', { as: hotel.token, body: { id_number: g.id_number, room: '808' } });
  assert.equal(r.status, 201, r.text);
  const { page, check } = await openPage(token);
  await page.goto(`${srv.url}/stay/police.html`);
  await page.waitForSelector('main[aria-busy="false"]');
  await page.locator('#daily button[type="submit"]').click();
  await message(page, 'notice', /lượt lưu trú/);
  const row = page.locator('#stays tbody tr', { hasText: 'Hồ Văn Theo' });
  assert.match(await row.innerText(), /808/);
  assert.match(await row.innerText(), new RegExp(hotel.org.name));
  await page.fill('#key', g.id_number);
  await page.locator('#key').press('Enter');
  await message(page, 'notice', new RegExp(`1 lượt lưu trú của ${g.id_number}`));
  assert.equal(await page.locator('#person-stays tbody tr').count(), 1);
  await page.locator('#load-alerts').click();
  const alert = page.locator('#alerts li', { hasText: 'Hồ Văn Theo' });
  await alert.waitFor();
  assert.match(await alert.innerText(), /phòng 808/);
  await page.locator('#load-missing').click();
  await page.waitForTimeout(300);
  assert.equal(await page.locator(`#missing li[data-establishment="${hotel.org.id}"]`).count(), 0);
  await check();
});

test('a coach operator builds a manifest and freezes it at departure', async () => {
  const op = await establishment(srv, cp, { kind: 'coach-operator', type: 'coach-operator' });
  const { page, check } = await openPage(op.token);
  await page.goto(`${srv.url}/stay/coach.html`);
  await page.waitForSelector('main[aria-busy="false"]');
  await page.fill('#plate', '79B-555.66');
  await page.fill('#route', 'Nha Trang - Buôn Ma Thuột');
  const inTwoHours = new Date(Date.now() + 7 * 3600e3 + 2 * 3600e3).toISOString().slice(0, 16);
  await page.fill('#departs', inTwoHours);
  await page.locator('#new-trip button').click();
  await message(page, 'notice', /79B-555.66/);
  await page.waitForFunction(() => document.activeElement.id === 'scan');
  const a = person(srv, { full_name: 'Mai Văn Xe' });
  await page.keyboard.type(qrOf(a));
  await page.keyboard.press('Tab');
  await page.keyboard.type('B2');
  await page.keyboard.press('Enter');
  await message(page, 'notice', /Mai Văn Xe/);
  await page.waitForSelector('#manifest tbody tr >> text=Mai Văn Xe');
  await page.locator('#depart').click();
  await message(page, 'notice', /khởi hành/);
  await page.waitForFunction(() => document.getElementById('board').hidden);
  assert.match(await page.locator('#trip-state').innerText(), /khoá/);
  await check();
});
