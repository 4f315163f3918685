// card_api.test.mjs — the chip ID card API for kiosks and counters on the real binary, on SQLite
// or PostgreSQL (DD_TEST_DB): a card's QR text matched against a person of the demo register
// (every field agreeing, then a field that does not), the person's access-log row that each
// lookup writes, the caller's area (a commune officer elsewhere gets no match and writes
// nothing), and the files of a chip (the BSI reference EF.SOD and DG1) verified with hashes and
// signature valid and the chain not checked for want of a trust store. Every bad input (not
// JSON, missing or unknown fields, bad base64, a file or a body too large, no purpose, a QR or EF.SOD that does
// not parse) is checked to have written nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { count, sql } from './identity_util.mjs';
import { ROOT, assertProblem, freshDb, raw, runCli, sleep, startServer, tempDir } from './server.mjs';

const BSI = path.join(ROOT, 'tests/data/emrtd/bsi');
const b64 = (name) => fs.readFileSync(path.join(BSI, name)).toString('base64');

let srv;
let db;
const tokens = {};
let person; // a living demo person outside Phường Bắc Nha Trang, with a full date of birth

function token(user) {
  const t = runCli(['token', '--user', user, '--db', db]);
  assert.equal(t.status, 0, t.stderr);
  return t.stdout.trim();
}

