// stay.test.mjs — the stays screens (web/stay/) in a real browser (Debian's chromium driven by
// playwright-core), on the web frame: each person signs in through the platform's OpenID provider
// (the portal's public client ddc_portal) as the frame's other pages are tested (frame_util.mjs):
//   - the reception desk, on a small laptop's screen, checks guests in with the keyboard alone: a
//     card's QR text typed as a scanner types it (then Enter), an ID number the register does not
//     hold (accepted, unverified), a line that is none of them (refused on the page, nothing
//     stored), a duplicate (the server's message at the top of the form, the scan box selected),
//     Esc, a foreign guest by "P:NAT:NUMBER" and the passport fields (a date typed wrong is
//     refused on the page, nothing stored); the list of present guests follows; a guest is
//     checked out; the police console is not the staff's page;
//   - the desk in English: the language switch, English labels and messages, the server's
//     refusal in English;
//   - the police console lists the commune's stays of the day with a purpose (none stated:
//     refused on the page), finds a person's stays, shows a watch-list alert with the
//     establishment and room, and the establishments that sent nothing; the officer's home links
//     to it for a police role and not for another role;
//   - a coach operator creates a trip (a departure typed wrong is refused, nothing stored), scans
//     passengers in, records the departure after a confirmation, and the manifest is frozen.
// axe-core checks the three pages (no serious or critical violation); screenshots are kept. No
// page may cause a CSP violation, a page error or a failed request for the site's own files.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sleep } from '../api/server.mjs';
import { call, count, sql, startIdentityServer } from '../api/identity_util.mjs';
import { NT, P, PASSWORD } from '../api/org_util.mjs';
import { establishment, person, qrOf, vnDay } from '../api/stay_util.mjs';
import { DESK, LAPTOP, VIET, axe, frameBrowser, officerWithTotp, openPage, ready, shot, signIn, text } from './frame_util.mjs';

let srv;
let browser;
let cp;
let hotel;

