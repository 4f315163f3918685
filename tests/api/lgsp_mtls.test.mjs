// lgsp_mtls.test.mjs — a consumer subsystem that calls the gateway with a registered client
// certificate instead of an access token (docs/LGSP.md, "Mutual TLS"). A test CA, the server's
// certificate and the clients' certificates are made here with the openssl command line; the
// server serves TLS and asks for client certificates of that CA (DATA_DIR/tls/client-ca.pem).
// On SQLite or PostgreSQL (DD_TEST_DB).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir } from './server.mjs';
import { officer, sql, startIdentityServer } from './identity_util.mjs';
import { call, startProvider } from './lgsp_util.mjs';

let srv;
let provider;
let admin;
const dir = tempDir('mtls');
const ossl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const read = (f) => fs.readFileSync(path.join(dir, f), 'utf8');
const thumb = (pem) => new crypto.X509Certificate(pem).fingerprint256.replaceAll(':', '').toLowerCase();

// key + certificate NAME, signed by the CA unless selfSigned.
function makeCert(name, { selfSigned = false, san } = {}) {
  ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
  if (selfSigned) {
    ossl('req', '-x509', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-days', '30', '-out', `${name}.pem`);
    return;
  }
  ossl('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
  const ext = san ? ['-extfile', path.join(dir, `${name}.ext`)] : [];
  if (san) fs.writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
  ossl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', ...ext, '-out', `${name}.pem`);
}

// One call to the gateway over TLS with client certificate NAME (or none).
function gwTls(name, rest, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port: srv.port, method: 'GET', path: `/lgsp/r1/${rest}`, headers, agent: false,
      rejectUnauthorized: false, ...(name ? { key: read(`${name}.key`), cert: read(`${name}.pem`) } : {}),
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const adminCall = (method, p, body) => call(srv, method, p, { as: admin.token, body });
async function adminOk(method, p, body, status = 201) {
  const r = await adminCall(method, p, body);
  assert.equal(r.status, status, `${method} ${p}: ${r.text}`);
  return r.json();
}
const certOf = (sub) => sql(srv, `SELECT cert_sha256 FROM lgsp_subsystems WHERE id = '${sub}'`);

before(async () => {
  ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key');
  ossl('req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=Test LGSP CA', '-days', '30', '-out', 'ca.pem');
  makeCert('server', { san: 'IP:127.0.0.1' });
  makeCert('his'); // registered for VN/GOV/SYT/his
  makeCert('other'); // from the CA, registered for nobody
  makeCert('rogue', { selfSigned: true }); // not from the CA
  const data = tempDir('data');
  fs.mkdirSync(path.join(data, 'tls'));
  fs.copyFileSync(path.join(dir, 'server.pem'), path.join(data, 'tls', 'cert.pem'));
  fs.copyFileSync(path.join(dir, 'server.key'), path.join(data, 'tls', 'key.pem'));
  fs.copyFileSync(path.join(dir, 'ca.pem'), path.join(data, 'tls', 'client-ca.pem'));
  provider = await startProvider(() => ({ status: 200, json: { card: 'HS4560000000001' } }));
  srv = await startIdentityServer([], { tls: true, dataDir: data });
  admin = officer(srv, 'lgspadmin', 'admin', '56');
  await adminOk('POST', '/api/v1/lgsp/members', { code: 'BHXH', name: 'Bảo hiểm xã hội' });
  await adminOk('POST', '/api/v1/lgsp/members', { code: 'SYT', name: 'Sở Y tế' });
  await adminOk('POST', '/api/v1/lgsp/subsystems', { member: 'BHXH', code: 'core' });
  await adminOk('POST', '/api/v1/lgsp/subsystems', { member: 'SYT', code: 'his' });
  await adminOk('POST', '/api/v1/lgsp/services', {
    subsystem: 'VN/GOV/BHXH/core', code: 'cards', name: 'Thẻ', upstream_url: provider.url, legal_basis: 'x',
  });
  await adminOk('POST', '/api/v1/lgsp/rights', {
    consumer: 'VN/GOV/SYT/his', service: 'VN/GOV/BHXH/core/cards', operation: 'GET', reason: 'x', valid_until: '2099-12-31',
  });
});

after(async () => {
  await srv?.stop();
  await provider?.close();
});

describe('mutual TLS with a registered certificate', () => {
  test('bad registrations are refused and store nothing', async () => {
    for (const [body, status, field] of [
      [{ subsystem: 'VN/GOV/SYT/his', certificate: 'not a certificate' }, 400, 'certificate'],
      [{ subsystem: 'VN/GOV/SYT/his', certificate: '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----' }, 400, 'certificate'],
      [{ subsystem: 'VN/GOV/SYT/his', certificate_sha256: 'ABC' }, 400, 'certificate_sha256'],
      [{ subsystem: 'VN/GOV/SYT/his' }, 400, 'certificate'],
      [{ subsystem: 'VN/GOV/SYT/none', certificate: read('his.pem') }, 404, null],
    ]) {
      const r = await adminCall('POST', '/api/v1/lgsp/certificates', body);
      assert.equal(r.status, status, `${JSON.stringify(body).slice(0, 80)}: ${r.text}`);
      if (field) assert.equal(r.json().errors[0].field, field);
    }
    assert.equal(certOf('VN/GOV/SYT/his'), '');
    assert.equal(Number(sql(srv, "SELECT count(*) FROM lgsp_subsystems WHERE cert_sha256 <> ''")), 0);
  });

  test('the registered certificate calls; others are refused; removal ends it', async () => {
    const reg = await adminOk('POST', '/api/v1/lgsp/certificates', { subsystem: 'VN/GOV/SYT/his', certificate: read('his.pem') }, 200);
    assert.equal(reg.certificate_sha256, thumb(read('his.pem')));
    assert.equal(certOf('VN/GOV/SYT/his'), thumb(read('his.pem')));
    const subs = await adminOk('GET', '/api/v1/lgsp/subsystems', undefined, 200);
    assert.equal(subs.items.find((s) => s.id === 'VN/GOV/SYT/his').certificate_sha256, thumb(read('his.pem')));

    let r = await gwTls('his', 'VN/GOV/BHXH/core/cards/v1/the');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json(), { card: 'HS4560000000001' });
    assert.equal(provider.seen.at(-1).headers['x-lgsp-client'], 'VN/GOV/SYT/his');

    r = await gwTls('other', 'VN/GOV/BHXH/core/cards/v1/the');
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json().type, 'urn:dinhdanh:problem:lgsp-no-right');
    r = await gwTls('rogue', 'VN/GOV/BHXH/core/cards/v1/the');
    assert.equal(r.status, 401, r.text);
    r = await gwTls(null, 'VN/GOV/BHXH/core/cards/v1/the');
    assert.equal(r.status, 401, r.text);
    // A bad bearer token is not saved by a good certificate: the token is what the call names.
    r = await gwTls('his', 'VN/GOV/BHXH/core/cards/v1/the', { Authorization: 'Bearer nope' });
    assert.equal(r.status, 401, r.text);

    // The same certificate cannot name two subsystems.
    await adminOk('POST', '/api/v1/lgsp/subsystems', { member: 'SYT', code: 'lab' });
    const dup = await adminCall('POST', '/api/v1/lgsp/certificates', { subsystem: 'VN/GOV/SYT/lab', certificate_sha256: thumb(read('his.pem')) });
    assert.equal(dup.status, 409, dup.text);
    assert.equal(certOf('VN/GOV/SYT/lab'), '');

    await adminOk('POST', '/api/v1/lgsp/certificates', { subsystem: 'VN/GOV/SYT/his', certificate_sha256: '' }, 200);
    r = await gwTls('his', 'VN/GOV/BHXH/core/cards/v1/the');
    assert.equal(r.status, 403, r.text);
    // The exchange log is written in batches by a background writer: wait for the calls' rows.
    let outcomes = '';
    for (let i = 0; i < 50 && !outcomes.split('\n').includes('ok'); i++) {
      if (i) await new Promise((done) => setTimeout(done, 100));
      outcomes = sql(srv, "SELECT outcome FROM lgsp_log ORDER BY seq");
    }
    assert.ok(outcomes.split('\n').includes('ok'), outcomes);
  });
});
