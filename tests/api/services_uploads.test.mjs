// services_uploads.test.mjs — scans citizens upload for a non-paperless procedure's documents, on
// the real binary, on SQLite or PostgreSQL (DD_TEST_DB): PDF, JPEG and PNG only by their magic
// bytes, the upload-max-bytes limit above the server's max-body, content-addressed files under
// DATA_DIR/uploads, the body streamed to a temporary file as it arrives (sent in pieces, without
// a length: the temporary file grows on disk while the request is open, and is removed as soon as
// the body passes the limit or its first bytes are refused), a submission or a supplement
// referencing its owner's uploads only (a supplement after ask-more too, attached in its
// transaction and downloaded by officers after the first documents), paperless procedures
// refusing them, officers of the dossier's area downloading them (X-Purpose, access log), the
// citizen reading their own, and unattached uploads purged after a day. Every refused upload or
// submission is checked to have stored nothing: no row, no file.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertProblem } from './server.mjs';
import { call, citizen, count, officer, session, sql, startIdentityServer } from './identity_util.mjs';

const P = '56';
const NT = '22366'; // Phường Nha Trang
const CR = '22420'; // Phường Cam Ranh
const PURPOSE = 'Giai quyet ho so';
const MAX = 200000; // --upload-max-bytes; --max-body is 65536
const LAND = '1.004227'; // land-use change: level 2, no fee, requires a "land-certificate"
let srv;
const who = {};
let seq = 0;

const as = (token, method, p, body, headers = {}) =>
  call(srv, method, p, { as: token, body, headers: { 'X-Purpose': PURPOSE, ...headers } });

function idFor(year, n) {
  return `0560${String(year % 100).padStart(2, '0')}${String(n).padStart(6, '0')}`;
}

async function person() {
  const body = {
    id_number: idFor(1985, 300000 + (++seq) * 7 + Math.floor(Math.random() * 5)),
    full_name: 'Lê Văn Cường',
    birth_date: '1985-03-02',
    sex: 'male',
    permanent_province: P,
    permanent_commune: NT,
    permanent_address: '5 Pasteur',
    reason: 'Đăng ký khai sinh',
    legal_basis: 'Luật Hộ tịch 2014',
  };
  const r = await as(who.admin, 'POST', '/api/v1/people', body);
  assert.equal(r.status, 201, r.text);
  const c = await citizen(srv, { person: { id_number: body.id_number, full_name: body.full_name, birth_date: body.birth_date } });
  const up = await as(who.police, 'POST', `/api/v1/accounts/${c.account.id}/level-2`, { card_check: 'manual', face_check: 'manual' });
  assert.equal(up.status, 200, up.text);
  return { id: body.id_number, token: (await session(srv, c.login, c.password)).token };
}

// Bytes of a small file of each kind: the magic bytes, then random bytes (each file is unique).
const PDF = (n = 2000) => Buffer.concat([Buffer.from('%PDF-1.7\n'), crypto.randomBytes(n)]);
const JPEG = (n = 2000) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), crypto.randomBytes(n)]);
const PNG = (n = 2000) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(n)]);

function upload(token, bytes, type = 'application/pdf') {
  return srv.request('POST', '/api/v1/me/uploads', {
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': type },
    body: bytes,
  });
}

// An upload sent in pieces with chunked transfer coding (no Content-Length, so the server cannot
// judge its size before reading it). `between(i)` runs after piece i is written and the server has
// had a moment to take it.
function streamUpload(token, pieces, { type = 'application/pdf', between = async () => {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: srv.port, method: 'POST', path: '/api/v1/me/uploads', agent: false,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': type, 'Transfer-Encoding': 'chunked' },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    (async () => {
      for (let i = 0; i < pieces.length; i++) {
        if (!req.write(pieces[i])) await new Promise((r) => req.once('drain', r));
        await new Promise((r) => setTimeout(r, 60));
        await between(i);
      }
      req.end();
    })().catch(reject);
  });
}

// What fn() gives once ok(value) holds, or its last value after 3 s (the server takes a piece a
// little after it is written).
async function settle(fn, ok) {
  let v = fn();
  for (let i = 0; i < 120 && !ok(v); i++) {
    await new Promise((r) => setTimeout(r, 25));
    v = fn();
  }
  return v;
}

