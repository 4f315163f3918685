// leader_services.test.mjs — the leaders' page of online public services (/leader/services.html)
// in Debian's chromium: a leader signs in through the provider (password and authenticator, the
// frame's helpers), sees the key numbers and the table by procedure of dossiers submitted,
// approved on time and rated through the API, the queue tickets of a kiosk, narrows the period
// to one with no dossier, and downloads the table as CSV. axe-core checks the page; no CSP
// violation, page error or failed request for the site's own files happens.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { call, citizen, officer, session, startIdentityServer } from '../api/identity_util.mjs';
import { DESK, axe, frameBrowser, officerWithTotp, openPage, ready, shot, signIn } from './frame_util.mjs';

const P = '56';
const NT = '22366';
let srv;
let browser;
let leader;
const who = {};

const asOfficer = (method, p, body) =>
  call(srv, method, p, { as: who.officer, body, headers: { 'X-Purpose': 'Giai quyet ho so' } });

before(async () => {
  srv = await startIdentityServer();
  browser = await frameBrowser(srv);
  who.admin = officer(srv, 'quantri', 'admin', P).token;
  who.officer = officer(srv, 'motcua', 'service-officer', P).token;
  leader = await officerWithTotp(srv, 'lanhdao.web', 'leader', P);
  const issuer = await call(srv, 'POST', '/api/v1/wallet/issuers', { as: who.admin, body: { id: 'cong-an-56', name: 'Công an tỉnh Khánh Hòa' } });
  assert.equal(issuer.status, 201, issuer.text);
  // Three dossiers of stay notification (2.001159) by two citizens: one approved on time and
  // rated 4, one refused and rated 2, one still submitted; one temporary absence (1.003677).
  const people = [];
  for (const [n, full_name] of [[1, 'Phan Văn Hải'], [2, 'Đỗ Thị Yến']]) {
    const body = {
      id_number: `0560880${String(70000 + n * 13 + Math.floor(Math.random() * 9)).padStart(5, '0')}`,
      full_name, birth_date: '1988-06-01', sex: 'male', permanent_province: P, permanent_commune: NT,
      permanent_address: '3 Thái Nguyên', reason: 'Đăng ký khai sinh', legal_basis: 'Luật Hộ tịch 2014',
    };
    const r = await call(srv, 'POST', '/api/v1/people', { as: who.admin, body, headers: { 'X-Purpose': 'Thu nghiem' } });
    assert.equal(r.status, 201, r.text);
    const c = await citizen(srv, { person: { id_number: body.id_number, full_name, birth_date: body.birth_date } });
    people.push((await session(srv, c.login, c.password)).token);
  }
  const submit = async (token, procedure, address) => {
    const r = await call(srv, 'POST', '/api/v1/me/dossiers', { as: token, body: { procedure, form: { province: P, commune: NT, address, until: '2027-01-31' } } });
    assert.equal(r.status, 201, r.text);
    return r.json().code;
  };
  const a = await submit(people[0], '2.001159', '1 Yersin');
  const b = await submit(people[1], '2.001159', '2 Yersin');
  await submit(people[1], '2.001159', '3 Yersin');
  await submit(people[0], '1.003677', '4 Yersin');
  let d = (await asOfficer('POST', `/api/v1/dossiers/${a}/actions`, { action: 'accept' })).json();
  while (d.step < d.step_count - 1) d = (await asOfficer('POST', `/api/v1/dossiers/${a}/actions`, { action: 'advance' })).json();
  assert.equal((await asOfficer('POST', `/api/v1/dossiers/${a}/actions`, { action: 'approve' })).status, 200);
  assert.equal((await asOfficer('POST', `/api/v1/dossiers/${b}/actions`, { action: 'refuse', note: 'Sai địa chỉ' })).status, 200);
  assert.equal((await call(srv, 'POST', `/api/v1/me/dossiers/${a}/ratings`, { as: people[0], body: { score: 4 } })).status, 201);
  assert.equal((await call(srv, 'POST', `/api/v1/me/dossiers/${b}/ratings`, { as: people[1], body: { score: 2 } })).status, 201);
  const kiosk = (await call(srv, 'POST', '/api/v1/kiosks', { as: who.officer, body: { name: 'Ki-ốt', commune: NT } })).json();
  for (let i = 0; i < 3; i++) {
    const r = await call(srv, 'POST', '/api/v1/kiosk/tickets', { body: {}, headers: { 'X-Kiosk-Key': kiosk.credential } });
    assert.equal(r.status, 201, r.text);
  }
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

const kpi = async (page, id) => (await page.locator(`#${id} .kpi-value`).innerText()).replace(/\D/g, '');

test('per procedure totals, statuses, on-time rate and satisfaction; a period; the CSV export', async () => {
  const { page, check } = await openPage(browser, srv, DESK);
  await page.goto(`${srv.url}/leader/services.html`);
  await signIn(page, srv, leader, '/leader/services.html');
  assert.equal(await page.locator('nav a[aria-current="page"]').getAttribute('href'), '/leader/services.html');
  assert.equal(await kpi(page, 'kpi-dossiers'), '4');
  assert.equal(await kpi(page, 'kpi-on-time'), '2'); // the approval and the refusal, both in time
  assert.equal(await kpi(page, 'kpi-tickets'), '3');
  const stay = page.locator('#svc-table tbody tr', { hasText: '2.001159' });
  const cells = await stay.locator('td').allInnerTexts();
  // code, name, total, awaiting-payment, submitted, received, more-info, processing, approved,
  // refused, on time, late, on-time rate, ratings, satisfaction
  assert.deepEqual([cells[0], cells[2], cells[4], cells[8], cells[9], cells[10], cells[11], cells[12], cells[13], cells[14]],
    ['2.001159', '3', '1', '1', '1', '2', '0', '100 %', '2', '3.00']);
  assert.match(await page.locator('#svc-rates').innerText(), /Tỉ lệ đúng hạn: 100 %.*Mức hài lòng: 3\.00/);
  await axe(page, 'leader services');
  await shot(page, 'leader-services-desk');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-services-csv')]);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  const lines = csv.trim().split('\r\n');
  assert.equal(lines[0], 'procedure,name,total,awaiting-payment,submitted,received,more-info,processing,approved,refused,on_time,late,on_time_rate,ratings,satisfaction');
  assert.ok(lines.includes('2.001159,Thông báo lưu trú,3,0,1,0,0,0,1,1,2,0,1.000,2,3.00'), csv);
  assert.equal(lines.length, 3);

  // A period with no dossier.
  await page.fill('#p-from', '2020-01-01');
  await page.fill('#p-to', '2020-01-31');
  await page.click('#svc-period button[type="submit"]');
  await page.waitForURL(/from=2020-01-01&to=2020-01-31/);
  await ready(page);
  assert.equal(await kpi(page, 'kpi-dossiers'), '0');
  assert.equal(await page.locator('#svc-table tbody tr').count(), 0);
  await check();
});