before(async () => {
  srv = await startIdentityServer();
  browser = await frameBrowser(srv);
  cp = await officerWithTotp(srv, 'cand.nt.web', 'commune-police', `${P}-${NT}`);
  hotel = await establishment(srv, cp);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

// The owner of an establishment as signIn() wants them (no second factor: level 1 staff).
const ownerOf = (e) => ({ login: e.owner.username, password: PASSWORD });
const toast = (page, re) => page.locator('.toast', { hasText: re }).last();
const focused = (page) => page.evaluate(() => document.activeElement.id);
const present = (e) => count(srv, `SELECT COUNT(*) FROM stays WHERE establishment_id = ${e.org.id}`);
// A day `days` from today in Vietnam, typed as dd/mm/yyyy.
const dmy = (days) => vnDay(days).split('-').reverse().join('/');

test('the reception desk checks guests in and out with the keyboard alone', async () => {
  const { page, check } = await openPage(browser, srv, LAPTOP);
  await page.goto(`${srv.url}/stay/checkin.html`);
  await signIn(page, srv, ownerOf(hotel), '/stay/checkin.html');
  assert.equal(await text(page, 'h1'), 'Nhận khách — thông báo lưu trú');
  assert.equal(await text(page, '#establishment'), hotel.org.name);
  assert.equal(await text(page, '#who-name'), 'Trần Thị Bích');
  assert.equal(await focused(page), 'scan');
  await axe(page, 'desk');
  // A card scanned: the scanner types the QR text and presses Enter; the clerk typed the room first.
  const g = person(srv, { full_name: 'Võ Thị Mai', sex: 'female', birth_date: '1992-08-09' });
  await page.keyboard.press('Tab');
  await page.keyboard.type('204');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.type(qrOf(g));
  await page.keyboard.press('Enter');
  assert.match(await toast(page, /Võ Thị Mai/).innerText(), /^Đã báo lưu trú: Võ Thị Mai — phòng 204/);
  assert.equal(await focused(page), 'scan');
  assert.equal(await page.inputValue('#scan'), '');
  await page.waitForSelector('#guests tbody tr >> text=Võ Thị Mai');
  // An ID number the register does not hold, with the name typed.
  await page.keyboard.type('001099000777');
  await page.keyboard.press('Tab');
  await page.keyboard.type('12');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Khách Tỉnh Khác');
  await page.keyboard.press('Enter');
  assert.match(await toast(page, /Khách Tỉnh Khác/).innerText(), /phòng 12 — chưa xác minh/);
  await page.waitForSelector('#guests tbody tr >> text=Khách Tỉnh Khác');
  // A line that is no guest: refused on the page, next to the scan box; nothing stored.
  const before = present(hotel);
  await page.keyboard.type('không phải mã');
  await page.keyboard.press('Enter');
  assert.equal(await text(page, '#scan-error'), 'Không đọc được mã QR, số định danh hay hộ chiếu.');
  assert.equal(await page.getAttribute('#scan', 'aria-invalid'), 'true');
  assert.equal(await focused(page), 'scan');
  assert.equal(present(hotel), before, 'nothing stored');
  await page.keyboard.press('Escape');
  assert.equal(await page.inputValue('#scan'), '');
  assert.equal(await page.locator('#scan[aria-invalid]').count(), 0, 'Esc clears the errors too');
  // The same guest again: the server's message, the input selected for the next scan.
  await page.keyboard.type('001099000777');
  await page.keyboard.press('Enter');
  await page.locator('#checkin .form-error').waitFor();
  assert.match(await text(page, '#checkin .form-error'), /Khách này đang lưu trú tại cơ sở/);
  assert.equal(await focused(page), 'scan');
  assert.equal(await page.evaluate(() => window.getSelection().toString() || document.activeElement.value.slice(document.activeElement.selectionStart, document.activeElement.selectionEnd)), '001099000777');
  assert.equal(present(hotel), before, 'nothing stored');
  await axe(page, 'desk with an error');
  await shot(page, 'stay-checkin-error-vi');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#checkin .form-error').count(), 0);
  // A foreign guest: the passport line opens the passport fields.
  await page.keyboard.type('P:KOR:M5556667');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#passport:not([hidden])');
  assert.equal(await focused(page), 'pp-name');
  await page.keyboard.type('KIM MIN JUN');
  await page.fill('#pp-birth', '1991-04-05');
  await page.fill('#pp-until', dmy(3));
  await page.locator('#pp-until').press('Enter');
  assert.equal(await text(page, '#pp-birth-error'), 'Ngày ghi theo dạng ngày/tháng/năm, ví dụ 05/03/2026.');
  assert.equal(await focused(page), 'pp-birth');
  assert.equal(present(hotel), before, 'nothing stored');
  await axe(page, 'desk with the passport fields');
  await page.fill('#pp-birth', '05/04/1991');
  await page.locator('#pp-birth').press('Enter');
  assert.match(await toast(page, /KIM MIN JUN/).innerText(), /Đã báo lưu trú/);
  assert.equal(await focused(page), 'scan');
  assert.ok(await page.locator('#passport').isHidden(), 'the passport fields close for the next guest');
  await page.waitForFunction(() => document.querySelectorAll('#guests tbody tr').length === 3);
  const foreign = page.locator('#guests tbody tr', { hasText: 'KIM MIN JUN' });
  assert.match(await foreign.innerText(), /KOR M5556667/);
  assert.equal(sql(srv, `SELECT birth_date FROM stays WHERE passport_number = 'M5556667'`), '1991-04-05');
  assert.equal(sql(srv, `SELECT expected_departure FROM stays WHERE passport_number = 'M5556667'`), vnDay(3));
  await shot(page, 'stay-checkin-vi');
  // Check-out, with the keyboard: the row's button, then the focus back on the scan box.
  await page.locator('#guests tbody tr', { hasText: 'Võ Thị Mai' }).getByRole('button', { name: /Trả phòng/ }).focus();
  await page.keyboard.press('Enter');
  await toast(page, /Đã trả phòng: Võ Thị Mai/).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('#guests tbody tr').length === 2);
  assert.equal(await focused(page), 'scan');
  // The police console is not the staff's page.
  await page.goto(`${srv.url}/stay/police.html`);
  await page.locator('#own-home').waitFor();
  assert.equal(await page.getAttribute('#own-home', 'href'), '/staff/');
  assert.equal(await page.locator('#daily').count(), 0);
  await check();
});

test('the reception desk in English', async () => {
  const { page, check } = await openPage(browser, srv, LAPTOP);
  await page.goto(`${srv.url}/stay/checkin.html`);
  await signIn(page, srv, ownerOf(hotel), '/stay/checkin.html');
  await Promise.all([page.waitForURL(/lang=en/), page.click('#lang-switch')]);
  await ready(page);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await text(page, 'h1'), 'Reception desk — stay notices');
  assert.equal(await text(page, 'label[for="scan"]'), 'Scan the QR code of the ID card, or type the ID number');
  assert.equal(await text(page, 'label[for="room"]'), 'Room');
  assert.equal(await text(page, '#checkin button[type="submit"]'), 'Report the stay (Enter)');
  assert.equal(await focused(page), 'scan');
  // The page's own words are English; the guests' names and the establishment's are data.
  await page.locator('#guests tbody tr').first().waitFor();
  const words = (await page.locator('.bar nav, .bar .brand, #signout, main h1, main h2, main label, main .hint, #guests th, #guests button').allInnerTexts()).join(' ');
  assert.doesNotMatch(words, VIET, "no Vietnamese in the English page's own words");
  assert.match(await page.locator('#guests tbody tr').first().innerText(), /Check out/);
  // Messages: the page's own, and the server's, in English.
  await page.keyboard.type('nothing');
  await page.keyboard.press('Enter');
  assert.equal(await text(page, '#scan-error'), 'Not a QR text, an ID number or a passport line.');
  await page.keyboard.press('Escape');
  await page.keyboard.type('001099000888');
  await page.keyboard.press('Tab');
  await page.keyboard.type('31');
  await page.keyboard.press('Enter');
  assert.match(await toast(page, /001099000888/).innerText(), /^Reported: 001099000888 — room 31 — unverified/);
  await page.keyboard.type('001099000888');
  await page.keyboard.press('Enter');
  await page.locator('#checkin .form-error').waitFor();
  assert.doesNotMatch(await text(page, '#checkin .form-error'), VIET, "the server's message in English");
  assert.equal(await focused(page), 'scan');
  await axe(page, 'desk in English');
  await shot(page, 'stay-checkin-en');
  await page.keyboard.press('Escape');
  await page.locator('#guests tbody tr', { hasText: '001099000888' }).getByRole('button', { name: /Check out/ }).click();
  await toast(page, /^Checked out: /).waitFor();
  await check();
});

