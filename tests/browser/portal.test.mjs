// portal.test.mjs — the shared web frame and the citizen portal in a real browser (Debian's
// chromium driven by playwright-core), on a server where the portal is the registered public
// client ddc_portal (PKCE S256, redirect URI /signin/callback.html), as the demo set-up makes it:
//   - a citizen with a password and an authenticator opens the portal on a phone-sized screen,
//     is sent through the platform's OpenID Connect provider (login page, TOTP code, consent),
//     and comes back signed in; sees their register record, household and residence; gets the
//     server's validation messages next to the fields of the correction dialog, then sends a
//     correction; sees their e-identity (level, second factor, sessions, history); finds in the
//     access log the look-up an officer made with its purpose, filters it and downloads it as
//     CSV; withdraws a consent in a dialog; reads their notifications and marks one read;
//     switches to English (the choice stays for the next page); signs out;
//   - an officer signs in through the same provider (with the TOTP they enrolled), looks a
//     person up on their home with a purpose, which the person then finds in their access log;
//     a leader and an establishment's staff member see their homes; a citizen who opens the
//     officer's home is told it is not theirs and pointed to their own;
//   - every key of the Vietnamese dictionary is in the English one and the other way round, and
//     every key the pages use is in both.
// axe-core checks every page (WCAG 2.1 A and AA rules): no serious or critical violation. No page
// may cause a CSP violation, a page error or a failed request for the site's own files.
// Screenshots go to build/test-artifacts/screenshots/ (or DD_SCREENSHOTS).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, sleep } from '../api/server.mjs';
import { call, citizen, session, sql, startIdentityServer } from '../api/identity_util.mjs';
import { addResidence, enrolTotp } from '../api/sso_util.mjs';
import { registerOrg } from '../api/org_util.mjs';
import * as frame from './frame_util.mjs';
import { DESK, PHONE, VIET, axe, codeToType, frameBrowser, ready, shot, text } from './frame_util.mjs';

const PURPOSE = 'Xác minh hồ sơ cư trú';
let srv;
let browser;

