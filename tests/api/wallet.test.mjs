// wallet.test.mjs — the e-document wallet on the real binary, on SQLite or PostgreSQL
// (DD_TEST_DB): issuers and their metadata, issuing SD-JWT VC documents, the holder's list,
// presentations of chosen claims and their checks, the public verification with every reason
// for refusal (tampered, wrong key, unknown key or issuer, revoked), the Token Status List, key
// rotation, certified copies and the land register with certificates into owners' wallets. The
// npm package @sd-jwt/sd-jwt-vc is the independent peer: it must verify our credentials and
// presentations (fetching our status list itself) and refuse a revoked one. Every refused write
// is checked to have stored nothing.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { ES256, digest } from '@sd-jwt/crypto-nodejs';
import { assertProblem } from './server.mjs';
import { call, citizen, count, officer, session, startIdentityServer } from './identity_util.mjs';

let srv;
const who = {};
const b64u = (b) => Buffer.from(b).toString('base64url');
const unb64u = (s) => Buffer.from(s, 'base64url');

const tables = [
  'wallet_issuers', 'wallet_issuer_keys', 'wallet_credentials', 'wallet_presentations',
  'wallet_certifications', 'land_parcels', 'land_owners', 'land_transfers', 'events',
];
function snapshot() {
  const out = {};
  for (const t of tables) out[t] = count(srv, `SELECT COUNT(*) FROM ${t}`);
  out.revoked = count(srv, 'SELECT COUNT(*) FROM wallet_credentials WHERE revoked_at > 0');
  out.presRevoked = count(srv, 'SELECT COUNT(*) FROM wallet_presentations WHERE revoked_at > 0');
  out.owners = count(srv, 'SELECT COUNT(*) FROM land_owners WHERE ended_at = 0');
  return out;
}

// Officers state why they read (X-Purpose); every request here carries one.
const PURPOSE = 'Giai quyet ho so';
const as = (name, method, p, body, headers = {}) =>
  call(srv, method, p, { as: who[name], body, headers: { 'X-Purpose': PURPOSE, ...headers } });
// Access-log rows of a person for `data` (the read log is written a few milliseconds after the
// answer): waits until there are at least `atLeast`.
async function accessRows(id, data, atLeast) {
  const q = `SELECT COUNT(*) FROM access_log WHERE id_number = '${id}' AND data = '${data}' AND purpose = '${PURPOSE}'`;
  for (let i = 0; i < 100 && count(srv, q) < atLeast; i++) await new Promise((r) => setTimeout(r, 20));
  return count(srv, q);
}
const verify = async (sd_jwt) => {
  const r = await call(srv, 'POST', '/api/v1/wallet/verifications', { body: { sd_jwt } });
  assert.equal(r.status, 200, r.text);
  return r.json();
};

async function metadata(issuer) {
  const r = await srv.get(`/.well-known/jwt-vc-issuer/issuers/${issuer}`);
  assert.equal(r.status, 200, r.text);
  return r.json();
}

// The peer: verifies with the keys our issuer metadata publishes (chosen by the header's kid)
// and fetches the status list from the status claim's URI itself.
async function peerVerify(sdJwt) {
  const iss = JSON.parse(unb64u(sdJwt.split('.')[1])).iss;
  const id = iss.split('/issuers/')[1];
  const { jwks } = await metadata(id);
  const verifier = async (data, sig) => {
    const { kid } = JSON.parse(unb64u(data.split('.')[0]));
    const jwk = jwks.keys.find((k) => k.kid === kid);
    if (!jwk) return false;
    return (await ES256.getVerifier(jwk))(data, sig);
  };
  const vc = new SDJwtVcInstance({ hasher: digest, hashAlg: 'sha-256', verifier });
  return vc.verify(sdJwt);
}

const AN_CLAIMS = {
  full_name: 'Nguyễn Văn An',
  birth_date: '1990-05-17',
  degree: 'Cử nhân Luật',
  school: 'Trường Đại học Luật TP.HCM',
};