test('the police console lists the day, finds a person and shows an alert', async () => {
  const g = person(srv, { full_name: 'Hồ Văn Theo' });
  const pp = await officerWithTotp(srv, 'cand.tinh.web', 'province-police', P);
  const w = await call(srv, 'POST', '/api/v1/stays/police/watchlist', { as: pp.token, body: { subject: g.id_number, reason: 'Đối tượng truy nã' } });
  assert.equal(w.status, 201, w.text);
  const r = await call(srv, 'POST', '/api/v1/stays/checkins', { as: hotel.token, body: { id_number: g.id_number, room: '808' } });
  assert.equal(r.status, 201, r.text);
  const quiet = await establishment(srv, cp);

  const { page, check } = await openPage(browser, srv, DESK);
  // The officer's home links to the console for a police role.
  await page.goto(`${srv.url}/officer/`);
  await signIn(page, srv, cp, '/officer/');
  assert.equal(await page.getAttribute('#work-police', 'href'), '/stay/police.html');
  await Promise.all([page.waitForURL(`${srv.url}/stay/police.html`), page.click('#work-police')]);
  await ready(page);
  assert.equal(await text(page, 'h1'), 'Quản lý lưu trú');
  assert.equal(await page.inputValue('#purpose'), 'Kiểm tra lưu trú trên địa bàn');
  await axe(page, 'police console');
  // No purpose: refused on the page, nothing asked of the server.
  await page.fill('#purpose', '');
  let asked = 0;
  page.on('request', (q) => q.url().includes('/api/v1/stays/police/') && asked++);
  await page.locator('#daily button[type="submit"]').click();
  assert.equal(await text(page, '#purpose-error'), 'Hãy nêu mục đích tra cứu.');
  assert.equal(await focused(page), 'purpose');
  assert.equal(asked, 0);
  await page.fill('#purpose', 'Kiểm tra lưu trú trên địa bàn');
  // The day's list of the officer's commune.
  await page.locator('#daily button[type="submit"]').click();
  await toast(page, /lượt lưu trú/).waitFor();
  const row = page.locator('#stays tbody tr', { hasText: 'Hồ Văn Theo' });
  assert.match(await row.innerText(), /808/);
  assert.match(await row.innerText(), new RegExp(hotel.org.name));
  // A person's stays.
  await page.fill('#key', g.id_number);
  await page.locator('#key').press('Enter');
  await toast(page, new RegExp(`1 lượt lưu trú của ${g.id_number}`)).waitFor();
  assert.equal(await page.locator('#person-stays tbody tr').count(), 1);
  // The read is in the person's access log with the purpose.
  const logged = () => count(srv, `SELECT COUNT(*) FROM access_log WHERE id_number = '${g.id_number}' AND purpose = 'Kiểm tra lưu trú trên địa bàn'`);
  for (let i = 0; i < 100 && !logged(); i++) await sleep(50);
  assert.ok(logged() >= 1, "the reads are in the person's access log");
  // The watch-list alert with the establishment and the room.
  await page.locator('#load-alerts').click();
  const alert = page.locator('#alerts tbody tr', { hasText: 'Hồ Văn Theo' });
  await alert.waitFor();
  assert.match(await alert.innerText(), new RegExp(`${hotel.org.name}[\\s\\S]*808[\\s\\S]*Đối tượng truy nã`));
  // The establishments that sent nothing today: a quiet guesthouse of the commune, not this hotel.
  await page.locator('#load-missing').click();
  await page.locator('#missing tbody tr', { hasText: quiet.org.name }).waitFor();
  assert.equal(await page.locator('#missing tbody tr', { hasText: hotel.org.name }).count(), 0);
  await axe(page, 'police console with lists');
  await shot(page, 'stay-police-vi');
  await check();

  // Another role's home has no link to it.
  const so = await officerWithTotp(srv, 'mot.cua.web', 'service-officer', P);
  const o = await openPage(browser, srv, DESK);
  await o.page.goto(`${srv.url}/officer/`);
  await signIn(o.page, srv, so, '/officer/');
  assert.equal(await o.page.locator('#work-police').count(), 0);
  await o.check();
});

