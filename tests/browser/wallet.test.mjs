// wallet.test.mjs — the wallet's pages in Debian's chromium (playwright-core): the citizen's
// wallet (the portal's Documents page, /portal/documents.html; the old /wallet/index.html leads
// there) lists a document, presents two ticked claims as a link and QR; the public verify page
// opened from that link shows "valid" and only those claims; after the citizen revokes the link
// it says so; a printed document's QR (the SD-JWT after '#') verifies on the same page; and no
// console errors or CSP violations happen on the way. The portal's sign-in through the OpenID
// provider is tested in portal.test.mjs and portal_documents.test.mjs; here the browser gets the
// identity session's cookie and the tab the sign-in record the portal's callback keeps (the
// account id as `sub`), which is all the frame's shell checks against GET /api/v1/me.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { tempDir } from '../api/server.mjs';
import { call, citizen, officer, session, startIdentityServer } from '../api/identity_util.mjs';

const CHROMIUM = process.env.DD_CHROMIUM || '/usr/bin/chromium';
let srv;
let ctx;
let holder;
let doc;

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM}`);
  srv = await startIdentityServer();
  const admin = officer(srv, 'quantri', 'admin', '56').token;
  let r = await call(srv, 'POST', '/api/v1/wallet/issuers', { as: admin, body: { id: 'so-gd-56', name: 'Sở Giáo dục và Đào tạo' } });
  assert.equal(r.status, 201, r.text);
  const c = await citizen(srv);
  holder = await session(srv, c.login, c.password);
  r = await call(srv, 'POST', '/api/v1/wallet/documents', {
    as: admin,
    body: {
      issuer: 'so-gd-56', holder: c.person.id_number, vct: 'urn:dinhdanh:vct:diploma', title: 'Bằng tốt nghiệp',
      claims: { full_name: 'Nguyễn Văn An', degree: 'Cử nhân Luật', rank: 'Giỏi' },
    },
  });
  assert.equal(r.status, 201, r.text);
  doc = r.json();
  ctx = await chromium.launchPersistentContext(tempDir('chromium'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await ctx.addCookies([{ name: 'dd_session', value: holder.token, url: srv.url }]);
  await ctx.addInitScript((sub) => {
    if (!sessionStorage.getItem('dd-signin')) sessionStorage.setItem('dd-signin', JSON.stringify({ sub }));
  }, String(c.account.id));
});

after(async () => {
  await ctx?.close();
  await srv?.stop();
});

async function watched() {
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return { page, problems };
}

test('present two claims from the wallet page; the verify page shows only those', async () => {
  const { page, problems } = await watched();
  // The old address leads to the portal's page.
  await page.goto(`${srv.url}/wallet/index.html`);
  await page.waitForURL(`${srv.url}/portal/documents.html`);
  const card = page.locator(`li.doc[data-doc="${doc.id}"]`);
  await card.waitFor();
  await card.locator('input[value="full_name"]').check();
  await card.locator('input[value="degree"]').check();
  await card.locator('button[type=submit]').click();
  await page.locator('#share-qr svg').waitFor();
  const url = await page.locator('#share-link').getAttribute('href');
  assert.match(url, /\/wallet\/verify\.html\?p=/);

  const v = await watched();
  await v.page.goto(url);
  await v.page.locator('#result:not([hidden])').waitFor();
  assert.equal(await v.page.locator('#verdict').innerText(), 'Giấy tờ hợp lệ');
  assert.equal(await v.page.locator('#issuer').innerText(), 'Sở Giáo dục và Đào tạo');
  const rows = await v.page.locator('#claims tr th').allInnerTexts();
  assert.deepEqual(rows.sort(), ['degree', 'full_name']);

  await page.locator('#share-revoke').click();
  await page.locator('.toast', { hasText: 'Đã thu hồi đường dẫn.' }).waitFor();
  assert.ok(await page.locator('#share').isHidden());
  await v.page.reload();
  await v.page.locator('#result:not([hidden])').waitFor();
  assert.equal(await v.page.locator('#verdict').getAttribute('data-reason'), 'presentation-revoked');
  assert.equal(await v.page.locator('#claims tr').count(), 0);

  for (const p of [page, v.page]) assert.deepEqual(await p.evaluate(() => window.__csp), [], 'CSP violations');
  assert.deepEqual([...problems, ...v.problems], []);
});

test("a printed document's QR (the SD-JWT after '#') verifies on the same page", async () => {
  const { page, problems } = await watched();
  await page.goto(`${srv.url}/wallet/verify.html#${doc.sd_jwt}`);
  await page.locator('#result:not([hidden])').waitFor();
  assert.equal(await page.locator('#verdict').innerText(), 'Giấy tờ hợp lệ');
  assert.equal(await page.locator('#claims tr').count(), 4, 'three claims and id_number');
  const r = await page.goto(`${srv.url}/api/v1/me/wallet/documents/${doc.id}/rendering`);
  assert.equal(r.status(), 200);
  assert.ok(await page.locator('figure.qr svg').isVisible());
  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'CSP violations');
  assert.deepEqual(problems, []);
});