async function issue(over = {}) {
  const body = {
    issuer: 'so-gd-56',
    holder: who.anId,
    vct: 'urn:dinhdanh:vct:diploma',
    title: 'Bằng tốt nghiệp đại học',
    claims: AN_CLAIMS,
    ...over,
  };
  const r = await as('capgiay', 'POST', '/api/v1/wallet/documents', body);
  assert.equal(r.status, 201, r.text);
  return r.json();
}

before(async () => {
  srv = await startIdentityServer();
  for (const [name, role] of [
    ['quantri', 'admin'], ['capgiay', 'document-issuer'], ['congchung', 'notary'],
    ['diachinh', 'land-officer'], ['dichvu', 'service-officer'],
  ])
    who[name] = officer(srv, name, role, '56').token;
  for (const name of ['an', 'binh', 'chi']) {
    const c = await citizen(srv);
    who[`${name}Id`] = c.person.id_number;
    who[name] = (await session(srv, c.login, c.password)).token;
  }
  for (const [id, name] of [
    ['so-gd-56', 'Sở Giáo dục và Đào tạo tỉnh Khánh Hòa'],
    ['so-tnmt-56', 'Sở Tài nguyên và Môi trường tỉnh Khánh Hòa'],
    ['ubnd-22366', 'UBND phường Nha Trang'],
  ]) {
    const r = await as('quantri', 'POST', '/api/v1/wallet/issuers', { id, name });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json().issuer, `${srv.url}/issuers/${id}`);
  }
});
after(async () => {
  await srv?.stop();
});

describe('issuers', () => {
  test('metadata at /.well-known/jwt-vc-issuer/<issuer path> names the issuer and its JWKS', async () => {
    const m = await metadata('so-gd-56');
    assert.equal(m.issuer, `${srv.url}/issuers/so-gd-56`);
    assert.equal(m.jwks.keys.length, 1);
    const k = m.jwks.keys[0];
    assert.equal(k.kty, 'EC');
    assert.equal(k.crv, 'P-256');
    assert.equal(k.alg, 'ES256');
    assert.equal(k.d, undefined, 'no private part');
    assertProblem(await srv.get('/.well-known/jwt-vc-issuer/issuers/khong-co'), 404, 'not-found');
    const list = (await srv.get('/api/v1/wallet/issuers')).json();
    assert.deepEqual(list.items.map((i) => i.id), ['so-gd-56', 'so-tnmt-56', 'ubnd-22366']);
  });

  test('bad or duplicate issuers and callers without wallet:admin store nothing', async () => {
    const before = snapshot();
    assertProblem(await as('quantri', 'POST', '/api/v1/wallet/issuers', { id: 'Có Dấu', name: 'x' }), 400, 'validation-failed');
    assertProblem(await as('quantri', 'POST', '/api/v1/wallet/issuers', { id: 'so-gd-56', name: 'x' }), 409, 'conflict');
    assertProblem(await as('quantri', 'POST', '/api/v1/wallet/issuers', [1]), 400, 'validation-failed');
    assertProblem(await as('capgiay', 'POST', '/api/v1/wallet/issuers', { id: 'abc', name: 'x' }), 403, 'forbidden');
    assertProblem(await as('quantri', 'POST', '/api/v1/wallet/issuers/khong-co/keys', {}), 404, 'not-found');
    assert.deepEqual(snapshot(), before);
  });
});

