// services.test.mjs — online public services in Debian's chromium driven by playwright-core, on
// a server where the portal is the registered public client ddc_portal. A citizen signs in
// through the OpenID provider onto /services/, starts a paperless procedure (temporary absence),
// sees the register-filled values and types only the rest (a missing field is refused on the
// page and stores nothing), submits; an officer with the service-officer role receives and
// approves it (through the API); the citizen's page shows the result, which is in the wallet's
// Documents page, and the register holds the absence. Then one inter-agency bundle (death
// registration, residence deletion, funeral allowance) from the page to the register's change
// once every part is approved. The kiosk looks the dossier up by the code and the ID number read
// from a card QR; a kiosk that is not registered gives no ticket. A registered kiosk (its key
// entered on the set-up screen) prints tickets numbered by the server, identifies a citizen by
// the chip (the files a kiosk shell hands over by postMessage, made here with openssl, see
// ../api/chip_util.mjs), lists their dossiers and submits one with the register's values filled,
// answers an officer's request for more on it (a date typed wrong is refused next to its field),
// and finishes the session. Sign-in goes through frame_util.mjs. axe-core checks the pages; no
// CSP violation, page error or failed request for the site's own files happens.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ChipFactory } from '../api/chip_util.mjs';
import { call, citizen, count, officer, startIdentityServer } from '../api/identity_util.mjs';
import { LAPTOP, axe, frameBrowser, officerWithTotp, openPage as framePage, ready, signIn } from './frame_util.mjs';

const P = '56';
const NT = '22366';
const CR = '22420';
let srv;
let browser;
let chips;
const who = {};
let seq = 0;