before(async () => {
  srv = await startIdentityServer();
  browser = await frameBrowser(srv);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

// The shared helpers (frame_util.mjs) on this file's server and browser.
const openPage = (viewport = PHONE) => frame.openPage(browser, srv, viewport);
const signIn = (page, who, home, checkPages = false) => frame.signIn(page, srv, who, home, checkPages);
const officerWithTotp = (name, role, area) => frame.officerWithTotp(srv, name, role, area);

async function nav(page, href) {
  await Promise.all([page.waitForURL(`${srv.url}${href}`), page.click(`nav a[href="${href}"]`)]);
  await ready(page);
}

// A person of the register with a permanent residence in Phường Nha Trang, an account with an
// authenticator, and a consent given to a service.
async function person() {
  const c = await citizen(srv, { full_name: 'Trần Thị Hoà', sex: 'female', birth_date: '1988-03-09' });
  const id = c.person.id_number;
  addResidence(srv, id, '12 Trần Phú');
  sql(srv, `UPDATE people SET permanent_province = '56', permanent_commune = '22366', permanent_address = '12 Trần Phú' WHERE id_number = '${id}'`);
  const s = await session(srv, c.login, c.password);
  const secret = await enrolTotp(srv, s.token);
  const until = new Date(Date.now() + 300 * 86400000).toISOString().slice(0, 10);
  const g = await call(srv, 'POST', '/api/v1/me/consents', {
    as: s.token,
    body: { service: 'lgsp:bhxh', service_name: 'Bảo hiểm xã hội tỉnh Khánh Hòa', items: ['identity', 'health-insurance'], purpose: 'Cấp lại thẻ bảo hiểm y tế', valid_until: until },
  });
  assert.equal(g.status, 201, g.text);
  return { ...c, id, secret, token: s.token, consent: g.json() };
}

test('a citizen signs in through single sign-on and uses every page of the portal', async () => {
  const p = await person();
  const police = await officerWithTotp('canbo.tra', 'province-police', '56');
  const look = await call(srv, 'GET', `/api/v1/people/${p.id}`, { as: police.token, headers: { 'X-Purpose': encodeURIComponent(PURPOSE) } });
  assert.equal(look.status, 200, look.text);

  const { page, check } = await openPage(PHONE);
  await page.goto(`${srv.url}/portal/`);
  await signIn(page, p, '/portal/', true);
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  const signin = JSON.parse(await page.evaluate(() => sessionStorage.getItem('dd-signin')));
  assert.equal(signin.sub, String(p.account.id), 'the ID token is the account of the session');
  assert.equal(signin.acr, 'urn:dinhdanh:loa:1');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('dd-oidc-pending')), null);
  // My data: the record, the household-less state, the residence with its commune's name.
  assert.equal(await text(page, 'h1'), 'Dữ liệu của tôi');
  assert.equal(await text(page, '#person-full_name'), 'Trần Thị Hoà');
  assert.equal(await text(page, '#person-birth_date'), '09/03/1988');
  assert.equal(await text(page, '#person-sex'), 'Nữ');
  assert.equal(await text(page, '#person-id_number'), p.id);
  const residence = await text(page, '#residences tbody tr');
  assert.match(residence, /Thường trú[\s\S]*12 Trần Phú, Phường Nha Trang[\s\S]*01\/03\/2015[\s\S]*nay/);
  assert.equal(await page.locator('nav a[aria-current="page"]').getAttribute('href'), '/portal/');
  await axe(page, 'my data');
  await shot(page, 'portal-data-vi-phone');
  // Vietnamese conventions for dates and numbers.
  const formats = await page.evaluate(async () => {
    const m = await import('/lib/i18n.js');
    return [m.money(1000000), m.number(1234567), m.date('2026-03-05'), m.date('1950-05'), m.dateTime('2026-03-04T17:30:00Z')];
  });
  assert.deepEqual(formats, ['1.000.000 ₫', '1.234.567', '05/03/2026', '05/1950', '05/03/2026 00:30']);
  // On paper: no navigation, buttons or language switch.
  await page.emulateMedia({ media: 'print' });
  assert.ok(await page.locator('.bar nav').isHidden(), 'no navigation in print');
  assert.ok(await page.locator('#request-correction').isHidden(), 'no buttons in print');
  assert.ok(await page.locator('#person-full_name').isVisible());
  await shot(page, 'portal-data-print');
  await page.emulateMedia({ media: 'screen' });

  // The correction dialog: sent empty, the server's messages appear next to its fields.
  await page.click('#request-correction');
  const dlg = page.locator('dialog[open]');
  await dlg.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'corr-field', 'the focus moves into the dialog');
  await dlg.locator('button[type="submit"]').click();
  await dlg.locator('.form-error').waitFor();
  assert.equal(await dlg.locator('#corr-field').getAttribute('aria-invalid'), 'true');
  assert.ok((await text(page, '#corr-field-error')).length > 0, 'a message under the field');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'corr-field', 'focus on the first field at fault');
  await axe(page, 'correction dialog with errors');
  await shot(page, 'portal-correction-errors-vi');
  await dlg.locator('#corr-field').selectOption('full_name');
  assert.equal(await text(page, '#corr-current'), 'Đang lưu: Trần Thị Hoà');
  await dlg.locator('#corr-proposed_value').fill('Trần Thị Hòa');
  await dlg.locator('#corr-reason').fill('Dấu trên giấy khai sinh đặt ở chữ o');
  await dlg.locator('button[type="submit"]').click();
  await page.locator('.toast', { hasText: 'Đã gửi yêu cầu đính chính.' }).waitFor();
  assert.equal(await page.locator('dialog[open]').count(), 0);
  await page.locator('#correction-table tbody tr', { hasText: 'Trần Thị Hòa' }).waitFor();
  assert.match(await text(page, '#correction-table tbody tr'), /Họ, chữ đệm và tên[\s\S]*Đang chờ xử lý/);
  assert.equal(Number(sql(srv, `SELECT COUNT(*) FROM correction_requests WHERE id_number = '${p.id}'`)), 1);

  // My e-identity.
  await nav(page, '/portal/identity.html');
  assert.match(await text(page, '#level'), /^Mức 1 — đăng ký trực tuyến$/);
  assert.match(await text(page, '#second-factor-state'), /^Đã bật/);
  assert.ok((await page.locator('#session-list li').count()) >= 2, 'this session and the API one');
  assert.equal(await page.locator('#session-list .badge').count(), 1);
  await page.locator('#history-table tbody tr').first().waitFor();
  const usage = (await page.locator('#history-table tbody tr').allInnerTexts()).join('\n');
  assert.match(usage, /Thành công[\s\S]*Đăng nhập một lần[\s\S]*Cổng công dân/, 'the sign-in through the portal');
  assert.match(usage, /Thành công[\s\S]*Mật khẩu và mã xác thực/);
  // Sorting by time: the header's button turns the order, and says so.
  const whenHeader = page.locator('#history-table th').first();
  const firstRow = () => page.locator('#history-table tbody tr').first().innerText();
  const newestFirst = await firstRow();
  await whenHeader.locator('button').click();
  assert.equal(await whenHeader.getAttribute('aria-sort'), 'ascending');
  assert.match(await firstRow(), /Mã một lần/, 'the oldest first: the registration code');
  await whenHeader.locator('button').click();
  assert.equal(await whenHeader.getAttribute('aria-sort'), 'descending');
  assert.equal(await firstRow(), newestFirst);
  assert.ok(await page.locator('#lock-start').isVisible());
  await axe(page, 'e-identity');
  await shot(page, 'portal-identity-vi-phone');

  // Who looked at my data: the officer's look-up with its purpose; filters; the CSV.
  await nav(page, '/portal/access.html');
  const row = page.locator('#access-table tbody tr', { hasText: PURPOSE });
  await row.waitFor();
  assert.match(await row.innerText(), /Cán bộ[\s\S]*Công an tỉnh Khánh Hòa[\s\S]*Xem: thông tin nhân thân/);
  const narrowed = page.waitForRequest((r) => r.url().includes('/api/v1/me/access-log?') && r.url().includes('action=change'));
  await page.selectOption('#f-action', 'change');
  await narrowed; // the server narrows the log, not the page
  await page.locator('#access-table tbody tr', { hasText: PURPOSE }).waitFor({ state: 'detached' });
  await page.selectOption('#f-action', 'read');
  await row.waitFor();
  const dmy = (ms) => new Date(ms + 7 * 3600000).toISOString().slice(0, 10).split('-').reverse().join('/');
  await page.fill('#f-from', dmy(Date.now() + 86400000));
  await page.press('#f-from', 'Tab');
  await page.locator('#access-table tbody tr', { hasText: PURPOSE }).waitFor({ state: 'detached' });
  assert.match(await text(page, '#access-period'), /^Trong khoảng \d\d\/\d\d\/\d{4} – …/);
  await page.fill('#f-from', '31/02/2026');
  await page.press('#f-from', 'Tab');
  assert.equal(await text(page, '#f-from-error'), 'Ngày ghi theo dạng ngày/tháng/năm, ví dụ 05/03/2026.');
  assert.equal(await page.locator('#f-from').getAttribute('aria-invalid'), 'true');
  await page.fill('#f-from', dmy(Date.now()));
  await page.press('#f-from', 'Tab');
  await row.waitFor();
  assert.equal(await page.locator('#export-csv').getAttribute('href'), '/api/v1/me/access-log.csv');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  assert.match(csv, /^at,reader_kind,agency,role,reader_name,action,data,purpose,request_id\r\n/);
  assert.ok(csv.includes(PURPOSE), 'the download holds the look-up');
  await axe(page, 'access log');
  await shot(page, 'portal-access-vi-phone');

  // Consents: withdraw in a dialog, with a reason.
  await nav(page, '/portal/consents.html');
  const card = page.locator(`#consent-list li[data-consent="${p.consent.id}"]`);
  await card.waitFor();
  assert.match(await card.innerText(), /Bảo hiểm xã hội tỉnh Khánh Hòa[\s\S]*Đang hiệu lực[\s\S]*thông tin nhân thân, bảo hiểm y tế/);
  await axe(page, 'consents');
  await card.locator('button').click();
  await page.locator('dialog[open]').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'wd-reason');
  await axe(page, 'withdraw dialog');
  await page.fill('#wd-reason', 'Không còn dùng dịch vụ này');
  await page.click('dialog[open] button[type="submit"]');
  await page.locator('.toast', { hasText: 'Đã rút lại sự đồng ý cho Bảo hiểm xã hội tỉnh Khánh Hòa.' }).waitFor();
  await page.locator(`#consent-list li[data-consent="${p.consent.id}"] .badge`, { hasText: 'Đã rút lại' }).waitFor();
  assert.equal(await card.locator('button').count(), 0, 'nothing left to withdraw');
  const after = await call(srv, 'GET', `/api/v1/me/consents/${p.consent.id}`, { as: p.token });
  assert.equal(after.json().state, 'withdrawn');
  assert.equal(after.json().withdrawal_reason, 'Không còn dùng dịch vụ này');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'services-title');
  await shot(page, 'portal-consents-vi-phone');

  // Notifications: the consent given and withdrawn and the correction, newest first.
  let items = 0;
  for (let i = 0; i < 100 && items < 3; i++) {
    items = (await call(srv, 'GET', '/api/v1/me/notifications', { as: p.token })).json().items.length;
    if (items < 3) await sleep(50);
  }
  await nav(page, '/portal/inbox.html');
  await page.locator('#messages li').nth(2).waitFor();
  const messages = await page.locator('#messages li .message-text').allInnerTexts();
  assert.deepEqual(messages.map((m) => m.replace(/^Mới\s*/, '')), [
    'Bạn đã rút lại sự đồng ý cho Bảo hiểm xã hội tỉnh Khánh Hòa.',
    `Đã nhận yêu cầu đính chính "Họ, chữ đệm và tên" (số ${sql(srv, `SELECT id FROM correction_requests WHERE id_number = '${p.id}'`)}).`,
    'Bạn đã cho phép Bảo hiểm xã hội tỉnh Khánh Hòa xem dữ liệu của bạn.',
  ]);
  assert.equal(await text(page, '#unread-count'), 'Có 3 thông báo chưa đọc.');
  await page.locator('#messages li').first().locator('button').click();
  await page.locator('#unread-count', { hasText: 'Có 2 thông báo chưa đọc.' }).waitFor();
  await page.check('#unread-only');
  await page.waitForFunction(() => document.querySelectorAll('#messages li.unread').length === 2 && document.querySelectorAll('#messages li').length === 2);
  await axe(page, 'inbox');
  await shot(page, 'portal-inbox-vi-phone');

  // English: the switch reloads the page in English, and the choice stays for the next page.
  await Promise.all([page.waitForURL(/lang=en/), page.click('#lang-switch')]);
  await ready(page);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await text(page, 'h1'), 'Notifications');
  assert.equal(await text(page, 'nav a[aria-current="page"]'), 'Notifications');
  assert.equal(await text(page, '#lang-switch'), 'Tiếng Việt');
  assert.equal(await page.locator('#lang-switch').getAttribute('lang'), 'vi');
  // The page's own words are English; the services' names are data and stay as they are.
  const words = (await page.locator('.bar nav, .bar .brand, #signout, main h1, main h2, #unread-count, label[for="unread-only"], #messages button, #messages time').allInnerTexts()).join(' ');
  assert.doesNotMatch(words, VIET, "no Vietnamese in the English page's own words");
  assert.match(await text(page, '#messages li:nth-child(1) .message-text'), /^You withdrew your consent for Bảo hiểm xã hội tỉnh Khánh Hòa\.$/);
  await axe(page, 'inbox in English');
  await shot(page, 'portal-inbox-en-phone');
  await nav(page, '/portal/');
  assert.equal(await text(page, 'h1'), 'My data');
  assert.equal(await text(page, '#person-birth_date'), '09/03/1988', 'dates stay dd/mm/yyyy');
  assert.equal(await text(page, '#person-sex'), 'Female');
  await shot(page, 'portal-data-en-phone');
  // The server's messages follow the page: the correction dialog's errors in English.
  await page.click('#request-correction');
  await page.click('dialog[open] button[type="submit"]');
  await page.locator('dialog[open] .form-error').waitFor();
  assert.doesNotMatch(await page.locator('dialog[open]').innerText(), VIET);
  await page.keyboard.press('Escape');
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
  await Promise.all([page.waitForURL(/lang=vi/), page.click('#lang-switch')]);
  await ready(page);

  // Sign out: the session ends on the server too.
  await Promise.all([page.waitForURL(`${srv.url}/signin/?out`), page.click('#signout')]);
  assert.equal(await text(page, '#notice'), 'Bạn đã đăng xuất.');
  await axe(page, 'signed out');
  await shot(page, 'signin-out-vi');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('dd-signin')), null);
  await page.goto(`${srv.url}/portal/`);
  await page.waitForURL(/\/login\.html\?next=/, 'signed out: the portal asks to sign in again');
  await check();
});