describe('issue, hold, present, verify', () => {
  let doc;
  before(async () => {
    doc = await issue();
  });

  test('the credential is an SD-JWT VC: dc+sd-jwt, ES256, _sd digests of every claim, status', async () => {
    const [jwt, ...rest] = doc.sd_jwt.split('~');
    assert.equal(rest.at(-1), '', 'ends with a tilde (no key binding)');
    const header = JSON.parse(unb64u(jwt.split('.')[0]));
    const payload = JSON.parse(unb64u(jwt.split('.')[1]));
    assert.equal(header.typ, 'dc+sd-jwt');
    assert.equal(header.alg, 'ES256');
    assert.equal(payload.iss, `${srv.url}/issuers/so-gd-56`);
    assert.equal(payload.vct, 'urn:dinhdanh:vct:diploma');
    assert.equal(payload._sd_alg, 'sha-256');
    assert.ok(payload.exp > payload.iat);
    assert.equal(payload.status.status_list.uri, `${srv.url}/api/v1/wallet/status-lists/so-gd-56`);
    assert.equal(typeof payload.status.status_list.idx, 'number');
    for (const k of Object.keys(AN_CLAIMS)) assert.equal(payload[k], undefined, `${k} not in clear`);
    const disclosures = rest.slice(0, -1);
    assert.equal(disclosures.length, 5, 'four claims and id_number');
    for (const d of disclosures) {
      const [salt, name, value] = JSON.parse(unb64u(d));
      assert.ok(unb64u(salt).length >= 16);
      assert.ok(payload._sd.includes(crypto.createHash('sha256').update(d).digest('base64url')));
      assert.deepEqual(value, name === 'id_number' ? who.anId : AN_CLAIMS[name]);
    }
  });

  test('the holder sees it; another citizen does not', async () => {
    const list = (await as('an', 'GET', '/api/v1/me/wallet/documents')).json();
    const mine = list.items.find((d) => d.id === doc.id);
    assert.equal(mine.state, 'valid');
    assert.equal(mine.claims.degree, 'Cử nhân Luật');
    const one = await as('an', 'GET', `/api/v1/me/wallet/documents/${doc.id}`);
    assert.equal(one.json().sd_jwt, doc.sd_jwt);
    assertProblem(await as('binh', 'GET', `/api/v1/me/wallet/documents/${doc.id}`), 404, 'not-found');
    assert.equal((await as('binh', 'GET', '/api/v1/me/wallet/documents')).json().items.length, 0);
    assertProblem(await call(srv, 'GET', '/api/v1/me/wallet/documents'), 401, 'unauthenticated');
  });

  test('the full credential verifies, here and with @sd-jwt/sd-jwt-vc', async () => {
    const v = await verify(doc.sd_jwt);
    assert.equal(v.valid, true, JSON.stringify(v));
    assert.equal(v.reason, null);
    assert.equal(v.issuer_name, 'Sở Giáo dục và Đào tạo tỉnh Khánh Hòa');
    assert.deepEqual(v.claims, { ...AN_CLAIMS, id_number: who.anId });
    const peer = await peerVerify(doc.sd_jwt);
    assert.equal(peer.payload.degree, 'Cử nhân Luật');
    assert.equal(peer.payload.vct, 'urn:dinhdanh:vct:diploma');
  });

  test('a presentation discloses only the chosen claims, through a link and a QR', async () => {
    const r = await as('an', 'POST', `/api/v1/me/wallet/documents/${doc.id}/presentations`, {
      claims: ['full_name', 'degree'],
      ttl_seconds: 300,
    });
    assert.equal(r.status, 201, r.text);
    const p = r.json();
    assert.match(p.url, new RegExp(`/wallet/verify\\.html\\?p=${p.id}$`));
    assert.match(p.qr_svg, /^<svg /);
    assert.equal(p.sd_jwt.split('~').length, 4, 'jwt, two disclosures, empty end');
    const check = (await srv.get(`/api/v1/wallet/presentations/${p.id}`)).json();
    assert.equal(check.valid, true, JSON.stringify(check));
    assert.deepEqual(check.claims, { full_name: 'Nguyễn Văn An', degree: 'Cử nhân Luật' });
    const v = await verify(p.sd_jwt);
    assert.deepEqual(v.claims, { full_name: 'Nguyễn Văn An', degree: 'Cử nhân Luật' });
    const peer = await peerVerify(p.sd_jwt);
    assert.equal(peer.payload.full_name, 'Nguyễn Văn An');
    assert.equal(peer.payload.birth_date, undefined);
    assert.equal(peer.payload.id_number, undefined);
    const list = (await as('an', 'GET', '/api/v1/me/wallet/presentations')).json();
    assert.equal(list.items.find((x) => x.id === p.id).state, 'active');
  });

  test('the holder revokes a presentation: its link says so at once; nobody else can', async () => {
    const p = (await as('an', 'POST', `/api/v1/me/wallet/documents/${doc.id}/presentations`, { claims: ['school'] })).json();
    const before = snapshot();
    assertProblem(await as('binh', 'POST', `/api/v1/me/wallet/presentations/${p.id}/revocations`, {}), 404, 'not-found');
    assert.deepEqual(snapshot(), before);
    const r = await as('an', 'POST', `/api/v1/me/wallet/presentations/${p.id}/revocations`, {});
    assert.equal(r.status, 201, r.text);
    const check = (await srv.get(`/api/v1/wallet/presentations/${p.id}`)).json();
    assert.equal(check.valid, false);
    assert.equal(check.reason, 'presentation-revoked');
    assert.deepEqual(check.claims, {});
    assert.equal(check.sd_jwt, undefined);
    assertProblem(await srv.get('/api/v1/wallet/presentations/khongcothat'), 404, 'not-found');
  });

  test('bad presentations store nothing', async () => {
    const before = snapshot();
    const path = `/api/v1/me/wallet/documents/${doc.id}/presentations`;
    assertProblem(await as('an', 'POST', path, { claims: ['salary'] }), 400, 'validation-failed');
    assertProblem(await as('an', 'POST', path, { claims: [] }), 400, 'validation-failed');
    assertProblem(await as('an', 'POST', path, { claims: ['full_name'], ttl_seconds: 999999 }), 400, 'validation-failed');
    assertProblem(await as('binh', 'POST', path, { claims: ['full_name'] }), 404, 'not-found');
    assertProblem(await as('capgiay', 'POST', path, { claims: ['full_name'] }), 403, 'forbidden');
    assert.deepEqual(snapshot(), before);
  });

  test('a later procedure reads the verified claims of a referenced document', async () => {
    const r = await as('dichvu', 'GET', `/api/v1/wallet/documents/${doc.id}/claims?holder=${who.anId}`);
    assertProblem(r, 403, 'forbidden'); // service officers lack wallet:read
    const ok = await as('diachinh', 'GET', `/api/v1/wallet/documents/${doc.id}/claims?holder=${who.anId}`);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json().valid, true);
    assert.equal(ok.json().claims.degree, 'Cử nhân Luật');
    assertProblem(await as('diachinh', 'GET', `/api/v1/wallet/documents/${doc.id}/claims?holder=${who.binhId}`), 404, 'not-found');
    // The read is written to the holder's access log, with the purpose; no purpose, no read.
    assert.equal(await accessRows(who.anId, 'wallet-document', 1), 1);
    const bare = await call(srv, 'GET', `/api/v1/wallet/documents/${doc.id}/claims?holder=${who.anId}`, { as: who.diachinh });
    assert.equal(assertProblem(bare, 400, 'validation-failed').errors[0].field, 'X-Purpose');
  });

  test('an issue under an Idempotency-Key is made once and replayed', async () => {
    const before = snapshot();
    const body = { issuer: 'so-gd-56', holder: who.anId, vct: 'urn:dinhdanh:vct:diploma', title: 'Bằng lặp lại', claims: AN_CLAIMS };
    const key = { 'Idempotency-Key': `cap-bang-${crypto.randomUUID()}` };
    const first = await as('capgiay', 'POST', '/api/v1/wallet/documents', body, key);
    assert.equal(first.status, 201, first.text);
    const again = await as('capgiay', 'POST', '/api/v1/wallet/documents', body, key);
    assert.equal(again.status, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.text, first.text);
    assert.equal(count(srv, 'SELECT COUNT(*) FROM wallet_credentials'), before.wallet_credentials + 1);
    assertProblem(await as('capgiay', 'POST', '/api/v1/wallet/documents', { ...body, title: 'Khác' }, key), 422, 'idempotency-key-reused');
    assert.equal(count(srv, 'SELECT COUNT(*) FROM wallet_credentials'), before.wallet_credentials + 1);
  });

  test('the printable rendering carries the claims and a QR code', async () => {
    const r = await as('an', 'GET', `/api/v1/me/wallet/documents/${doc.id}/rendering`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers['content-type'], /^text\/html/);
    assert.match(r.text, /Bằng tốt nghiệp đại học/);
    assert.match(r.text, /Cử nhân Luật/);
    assert.match(r.text, /<svg [^>]*viewBox/);
  });
});

