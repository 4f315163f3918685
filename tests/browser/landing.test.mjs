// landing.test.mjs — the landing page in a real browser: Debian's chromium driven by
// playwright-core loads /, finds the Vietnamese title and heading and the link to English,
// follows it to /en/, and sees no console errors, page errors or CSP violations on the way.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { startServer, tempDir } from '../api/server.mjs';

const CHROMIUM = process.env.DD_CHROMIUM || '/usr/bin/chromium';
let srv;
let ctx;

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM}`);
  srv = await startServer();
  ctx = await chromium.launchPersistentContext(tempDir('chromium'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await ctx?.close();
  await srv?.stop();
});

test('landing page in Vietnamese, link to English, no errors', async () => {
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });

  const res = await page.goto(`${srv.url}/`, { waitUntil: 'load' });
  assert.equal(res.status(), 200);
  assert.ok(res.headers()['content-security-policy'], 'CSP header on the page');
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  const title = await page.title();
  assert.match(title, /[^\x00-\x7f]/, `title in Vietnamese: ${title}`);
  const heading = page.locator('h1, h2').filter({ hasText: /[À-ỹ]/ }).first();
  assert.ok(await heading.isVisible(), 'a Vietnamese heading is visible');

  const link = page.locator('a[href="/en/"]').first();
  assert.ok(await link.isVisible(), 'link to /en/ visible');
  await Promise.all([page.waitForURL(`${srv.url}/en/`), link.click()]);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.ok(await page.locator('h1').first().isVisible(), 'English heading visible');
  assert.match(await page.locator('h2').first().innerText(), /^[\x00-\x7f]+$/, 'English heading');
  assert.notEqual(await page.title(), title, 'English title differs');

  await page.waitForTimeout(300);
  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'CSP violations');
  assert.deepEqual(problems, []);

  const metrics = (await srv.get('/metrics')).text;
  assert.doesNotMatch(
    metrics,
    /dinhdanh_http_requests_total\{[^}]*route="\/api\/v1\/csp-reports"[^}]*\} [1-9]/,
    'the browser sent CSP reports',
  );
});