test('officer, leader and establishment homes; each audience sees only its own', async () => {
  const p = await person();
  const police = await officerWithTotp('canbo.xa', 'commune-police', '56-22366');

  // The officer signs in on a desk-sized screen and looks the person up with a purpose.
  const o = await openPage(DESK);
  await o.page.goto(`${srv.url}/officer/`);
  await signIn(o.page, police, '/officer/');
  assert.equal(await text(o.page, '#role'), 'Công an xã, phường');
  assert.equal(await text(o.page, '#area'), 'Phường Nha Trang, Tỉnh Khánh Hòa');
  await o.page.locator('#queue-table tbody tr').first().waitFor();
  await axe(o.page, 'officer home');
  await o.page.fill('#lookup-id', p.id.slice(0, 11));
  await o.page.fill('#lookup-purpose', 'Giải quyết hồ sơ tạm trú');
  await o.page.press('#lookup-purpose', 'Enter');
  assert.equal(await text(o.page, '#lookup-id-error'), 'Số định danh cá nhân gồm đúng 12 chữ số.');
  await o.page.fill('#lookup-id', p.id);
  await o.page.press('#lookup-purpose', 'Enter');
  await o.page.locator('#person-title').waitFor();
  assert.equal(await text(o.page, '#person-title'), 'Trần Thị Hoà');
  await axe(o.page, 'officer look-up');
  await shot(o.page, 'officer-home-vi');
  await o.check();
  let seen = [];
  for (let i = 0; i < 100 && !seen.length; i++) {
    const log = (await call(srv, 'GET', '/api/v1/me/access-log', { as: p.token })).json().items;
    seen = log.filter((r) => r.purpose === 'Giải quyết hồ sơ tạm trú');
    if (!seen.length) await sleep(50);
  }
  assert.equal(seen.length, 1, "the look-up is in the person's access log");
  assert.equal(seen[0].reader.role, 'commune-police');

  // A leader's home.
  const leader = await officerWithTotp('lanh.dao', 'leader', '56');
  const l = await openPage(PHONE);
  await l.page.goto(`${srv.url}/leader/`);
  await signIn(l.page, leader, '/leader/');
  assert.equal(await text(l.page, 'h1'), 'Trang lãnh đạo');
  assert.equal(await text(l.page, '#area'), 'Tỉnh Khánh Hòa');
  assert.deepEqual(await l.page.locator('nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
    ['/leader/', '/leader/population.html', '/leader/labour.html', '/leader/tourism.html', '/leader/order.html', '/leader/services.html']);
  await axe(l.page, 'leader home');
  await shot(l.page, 'leader-home-vi-phone');
  // The leader opening the officer's home is told it is not theirs.
  await l.page.goto(`${srv.url}/officer/`);
  await l.page.locator('#own-home').waitFor();
  assert.equal(await l.page.locator('#own-home').getAttribute('href'), '/leader/');
  assert.equal(await l.page.locator('#lookup-form').count(), 0);
  await axe(l.page, 'not your page');
  await l.check();

  // An establishment's owner (no second factor: level 1 staff).
  const org = await registerOrg(srv, police.token);
  const s = await openPage(PHONE);
  await s.page.goto(`${srv.url}/staff/`);
  await signIn(s.page, { login: org.owner.username, password: 'mật khẩu của cơ sở' }, '/staff/');
  assert.equal(await text(s.page, '#org-name'), org.org.name);
  assert.equal(await text(s.page, '#staff-role'), 'Chủ cơ sở');
  // A hotel's work: the check-in desk of the stay notices, and no coach manifest.
  assert.equal(await s.page.locator('#work-checkin').getAttribute('href'), '/stay/checkin.html');
  assert.equal(await s.page.locator('#work-coach').count(), 0);
  await axe(s.page, 'establishment home');
  await shot(s.page, 'staff-home-vi-phone');
  // The portal is not theirs either.
  await s.page.goto(`${srv.url}/portal/`);
  await s.page.locator('#own-home').waitFor();
  assert.equal(await s.page.locator('#own-home').getAttribute('href'), '/staff/');
  await s.check();
});

test('the sign-in page, a refused consent, a callback without its state, and the identity pages', async () => {
  const { page, check } = await openPage(PHONE);
  await page.goto(`${srv.url}/signin/`);
  assert.deepEqual(await page.locator('ul.homes a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))), ['/portal/', '/staff/', '/officer/', '/leader/']);
  await axe(page, 'sign-in page');
  await page.goto(`${srv.url}/signin/callback.html?code=x&state=y`);
  await page.locator('[role="alert"]').waitFor();
  assert.match(await text(page, '[role="alert"]'), /state_mismatch/);
  await axe(page, 'callback error');

  const p = await person();
  await page.goto(`${srv.url}/portal/consents.html`);
  await page.waitForURL(/\/login\.html\?next=/);
  await page.fill('#login', p.login);
  await page.fill('#password', p.password);
  await page.press('#password', 'Enter');
  await page.locator('#code-form').waitFor({ state: 'visible' });
  await page.fill('#totp', await codeToType(p.secret));
  await page.press('#totp', 'Enter');
  await page.waitForSelector('#consent-form:not([hidden])');
  await page.click('#refuse');
  await page.waitForURL(/\/signin\/callback\.html\?error=access_denied/);
  await page.locator('[role="alert"]').waitFor();
  assert.equal(await text(page, '[role="alert"]'), 'Bạn đã từ chối cho cổng công dân dùng tài khoản định danh điện tử.');
  await shot(page, 'signin-denied-vi');
  // The identity pages the frame links to, and the landing pages, pass the same check.
  await page.goto(`${srv.url}/account.html`);
  await page.locator('#session-list li').first().waitFor();
  await axe(page, 'account page');
  for (const p2 of ['/', '/en/', '/en/login.html', '/en/account.html']) {
    await page.goto(`${srv.url}${p2}`);
    await page.waitForLoadState('networkidle');
    await axe(page, p2);
  }
  await check();
});

test('every string is in both dictionaries, and every key the pages use exists', async () => {
  const vi = (await import(path.join(ROOT, 'web/i18n/vi.js'))).default;
  const en = (await import(path.join(ROOT, 'web/i18n/en.js'))).default;
  assert.deepEqual(Object.keys(en).filter((k) => !(k in vi)), [], 'English keys missing in Vietnamese');
  assert.deepEqual(Object.keys(vi).filter((k) => !(k in en)), [], 'Vietnamese keys missing in English');
  for (const [k, v] of Object.entries(vi)) {
    const names = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
    assert.equal(names(en[k]), names(v), `the same placeholders in ${k}`);
  }
  const used = new Set();
  const walk = (dir) => {
    for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, f.name);
      if (f.isDirectory() && !['vendor', 'en', 'sso', 'i18n'].includes(f.name)) walk(file);
      else if (/\.(js|html)$/.test(f.name) && dir !== path.join(ROOT, 'web')) {
        const src = fs.readFileSync(file, 'utf8');
        for (const m of src.matchAll(/\bt\('([\w.-]+)'/g)) used.add(m[1]);
        for (const m of src.matchAll(/section\('[\w-]+', '([\w.-]+)'/g)) used.add(m[1]);
        for (const m of src.matchAll(/data-(?:i18n|title)="([\w.-]+)"/g)) used.add(m[1]);
        for (const m of src.matchAll(/\['\w+', '\/[\w/.]*', '([\w.-]+)'\]/g)) used.add(m[1]);
      }
    }
  };
  walk(path.join(ROOT, 'web'));
  assert.ok(used.size > 150, `keys found: ${used.size}`);
  assert.deepEqual([...used].filter((k) => !(k in vi)), [], 'keys used but missing');
});