describe('refusals, each with its reason', () => {
  let doc;
  before(async () => {
    doc = await issue({ claims: { full_name: 'Nguyễn Văn An', rank: 'Giỏi' } });
  });

  test('a changed disclosure: bad-disclosure', async () => {
    const parts = doc.sd_jwt.split('~');
    const [salt, name] = JSON.parse(unb64u(parts[1]));
    parts[1] = b64u(JSON.stringify([salt, name, 'Xuất sắc']));
    const v = await verify(parts.join('~'));
    assert.equal(v.valid, false);
    assert.equal(v.reason, 'bad-disclosure');
    assert.deepEqual(v.claims, {});
    // The peer ignores a disclosure no digest refers to (where we refuse the whole token), but
    // it must never show the forged value either.
    const peer = await peerVerify(parts.join('~')).catch(() => null);
    assert.notEqual(peer?.payload?.rank, 'Xuất sắc');
  });

  test('a changed payload: bad-signature', async () => {
    const [jwt, ...rest] = doc.sd_jwt.split('~');
    const [h, p, s] = jwt.split('.');
    const payload = JSON.parse(unb64u(p));
    payload.exp += 86400 * 365;
    const forged = [h, b64u(JSON.stringify(payload)), s].join('.');
    assert.equal((await verify([forged, ...rest].join('~'))).reason, 'bad-signature');
    await assert.rejects(peerVerify([forged, ...rest].join('~')));
  });

  test('signed with another key under the issuer\'s kid: bad-signature; unknown kid: unknown-key', async () => {
    const [jwt, ...rest] = doc.sd_jwt.split('~');
    const [h, p] = jwt.split('.');
    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const sign = (header) => {
      const input = `${b64u(JSON.stringify(header))}.${p}`;
      const sig = crypto.sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return [`${input}.${b64u(sig)}`, ...rest].join('~');
    };
    const header = JSON.parse(unb64u(h));
    assert.equal((await verify(sign(header))).reason, 'bad-signature');
    assert.equal((await verify(sign({ ...header, kid: 'so-gd-56-1-deadbeef' }))).reason, 'unknown-key');
  });

  test('an issuer this platform does not know: unknown-issuer; garbage: malformed', async () => {
    const [jwt, ...rest] = doc.sd_jwt.split('~');
    const [h, p, s] = jwt.split('.');
    const payload = JSON.parse(unb64u(p));
    payload.iss = 'https://example.org/issuers/so-gd-56';
    assert.equal((await verify([[h, b64u(JSON.stringify(payload)), s].join('.'), ...rest].join('~'))).reason, 'unknown-issuer');
    assert.equal((await verify('abc')).reason, 'malformed');
    assert.equal((await verify(`${jwt}~!!~`)).reason, 'malformed');
    const before = snapshot();
    assertProblem(await call(srv, 'POST', '/api/v1/wallet/verifications', { body: {} }), 400, 'validation-failed');
    assert.deepEqual(snapshot(), before);
  });

  test('revoked: the status list bit is set and every check refuses at once', async () => {
    const idx = JSON.parse(unb64u(doc.sd_jwt.split('.')[1])).status.status_list.idx;
    const statusBit = async () => {
      const r = await srv.get('/api/v1/wallet/status-lists/so-gd-56');
      assert.equal(r.status, 200);
      assert.match(r.headers['content-type'], /^application\/statuslist\+jwt/);
      const [h, p] = r.text.split('.');
      assert.equal(JSON.parse(unb64u(h)).typ, 'statuslist+jwt');
      const body = JSON.parse(unb64u(p));
      assert.equal(body.sub, `${srv.url}/api/v1/wallet/status-lists/so-gd-56`);
      assert.equal(body.status_list.bits, 1);
      const bits = zlib.inflateSync(unb64u(body.status_list.lst));
      return (bits[idx >> 3] >> (idx & 7)) & 1;
    };
    assert.equal(await statusBit(), 0);
    const p = (await as('an', 'POST', `/api/v1/me/wallet/documents/${doc.id}/presentations`, { claims: ['rank'] })).json();
    const before = snapshot();
    assertProblem(await as('capgiay', 'POST', `/api/v1/wallet/documents/${doc.id}/revocations`, {}), 400, 'validation-failed');
    assertProblem(await as('an', 'POST', `/api/v1/wallet/documents/${doc.id}/revocations`, { reason: 'x' }), 403, 'forbidden');
    assertProblem(await as('capgiay', 'POST', '/api/v1/wallet/documents/khongco/revocations', { reason: 'x' }), 404, 'not-found');
    assert.deepEqual(snapshot(), before);
    const r = await as('capgiay', 'POST', `/api/v1/wallet/documents/${doc.id}/revocations`, { reason: 'Cấp nhầm' });
    assert.equal(r.status, 201, r.text);
    assert.equal(await statusBit(), 1);
    assert.equal((await verify(doc.sd_jwt)).reason, 'revoked');
    assert.equal((await srv.get(`/api/v1/wallet/presentations/${p.id}`)).json().reason, 'revoked');
    await assert.rejects(peerVerify(doc.sd_jwt), /Status is not valid/);
    const mine = (await as('an', 'GET', `/api/v1/me/wallet/documents/${doc.id}`)).json();
    assert.equal(mine.state, 'revoked');
    assertProblem(await as('capgiay', 'POST', `/api/v1/wallet/documents/${doc.id}/revocations`, { reason: 'lại' }), 404, 'not-found');
  });

  test('bad documents store nothing', async () => {
    const before = snapshot();
    const base = { issuer: 'so-gd-56', holder: who.anId, vct: 'urn:x', title: 'T', claims: { a: 1 } };
    for (const over of [
      { holder: '123' },
      { claims: { iss: 'x' } },
      { claims: { _sd: [] } },
      { claims: {} },
      { claims: 'x' },
      { valid_until: '2001-01-01' },
      { valid_until: '2030-02-30' },
      { issuer: 'khong-co' },
      { title: '' },
    ]) {
      const r = await as('capgiay', 'POST', '/api/v1/wallet/documents', { ...base, ...over });
      assertProblem(r, 400, 'validation-failed');
    }
    assertProblem(await as('congchung', 'POST', '/api/v1/wallet/documents', base), 403, 'forbidden');
    assert.deepEqual(snapshot(), before);
    // A valid end date is kept: the end of that day in Vietnam (23:59:59, UTC+7).
    const dated = await as('capgiay', 'POST', '/api/v1/wallet/documents', { ...base, valid_until: '2030-06-30' });
    assert.equal(dated.status, 201, dated.text);
    assert.equal(dated.json().expires_at, Date.UTC(2030, 5, 30, 16, 59, 59) / 1000);
    const leap = await as('capgiay', 'POST', '/api/v1/wallet/documents', { ...base, valid_until: '2032-02-29' });
    assert.equal(leap.status, 201, leap.text);
  });
});