before(async () => {
  chips = new ChipFactory();
  chips.makeCert('CSCA VN', { ca: true, days: 3650 });
  chips.makeCert('DS VN', { issuer: 'CSCA VN', days: 90 });
  srv = await startIdentityServer(['--card-csca', chips.trustStore('CSCA VN')]);
  browser = await frameBrowser(srv);
  who.admin = officer(srv, 'quantri', 'admin', P).token;
  who.officer = officer(srv, 'motcua', 'service-officer', P).token;
  for (const [id, name] of [['cong-an-56', 'Công an tỉnh Khánh Hòa'], ['ubnd-56', 'UBND tỉnh Khánh Hòa'], ['so-nv-56', 'Sở Nội vụ tỉnh Khánh Hòa']]) {
    const x = await call(srv, 'POST', '/api/v1/wallet/issuers', { as: who.admin, body: { id, name } });
    assert.equal(x.status, 201, x.text);
  }
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  chips?.remove();
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

// A page of the frame's helpers (laptop size) where window.print only counts.
async function openPage() {
  const o = await framePage(browser, srv, LAPTOP);
  await o.ctx.addInitScript(() => {
    window.print = () => { window.__printed = (window.__printed || 0) + 1; };
  });
  return o;
}

// Opens `path`, signs in through the provider as citizen c and comes back there.
async function citizenSignIn(page, c, path) {
  await page.goto(`${srv.url}${path}`);
  await signIn(page, srv, c, path);
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
  await citizenSignIn(page, c, '/services/');
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
  await ready(page);
  assert.equal(await page.locator(`li.doc[data-doc="${done.result_doc}"]`).count(), 1);
  assert.match(await page.locator(`li.doc[data-doc="${done.result_doc}"] h3`).innerText(), /Phiếu khai báo tạm vắng/);
  const person_ = (await call(srv, 'GET', `/api/v1/people/${p.id_number}`, { as: who.admin, headers: { 'X-Purpose': 'Thu nghiem' } })).json();
  assert.ok(person_.residences.some((x) => x.kind === 'absence' && x.commune === CR));
  await check();

  // The kiosk with the card's QR: the public lookup only.
  const k = await openPage();
  await k.page.goto(`${srv.url}/kiosk/`);
  await ready(k.page);
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
  // An unregistered kiosk gives no ticket.
  await k.page.click('#kiosk-ticket');
  await k.page.waitForSelector('#ticket-error');
  assert.equal(count(srv, 'SELECT COUNT(*) FROM service_tickets'), 0);
  await axe(k.page, 'kiosk');
  await k.check();
});

test('a registered kiosk: set up, the chip identifies the citizen, a dossier started with the register filled and supplemented when asked, tickets from the server', async () => {
  const reg = await call(srv, 'POST', '/api/v1/kiosks', { as: who.officer, body: { name: 'Ki-ốt Phường Nha Trang', commune: NT } });
  assert.equal(reg.status, 201, reg.text);
  const p = await person({ full_name: 'Võ Thị Mai', sex: 'female' });
  const k = await openPage();
  await k.page.goto(`${srv.url}/kiosk/?setup=1`);
  await ready(k.page);
  await k.page.click('#kiosk-setup-open');
  await k.page.fill('#ks-key', 'not a key');
  await k.page.click('#kiosk-setup button[type="submit"]');
  await k.page.waitForFunction(() => /không đúng dạng/.test(document.getElementById('kiosk-setup-result').textContent));
  await k.page.fill('#ks-key', reg.json().credential);
  await k.page.click('#kiosk-setup button[type="submit"]');
  await k.page.waitForFunction(() => /Đã lưu/.test(document.getElementById('kiosk-setup-result').textContent));
  await axe(k.page, 'kiosk set-up');
  await k.page.click('#kiosk-back');

  // Tickets: numbered by the server, printed.
  await k.page.click('#kiosk-ticket');
  await k.page.waitForSelector('#ticket-number');
  assert.equal(await k.page.locator('#ticket-number').innerText(), '001');
  await k.page.click('#ticket-print');
  assert.equal(await k.page.evaluate(() => window.__printed), 1);
  await k.page.click('#kiosk-back');
  await k.page.click('#kiosk-ticket');
  await k.page.waitForSelector('#ticket-number');
  assert.equal(await k.page.locator('#ticket-number').innerText(), '002');
  assert.match(await k.page.locator('#ticket-ahead').innerText(), /1/);
  await k.page.click('#kiosk-back');

  // The chip: the page asks the kiosk shell, which answers with the files its reader read.
  await k.page.evaluate(() => {
    window.__wanted = 0;
    window.addEventListener('message', (e) => { if (e.data?.type === 'dd-kiosk-chip-wanted') window.__wanted++; });
  });
  await k.page.click('#kiosk-chip');
  await k.page.waitForFunction(() => window.__wanted === 1);
  const body = chips.chipBody(p, 'DS VN');
  await k.page.evaluate((b) => window.postMessage({ type: 'dd-kiosk-chip', ...b }, location.origin), body);
  await k.page.waitForFunction(() => /Xin chào Võ Thị Mai/.test(document.getElementById('kiosk-title')?.textContent || ''));
  await axe(k.page, 'kiosk with a chip session');
  await k.page.click('#kiosk-mine');
  await k.page.waitForFunction(() => /Chưa có hồ sơ/.test(document.getElementById('kiosk-dossiers')?.textContent || ''));
  await k.page.click('#kiosk-back');
  await k.page.click('#kiosk-procedures-open');
  await k.page.click('button[data-start="2.001159"]');
  await k.page.waitForSelector('#kiosk-apply');
  assert.match(await k.page.locator('#kiosk-filled').innerText(), /Võ Thị Mai/);
  assert.equal(await k.page.locator('#kf-full_name').count(), 0, 'a register field is not typed');
  await k.page.fill('#kf-province', P);
  await k.page.fill('#kf-commune', NT);
  await k.page.fill('#kf-until', '2027-01-31');
  await k.page.click('#kiosk-apply-submit');
  await k.page.waitForSelector('#kf-address[aria-invalid="true"]');
  assert.equal(count(srv, `SELECT COUNT(*) FROM service_dossiers WHERE applicant_id = '${p.id_number}'`), 0);
  await k.page.fill('#kf-address', '1 Yersin');
  await k.page.click('#kiosk-apply-submit');
  await k.page.waitForSelector('#kiosk-dossier-code');
  const code = await k.page.locator('#kiosk-dossier-code').innerText();
  assert.equal(count(srv, `SELECT COUNT(*) FROM service_dossiers WHERE code = '${code}' AND channel = 'kiosk' AND applicant_id = '${p.id_number}'`), 1);
  await k.page.click('#kiosk-receipt-print');
  assert.equal(await k.page.evaluate(() => window.__printed), 2);
  await k.page.click('#kiosk-back');
  await k.page.click('#kiosk-mine');
  await k.page.waitForSelector(`#kiosk-dossiers li[data-code="${code}"]`);
  await k.page.click('#kiosk-back');

  // The officer asks for more; the citizen answers at the kiosk, with the dossier's values shown.
  const ask = await asOfficer('POST', `/api/v1/dossiers/${code}/actions`, { action: 'ask-more', note: 'Ghi rõ số nhà' });
  assert.equal(ask.status, 200, ask.text);
  await k.page.click('#kiosk-mine');
  await k.page.waitForSelector(`#kiosk-supplement-${code}`);
  assert.match(await k.page.locator(`#kiosk-dossiers li[data-code="${code}"]`).innerText(), /Ghi rõ số nhà/);
  await k.page.click(`#kiosk-supplement-${code}`);
  await k.page.waitForSelector('#kiosk-supplement');
  assert.equal(await k.page.inputValue('#kf-address'), '1 Yersin');
  await axe(k.page, 'kiosk supplement');
  // A date that is not one is refused next to its field, and nothing changes.
  await k.page.fill('#kf-until', '');
  await k.page.locator('#kf-until').evaluate((e) => { e.type = 'text'; e.value = '31/01/2027'; });
  await k.page.click('#kiosk-supplement-submit');
  await k.page.waitForSelector('#kf-until[aria-invalid="true"]');
  assert.equal(count(srv, `SELECT COUNT(*) FROM service_dossiers WHERE code = '${code}' AND status = 'more-info'`), 1);
  await k.page.locator('#kf-until').evaluate((e) => { e.value = '2027-02-28'; });
  await k.page.fill('#kf-address', '1A Yersin');
  await k.page.click('#kiosk-supplement-submit');
  await k.page.waitForFunction(() => /Đã bổ sung/.test(document.getElementById('kiosk-supplement-result').textContent));
  const back = (await asOfficer('GET', `/api/v1/dossiers/${code}`)).json();
  assert.equal(back.status, 'submitted');
  assert.equal(back.form.address, '1A Yersin');
  assert.equal(back.form.until, '2027-02-28');
  assert.equal(back.form.full_name, 'Võ Thị Mai');
  await k.page.click('#kiosk-back');
  await k.page.click('#kiosk-finish');
  await k.page.waitForSelector('#kiosk-chip');
  assert.equal(count(srv, `SELECT COUNT(*) FROM service_kiosk_sessions WHERE id_number = '${p.id_number}' AND ended_at > 0`), 1);
  await k.check();
});

test('an inter-agency bundle: death registration, residence deletion and funeral allowance', async () => {
  const p = await person({ full_name: 'Lê Thị Hạnh', sex: 'female' });
  const dead = await person({ full_name: 'Lê Văn Tư' });
  const c = await citizen(srv, { person: p });
  const { page, check } = await openPage();
  await citizenSignIn(page, c, '/services/?procedure=1.010802');
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

test('the officer console: the dossiers of the area, one opened, refused without a note, accepted and approved', async () => {
  const o = await officerWithTotp(srv, 'motcua.web', 'service-officer', P);
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
  await signIn(page, srv, o, '/officer/dossiers.html');
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
  assert.equal(count(srv, `SELECT COUNT(*) FROM service_dossier_log l JOIN service_dossiers d ON d.id = l.dossier_id WHERE l.action = 'ask-more' AND d.code = '${code}'`), 0);
  await page.click('button[data-action="accept"]');
  await page.waitForSelector('button[data-action="approve"]');
  await page.click('button[data-action="approve"]');
  await page.waitForFunction((c) => /Đã có kết quả/.test(document.querySelector(`#dossiers tr[data-code="${c}"]`)?.textContent || ''), code);
  const d = (await asOfficer('GET', `/api/v1/dossiers/${code}`)).json();
  assert.equal(d.status, 'approved');
  assert.ok(d.result_doc);
  // The queue of Phường Cam Ranh: one ticket from its kiosk, called once; then nobody waits.
  const kiosk = (await call(srv, 'POST', '/api/v1/kiosks', { as: who.officer, body: { name: 'Ki-ốt Cam Ranh', commune: CR } })).json();
  const tk = await call(srv, 'POST', '/api/v1/kiosk/tickets', { body: {}, headers: { 'X-Kiosk-Key': kiosk.credential } });
  assert.equal(tk.status, 201, tk.text);
  await page.fill('#q-commune', CR);
  await page.click('#queue-next');
  await page.waitForFunction(() => /Mời số 001/.test(document.getElementById('queue-called').textContent));
  // The waiting count is refreshed after the call: wait for it rather than read it at once.
  await page.waitForFunction(() => /Đang chờ: 0/.test(document.getElementById('queue-waiting').textContent));
  assert.match(await page.locator('#queue-waiting').innerText(), /Đang chờ: 0/);
  assert.equal(count(srv, `SELECT COUNT(*) FROM service_tickets WHERE commune = '${CR}' AND status = 'called'`), 1);
  await page.click('#queue-next');
  await page.waitForFunction(() => /Không có ai/.test(document.getElementById('queue-called').textContent));
  await axe(page, 'officer dossiers with the queue');
  await check();
});