test('a coach operator builds a manifest and freezes it at departure', async () => {
  const op = await establishment(srv, cp, { kind: 'coach-operator', type: 'coach-operator' });
  const { page, check } = await openPage(browser, srv, LAPTOP);
  await page.goto(`${srv.url}/stay/coach.html`);
  await signIn(page, srv, ownerOf(op), '/stay/coach.html');
  assert.equal(await text(page, 'h1'), 'Danh sách hành khách');
  assert.ok(await page.locator('#trips .empty').isVisible(), 'no trip yet');
  await axe(page, 'coach, no trip');
  await page.fill('#plate', '79B-555.66');
  await page.fill('#route', 'Nha Trang - Buôn Ma Thuột');
  // A departure typed wrong: refused on the page, nothing stored.
  await page.fill('#departs', '31/02/2026 07:00');
  await page.locator('#new-trip button').click();
  assert.match(await text(page, '#departs-error'), /ngày\/tháng\/năm giờ:phút/);
  assert.equal(count(srv, 'SELECT COUNT(*) FROM stay_trips'), 0);
  const inTwoHours = new Date(Date.now() + 9 * 3600e3).toISOString();
  await page.fill('#departs', `${inTwoHours.slice(8, 10)}/${inTwoHours.slice(5, 7)}/${inTwoHours.slice(0, 4)} ${inTwoHours.slice(11, 16)}`);
  await page.locator('#new-trip button').click();
  await toast(page, /79B-555.66/).waitFor();
  await page.waitForFunction(() => document.activeElement.id === 'scan');
  assert.match(await text(page, '#trip option:checked'), new RegExp(`79B-555.66 — Nha Trang - Buôn Ma Thuột — ${inTwoHours.slice(8, 10)}/${inTwoHours.slice(5, 7)}`));
  const a = person(srv, { full_name: 'Mai Văn Xe' });
  await page.keyboard.type(qrOf(a));
  await page.keyboard.press('Tab');
  await page.keyboard.type('B2');
  await page.keyboard.press('Enter');
  await toast(page, /Mai Văn Xe/).waitFor();
  await page.waitForSelector('#manifest tbody tr >> text=Mai Văn Xe');
  assert.match(await text(page, '#manifest tbody tr'), /B2[\s\S]*Mai Văn Xe/);
  assert.match(await text(page, '#trip-state'), /1 hành khách/);
  await axe(page, 'coach manifest');
  // The departure, after a confirmation.
  await page.locator('#depart').click();
  await page.locator('dialog[open]').waitFor();
  await axe(page, 'departure dialog');
  await page.locator('dialog[open] button[data-value="yes"]').click();
  await toast(page, /khởi hành/).waitFor();
  await page.waitForFunction(() => document.getElementById('board').hidden);
  assert.match(await text(page, '#trip-state'), /khoá/);
  assert.ok(await page.locator('#depart').isHidden());
  await shot(page, 'stay-coach-vi');
  await check();
});