describe('key rotation', () => {
  test('documents signed before a rotation still verify; new ones use the new key', async () => {
    const old = await issue({ claims: { full_name: 'Nguyễn Văn An', year: 2012 } });
    const r = await as('quantri', 'POST', '/api/v1/wallet/issuers/so-gd-56/keys', {});
    assert.equal(r.status, 201, r.text);
    const fresh = await issue({ claims: { full_name: 'Nguyễn Văn An', year: 2026 } });
    const kid = (d) => JSON.parse(unb64u(d.sd_jwt.split('.')[0])).kid;
    assert.notEqual(kid(old), kid(fresh));
    assert.equal(kid(fresh), r.json().kid);
    const m = await metadata('so-gd-56');
    assert.deepEqual(m.jwks.keys.map((k) => k.kid).slice(-2), [kid(old), kid(fresh)]);
    for (const d of [old, fresh]) {
      assert.equal((await verify(d.sd_jwt)).valid, true);
      assert.equal((await peerVerify(d.sd_jwt)).payload.full_name, 'Nguyễn Văn An');
    }
  });
});

describe('certified copies', () => {
  const sha = crypto.createHash('sha256').update('bản sao giấy khai sinh').digest('hex');
  test('a notary certifies a copy into the citizen\'s wallet, with the record kept', async () => {
    const r = await as('congchung', 'POST', '/api/v1/wallet/certifications', {
      issuer: 'ubnd-22366',
      holder: who.binhId,
      original_type: 'birth-certificate',
      original_title: 'Giấy khai sinh',
      copy_sha256: sha,
      legal_basis: 'Nghị định 23/2015/NĐ-CP',
    });
    assert.equal(r.status, 201, r.text);
    const c = r.json();
    assert.equal(c.claims.copy_sha256, sha);
    assert.equal(c.claims.certifier, 'Cán bộ congchung');
    const v = await verify(c.sd_jwt);
    assert.equal(v.valid, true);
    assert.equal(v.vct, 'urn:dinhdanh:vct:certified-copy');
    assert.equal(v.claims.legal_basis, 'Nghị định 23/2015/NĐ-CP');
    assert.equal((await peerVerify(c.sd_jwt)).payload.original_type, 'birth-certificate');
    const row = count(srv, `SELECT COUNT(*) FROM wallet_certifications WHERE holder = '${who.binhId}' AND copy_sha256 = '${sha}' AND certifier = 'congchung'`);
    assert.equal(row, 1);
    const list = (await as('binh', 'GET', '/api/v1/me/wallet/documents')).json();
    assert.equal(list.items[0].title, 'Bản sao chứng thực: Giấy khai sinh');
  });

  test('bad certifications store nothing', async () => {
    const before = snapshot();
    const base = { issuer: 'ubnd-22366', holder: who.binhId, original_type: 'diploma', original_title: 'Bằng', copy_sha256: sha, legal_basis: 'NĐ 23/2015' };
    for (const over of [{ copy_sha256: 'abc' }, { copy_sha256: sha.toUpperCase() }, { legal_basis: undefined }, { holder: 'x' }, { issuer: 'khong-co' }]) {
      assertProblem(await as('congchung', 'POST', '/api/v1/wallet/certifications', { ...base, ...over }), 400, 'validation-failed');
    }
    assertProblem(await as('capgiay', 'POST', '/api/v1/wallet/certifications', base), 403, 'forbidden');
    assert.deepEqual(snapshot(), before);
  });
});

