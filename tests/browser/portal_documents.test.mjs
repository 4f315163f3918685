// portal_documents.test.mjs — the portal's Documents page (the citizen's e-document wallet) in
// Debian's chromium driven by playwright-core, on a server where the portal is the registered
// public client ddc_portal: an officer with the document-issuer role (wallet:issue) issues a
// diploma to a citizen through the API; the citizen signs in through the OpenID provider, finds
// the document listed with its claims (dates dd/mm/yyyy) and its printable copy; sending no
// ticked claim is refused on the page and stores nothing; presenting two claims gives a link, a
// QR code and the time it ends; the public verify page opened from the link says "valid" and
// shows only those two claims; revoking the link (on the page, then a second one from the list
// of links) makes the verify page say so. axe-core checks the page (no serious or critical
// violation); no CSP violation, page error or failed request for the site's own files happens.
// Screenshots go to build/test-artifacts/screenshots/ (or DD_SCREENSHOTS).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, citizen, officer, session, startIdentityServer } from '../api/identity_util.mjs';
import * as frame from './frame_util.mjs';
import { PHONE, axe, frameBrowser, ready, shot, text } from './frame_util.mjs';

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

// Today in Vietnam as dd/mm/yyyy.
const today = () => {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' })
    .formatToParts(new Date()).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year}`;
};

test('a citizen finds an issued document in the portal, presents two claims, and revokes the links', async () => {
  // An issuer (the operator's call) and a document issued by an officer with wallet:issue.
  const admin = officer(srv, 'quantri', 'admin', '56').token;
  const issuerOfficer = officer(srv, 'capgiay', 'document-issuer', '56').token;
  let r = await call(srv, 'POST', '/api/v1/wallet/issuers', { as: admin, body: { id: 'so-gd-56', name: 'Sở Giáo dục và Đào tạo' } });
  assert.equal(r.status, 201, r.text);
  const c = await citizen(srv);
  const api = await session(srv, c.login, c.password);
  r = await call(srv, 'POST', '/api/v1/wallet/documents', {
    as: issuerOfficer,
    body: {
      issuer: 'so-gd-56', holder: c.person.id_number, vct: 'urn:dinhdanh:vct:diploma', title: 'Bằng tốt nghiệp',
      claims: { full_name: 'Nguyễn Văn An', degree: 'Cử nhân Luật', rank: 'Giỏi', graduated_on: '2023-06-30' },
    },
  });
  assert.equal(r.status, 201, r.text);
  const doc = r.json();
  const presentations = async () => (await call(srv, 'GET', '/api/v1/me/wallet/presentations', { as: api.token })).json().items;

  // Sign in through the provider (password, then consent) straight onto the Documents page.
  const { page, check, ctx } = await openPage(PHONE);
  await page.goto(`${srv.url}/portal/documents.html`);
  await frame.signIn(page, srv, { login: c.login, password: c.password }, '/portal/documents.html');

  // The list: the document, its issuer and dates, its claims; no links yet.
  assert.equal(await text(page, 'h1'), 'Giấy tờ điện tử');
  assert.equal(await page.locator('nav a[aria-current="page"]').getAttribute('href'), '/portal/documents.html');
  const card = page.locator(`li.doc[data-doc="${doc.id}"]`);
  assert.equal(await page.locator('li.doc').count(), 1);
  assert.match(await card.locator('h3').innerText(), /^Bằng tốt nghiệp\s+Còn hiệu lực$/);
  const facts = await card.locator('dl').innerText();
  assert.match(facts, /Cơ quan cấp\s+Sở Giáo dục và Đào tạo/);
  assert.ok(facts.includes(`Ngày cấp\n${today()}`), facts);
  assert.match(facts, /Có giá trị đến\s+\d{2}\/\d{2}\/\d{4}/);
  const claims = await card.locator('table.claims tbody tr').allInnerTexts();
  assert.equal(claims.length, 5, 'four claims and the ID number');
  assert.ok(claims.some((t) => /Họ, chữ đệm và tên\s+Nguyễn Văn An/.test(t)), claims.join('|'));
  assert.ok(claims.some((t) => /graduated_on\s+30\/06\/2023/.test(t)), 'a date claim as dd/mm/yyyy');
  assert.ok(claims.some((t) => t.includes(c.person.id_number)));
  assert.equal(await text(page, '#presentation-table tbody td.empty'), 'Bạn chưa tạo đường dẫn cho xem nào.');
  assert.equal(await page.locator('#verify-link').getAttribute('href'), '/wallet/verify.html');
  // The printable copy opens the server's rendering, with the QR of the whole document.
  const print = card.locator(`#doc-${doc.id}-print`);
  assert.equal(await print.getAttribute('target'), '_blank');
  const printed = await ctx.request.get(`${srv.url}${await print.getAttribute('href')}`);
  assert.equal(printed.status(), 200);
  assert.match(await printed.text(), /Bằng tốt nghiệp[\s\S]*<svg/);
  await axe(page, 'documents');
  await shot(page, 'portal-documents-vi-phone');

  // Nothing ticked: said under the claims, nothing sent or stored.
  await card.locator('button[type="submit"]').click();
  assert.equal(await text(page, `#doc-${doc.id}-claims-error`), 'Hãy chọn ít nhất một thông tin.');
  assert.equal(await card.locator('input[name="claim"]').first().getAttribute('aria-invalid'), 'true');
  assert.deepEqual(await presentations(), []);

  // Two claims presented: a link to the verify page, its QR, the time it ends.
  await card.locator('input[value="full_name"]').check();
  await card.locator('input[value="degree"]').check();
  await card.locator(`#doc-${doc.id}-ttl_seconds`).selectOption('3600');
  await card.locator('button[type="submit"]').click();
  await page.locator('#share-qr svg').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'share-title', 'the focus moves to the link');
  assert.equal(await page.locator('#share-qr svg').getAttribute('aria-label'), 'Mã QR của đường dẫn cho xem');
  const url = await page.locator('#share-link').getAttribute('href');
  assert.match(url, /\/wallet\/verify\.html\?p=[\w-]+$/);
  assert.equal(await text(page, '#share-claims'), 'Họ, chữ đệm và tên, Văn bằng');
  assert.match(await text(page, '#share-until'), /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
  const stored = await presentations();
  assert.equal(stored.length, 1);
  assert.deepEqual(stored[0].claims.sort(), ['degree', 'full_name']);
  assert.ok(Math.abs(stored[0].expires_at - stored[0].created_at - 3600) <= 1, 'the hour chosen');
  await page.locator('#presentation-table tbody tr', { hasText: 'Đang dùng được' }).waitFor();
  assert.match(await text(page, '#presentation-table tbody tr'), /Bằng tốt nghiệp[\s\S]*Họ, chữ đệm và tên, Văn bằng/);
  await axe(page, 'documents with a link');
  await shot(page, 'portal-documents-link-vi-phone');

  // The public verify page: valid, and only the two claims.
  const v = await ctx.newPage();
  await v.goto(url);
  await v.locator('#result:not([hidden])').waitFor();
  assert.equal(await text(v, '#verdict'), 'Giấy tờ hợp lệ');
  assert.equal(await text(v, '#issuer'), 'Sở Giáo dục và Đào tạo');
  assert.deepEqual((await v.locator('#claims tr th').allInnerTexts()).sort(), ['degree', 'full_name']);
  assert.ok(!(await v.locator('#claims').innerText()).includes('Giỏi'), 'the rank is not shown');

  // Revoked from the page: the verify page says so and shows nothing.
  await page.click('#share-revoke');
  await page.locator('.toast', { hasText: 'Đã thu hồi đường dẫn.' }).waitFor();
  await page.locator('#presentation-table tbody tr', { hasText: 'Đã thu hồi' }).waitFor();
  assert.ok(await page.locator('#share').isHidden());
  assert.equal((await presentations())[0].state, 'revoked');
  await v.reload();
  await v.locator('#result:not([hidden])').waitFor();
  assert.equal(await v.locator('#verdict').getAttribute('data-reason'), 'presentation-revoked');
  assert.equal(await v.locator('#claims tr').count(), 0);

  // A second link, revoked from the list of links.
  await card.locator('input[value="rank"]').check();
  await card.locator('button[type="submit"]').click();
  await page.locator('#share-qr svg').waitFor();
  const second = await page.locator('#share-link').getAttribute('href');
  assert.notEqual(second, url);
  const revoke = page.locator('#presentation-table button[data-revoke]');
  await revoke.waitFor();
  assert.equal(await revoke.count(), 1, 'only the active link can be revoked');
  await revoke.click();
  await page.locator('.toast', { hasText: 'Đã thu hồi đường dẫn.' }).nth(0).waitFor();
  await page.waitForFunction(() => !document.querySelector('#presentation-table button[data-revoke]'));
  assert.ok(await page.locator('#share').isHidden(), 'the link shown is the one revoked');
  assert.deepEqual((await presentations()).map((p) => p.state), ['revoked', 'revoked']);
  await v.goto(second);
  await v.locator('#result:not([hidden])').waitFor();
  assert.equal(await v.locator('#verdict').getAttribute('data-reason'), 'presentation-revoked');

  // In English: the same page, its own words.
  await page.goto(`${srv.url}/portal/documents.html?lang=en`);
  await ready(page);
  assert.equal(await text(page, 'h1'), 'E-documents');
  assert.match(await card.locator('h3').innerText(), /^Bằng tốt nghiệp\s+Valid$/);
  await axe(page, 'documents in English');
  await check(v);
});

test('the old wallet address leads to the Documents page', async () => {
  const { page, check } = await openPage(PHONE);
  const r = await page.request.get(`${srv.url}/wallet/index.html`);
  assert.equal(r.status(), 200);
  assert.match(await r.text(), /http-equiv="refresh" content="0; url=\/portal\/documents\.html"/);
  await page.goto(`${srv.url}/wallet/index.html`);
  await page.waitForURL(/\/(portal\/documents\.html|login\.html)/);
  await check();
});