async function post(who, p, body, { purpose = 'Xác thực thẻ tại quầy', headers = {} } = {}) {
  const h = { Authorization: `Bearer ${tokens[who]}`, 'Content-Type': 'application/json', ...headers };
  if (purpose) h['X-Purpose'] = encodeURIComponent(purpose);
  return srv.request('POST', p, { headers: h, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

const accessRows = () => count(srv, 'SELECT COUNT(*) FROM access_log');

// Reads' access-log rows are written a few milliseconds after the reply: waits until the table
// stops growing.
async function settledAccess() {
  let last = -1;
  let same = 0;
  for (let i = 0; i < 200 && same < 3; i++) {
    const n = accessRows();
    same = n === last ? same + 1 : 0;
    last = n;
    await sleep(25);
  }
  return last;
}

// The card's QR text for a person: DDMMYYYY dates, "Nam"/"Nữ".
function qrOf(p, over = {}) {
  const f = { ...p, ...over };
  const dmy = (d) => `${d.slice(8, 10)}${d.slice(5, 7)}${d.slice(0, 4)}`;
  const sex = f.sex === 'male' ? 'Nam' : 'Nữ';
  return [f.id_number, f.old_id_number || '', f.full_name, dmy(f.birth_date), sex, f.address, dmy('2021-06-01')].join('|');
}

before(async () => {
  db = freshDb();
  const out = runCli(['demo', '--people', '60', '--seed', '7', '--db', db], { timeout: 120000 });
  assert.equal(out.status, 0, `demo failed:\n${out.stdout}\n${out.stderr}`);
  srv = await startServer({ db });
  tokens.admin = token('admin');
  tokens.xa = token('cand.bacnhatrang'); // commune police of 22333
  const row = sql(
    srv,
    "SELECT id_number || '|' || full_name || '|' || birth_date || '|' || sex || '|' || old_id_number || '|' || " +
      "permanent_address FROM people WHERE status = 'alive' AND length(birth_date) = 10 AND " +
      "birth_date < '2005-01-01' AND permanent_commune <> '22333' AND (temporary_commune IS NULL OR " +
      "temporary_commune <> '22333') AND household_id IN (SELECT id FROM households WHERE commune_code <> '22333') " +
      'ORDER BY id_number LIMIT 1',
  );
  assert.ok(row, 'no suitable demo person');
  const [id_number, full_name, birth_date, sex, old_id_number, address] = row.split('|');
  person = { id_number, full_name, birth_date, sex, old_id_number, address };
});
after(async () => {
  await srv?.stop();
});

describe('POST /api/v1/card/qr', () => {
  test('a QR matching a demo person: parsed fields, every field matching, one access-log row', async () => {
    const before = await settledAccess();
    const r = await post('admin', '/api/v1/card/qr', { qr: qrOf(person) });
    assert.equal(r.status, 200, r.text);
    const b = r.json();
    assert.equal(b.qr.id_number, person.id_number);
    assert.equal(b.qr.birth_date, person.birth_date);
    assert.equal(b.qr.sex, person.sex);
    assert.equal(b.qr.issue_date, '2021-06-01');
    assert.equal(b.register.found, true);
    assert.equal(b.register.person.id_number, person.id_number);
    assert.equal(b.register.person.full_name, person.full_name);
    assert.equal(b.register.all_match, true);
    for (const f of ['full_name', 'birth_date', 'sex']) assert.equal(b.register.fields[f].result, 'match', f);
    assert.equal(b.register.fields.old_id_number.result, person.old_id_number ? 'match' : 'not_on_card');
    assert.equal(b.register.fields.address.result, 'informational');
    assert.equal(await settledAccess(), before + 1);
    const log = sql(
      srv,
      `SELECT action || '|' || data || '|' || purpose || '|' || actor FROM access_log WHERE id_number = '${person.id_number}' ORDER BY id DESC LIMIT 1`,
    );
    assert.match(log, /^read\|card\|Xác thực thẻ tại quầy\|officer:\d+$/);
  });

  test('the name is compared as the register folds it: capitals and no diacritics still match', async () => {
    const plain = person.full_name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'D').toUpperCase();
    const r = await post('admin', '/api/v1/card/qr', { qr: qrOf(person, { full_name: plain }) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().register.fields.full_name.result, 'match');
  });

  test('a QR with another name: that field mismatches, the others match, the read is still logged', async () => {
    const before = await settledAccess();
    const r = await post('admin', '/api/v1/card/qr', { qr: qrOf(person, { full_name: 'Trần Thị Khác' }) });
    assert.equal(r.status, 200, r.text);
    const reg = r.json().register;
    assert.equal(reg.found, true);
    assert.equal(reg.all_match, false);
    assert.equal(reg.fields.full_name.result, 'mismatch');
    assert.equal(reg.fields.full_name.card, 'Trần Thị Khác');
    assert.equal(reg.fields.full_name.register, person.full_name);
    assert.equal(reg.fields.birth_date.result, 'match');
    assert.equal(reg.fields.sex.result, 'match');
    assert.equal(await settledAccess(), before + 1);
  });

  test('the old ID number: absent from the card is not_on_card, another one is a mismatch', async () => {
    let r = await post('admin', '/api/v1/card/qr', { qr: qrOf(person, { old_id_number: '' }) });
    assert.equal(r.status, 200, r.text);
    let f = r.json().register.fields.old_id_number;
    assert.equal(f.result, 'not_on_card');
    assert.equal('card' in f, false);
    assert.equal(r.json().register.all_match, true);
    const other = person.old_id_number === '123456789' ? '987654321' : '123456789';
    r = await post('admin', '/api/v1/card/qr', { qr: qrOf(person, { old_id_number: other }) });
    f = r.json().register.fields.old_id_number;
    assert.equal(f.result, 'mismatch');
    assert.equal(f.card, other);
    assert.equal(r.json().register.all_match, false);
  });

  test('a person outside the caller\'s commune is no match, and nothing is logged', async () => {
    const before = await settledAccess();
    const r = await post('xa', '/api/v1/card/qr', { qr: qrOf(person) });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json().register, { found: false });
    assert.equal(await settledAccess(), before);
  });

  test('bad input is 400 or 422 with a stable type and writes nothing', async () => {
    const before = await settledAccess();
    const people = count(srv, 'SELECT COUNT(*) FROM people');
    assertProblem(await post('admin', '/api/v1/card/qr', '{"qr": '), 400, 'invalid-json');
    let b = assertProblem(await post('admin', '/api/v1/card/qr', {}), 400, 'validation-failed');
    assert.deepEqual(b.errors.map((e) => [e.field, e.code]), [['qr', 'required']]);
    b = assertProblem(await post('admin', '/api/v1/card/qr', { qr: 5, extra: 1 }), 400, 'validation-failed');
    assert.deepEqual(b.errors.map((e) => [e.field, e.code]).sort(), [['extra', 'unknown-field'], ['qr', 'not-a-string']]);
    b = assertProblem(await post('admin', '/api/v1/card/qr', { qr: 'x'.repeat(2000) }), 400, 'validation-failed');
    assert.equal(b.errors[0].code, 'too-long');
    assertProblem(await post('admin', '/api/v1/card/qr', ['qr']), 400, 'validation-failed');
    assertProblem(await post('admin', '/api/v1/card/qr', { qr: qrOf(person) }, { purpose: '' }), 400, 'validation-failed');
    assertProblem(await post('admin', '/api/v1/card/qr', 'x'.repeat(20000)), 413, 'payload-too-large');
    b = assertProblem(await post('admin', '/api/v1/card/qr', { qr: `${qrOf(person)}|extra` }), 422, 'card-qr-invalid');
    assert.equal(b.field, 'qr');
    assert.match(b.reason, /8 fields/);
    b = assertProblem(await post('admin', '/api/v1/card/qr', { qr: qrOf(person, { birth_date: '1990-02-30' }) }), 422, 'card-qr-invalid');
    assert.equal(b.field, 'birth_date');
    assert.equal(await settledAccess(), before);
    assert.equal(count(srv, 'SELECT COUNT(*) FROM people'), people);
  });

  test('callers without register:read are refused', async () => {
    const r = await srv.request('POST', '/api/v1/card/qr', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ qr: qrOf(person) }),
    });
    assertProblem(r, 401, 'unauthenticated');
  });
});

