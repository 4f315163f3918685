// payment.test.mjs — paying through the sandbox gateway in a real browser: Debian's chromium
// (playwright-core) opens the payment URL of an intent, sees the gateway's page with the order and
// the amount, presses "Thanh toán", is redirected back to the return page ("Thanh toán thành
// công"), follows the link to the receipt and sees its QR code; no console errors, page errors or
// CSP violations on the way, and the intent is paid.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { call } from '../api/identity_util.mjs';
import { tempDir } from '../api/server.mjs';
import { createIntent, startPayServer } from '../api/pay_util.mjs';

const CHROMIUM = process.env.DD_CHROMIUM || '/usr/bin/chromium';
let srv;
let cashier;
let ctx;

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM}`);
  ({ srv, cashier } = await startPayServer());
  ctx = await chromium.launchPersistentContext(tempDir('chromium'), {
    executablePath: CHROMIUM,
    headless: true,
    locale: 'vi-VN',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await ctx?.close();
  await srv?.stop();
});

test('pay an intent through the sandbox gateway in a browser', async () => {
  const p = await createIntent(srv, cashier.token, { amount: 175000 });
  const c = await call(srv, 'POST', `/api/v1/payments/${p.id}/checkouts`, { as: cashier.token, body: { method: 'vnpay' } });
  assert.equal(c.status, 201, c.text);
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });

  const res = await page.goto(c.json().payment_url, { waitUntil: 'load' });
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('#order').textContent(), p.reference);
  assert.equal(await page.locator('#amount').textContent(), '175.000 ₫');
  await Promise.all([page.waitForURL(/\/api\/v1\/payments\/vnpay\/return\?/), page.click('#pay')]);
  assert.equal(await page.locator('#outcome').getAttribute('data-outcome'), 'paid');
  assert.equal(await page.locator('#outcome').textContent(), 'Thanh toán thành công');
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  await Promise.all([page.waitForURL(/\/api\/v1\/receipts\/[0-9a-f]{32}\?format=html$/), page.click('#receipt')]);
  assert.equal(await page.locator('#reference').textContent(), p.reference);
  assert.equal(await page.locator('figure svg').count(), 1);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(problems, []);
  const got = (await call(srv, 'GET', `/api/v1/payments/${p.id}`, { as: cashier.token })).json();
  assert.equal(got.state, 'paid');
  await page.close();
});