describe('land register', () => {
  let parcel;
  const body = () => ({
    commune: '22366',
    map_sheet: '12',
    parcel_number: '345',
    area_m2: 120.5,
    land_use: 'ODT',
    address: '12 Trần Phú, phường Nha Trang',
    house: { floor_area_m2: 180, floors: 2, kind: 'nhà ở riêng lẻ' },
    owners: [
      { id_number: who.anId, share_bp: 5000 },
      { id_number: who.binhId, share_bp: 5000 },
    ],
  });

  test('a land officer records a parcel with its house and co-owners', async () => {
    const r = await as('diachinh', 'POST', '/api/v1/land/parcels', body());
    assert.equal(r.status, 201, r.text);
    parcel = r.json();
    const byParcel = (await as('diachinh', 'GET', '/api/v1/land/parcels?commune=22366&map_sheet=12&parcel_number=345')).json();
    assert.equal(byParcel.items.length, 1);
    const p = byParcel.items[0];
    assert.equal(p.area_m2, 120.5);
    assert.equal(p.house.floors, 2);
    assert.deepEqual(p.owners.map((o) => [o.id_number, o.share_bp]).sort(), [[who.anId, 5000], [who.binhId, 5000]].sort());
    const byOwner = (await as('diachinh', 'GET', `/api/v1/land/parcels?owner=${who.binhId}`)).json();
    assert.deepEqual(byOwner.items.map((x) => x.id), [parcel.id]);
    const mine = (await as('an', 'GET', '/api/v1/me/land/parcels')).json();
    assert.deepEqual(mine.items.map((x) => x.id), [parcel.id]);
    assert.equal((await as('chi', 'GET', '/api/v1/me/land/parcels')).json().items.length, 0);
    assertProblem(await as('dichvu', 'GET', `/api/v1/land/parcels/${parcel.id}`), 403, 'forbidden');
    assertProblem(await as('diachinh', 'GET', '/api/v1/land/parcels'), 400, 'validation-failed');
    // The officer's reads (by parcel, by owner) are in both owners' access logs; the citizen's
    // own look-up is not; a read without a purpose is refused.
    assert.ok(await accessRows(who.anId, 'land-parcel', 2) >= 2);
    assert.ok(await accessRows(who.binhId, 'land-parcel', 2) >= 2);
    const bare = await call(srv, 'GET', `/api/v1/land/parcels/${parcel.id}`, { as: who.diachinh });
    assert.equal(assertProblem(bare, 400, 'validation-failed').errors[0].field, 'X-Purpose');
    const one = await as('diachinh', 'GET', `/api/v1/land/parcels/${parcel.id}`);
    assert.equal(one.status, 200, one.text);
    assert.ok(await accessRows(who.anId, 'land-parcel', 3) >= 3);
  });

  test('bad parcels store nothing', async () => {
    const before = snapshot();
    const bad = [
      { owners: [{ id_number: who.anId, share_bp: 5000 }] },
      { owners: [{ id_number: who.anId, share_bp: 5000 }, { id_number: who.anId, share_bp: 5000 }] },
      { owners: [] },
      { area_m2: -3 },
      { area_m2: 1.234 },
      { commune: '2236' },
      { commune: '99999' }, // the shape of a commune code, but no commune of the province
      { land_use: 'odt' },
      { house: 'có' },
    ];
    for (const over of bad)
      assertProblem(await as('diachinh', 'POST', '/api/v1/land/parcels', { ...body(), ...over }), 400, 'validation-failed');
    assertProblem(await as('diachinh', 'POST', '/api/v1/land/parcels', body()), 409, 'conflict');
    assertProblem(await as('capgiay', 'POST', '/api/v1/land/parcels', body()), 403, 'forbidden');
    assert.deepEqual(snapshot(), before);
  });

  test('a transfer ends the current owners and keeps the history', async () => {
    const before = snapshot();
    assertProblem(await as('diachinh', 'POST', `/api/v1/land/parcels/${parcel.id}/transfers`, { owners: [{ id_number: who.chiId, share_bp: 9000 }], reason: 'x', legal_basis: 'y' }), 400, 'validation-failed');
    assertProblem(await as('diachinh', 'POST', `/api/v1/land/parcels/${parcel.id}/transfers`, { owners: [{ id_number: who.chiId, share_bp: 10000 }] }), 400, 'validation-failed');
    assertProblem(await as('diachinh', 'POST', '/api/v1/land/parcels/999999/transfers', { owners: [{ id_number: who.chiId, share_bp: 10000 }], reason: 'x', legal_basis: 'y' }), 404, 'not-found');
    assert.deepEqual(snapshot(), before);
    const r = await as('diachinh', 'POST', `/api/v1/land/parcels/${parcel.id}/transfers`, {
      owners: [{ id_number: who.binhId, share_bp: 2500 }, { id_number: who.chiId, share_bp: 7500 }],
      reason: 'Chuyển nhượng',
      legal_basis: 'Luật Đất đai 2024',
    });
    assert.equal(r.status, 201, r.text);
    const p = (await as('diachinh', 'GET', `/api/v1/land/parcels/${parcel.id}`)).json();
    assert.deepEqual(p.owners.map((o) => [o.id_number, o.share_bp]), [[who.chiId, 7500], [who.binhId, 2500]]);
    assert.equal(p.transfers.length, 1);
    assert.equal(p.transfers[0].from.length, 2);
    assert.equal(p.transfers[0].reason, 'Chuyển nhượng');
    assert.equal((await as('an', 'GET', '/api/v1/me/land/parcels')).json().items.length, 0);
  });

  test('land-use right certificates go into every current owner\'s wallet', async () => {
    const before = snapshot();
    assertProblem(await as('diachinh', 'POST', `/api/v1/land/parcels/${parcel.id}/certificates`, { issuer: 'khong-co' }), 400, 'validation-failed');
    assert.deepEqual(snapshot(), before);
    const r = await as('diachinh', 'POST', `/api/v1/land/parcels/${parcel.id}/certificates`, { issuer: 'so-tnmt-56' });
    assert.equal(r.status, 201, r.text);
    const items = r.json().items;
    assert.deepEqual(items.map((i) => i.holder).sort(), [who.binhId, who.chiId].sort());
    const chi = (await as('chi', 'GET', '/api/v1/me/wallet/documents')).json().items[0];
    assert.equal(chi.vct, 'urn:dinhdanh:vct:land-use-right');
    assert.equal(chi.claims.share_bp, 7500);
    const peer = await peerVerify(items[0].sd_jwt);
    assert.equal(peer.payload.parcel_number, '345');
  });
});
