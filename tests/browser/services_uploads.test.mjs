// services_uploads.test.mjs — a scan uploaded from the citizen's submit form, in Debian's chromium
// driven by playwright-core. A level-2 citizen opens a procedure that is not paperless (land-use
// change) on /services/: the form offers a file input for its required document. A file that is
// not a PDF, JPEG or PNG (whatever its name says) is refused next to the input, storing nothing;
// a PDF is uploaded and the dossier submitted with it; the officer of the area downloads the same
// bytes through the API. The officer then asks for more: the dossier's supplement form offers a
// file input per document, and a PNG sent with it is attached to the dossier as its second
// document, which the officer downloads; the officers' console lists both documents and
// downloads one, written to the applicant's access log. Sign-in goes through frame_util.mjs; axe-core checks the form; no CSP
// violation, page error or failed request for the site's own files happens.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { call, citizen, count, officer, startIdentityServer } from '../api/identity_util.mjs';
import { LAPTOP, axe, frameBrowser, officerWithTotp, openPage, signIn } from './frame_util.mjs';

const P = '56';
const NT = '22366';
let srv;
let browser;
const who = {};

before(async () => {
  srv = await startIdentityServer();
  browser = await frameBrowser(srv);
  who.admin = officer(srv, 'quantri', 'admin', P).token;
  who.police = officer(srv, 'congan', 'commune-police', `${P}-${NT}`).token;
  who.officer = officer(srv, 'motcua', 'service-officer', P).token;
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('the submit form of a procedure with documents uploads a scan and refuses a file that is not one; a supplement attaches another', async () => {
  const person = {
    id_number: `056085${String(400000 + Math.floor(Math.random() * 99999)).padStart(6, '0')}`,
    full_name: 'Phạm Văn Lâm', birth_date: '1985-03-02', sex: 'male', permanent_province: P, permanent_commune: NT,
    permanent_address: '21 Thái Nguyên', reason: 'Đăng ký khai sinh', legal_basis: 'Luật Hộ tịch 2014',
  };
  let r = await call(srv, 'POST', '/api/v1/people', { as: who.admin, body: person, headers: { 'X-Purpose': 'Thu nghiem' } });
  assert.equal(r.status, 201, r.text);
  const c = await citizen(srv, { person });
  r = await call(srv, 'POST', `/api/v1/accounts/${c.account.id}/level-2`, { as: who.police, body: { card_check: 'manual', face_check: 'manual' } });
  assert.equal(r.status, 200, r.text);

  const { page, check } = await openPage(browser, srv, LAPTOP);
  await page.goto(`${srv.url}/services/?procedure=1.004227`);
  await signIn(page, srv, c, '/services/?procedure=1.004227');
  await page.waitForSelector('#apply-form');
  const input = page.locator('#d-file-land-certificate');
  assert.equal(await input.getAttribute('type'), 'file');
  assert.match(await input.getAttribute('accept'), /application\/pdf/);
  await axe(page, 'services-form-upload');
  await page.fill('#f-parcel', 'Tờ 8, thửa 112');

  // A GIF named .pdf: refused by its content, said next to the input; nothing stored.
  await input.setInputFiles({ name: 'so-do.pdf', mimeType: 'application/pdf', buffer: Buffer.from('GIF89a not a pdf') });
  await page.click('#apply-submit');
  await page.waitForSelector('#d-file-land-certificate[aria-invalid="true"]');
  assert.match(await page.locator('#d-file-land-certificate-error').innerText(), /PDF, JPEG hoặc PNG/);
  assert.equal(count(srv, 'SELECT COUNT(*) FROM service_uploads'), 0);
  assert.equal(count(srv, 'SELECT COUNT(*) FROM service_dossiers'), 0);

  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(3000)]);
  await input.setInputFiles({ name: 'so-do.pdf', mimeType: 'application/pdf', buffer: pdf });
  await page.click('#apply-submit');
  await page.waitForSelector('#my-dossiers li[data-status="submitted"]');
  const code = (await page.locator('#my-dossiers li h3').first().innerText()).split(' ')[0];
  const d = (await call(srv, 'GET', `/api/v1/dossiers/${code}`, { as: who.officer, headers: { 'X-Purpose': 'Giai quyet ho so' } })).json();
  assert.equal(d.documents.length, 1);
  assert.equal(d.documents[0].kind, 'land-certificate');
  assert.ok(Number.isInteger(d.documents[0].upload));
  r = await call(srv, 'GET', `/api/v1/dossiers/${code}/documents/0`, { as: who.officer, headers: { 'X-Purpose': 'Giai quyet ho so' } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, pdf);
  assert.equal(count(srv, 'SELECT COUNT(*) FROM service_uploads'), 1);

  // Asked for more, the citizen answers with a new scan from the dossier's supplement form.
  r = await call(srv, 'POST', `/api/v1/dossiers/${code}/actions`, { as: who.officer, body: { action: 'ask-more', note: 'Bản quét mờ' }, headers: { 'X-Purpose': 'Giai quyet ho so' } });
  assert.equal(r.status, 200, r.text);
  await page.reload();
  await page.waitForSelector(`#supplement-${code}`);
  const more = page.locator(`#s-${code}-file-land-certificate`);
  assert.equal(await more.getAttribute('type'), 'file');
  await axe(page, 'services-supplement-upload');
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(2500)]);
  await more.setInputFiles({ name: 'so-do-ro.png', mimeType: 'image/png', buffer: png });
  await page.click(`#supplement-${code} button[type=submit]`);
  await page.waitForSelector(`#dossier-${code}[data-status="submitted"]`);
  const after = (await call(srv, 'GET', `/api/v1/dossiers/${code}`, { as: who.officer, headers: { 'X-Purpose': 'Giai quyet ho so' } })).json();
  assert.equal(after.documents.length, 2);
  assert.equal(after.documents[1].kind, 'land-certificate');
  r = await call(srv, 'GET', `/api/v1/dossiers/${code}/documents/1`, { as: who.officer, headers: { 'X-Purpose': 'Giai quyet ho so' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers['content-type'], 'image/png');
  assert.deepEqual(r.body, png);
  assert.equal(count(srv, 'SELECT COUNT(*) FROM service_uploads'), 2);
  await check();

  // The officer's console lists both documents by their kind's name and downloads the second.
  const o = await officerWithTotp(srv, 'motcua.web', 'service-officer', P);
  const desk = await openPage(browser, srv, LAPTOP);
  await desk.page.goto(`${srv.url}/officer/dossiers.html`);
  await signIn(desk.page, srv, o, '/officer/dossiers.html');
  await desk.page.click(`button[data-open="${code}"]`);
  await desk.page.waitForSelector('#dossier-documents');
  const listed = await desk.page.locator('#dossier-documents li').allInnerTexts();
  assert.equal(listed.length, 2);
  assert.ok(listed.every((x) => /Bản gốc Giấy chứng nhận đã cấp/.test(x)), listed.join(' | '));
  await axe(desk.page, 'officer dossier documents');
  const [download] = await Promise.all([desk.page.waitForEvent('download'), desk.page.click('#doc-1')]);
  assert.equal(download.suggestedFilename(), `${code}-2.png`);
  assert.deepEqual(await fs.readFile(await download.path()), png);
  // Three downloads by officers in all (two through the API above), each logged; the read log is
  // written in batches, so wait for it.
  const logged = () => count(srv, `SELECT COUNT(*) FROM access_log WHERE data = 'document'`);
  for (let i = 0; i < 50 && logged() < 3; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(logged(), 3);
  await desk.check();
});