const split = (buf, n) => Array.from({ length: Math.ceil(buf.length / n) }, (_, i) => buf.subarray(i * n, (i + 1) * n));

const dir = () => path.join(srv.dataDir, 'uploads');
const temps = () => files().filter((f) => f.startsWith('.tmp-'));
const files = () => (fs.existsSync(dir()) ? fs.readdirSync(dir()).sort() : []);
const rows = () => count(srv, 'SELECT COUNT(*) FROM service_uploads');
const stored = () => ({ rows: rows(), files: files(), dossiers: count(srv, 'SELECT COUNT(*) FROM service_dossiers') });
const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');

async function good(token, bytes, type) {
  const r = await upload(token, bytes, type);
  assert.equal(r.status, 201, r.text);
  return r.json();
}

function submitLand(token, documents) {
  return call(srv, 'POST', '/api/v1/me/dossiers', { as: token, body: { procedure: LAND, form: { parcel: 'Tờ 12, thửa 345' }, documents } });
}

async function until(fn, what) {
  for (let i = 0; i < 200; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

before(async () => {
  srv = await startIdentityServer(['--upload-max-bytes', String(MAX), '--max-body', '65536']);
  who.admin = officer(srv, 'quantri', 'admin', P).token;
  who.police = officer(srv, 'congan', 'commune-police', `${P}-${NT}`).token;
  who.officer = officer(srv, 'motcua', 'service-officer', P).token;
  who.here = officer(srv, 'motcuant', 'service-officer', `${P}-${NT}`).token;
  who.elsewhere = officer(srv, 'motcuacr', 'service-officer', `${P}-${CR}`).token;
});

after(async () => {
  await srv?.stop();
});

describe('uploads', () => {
  test('a PDF larger than max-body is stored under its SHA-256, referenced by a submission and downloaded by an officer of the area', async () => {
    const a = await person();
    const bytes = PDF(100000); // above --max-body, below --upload-max-bytes
    const u = await good(a.token, bytes);
    assert.equal(u.media_type, 'application/pdf');
    assert.equal(u.size, bytes.length);
    assert.equal(u.sha256, sha(bytes));
    assert.ok(u.expires_at, 'an unattached upload says when it expires');
    assert.deepEqual(fs.readFileSync(path.join(dir(), u.sha256)), bytes);
    assert.equal(count(srv, `SELECT COUNT(*) FROM service_uploads WHERE id = ${u.id} AND owner_id = '${a.id}' AND dossier_id = 0`), 1);
    assert.ok(!files().some((f) => f.startsWith('.tmp-')), 'no temporary file is left');

    const mine = await call(srv, 'GET', `/api/v1/me/uploads/${u.id}`, { as: a.token });
    assert.equal(mine.status, 200);
    assert.equal(mine.headers['content-type'], 'application/pdf');
    assert.deepEqual(mine.body, bytes);

    const r = await submitLand(a.token, [{ kind: 'land-certificate', upload: u.id }]);
    assert.equal(r.status, 201, r.text);
    const d = r.json();
    assert.deepEqual(d.documents, [{ kind: 'land-certificate', upload: u.id }]);
    assert.equal(count(srv, `SELECT COUNT(*) FROM service_uploads WHERE id = ${u.id} AND dossier_id = (SELECT id FROM service_dossiers WHERE code = '${d.code}')`), 1);

    const logged = () => count(srv, `SELECT COUNT(*) FROM access_log WHERE id_number = '${a.id}' AND data = 'document'`);
    assert.equal(logged(), 0);
    for (const t of [who.officer, who.here]) {
      const got = await as(t, 'GET', `/api/v1/dossiers/${d.code}/documents/0`);
      assert.equal(got.status, 200, got.text);
      assert.equal(got.headers['content-type'], 'application/pdf');
      assert.deepEqual(got.body, bytes);
    }
    await until(() => logged() === 2, 'two access-log rows of the officers\' downloads');
    const row = sql(srv, `SELECT action || '|' || purpose FROM access_log WHERE id_number = '${a.id}' AND data = 'document' LIMIT 1`);
    assert.equal(row, `read|${PURPOSE}`);

    // An officer of another commune sees neither the dossier nor its documents.
    assertProblem(await as(who.elsewhere, 'GET', `/api/v1/dossiers/${d.code}/documents/0`), 404, 'not-found');
    // The purpose is required; a document number past the list, or not an upload, is not found.
    assertProblem(await call(srv, 'GET', `/api/v1/dossiers/${d.code}/documents/0`, { as: who.officer }), 400, 'validation-failed');
    assertProblem(await as(who.officer, 'GET', `/api/v1/dossiers/${d.code}/documents/1`), 404, 'not-found');
    assertProblem(await as(who.officer, 'GET', `/api/v1/dossiers/${d.code}/documents/x`), 404, 'not-found');
    assert.equal(logged(), 2);
    // A citizen has no officer's route.
    assert.equal((await as(a.token, 'GET', `/api/v1/dossiers/${d.code}/documents/0`)).status, 403);
    // The upload, now attached, cannot be referenced again.
    const before = stored();
    const again = await submitLand(a.token, [{ kind: 'land-certificate', upload: u.id }]);
    assertProblem(again, 400, 'validation-failed');
    assert.ok(again.json().errors.some((e) => e.field === 'documents[0].upload' && e.code === 'upload-already-attached'), again.text);
    assert.deepEqual(stored(), before);
  });

  test('JPEG and PNG are taken by their magic bytes; the same bytes twice share one file', async () => {
    const a = await person();
    const jpeg = JPEG();
    const j = await good(a.token, jpeg, 'image/jpeg');
    assert.equal(j.media_type, 'image/jpeg');
    const p = await good(a.token, PNG(), 'application/octet-stream');
    assert.equal(p.media_type, 'image/png');
    const filesBefore = files();
    const j2 = await good(a.token, jpeg, 'image/jpeg');
    assert.notEqual(j2.id, j.id);
    assert.equal(j2.sha256, j.sha256);
    assert.deepEqual(files(), filesBefore);
  });

  test('wrong magic bytes, a declared type the bytes belie, an empty body and a body over upload-max-bytes store nothing', async () => {
    const a = await person();
    const before = stored();
    let r = await upload(a.token, Buffer.concat([Buffer.from('GIF89a'), crypto.randomBytes(100)]), 'image/png');
    assertProblem(r, 415, 'unsupported-media-type');
    r = await upload(a.token, Buffer.from('%PDF but only as text'), 'text/plain');
    assertProblem(r, 415, 'unsupported-media-type');
    r = await upload(a.token, PNG(), 'application/pdf');
    assertProblem(r, 415, 'unsupported-media-type');
    r = await upload(a.token, Buffer.alloc(0));
    assertProblem(r, 400, 'validation-failed');
    assert.ok(r.json().errors.some((e) => e.field === 'body' && e.code === 'empty'), r.text);
    r = await upload(a.token, PDF(MAX));
    assertProblem(r, 413, 'payload-too-large');
    assert.deepEqual(stored(), before);
    // Without a citizen's session there is no upload.
    r = await upload(who.officer, PDF());
    assert.equal(r.status, 403);
    assert.deepEqual(stored(), before);
  });

  test('someone else\'s upload, an unknown one and an upload in a paperless procedure are refused and store nothing', async () => {
    const a = await person();
    const b = await person();
    const theirs = await good(b.token, PDF());
    const mine = await good(a.token, PDF());
    const before = stored();
    let r = await submitLand(a.token, [{ kind: 'land-certificate', upload: theirs.id }]);
    assertProblem(r, 400, 'validation-failed');
    assert.ok(r.json().errors.some((e) => e.field === 'documents[0].upload' && e.code === 'upload-unknown'), r.text);
    r = await submitLand(a.token, [{ kind: 'land-certificate', upload: 99999999 }]);
    assertProblem(r, 400, 'validation-failed');
    r = await submitLand(a.token, [{ kind: 'land-certificate', upload: 'x' }]);
    assertProblem(r, 400, 'validation-failed');
    // A paperless procedure (stay notification) refuses any document, an upload too.
    r = await call(srv, 'POST', '/api/v1/me/dossiers', {
      as: a.token,
      body: { procedure: '2.001159', form: { province: P, commune: NT, address: '1 Yersin', until: '2027-01-31' }, documents: [{ kind: 'photo', upload: mine.id }] },
    });
    assertProblem(r, 400, 'validation-failed');
    assert.ok(r.json().errors.some((e) => e.code === 'paperless-procedure'), r.text);
    assert.deepEqual(stored(), before);
    assert.equal(count(srv, `SELECT COUNT(*) FROM service_uploads WHERE dossier_id <> 0 AND id IN (${mine.id}, ${theirs.id})`), 0);
    // Nor can anyone but the owner read an upload.
    assertProblem(await call(srv, 'GET', `/api/v1/me/uploads/${theirs.id}`, { as: a.token }), 404, 'not-found');
    assertProblem(await call(srv, 'GET', `/api/v1/me/uploads/${theirs.id}`, { as: who.officer }), 403, 'forbidden');
  });

  test('a body sent in pieces goes to a temporary file as it arrives; its hash and size are those of the whole', async () => {
    const a = await person();
    const bytes = PNG(150000); // above --max-body
    // The 8 bytes of PNG's signature come in two pieces (3 + 5), the rest in pieces of 16 KiB.
    const pieces = [bytes.subarray(0, 3), bytes.subarray(3, 8), ...split(bytes.subarray(8), 16384)];
    const seen = [];
    const r = await streamUpload(a.token, pieces, {
      type: 'image/png',
      between: async (i) => {
        const sizes = () => temps().map((f) => fs.statSync(path.join(dir(), f)).size);
        if (i === 6) seen.push(...(await settle(sizes, (v) => v[0] === 8 + 5 * 16384)));
      },
    });
    assert.equal(r.status, 201, r.text);
    const u = r.json();
    assert.equal(u.media_type, 'image/png');
    assert.equal(u.size, bytes.length);
    assert.equal(u.sha256, sha(bytes));
    assert.deepEqual(fs.readFileSync(path.join(dir(), u.sha256)), bytes);
    // While the request was open, its first pieces were on disk already (3 + 5 + 5 × 16 KiB).
    assert.deepEqual(seen, [8 + 5 * 16384]);
    assert.deepEqual(temps(), []);
    const back = await call(srv, 'GET', `/api/v1/me/uploads/${u.id}`, { as: a.token });
    assert.deepEqual(back.body, bytes);
  });

  test('a body sent in pieces past upload-max-bytes is refused with 413: its temporary file goes at once, no row, no file', async () => {
    const a = await person();
    const before = stored();
    const bytes = PDF(MAX + 30000);
    let tempsWhileOpen = null;
    let tempsEarly = null;
    const pieces = split(bytes, 16384);
    const over = Math.ceil((MAX + 1) / 16384) - 1; // the piece that passes the limit
    const r = await streamUpload(a.token, pieces, {
      between: async (i) => {
        if (i === 2) tempsEarly = await settle(temps, (v) => v.length === 1);
        if (i === over + 1) tempsWhileOpen = await settle(temps, (v) => v.length === 0);
      },
    });
    assertProblem(r, 413, 'payload-too-large');
    assert.equal(tempsEarly.length, 1, 'the body was being written to a temporary file');
    assert.deepEqual(tempsWhileOpen, [], 'the temporary file was removed before the body ended');
    assert.deepEqual(stored(), before);
    assert.deepEqual(temps(), []);
  });

  test('a body sent in pieces whose first bytes are no PDF, JPEG or PNG is refused with 415 and leaves nothing', async () => {
    const a = await person();
    const before = stored();
    const gif = Buffer.concat([Buffer.from('GIF89a'), crypto.randomBytes(80000)]);
    let tempsWhileOpen = null;
    const r = await streamUpload(a.token, split(gif, 16384), {
      type: 'application/octet-stream',
      between: async (i) => {
        if (i === 1) tempsWhileOpen = await settle(temps, (v) => v.length === 0);
      },
    });
    assertProblem(r, 415, 'unsupported-media-type');
    assert.deepEqual(tempsWhileOpen, [], 'refused on its first piece: no temporary file kept');
    // A JPEG declared as a PDF is refused the same way.
    const r2 = await streamUpload(a.token, split(JPEG(40000), 16384), { type: 'application/pdf' });
    assertProblem(r2, 415, 'unsupported-media-type');
    assert.deepEqual(stored(), before);
    assert.deepEqual(temps(), []);
  });

  test('an upload left unattached for a day is purged with its file by a later upload; attached ones stay', async () => {
    const a = await person();
    const old = await good(a.token, PDF());
    const kept = await good(a.token, PNG(), 'image/png');
    const r = await submitLand(a.token, [{ kind: 'land-certificate', upload: kept.id }]);
    assert.equal(r.status, 201, r.text);
    const dayAgo = Date.now() - 25 * 3600 * 1000;
    sql(srv, `UPDATE service_uploads SET created_at = ${dayAgo} WHERE id IN (${old.id}, ${kept.id})`);
    assert.ok(files().includes(old.sha256));
    await good(a.token, JPEG(), 'image/jpeg');
    assert.equal(count(srv, `SELECT COUNT(*) FROM service_uploads WHERE id = ${old.id}`), 0);
    assert.ok(!files().includes(old.sha256), 'the purged upload\'s file is gone');
    assert.equal(count(srv, `SELECT COUNT(*) FROM service_uploads WHERE id = ${kept.id}`), 1);
    assert.ok(files().includes(kept.sha256));
    assertProblem(await call(srv, 'GET', `/api/v1/me/uploads/${old.id}`, { as: a.token }), 404, 'not-found');
  });
});

describe('supplements with documents', () => {
  const supplement = (token, code, body) => call(srv, 'POST', `/api/v1/me/dossiers/${code}/supplements`, { as: token, body });
  const askMore = (code) => as(who.here, 'POST', `/api/v1/dossiers/${code}/actions`, { action: 'ask-more', note: 'Bản quét mờ, gửi lại' });
  const dossierRow = (code) => sql(srv, `SELECT status || '|' || documents || '|' || version FROM service_dossiers WHERE code = '${code}'`);
  const attachedTo = (code) => count(srv, `SELECT COUNT(*) FROM service_uploads WHERE dossier_id = (SELECT id FROM service_dossiers WHERE code = '${code}')`);

  async function landDossier(a) {
    const first = await good(a.token, PDF());
    const r = await submitLand(a.token, [{ kind: 'land-certificate', upload: first.id }]);
    assert.equal(r.status, 201, r.text);
    return { code: r.json().code, first };
  }

  test('a supplement adds a scan after ask-more: attached in its transaction, shown with the dossier, downloaded by officers of the area', async () => {
    const a = await person();
    const { code, first } = await landDossier(a);
    const r0 = await askMore(code);
    assert.equal(r0.status, 200, r0.text);
    const bytes = JPEG(90000); // above --max-body
    const scan = await good(a.token, bytes, 'image/jpeg');
    const r = await supplement(a.token, code, { documents: [{ kind: 'land-certificate', upload: scan.id }], note: 'Bản quét rõ hơn' });
    assert.equal(r.status, 200, r.text);
    const d = r.json();
    assert.equal(d.status, 'submitted');
    assert.equal(d.documents.length, 2);
    assert.deepEqual(d.documents[0], { kind: 'land-certificate', upload: first.id });
    assert.equal(d.documents[1].kind, 'land-certificate');
    assert.equal(d.documents[1].upload, scan.id);
    assert.match(d.documents[1].supplemented_at, /^\d{4}-\d{2}-\d{2}T/);
    assert.equal(attachedTo(code), 2);
    assert.deepEqual(d.log.map((l) => l.action), ['submit', 'ask-more', 'supplement']);
    // The officer sees both documents with the dossier, and downloads the new one as number 1.
    const seen = (await as(who.here, 'GET', `/api/v1/dossiers/${code}`)).json();
    assert.equal(seen.documents.length, 2);
    const logged = () => count(srv, `SELECT COUNT(*) FROM access_log WHERE id_number = '${a.id}' AND data = 'document'`);
    const got = await as(who.officer, 'GET', `/api/v1/dossiers/${code}/documents/1`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.headers['content-type'], 'image/jpeg');
    assert.deepEqual(got.body, bytes);
    await until(() => logged() === 1, 'the access-log row of the download');
    assertProblem(await as(who.elsewhere, 'GET', `/api/v1/dossiers/${code}/documents/1`), 404, 'not-found');
    assertProblem(await as(who.officer, 'GET', `/api/v1/dossiers/${code}/documents/2`), 404, 'not-found');
    // The upload is now held: it cannot be attached again, nor a supplement sent when not asked.
    assertProblem(await supplement(a.token, code, { documents: [{ kind: 'land-certificate', upload: scan.id }] }), 422, 'rule-violated');
  });

  test('a supplement naming someone else\'s upload, an unknown one, an attached one, a kind not asked, or nothing, stores nothing', async () => {
    const a = await person();
    const b = await person();
    const { code, first } = await landDossier(a);
    assert.equal((await askMore(code)).status, 200);
    const theirs = await good(b.token, PDF());
    const mine = await good(a.token, PDF());
    const before = { row: dossierRow(code), stored: stored(), attached: attachedTo(code), mine: count(srv, `SELECT dossier_id FROM service_uploads WHERE id = ${mine.id}`) };
    const refused = async (body, field, code_) => {
      const r = await supplement(a.token, code, body);
      assertProblem(r, 400, 'validation-failed');
      assert.ok(r.json().errors.some((e) => e.field === field && e.code === code_), r.text);
    };
    await refused({ documents: [{ kind: 'land-certificate', upload: theirs.id }] }, 'documents[0].upload', 'upload-unknown');
    await refused({ documents: [{ kind: 'land-certificate', upload: 99999999 }] }, 'documents[0].upload', 'upload-unknown');
    await refused({ documents: [{ kind: 'land-certificate', upload: first.id }] }, 'documents[0].upload', 'upload-already-attached');
    await refused({ documents: [{ kind: 'passport', upload: mine.id }] }, 'documents[0].kind', 'document-kind-unknown');
    // One good document and one bad one: nothing of either is kept.
    await refused({ documents: [{ kind: 'land-certificate', upload: mine.id }, { kind: 'land-certificate', upload: theirs.id }] }, 'documents[1].upload', 'upload-unknown');
    await refused({ documents: [{ kind: 'land-certificate' }] }, 'documents[0]', 'invalid');
    await refused({ documents: 'x' }, 'documents', 'invalid');
    await refused({}, 'form', 'required');
    await refused({ documents: [] }, 'form', 'required');
    assert.deepEqual({ row: dossierRow(code), stored: stored(), attached: attachedTo(code), mine: count(srv, `SELECT dossier_id FROM service_uploads WHERE id = ${mine.id}`) }, before);
    // Someone else cannot supplement the dossier at all.
    assertProblem(await call(srv, 'POST', `/api/v1/me/dossiers/${code}/supplements`, { as: b.token, body: { documents: [{ kind: 'land-certificate', upload: theirs.id }] } }), 404, 'not-found');
    assert.equal(count(srv, `SELECT dossier_id FROM service_uploads WHERE id = ${theirs.id}`), 0);
    // A typed field and a wallet reference together are taken.
    const r = await supplement(a.token, code, { form: { parcel: 'Tờ 12, thửa 346' }, documents: [{ kind: 'land-certificate', wallet_document: 'gcn-2019-0042' }] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().form.parcel, 'Tờ 12, thửa 346');
    assert.equal(r.json().documents[1].wallet_document, 'gcn-2019-0042');
    assert.equal(attachedTo(code), 1);
  });

  test('a paperless procedure\'s supplement refuses documents and stores nothing', async () => {
    const a = await person();
    const r0 = await call(srv, 'POST', '/api/v1/me/dossiers', {
      as: a.token,
      body: { procedure: '2.001159', form: { province: P, commune: NT, address: '1 Yersin', until: '2027-01-31' } },
    });
    assert.equal(r0.status, 201, r0.text);
    const code = r0.json().code;
    assert.equal((await askMore(code)).status, 200);
    const mine = await good(a.token, PDF());
    const before = { row: dossierRow(code), stored: stored() };
    const r = await supplement(a.token, code, { form: { address: '1A Yersin' }, documents: [{ kind: 'photo', upload: mine.id }] });
    assertProblem(r, 400, 'validation-failed');
    assert.ok(r.json().errors.some((e) => e.code === 'paperless-procedure'), r.text);
    assert.deepEqual({ row: dossierRow(code), stored: stored() }, before);
    assert.equal(count(srv, `SELECT dossier_id FROM service_uploads WHERE id = ${mine.id}`), 0);
  });
});
