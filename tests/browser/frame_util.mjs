// frame_util.mjs — what the browser tests of the web frame's pages share: Debian's chromium
// driven by playwright-core; the portal registered as the public client ddc_portal (PKCE S256,
// redirect URI /signin/callback.html) as the demo set-up makes it; a page in a context of its
// own watched for CSP violations, page errors, failed requests and HTTP errors on the site's own
// files; signing in through the platform's OpenID provider (login page, password, the
// authenticator's code when the account has one, consent the first time); axe-core (WCAG 2.1 A
// and AA rules, no serious or critical violation); screenshots into
// build/test-artifacts/screenshots/ (or DD_SCREENSHOTS).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, runCli } from '../api/server.mjs';
import { freshTotp, login, officer, totpAt } from '../api/identity_util.mjs';
import { enrolTotp } from '../api/sso_util.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const CHROMIUM = process.env.DD_CHROMIUM || '/usr/bin/chromium';
export const SHOTS = process.env.DD_SCREENSHOTS || path.join(ROOT, 'build/test-artifacts/screenshots');
export const PHONE = { width: 390, height: 844 };
export const DESK = { width: 1200, height: 900 };
export const LAPTOP = { width: 1280, height: 720 };
// A letter only Vietnamese text has.
export const VIET = /[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]/iu;

// Registers the frame's client ddc_portal on srv and starts chromium.
export async function frameBrowser(srv) {
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM}`);
  const r = runCli([
    'client', 'add', 'Cổng công dân', '--client-id', 'ddc_portal', '--grant', 'authorization_code',
    '--auth', 'none', '--scope', 'openid', '--redirect-uri', `${srv.url}/signin/callback.html`,
    '--db', srv.db, '--data-dir', srv.dataDir,
  ]);
  assert.equal(r.status, 0, r.stderr);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  });
}

// A page in a context of its own, watched for CSP violations, page errors, failed requests and
// HTTP errors on the site's own files (the API's refusals are part of the flows). check(…pages)
// asserts none happened (on the page and any other page of the context) and closes the context.
export async function openPage(browser, srv, viewport = PHONE) {
  const ctx = await browser.newContext({ viewport, locale: 'vi-VN', acceptDownloads: true });
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location().url || '';
    if (/\/(api\/v1|sso)\//.test(url) && /status of (400|401|403|404|409|413|415|422)\b/.test(m.text())) return;
    problems.push(`console error: ${m.text()} (${url})`);
  });
  page.on('requestfailed', (r) => {
    if (new URL(r.url()).origin === srv.url && !/ERR_ABORTED/.test(r.failure()?.errorText || '')) problems.push(`failed: ${r.url()}`);
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (r.status() >= 400 && u.origin === srv.url && !/^\/(api\/v1|sso)\//.test(u.pathname)) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await ctx.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const check = async (...pages) => {
    for (const p of [page, ...pages]) assert.deepEqual(await p.evaluate(() => window.__csp || []), [], 'CSP violations');
    assert.deepEqual(problems, []);
    await ctx.close();
  };
  return { ctx, page, check, problems };
}

// axe-core on the page as it is now: WCAG 2.1 A and AA rules, no serious or critical violation.
// The script is evaluated through the DevTools protocol, which the page's CSP does not govern.
export async function axe(page, name) {
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const serious = found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${name}: ${JSON.stringify(serious, null, 1)}`);
}

export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

export const ready = (page) => page.waitForSelector('body[data-ready="true"]');
export const text = async (page, sel) => (await page.locator(sel).innerText()).trim();

// A code not used yet, never the previous step's (it could leave the window while typed).
export async function codeToType(secret) {
  for (;;) {
    const code = await freshTotp(secret);
    if (code !== totpAt(secret, Math.floor(Date.now() / 30000) - 1)) return code;
  }
}

// An officer with a password and an enrolled authenticator: {…officer(), login, password, secret}.
export async function officerWithTotp(srv, name, role, area) {
  const password = 'mật khẩu cán bộ đủ dài';
  const o = officer(srv, name, role, area, password);
  const r = await login(srv, name, password);
  assert.equal(r.status, 403, r.text);
  const secret = await enrolTotp(srv, r.json().enrolment.session_token);
  return { ...o, login: name, password, secret };
}

// Follows the provider's pages from wherever the frame sent the browser: the login page
// (password, then the authenticator's code when `who.secret` is set), and the consent page the
// first time; ends on `home` with the page ready. `checkPages` runs axe-core on the login page,
// its code step and the consent page on the way.
export async function signIn(page, srv, who, home, checkPages = false) {
  await page.waitForURL(/\/login\.html\?next=%2Fsso%2Fauthorize/);
  if (checkPages) await axe(page, 'login page');
  await page.fill('#login', who.login);
  await page.fill('#password', who.password);
  await page.press('#password', 'Enter');
  if (who.secret) {
    await page.locator('#code-form').waitFor({ state: 'visible' });
    if (checkPages) await axe(page, 'login code step');
    await page.fill('#totp', await codeToType(who.secret));
    await page.press('#totp', 'Enter');
  }
  // The consent page comes only the first time the account signs in to the portal.
  const back = `${srv.url}${home}`;
  await page.waitForURL((u) => /\/sso\/consent\.html\?interaction=/.test(u.href) || u.href === back);
  if (page.url() !== back) {
    await page.waitForSelector('#consent-form:not([hidden])');
    if (checkPages) {
      await axe(page, 'consent page');
      await shot(page, 'sso-consent-portal-vi-phone');
    }
    await page.click('#approve');
    await page.waitForURL(back);
  }
  await ready(page);
}