describe('POST /api/v1/card/chip', () => {
  test('the BSI reference files: hashes and signature valid, chain not checked without a trust store', async () => {
    const before = await settledAccess();
    const r = await post('admin', '/api/v1/card/chip', { sod: b64('EF.SOD'), dg: { 1: b64('DG1'), 14: b64('DG14') } });
    assert.equal(r.status, 200, r.text);
    const b = r.json();
    assert.equal(b.report.ok, false);
    assert.equal(b.report.checks.sod.result, 'pass');
    assert.equal(b.report.checks.hashes.result, 'pass');
    assert.equal(b.report.checks.signature.result, 'pass');
    assert.equal(b.report.checks.chain.result, 'not_checked');
    assert.match(b.report.checks.chain.detail, /no CSCA trust store/);
    const dgs = Object.fromEntries(b.report.data_groups.map((d) => [d.dg, d.status]));
    assert.equal(dgs[1], 'match');
    assert.equal(dgs[14], 'match');
    assert.equal(dgs[2], 'not_read');
    assert.equal(b.report.document_signer.serial, '0142FD5CF927');
    // DG1's MRZ: the German specimen passport, not a Vietnamese card: no register lookup.
    assert.equal(b.dg1.valid, true);
    assert.equal(b.dg1.surname, 'MUSTERMANN');
    assert.equal(b.dg1.given_names, 'ERIKA');
    assert.deepEqual(b.register, { found: false });
    assert.equal(await settledAccess(), before);
  });

  test('a tampered DG1 and a wrong signature are reported as such', async () => {
    let r = await post('admin', '/api/v1/card/chip', { sod: b64('EF.SOD'), dg: { 1: b64('DG1.tampered') } });
    assert.equal(r.status, 200, r.text);
    let b = r.json();
    assert.equal(b.report.checks.hashes.result, 'fail');
    assert.equal(b.report.data_groups.find((d) => d.dg === 1).status, 'mismatch');
    assert.equal(b.report.checks.signature.result, 'pass');
    r = await post('admin', '/api/v1/card/chip', { sod: b64('EF.SOD.badsig'), dg: { 1: b64('DG1') } });
    b = r.json();
    assert.equal(b.report.checks.hashes.result, 'pass');
    assert.equal(b.report.checks.signature.result, 'fail');
  });

  test('bad input is 400 or 422 with a stable type and writes nothing', async () => {
    const before = await settledAccess();
    const chip = (body) => post('admin', '/api/v1/card/chip', body);
    assertProblem(await chip('not json'), 400, 'invalid-json');
    let b = assertProblem(await chip({}), 400, 'validation-failed');
    assert.deepEqual(b.errors.map((e) => [e.field, e.code]), [['sod', 'required'], ['dg', 'required']]);
    b = assertProblem(await chip({ sod: 'not base64!', dg: { 1: 'QUJD=', 17: b64('DG1'), x: 'AA==' } }), 400, 'validation-failed');
    assert.deepEqual(b.errors.map((e) => [e.field, e.code]).sort(), [
      ['dg.1', 'not-base64'], ['dg.17', 'unknown-data-group'], ['dg.x', 'unknown-data-group'], ['sod', 'not-base64'],
    ]);
    b = assertProblem(await chip({ sod: b64('EF.SOD'), dg: [] }), 400, 'validation-failed');
    assert.deepEqual(b.errors.map((e) => [e.field, e.code]), [['dg', 'not-an-object']]);
    // A file past 48 KiB: its base64 is a string longer than the JSON parser takes.
    assertProblem(await chip({ sod: b64('EF.SOD'), dg: { 2: 'A'.repeat(70000) } }), 400, 'invalid-json');
    b = assertProblem(await chip({ sod: b64('EF.SOD'), dg: {}, face: 1 }), 400, 'validation-failed');
    assert.deepEqual(b.errors.map((e) => [e.field, e.code]), [['face', 'unknown-field']]);
    b = assertProblem(await chip({ sod: Buffer.from('not a SOD at all').toString('base64'), dg: { 1: b64('DG1') } }), 422, 'card-sod-invalid');
    assert.equal(b.field, 'sod');
    assert.ok(b.reason.length > 0);
    assertProblem(await post('admin', '/api/v1/card/chip', { sod: b64('EF.SOD'), dg: {} }, { purpose: '' }), 400, 'validation-failed');
    // A body declared over 1 MiB is refused before it arrives.
    const big = await raw(
      srv.port,
      `POST /api/v1/card/chip HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${tokens.admin}\r\n` +
        'X-Purpose: kiosk\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\nConnection: close\r\n\r\n{',
      { timeout: 5000 },
    );
    assert.equal(big.status, 413, big.text.slice(0, 300));
    assert.match(big.text, /urn:dinhdanh:problem:payload-too-large/);
    assert.equal(await settledAccess(), before);
  });
});

describe('the setting card-csca', () => {
  test('a trust store given: the chain is checked against it (the BSI signer is not under the ETSI CSCA)', async () => {
    const other = await startServer({ db, args: ['--card-csca', path.join(ROOT, 'tests/data/emrtd/etsi')] });
    try {
      const r = await other.request('POST', '/api/v1/card/chip', {
        headers: { Authorization: `Bearer ${tokens.admin}`, 'X-Purpose': 'kiosk', 'Content-Type': 'application/json' },
        body: JSON.stringify({ sod: b64('EF.SOD'), dg: { 1: b64('DG1') } }),
      });
      assert.equal(r.status, 200, r.text);
      const chain = r.json().report.checks.chain;
      assert.equal(chain.result, 'fail');
      assert.match(chain.detail, /local issuer/);
      assert.equal(r.json().report.checks.signature.result, 'pass');
    } finally {
      await other.stop();
    }
  });

  test('a path without certificates stops the server from starting', () => {
    const dataDir = tempDir('data');
    const r = runCli(['serve', '--db', db, '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--card-csca',
      path.join(ROOT, 'tests/data/emrtd/none')]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /card-csca/);
  });
});
