// card_cli.test.mjs — `dinhdanh card mrz|qr|verify` from the outside: the JSON printed, the exit
// status (0 valid, 1 not valid with the reason on stderr, 2 bad usage). For `verify`, a CSCA → DS
// → EF.SOD chain is made here with the openssl command line (the SOD signed by `openssl cms
// -sign -econtent_type 2.23.136.1.1.1`), so the positive case and each failure are checked
// end to end; the public reference set in tests/data/emrtd/bsi shows the missing CSCA.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { der, lds } from './chip_util.mjs';
import { ROOT, runCli } from './server.mjs';

const TD3 = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10';
const VN = 'IDVNM0990123459001099012345<<<\n9901155M3901153VNM<<<<<<<<<<<6\nNGUYEN<<VAN<AN<<<<<<<<<<<<<<<<';
const QR = '001099012345|123456789|Nguyễn Văn An|15011999|Nam|Số 1 Tràng Tiền, Hà Nội|20052021';

describe('card mrz', () => {
  test('a valid MRZ prints its fields and checks, exit 0', () => {
    const r = runCli(['card', 'mrz', VN]);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.valid, true);
    assert.equal(j.format, 'TD1');
    assert.equal(j.id_number, '001099012345');
    assert.equal(j.document_number, '099012345');
    assert.equal(j.birth_date_iso, '1999-01-15');
    assert.equal(j.bac_key_info, '099012345999011553901153');
    assert.deepEqual(
      j.checks.map((c) => [c.field, c.ok]),
      [['document_number', true], ['birth_date', true], ['expiry_date', true], ['composite', true],
        ['vn_id_number', true], ['vn_id_birth', true]],
    );
  });
  test('standard input with "-"', () => {
    const r = runCli(['card', 'mrz', '-'], { input: `${TD3}\n` });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).bac_key_info, 'L898902C3674081221204159');
  });
  test('a wrong check digit: exit 1 naming the field and the expected digit', () => {
    const bad = TD3.replace('7408122F', '7408120F');
    const r = runCli(['card', 'mrz', bad]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /birth_date: check digit is 0, expected 2/);
    const j = JSON.parse(r.stdout);
    assert.equal(j.valid, false);
    assert.equal(j.error, 'birth_date: check digit is 0, expected 2');
    assert.equal(j.bac_key_info, undefined);
  });
  test('standard input over the bound: exit 1 with the reason', () => {
    const r = runCli(['card', 'mrz', '-'], { input: 'A'.repeat(5000) });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /standard input holds over 2047 bytes/);
  });
  test('bad usage: exit 2', () => {
    assert.equal(runCli(['card', 'mrz']).status, 2);
    assert.equal(runCli(['card', 'nope', 'x']).status, 2);
    assert.equal(runCli(['card']).status, 2);
    const h = runCli(['card', '--help']);
    assert.equal(h.status, 0);
    assert.match(h.stdout, /dinhdanh card verify DIR/);
  });
});

describe('card read (what is refused before a reader is touched)', () => {
  test('usage, a bad MRZ, a bad CAN', () => {
    assert.equal(runCli(['card', 'read']).status, 2);
    assert.equal(runCli(['card', 'read', '--mrz']).status, 2);
    assert.equal(runCli(['card', 'read', '--can', '012345', '--timeout', '0']).status, 2);
    const h = runCli(['card', 'read', '--help']);
    assert.equal(h.status, 0);
    assert.match(h.stdout, /--reader N/);
    const m = runCli(['card', 'read', '--mrz', 'IDVNM0990123459001099012345<<<']);
    assert.equal(m.status, 1);
    assert.equal(JSON.parse(m.stdout).stage, 'mrz');
    const c = runCli(['card', 'read', '--can', '12ab56']);
    assert.equal(c.status, 1);
    assert.deepEqual(JSON.parse(c.stdout).stage, 'can');
    assert.match(c.stderr, /6 digits/);
    assert.equal(runCli(['card', 'readers', 'x']).status, 2);
  });
});

describe('card qr', () => {
  test('valid QR text prints the fields, exit 0', () => {
    const r = runCli(['card', 'qr', QR]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      valid: true,
      id_number: '001099012345',
      old_id_number: '123456789',
      full_name: 'Nguyễn Văn An',
      birth_date: '1999-01-15',
      sex: 'male',
      address: 'Số 1 Tràng Tiền, Hà Nội',
      issue_date: '2021-05-20',
    });
  });
  test('a refused text: exit 1 with the field and the reason', () => {
    const r = runCli(['card', 'qr', QR.replace('|Nam|', '|Male|')]);
    assert.equal(r.status, 1);
    assert.deepEqual(JSON.parse(r.stdout), { valid: false, field: 'sex', error: 'sex: must be Nam or Nữ' });
    assert.match(r.stderr, /not valid: sex: must be Nam or Nữ/);
  });
});

// --- card verify ---------------------------------------------------------------------------

let dir;
const ossl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });


// A P-256 key and a certificate CN=name, C=VN: self-signed for a CSCA, else issued by `issuer`,
// valid from now for `days`.
function makeCert(name, { ca, issuer, days = 365 }) {
  ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  const ext = ca
    ? 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n'
    : 'keyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';
  fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
  ossl('req', '-new', '-key', `${name}.key`, '-subj', `/C=VN/CN=${name}`, '-out', `${name}.csr`);
  const args = ['x509', '-req', '-in', `${name}.csr`, '-extfile', `${name}.ext`, '-out', `${name}.pem`,
    '-sha256', '-days', String(days), '-set_serial', String(1 + Math.floor(Math.random() * 1e9))];
  if (issuer) args.push('-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`);
  else args.push('-key', `${name}.key`);
  ossl(...args);
}

function writeCard(name, groups, signer) {
  const card = path.join(dir, name);
  fs.mkdirSync(card);
  fs.writeFileSync(path.join(dir, `${name}.lds`), lds(groups));
  ossl('cms', '-sign', '-binary', '-nodetach', '-econtent_type', '2.23.136.1.1.1', '-in', `${name}.lds`,
    '-signer', `${signer}.pem`, '-inkey', `${signer}.key`, '-outform', 'DER', '-out', `${name}.cms`);
  fs.writeFileSync(path.join(card, 'EF.SOD'), der(0x77, fs.readFileSync(path.join(dir, `${name}.cms`))));
  for (const [n, data] of groups) fs.writeFileSync(path.join(card, `DG${n}`), data);
  return card;
}

const DG1 = Buffer.concat([Buffer.from('615B5F1F58', 'hex'), Buffer.from(VN.replace(/\n/g, ''))]);
const DG2 = Buffer.alloc(500, 7);

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dd-card-cli-'));
  makeCert('CSCA VN', { ca: true, days: 3650 });
  makeCert('DS VN', { issuer: 'CSCA VN', days: 90 });
  makeCert('Other CSCA', { ca: true, days: 3650 });
  fs.mkdirSync(path.join(dir, 'csca'));
  fs.copyFileSync(path.join(dir, 'CSCA VN.pem'), path.join(dir, 'csca', 'vn.pem'));
  writeCard('good', [[1, DG1], [2, DG2]], 'DS VN');
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('card verify', () => {
  test('a good chain: every check passes, exit 0', () => {
    const r = runCli(['card', 'verify', path.join(dir, 'good'), '--csca', path.join(dir, 'csca')]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const j = JSON.parse(r.stdout);
    assert.equal(j.ok, true);
    for (const c of ['sod', 'hashes', 'signature', 'chain', 'dates']) assert.equal(j.checks[c].result, 'pass', c);
    assert.deepEqual(j.data_groups.map((d) => [d.dg, d.status]), [[1, 'match'], [2, 'match']]);
    assert.equal(j.csca.subject, 'CN=CSCA VN,C=VN');
    assert.equal(j.document_signer.subject, 'CN=DS VN,C=VN');
  });
  test('a tampered DG1: only the hashes fail, exit 1', () => {
    const card = path.join(dir, 'tampered');
    fs.cpSync(path.join(dir, 'good'), card, { recursive: true });
    const dg1 = Buffer.from(DG1);
    dg1[70] ^= 1;
    fs.writeFileSync(path.join(card, 'DG1'), dg1);
    const r = runCli(['card', 'verify', card, '--csca', path.join(dir, 'csca')]);
    assert.equal(r.status, 1);
    const j = JSON.parse(r.stdout);
    assert.equal(j.checks.hashes.result, 'fail');
    assert.equal(j.checks.signature.result, 'pass');
    assert.equal(j.checks.chain.result, 'pass');
    assert.match(r.stderr, /hashes fail: DG1 hash differs from the SOD/);
  });
  test('an unknown CSCA: only the chain fails', () => {
    const r = runCli(['card', 'verify', path.join(dir, 'good'), '--csca', path.join(dir, 'Other CSCA.pem')]);
    assert.equal(r.status, 1);
    const j = JSON.parse(r.stdout);
    assert.equal(j.checks.chain.result, 'fail');
    assert.equal(j.checks.chain.detail, 'unable to get local issuer certificate');
    assert.equal(j.checks.signature.result, 'pass');
  });
  test('a day after the DS certificate expired (--at): only the dates fail', () => {
    const later = new Date(Date.now() + 200 * 86400e3).toISOString().slice(0, 10);
    const r = runCli(['card', 'verify', path.join(dir, 'good'), '--csca', path.join(dir, 'csca'), '--at', later]);
    assert.equal(r.status, 1);
    const j = JSON.parse(r.stdout);
    assert.equal(j.checks.dates.result, 'fail');
    assert.equal(j.checks.chain.result, 'pass');
    assert.equal(j.checked_at.slice(0, 10), later);
  });
  test('the BSI reference set: hashes and signature pass, no CSCA for its chain', () => {
    const card = path.join(dir, 'bsi');
    fs.mkdirSync(card);
    for (const f of ['EF.SOD', 'DG1', 'DG14'])
      fs.copyFileSync(path.join(ROOT, 'tests/data/emrtd/bsi', f), path.join(card, f));
    const r = runCli(['card', 'verify', card, '--csca', path.join(dir, 'csca'), '--at', '2014-06-01']);
    assert.equal(r.status, 1);
    const j = JSON.parse(r.stdout);
    assert.equal(j.checks.hashes.result, 'pass');
    assert.equal(j.checks.signature.result, 'pass');
    assert.equal(j.signature_algorithm, 'rsassaPss');
    assert.equal(j.checks.chain.result, 'fail');
    assert.equal(j.checks.dates.result, 'pass');
  });
  test('missing files and bad options', () => {
    const r = runCli(['card', 'verify', path.join(dir, 'csca'), '--csca', path.join(dir, 'csca')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /EF\.SOD is missing/);
    assert.equal(runCli(['card', 'verify', path.join(dir, 'good'), '--csca', '/nonexistent']).status, 1);
    assert.equal(runCli(['card', 'verify']).status, 2);
    assert.equal(runCli(['card', 'verify', path.join(dir, 'good'), '--at', '2024-13-01']).status, 2);
    assert.equal(runCli(['card', 'verify', path.join(dir, 'good'), '--crl', 'x']).status, 2);
  });
});
