// services.test.mjs — online public services on the real binary, on SQLite or PostgreSQL
// (DD_TEST_DB): the public catalogue from data/procedures/, citizens' dossiers (register-filled
// forms, paperless procedures refusing documents, level-2 procedures), officers' actions step by
// step with their roles and areas, the public lookup by code and ID number, the fee paid through
// the payments core before the deadline starts, approval effects on the register in the
// approval's transaction and results in the wallet, the two inter-agency bundles, ratings and
// statistics. Every refused write is checked to have stored nothing.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { assertProblem } from './server.mjs';
import { call, citizen, count, officer, session, sql, startIdentityServer } from './identity_util.mjs';

const P = '56';
const NT = '22366'; // Phường Nha Trang
const CR = '22420'; // Phường Cam Ranh
const WEBHOOK = 'bank-webhook-secret';
const PURPOSE = 'Giai quyet ho so';
let srv;
const who = {};
let seq = 0;

const as = (token, method, p, body, headers = {}) =>
  call(srv, method, p, { as: token, body, headers: { 'X-Purpose': PURPOSE, ...headers } });

function idFor(sex, year, n) {
  const digit = Math.floor((year - 1900) / 100) * 2 + (sex === 'female' ? 1 : 0);
  return `056${digit}${String(year % 100).padStart(2, '0')}${String(n).padStart(6, '0')}`;
}

// A person registered through the register's API, with a citizen account (and level 2 when asked).
async function person(over = {}, level = 1) {
  const sex = over.sex || 'male';
  const body = {
    id_number: idFor(sex, 1990, 700000 + (++seq) * 7 + Math.floor(Math.random() * 5)),
    full_name: 'Trần Thị Bình',
    birth_date: '1990-05-17',
    sex,
    permanent_province: P,
    permanent_commune: NT,
    permanent_address: '12 Trần Phú',
    reason: 'Đăng ký khai sinh',
    legal_basis: 'Luật Hộ tịch 2014',
    ...over,
  };
  const household = body.household;
  delete body.household;
  const r = await as(who.admin, 'POST', '/api/v1/people', body);
  assert.equal(r.status, 201, r.text);
  if (household) {
    const m = await as(who.admin, 'POST', `/api/v1/people/${body.id_number}/moves`, {
      kind: 'permanent', province: P, commune: NT, address: '12 Trần Phú', from: '2020-01-01',
      new_household_number: household, reason: 'Tách hộ', legal_basis: 'Luật Cư trú 2020',
    });
    assert.equal(m.status, 201, m.text);
    body.household_number = household;
  }
  const c = await citizen(srv, { person: { id_number: body.id_number, full_name: body.full_name, birth_date: body.birth_date } });
  if (level === 2) {
    const up = await as(who.police, 'POST', `/api/v1/accounts/${c.account.id}/level-2`, { card_check: 'manual', face_check: 'manual' });
    assert.equal(up.status, 200, up.text);
  }
  const token = (await session(srv, c.login, c.password)).token;
  return { id: body.id_number, token, body };
}

const tables = ['service_dossiers', 'service_dossier_log', 'payments', 'wallet_credentials', 'person_history', 'events'];
// The events that background writers add at any moment (access.reads, soc.alert) are left out.
function snapshot() {
  const out = {};
  for (const t of tables) {
    const where = t === 'events' ? " WHERE type NOT IN ('access.reads', 'access.outside_area', 'soc.alert')" : '';
    out[t] = count(srv, `SELECT COUNT(*) FROM ${t}${where}`);
  }
  return out;
}

function webhook(body) {
  const text = JSON.stringify(body);
  const sig = crypto.createHmac('sha256', WEBHOOK).update(text).digest('hex');
  return srv.request('POST', '/api/v1/payments/bank-transfers', {
    headers: { 'Content-Type': 'application/json', 'X-Signature': sig },
    body: text,
  });
}

async function until(fn, what) {
  for (let i = 0; i < 200; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function submit(token, body, status = 201) {
  const r = await call(srv, 'POST', '/api/v1/me/dossiers', { as: token, body });
  assert.equal(r.status, status, r.text);
  return r.json();
}

async function act(token, code, action, note) {
  const body = note === undefined ? { action } : { action, note };
  return as(token, 'POST', `/api/v1/dossiers/${code}/actions`, body);
}

async function walk(token, d) {
  let cur = d;
  const ok = async (r) => {
    assert.equal(r.status, 200, r.text);
    return r.json();
  };
  cur = await ok(await act(token, cur.code, 'accept'));
  while (cur.step < cur.step_count - 1) cur = await ok(await act(token, cur.code, 'advance'));
  return ok(await act(token, cur.code, 'approve'));
}

before(async () => {
  srv = await startIdentityServer([
    '--login-delay-ms', '1000', // the look-up's throttle below, in whole seconds
    '--pay-sandbox', 'on', '--pay-vnpay-secret', 'sandbox-shared-secret', '--pay-bank-bin', '970415',
    '--pay-bank-account', '113366668888', '--pay-webhook-secret', WEBHOOK,
  ]);
  who.admin = officer(srv, 'quantri', 'admin', P).token;
  who.police = officer(srv, 'congan', 'commune-police', `${P}-${NT}`).token;
  who.officer = officer(srv, 'motcua', 'service-officer', P).token;
  who.leader = officer(srv, 'lanhdao', 'leader', P).token;
  who.cashier = officer(srv, 'thungan', 'cashier', P).token;
  who.issuer = officer(srv, 'capgiay', 'document-issuer', P).token;
  for (const [id, name] of [
    ['cong-an-56', 'Công an tỉnh Khánh Hòa'],
    ['ubnd-56', 'Ủy ban nhân dân tỉnh Khánh Hòa'],
    ['bhxh-56', 'Bảo hiểm xã hội tỉnh Khánh Hòa'],
    ['so-nv-56', 'Sở Nội vụ tỉnh Khánh Hòa'],
    ['so-tp-56', 'Sở Tư pháp tỉnh Khánh Hòa'],
    ['so-xd-56', 'Sở Xây dựng tỉnh Khánh Hòa'],
  ]) {
    const r = await as(who.admin, 'POST', '/api/v1/wallet/issuers', { id, name });
    assert.equal(r.status, 201, r.text);
  }
});
after(async () => {
  await srv?.stop();
});

describe('catalogue', () => {
  test('lists the 25 procedures, at least 20 paperless, each with code, name, agency, fee and days', async () => {
    const r = await srv.get('/api/v1/procedures');
    assert.equal(r.status, 200, r.text);
    const { items, next_cursor } = r.json();
    assert.equal(next_cursor, null);
    assert.equal(items.length, 25);
    assert.ok(items.filter((p) => p.paperless).length >= 20);
    for (const p of items) {
      assert.match(p.code, /^\d\.\d{6}$/);
      assert.ok(p.name.vi && p.agency.vi && Number.isInteger(p.fee) && Number.isInteger(p.processing_days));
    }
    for (const code of ['1.004222', '1.004194', '1.003677', '2.001159', '2.000200', '1.001456', '1.001193'])
      assert.ok(items.some((p) => p.code === code), code);
    assert.equal(items.filter((p) => p.bundle).length, 2);
    const pr = items.find((p) => p.code === '1.004222');
    assert.equal(pr.fee, 20000);
    assert.equal(pr.online_fee, 10000);
    const paper = (await srv.get('/api/v1/procedures?paperless=false')).json().items;
    assert.ok(paper.length >= 1 && paper.every((p) => !p.paperless));
    assertProblem(await srv.get('/api/v1/procedures?paperless=maybe'), 400, 'validation-failed');
  });

  test('one procedure gives its form, workflow and result; an unknown code is 404', async () => {
    const r = await srv.get('/api/v1/procedures/1.004222');
    assert.equal(r.status, 200, r.text);
    const p = r.json();
    assert.ok(p.form.some((f) => f.name === 'full_name' && f.prefill === 'register.full_name'));
    assert.ok(p.form.some((f) => f.name === 'commune' && f.required));
    assert.deepEqual(p.documents, []);
    assert.ok(p.workflow.length >= 2);
    assert.equal(p.effect.kind, 'residence.permanent');
    assertProblem(await srv.get('/api/v1/procedures/9.999999'), 404, 'not-found');
    const b = (await srv.get('/api/v1/procedures/1.010802')).json();
    assert.deepEqual(b.parts, ['1.000656', '1.004206', '2.000744']);
  });
});

describe('dossiers', () => {
  test('the form comes filled from the register; typed register fields, documents in a paperless procedure and bad input are refused and store nothing', async () => {
    const a = await person({}, 2);
    const form = (await call(srv, 'GET', '/api/v1/me/procedures/1.004194/form', { as: a.token })).json();
    assert.equal(form.values.full_name, 'Trần Thị Bình');
    assert.equal(form.values.permanent_address, '12 Trần Phú');
    assert.equal(form.level_ok, true);
    const before = snapshot();
    const good = { province: P, commune: CR, address: '5 Hùng Vương', until: '2027-12-31' };
    const bad = async (body, field, code) => {
      const r = await call(srv, 'POST', '/api/v1/me/dossiers', { as: a.token, body });
      assertProblem(r, 400, 'validation-failed');
      const errors = r.json().errors;
      assert.ok(errors.some((e) => e.field === field && e.code === code), `${field} ${code}: ${r.text}`);
    };
    await bad({ procedure: '1.004194', form: { ...good, full_name: 'Người Khác' } }, 'form.full_name', 'field-prefilled');
    await bad({ procedure: '1.004194', form: good, documents: [{ kind: 'photo', wallet_document: 'x' }] }, 'documents', 'paperless-procedure');
    await bad({ procedure: '1.004194', form: { ...good, commune: '123' } }, 'form.commune', 'invalid');
    await bad({ procedure: '1.004194', form: { ...good, until: '2027-02-30' } }, 'form.until', 'invalid');
    await bad({ procedure: '1.004194', form: { province: P, commune: CR } }, 'form.address', 'required');
    await bad({ procedure: '1.004194', form: { ...good, colour: 'red' } }, 'form.colour', 'unknown-field');
    await bad({ procedure: '9.999999', form: good }, 'procedure', 'procedure-unknown');
    await bad({ procedure: '1.001456', form: {} }, 'documents', 'document-required');
    assertProblem(await call(srv, 'POST', '/api/v1/me/dossiers', { as: a.token, body: [1] }), 400, 'validation-failed');
    assert.deepEqual(snapshot(), before);
  });

  test('a field filled from the wallet: the newest valid document gives it; without one the submission names it', async () => {
    const a = await person({}, 2);
    const docs = [{ kind: 'health-certificate', wallet_document: 'GKSK-2026-001' }];
    const form = { licence_number: '560123456789' };
    let f = (await call(srv, 'GET', '/api/v1/me/procedures/1.002804/form', { as: a.token })).json();
    assert.equal(f.values.class, undefined);
    const before = snapshot();
    let r = await call(srv, 'POST', '/api/v1/me/dossiers', { as: a.token, body: { procedure: '1.002804', form, documents: docs } });
    assertProblem(r, 400, 'validation-failed');
    assert.ok(r.json().errors.some((e) => e.field === 'form.class' && e.code === 'wallet-document-missing'), r.text);
    assert.deepEqual(snapshot(), before);
    r = await as(who.issuer, 'POST', '/api/v1/wallet/documents', {
      issuer: 'so-xd-56', holder: a.id, vct: 'urn:dinhdanh:vct:driving-licence', title: 'Giấy phép lái xe', claims: { class: 'A1' },
    });
    assert.equal(r.status, 201, r.text);
    f = (await call(srv, 'GET', '/api/v1/me/procedures/1.002804/form', { as: a.token })).json();
    assert.equal(f.values.class, 'A1');
    r = await call(srv, 'POST', '/api/v1/me/dossiers', { as: a.token, body: { procedure: '1.002804', form: { ...form, class: 'B' }, documents: docs } });
    assertProblem(r, 400, 'validation-failed');
    assert.ok(r.json().errors.some((e) => e.field === 'form.class' && e.code === 'field-prefilled'), r.text);
    const d = await submit(a.token, { procedure: '1.002804', form, documents: docs });
    assert.equal(d.form.class, 'A1');
    assert.deepEqual(d.documents, docs);
    assert.equal(d.status, 'awaiting-payment');
  });

  test('a level-2 procedure refuses a level-1 account', async () => {
    const l1 = await person();
    const before = snapshot();
    const r = await call(srv, 'POST', '/api/v1/me/dossiers', {
      as: l1.token,
      body: { procedure: '1.004194', form: { province: P, commune: CR, address: '5 Hùng Vương', until: '2027-12-31' } },
    });
    assertProblem(r, 403, 'forbidden');
    assert.deepEqual(snapshot(), before);
  });

  test('a free procedure: submitted with a deadline, asked for more, supplemented, processed, approved on time; the register moves, the result is in the wallet, the citizen is told each time', async () => {
    const a = await person();
    const d = await submit(a.token, {
      procedure: '1.003677',
      form: { province: P, commune: CR, address: '9 Lê Lợi', until: '2027-06-30' },
    });
    assert.match(d.code, /^HS\d{6}-[2-9A-Z]{6}$/);
    assert.equal(d.status, 'submitted');
    assert.match(d.due_day, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(d.form.full_name, 'Trần Thị Bình', 'filled from the register');
    assert.equal(d.commune, CR, 'the office of the place named');
    // Officers: a refusal needs a reason; the wrong role is refused; outside the area is 404.
    const before = snapshot();
    assertProblem(await act(who.officer, d.code, 'refuse'), 400, 'validation-failed');
    assertProblem(await act(who.officer, d.code, 'approve'), 422, 'rule-violated');
    assertProblem(await act(who.officer, d.code, 'jump'), 400, 'validation-failed');
    assertProblem(await act(who.police, d.code, 'accept'), 403, 'forbidden');
    assert.deepEqual(snapshot(), before);
    let r = await act(who.officer, d.code, 'ask-more', 'Ghi rõ số nhà');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().status, 'more-info');
    assert.equal(r.json().reason, 'Ghi rõ số nhà');
    assertProblem(await call(srv, 'POST', `/api/v1/me/dossiers/${d.code}/supplements`, { as: a.token, body: { form: { full_name: 'X' } } }), 400, 'validation-failed');
    // A typed field is checked by its type, as at submission: a date, a commune's five digits.
    const bad = await call(srv, 'POST', `/api/v1/me/dossiers/${d.code}/supplements`, { as: a.token, body: { form: { until: '30/06/2027', commune: 'Cam Ranh', address: '9B Lê Lợi' } } });
    assertProblem(bad, 400, 'validation-failed');
    assert.deepEqual(bad.json().errors.map((e) => e.field).sort(), ['form.commune', 'form.until']);
    assert.equal(count(srv, `SELECT COUNT(*) FROM service_dossiers WHERE code = '${d.code}' AND status = 'more-info' AND form LIKE '%9 Lê Lợi%'`), 1);
    r = await call(srv, 'POST', `/api/v1/me/dossiers/${d.code}/supplements`, { as: a.token, body: { form: { address: '9A Lê Lợi' } } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().status, 'submitted');
    assert.equal(r.json().form.address, '9A Lê Lợi');
    const done = await walk(who.officer, d);
    assert.equal(done.status, 'approved');
    assert.equal(done.deadline, 'on-time');
    assert.ok(done.result_doc);
    assert.deepEqual(done.log.map((l) => l.action), ['submit', 'ask-more', 'supplement', 'accept', 'approve']);
    // The register: an absence period, in the history with the dossier's code.
    const p = (await as(who.admin, 'GET', `/api/v1/people/${a.id}`)).json();
    assert.ok(p.residences.some((x) => x.kind === 'absence' && x.commune === CR), JSON.stringify(p.residences));
    assert.equal(count(srv, `SELECT COUNT(*) FROM person_history WHERE id_number = '${a.id}' AND dossier = '${d.code}'`), 1);
    // The wallet.
    const docs = (await call(srv, 'GET', '/api/v1/me/wallet/documents', { as: a.token })).json().items;
    const doc = docs.find((x) => x.id === done.result_doc);
    assert.ok(doc, JSON.stringify(docs));
    // The inbox: one message per change.
    const inbox = await until(async () => {
      const items = (await call(srv, 'GET', '/api/v1/me/notifications', { as: a.token })).json().items;
      return items.filter((m) => m.kind === 'dossier.changed').length >= 5 && items;
    }, 'inbox messages');
    assert.ok(inbox.some((m) => m.data.code === d.code && m.data.status === 'approved'));
    // An approved dossier takes no more actions.
    assertProblem(await act(who.officer, d.code, 'refuse', 'x'), 422, 'rule-violated');
  });

  test('anyone looks a dossier up by code and ID number, without personal data; a wrong pair is 404', async () => {
    const a = await person();
    const d = await submit(a.token, { procedure: '2.001159', form: { province: P, commune: NT, address: '1 Yersin', until: '2027-01-31' } });
    const r = await srv.get(`/api/v1/dossier-lookup?code=${d.code}&id_number=${a.id}`);
    assert.equal(r.status, 200, r.text);
    const v = r.json();
    assert.equal(v.status, 'submitted');
    assert.equal(v.applicant_name, undefined);
    assert.equal(v.form, undefined);
    assertProblem(await srv.get(`/api/v1/dossier-lookup?code=${d.code}&id_number=${idFor('male', 1990, 1)}`), 404, 'not-found');
    assertProblem(await srv.get(`/api/v1/dossier-lookup?code=${d.code}`), 400, 'validation-failed');
    // Guessing the ID number of a known code is throttled as failed logins are: after five wrong
    // answers for the code (one above), the code is blocked for a while, the right pair too;
    // another code is not.
    for (let i = 2; i <= 5; i++)
      assertProblem(await srv.get(`/api/v1/dossier-lookup?code=${d.code}&id_number=${idFor('male', 1990, i)}`), 404, 'not-found');
    const blocked = await srv.get(`/api/v1/dossier-lookup?code=${d.code}&id_number=${a.id}`);
    assertProblem(blocked, 429, 'too-many-requests');
    assert.ok(Number(blocked.headers['retry-after']) >= 1, JSON.stringify(blocked.headers));
    const other = await submit(a.token, { procedure: '2.001159', form: { province: P, commune: NT, address: '2 Yersin', until: '2027-01-31' } });
    assert.equal((await srv.get(`/api/v1/dossier-lookup?code=${other.code}&id_number=${a.id}`)).status, 200);
    // The applicant's list holds it; another citizen cannot read it.
    const mine = (await call(srv, 'GET', '/api/v1/me/dossiers', { as: a.token })).json();
    assert.deepEqual(mine.items.map((x) => x.code).sort(), [d.code, other.code].sort());
    const b = await person();
    assertProblem(await call(srv, 'GET', `/api/v1/me/dossiers/${d.code}`, { as: b.token }), 404, 'not-found');
  });

  test('a fee payable at submission: the dossier waits for the payment, then its deadline starts; approval moves the permanent residence in the same transaction', async () => {
    const a = await person({}, 2);
    const d = await submit(a.token, { procedure: '1.004222', form: { province: P, commune: CR, address: '77 Nguyễn Trãi' } });
    assert.equal(d.status, 'awaiting-payment');
    assert.equal(d.fee, 10000, 'the online discount');
    assert.equal(d.due_day, '');
    assertProblem(await act(who.officer, d.code, 'accept'), 422, 'rule-violated');
    const pay = (await call(srv, 'GET', `/api/v1/me/payments/${d.payment_id}`, { as: a.token })).json();
    assert.equal(pay.amount, 10000);
    const ok = await webhook({ transaction_id: `FT${Date.now()}`, amount: 10000, description: `CK ${pay.reference}` });
    assert.equal(ok.json().outcome, 'paid', ok.text);
    const paid = await until(async () => {
      const x = (await call(srv, 'GET', `/api/v1/me/dossiers/${d.code}`, { as: a.token })).json();
      return x.status === 'submitted' && x;
    }, 'the payment to start the dossier');
    assert.match(paid.due_day, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(paid.log.some((l) => l.action === 'paid' && l.actor === 'system'));
    const done = await walk(who.officer, paid);
    assert.equal(done.status, 'approved');
    const p = (await as(who.admin, 'GET', `/api/v1/people/${a.id}`)).json();
    assert.equal(p.permanent_commune, CR);
    assert.equal(p.permanent_address, '77 Nguyễn Trãi');
  });

  test('an approval whose register effect is refused changes nothing', async () => {
    const a = await person();
    const dead = await person({ full_name: 'Lê Văn Cư' });
    const d = await submit(a.token, { procedure: '1.000656', form: { deceased_id_number: dead.id, death_date: '2026-11-01' } });
    let r = await act(who.officer, d.code, 'accept');
    assert.equal(r.status, 200, r.text);
    // Registered dead by the police first: the dossier's approval must then fail whole.
    r = await as(who.admin, 'POST', `/api/v1/people/${dead.id}/deaths`, {
      date: '2026-11-01', reason: 'Khai tử', legal_basis: 'Luật Hộ tịch 2014',
    });
    assert.equal(r.status, 201, r.text);
    const before = snapshot();
    assertProblem(await act(who.officer, d.code, 'approve'), 422, 'rule-violated');
    assert.deepEqual(snapshot(), before);
    const x = (await as(who.officer, 'GET', `/api/v1/dossiers/${d.code}`)).json();
    assert.equal(x.status, 'received');
    assert.equal(x.result_doc, null);
  });
});

describe('bundles', () => {
  test('death, residence deletion and funeral allowance: one submission, three parts, the register changes once when the last part is approved', async () => {
    const a = await person();
    const dead = await person({ full_name: 'Phạm Văn Đức', sex: 'male' });
    const b = await submit(a.token, { procedure: '1.010802', form: { deceased_id_number: dead.id, death_date: '2026-11-20' } });
    assert.equal(b.parts.length, 3);
    assert.deepEqual(b.parts.map((p) => p.procedure), ['1.000656', '1.004206', '2.000744']);
    assertProblem(await act(who.officer, b.code, 'accept'), 422, 'rule-violated');
    const history = () => count(srv, `SELECT COUNT(*) FROM person_history WHERE id_number = '${dead.id}'`);
    const h0 = history();
    for (const [i, part] of b.parts.entries()) {
      const done = await walk(who.officer, part);
      assert.equal(done.status, 'approved');
      const person_ = (await as(who.admin, 'GET', `/api/v1/people/${dead.id}`)).json();
      assert.equal(person_.status, i < 2 ? 'alive' : 'dead', `after part ${i}`);
    }
    assert.equal(history(), h0 + 1, 'one register change');
    const whole = (await call(srv, 'GET', `/api/v1/me/dossiers/${b.code}`, { as: a.token })).json();
    assert.equal(whole.status, 'approved');
    assert.ok(whole.result_doc);
    assert.ok(whole.parts.every((p) => p.status === 'approved' && p.result_doc));
    const docs = (await call(srv, 'GET', '/api/v1/me/wallet/documents', { as: a.token })).json().items;
    assert.equal(docs.length, 4, 'three parts and the bundle');
    const mine = (await call(srv, 'GET', '/api/v1/me/dossiers', { as: a.token })).json().items;
    assert.deepEqual(mine.map((x) => x.code), [b.code], 'the parts are inside the bundle');
  });

  test('birth, permanent residence and health insurance: the child is registered once, in the parent household', async () => {
    const m = await person({ sex: 'female', full_name: 'Ngô Thị Hoa', household: `H${Date.now()}`.slice(0, 12) });
    const b = await submit(m.token, {
      procedure: '1.010801',
      form: { child_full_name: 'Ngô Gia Bảo', child_birth_date: '2026-11-02', child_sex: 'male' },
    });
    for (const part of b.parts) await walk(who.officer, part);
    const whole = (await call(srv, 'GET', `/api/v1/me/dossiers/${b.code}`, { as: m.token })).json();
    assert.equal(whole.status, 'approved');
    const child = whole.form.child_id_number;
    assert.match(child, /^056\d{9}$/);
    const p = (await as(who.admin, 'GET', `/api/v1/people/${child}`)).json();
    assert.equal(p.full_name, 'Ngô Gia Bảo');
    assert.equal(p.mother_id, m.id);
    assert.equal(p.household_number, m.body.household_number);
    assert.equal(count(srv, `SELECT COUNT(*) FROM people WHERE full_name = 'Ngô Gia Bảo'`), 1);
  });
});

describe('deadlines', () => {
  test('a dossier due today is due soon, one past its day is overdue; both are counted and listed, and late once decided', async () => {
    const a = await person();
    const d = await submit(a.token, { procedure: '2.001159', form: { province: P, commune: NT, address: '2 Yersin', until: '2027-01-31' } });
    const e = await submit(a.token, { procedure: '2.001159', form: { province: P, commune: NT, address: '3 Yersin', until: '2027-01-31' } });
    const day = (ms) => new Date(ms + 7 * 3600e3).toISOString().slice(0, 10);
    sql(srv, `UPDATE service_dossiers SET due_day = '${day(Date.now())}' WHERE code = '${d.code}'`);
    sql(srv, `UPDATE service_dossiers SET due_day = '${day(Date.now() - 86400e3)}' WHERE code = '${e.code}'`);
    const list = async (q) => (await as(who.officer, 'GET', `/api/v1/dossiers?${q}`)).json().items.map((x) => x.code);
    const soon = await list('deadline=due-soon');
    assert.ok(soon.includes(d.code) && !soon.includes(e.code), soon.join());
    assert.deepEqual(await list('deadline=overdue'), [e.code]);
    const s = (await as(who.leader, 'GET', '/api/v1/services/statistics')).json();
    assert.equal(s.overdue_now, 1);
    assert.ok(s.due_soon_now >= 1);
    const late = await walk(who.officer, e);
    assert.equal(late.deadline, 'late');
    const s2 = (await as(who.leader, 'GET', '/api/v1/services/statistics')).json();
    assert.equal(s2.overdue_now, 0);
    assert.equal(s2.decided_late, 1);
    assert.ok(s2.on_time_rate < 1);
  });

  test('a part refused refuses its bundle with the reason', async () => {
    const a = await person();
    const dead = await person({ full_name: 'Đỗ Văn Năm' });
    const b = await submit(a.token, { procedure: '1.010802', form: { deceased_id_number: dead.id, death_date: '2026-11-21' } });
    const r = await act(who.officer, b.parts[1].code, 'refuse', 'Không đúng thẩm quyền');
    assert.equal(r.status, 200, r.text);
    const whole = (await call(srv, 'GET', `/api/v1/me/dossiers/${b.code}`, { as: a.token })).json();
    assert.equal(whole.status, 'refused');
    assert.equal(whole.reason, 'Không đúng thẩm quyền');
    assert.equal((await as(who.admin, 'GET', `/api/v1/people/${dead.id}`)).json().status, 'alive');
  });
});

describe('ratings and statistics', () => {
  test('a decided dossier is rated once; figures by procedure, status, on-time rate and office', async () => {
    const a = await person();
    const d = await submit(a.token, { procedure: '1.000079', form: {} });
    assertProblem(await call(srv, 'POST', `/api/v1/me/dossiers/${d.code}/ratings`, { as: a.token, body: { score: 5 } }), 422, 'rule-violated');
    await walk(who.officer, d);
    const before = snapshot();
    assertProblem(await call(srv, 'POST', `/api/v1/me/dossiers/${d.code}/ratings`, { as: a.token, body: { score: 9 } }), 400, 'validation-failed');
    assert.deepEqual(snapshot(), before);
    let r = await call(srv, 'POST', `/api/v1/me/dossiers/${d.code}/ratings`, { as: a.token, body: { score: 4, comment: 'Nhanh' } });
    assert.equal(r.status, 201, r.text);
    assertProblem(await call(srv, 'POST', `/api/v1/me/dossiers/${d.code}/ratings`, { as: a.token, body: { score: 5 } }), 409, 'conflict');
    r = await as(who.leader, 'GET', '/api/v1/services/statistics');
    assert.equal(r.status, 200, r.text);
    const s = r.json();
    const row = s.by_procedure.find((x) => x.procedure === '1.000079');
    assert.equal(row.total, 1);
    assert.equal(row.by_status.approved, 1);
    assert.equal(row.on_time_rate, 1);
    assert.equal(row.satisfaction, 4);
    assert.ok(s.by_status.approved >= 1);
    assert.ok(s.on_time_rate > 0 && s.on_time_rate <= 1);
    assert.ok(s.satisfaction_by_office.some((o) => o.commune === NT && o.ratings >= 1));
    assertProblem(await as(who.leader, 'GET', '/api/v1/services/statistics?from=2026-13-01'), 400, 'validation-failed');
    assertProblem(await call(srv, 'GET', '/api/v1/services/statistics', { as: a.token }), 403, 'forbidden');
  });

  test('officers list dossiers of their area with deadline filters', async () => {
    const r = await as(who.officer, 'GET', '/api/v1/dossiers?limit=2');
    assert.equal(r.status, 200, r.text);
    const page = r.json();
    assert.equal(page.items.length, 2);
    assert.ok(page.next_cursor);
    const next = (await as(who.officer, 'GET', `/api/v1/dossiers?limit=2&cursor=${page.next_cursor}`)).json();
    assert.ok(next.items.every((x) => !page.items.some((y) => y.code === x.code)));
    assertProblem(await as(who.officer, 'GET', '/api/v1/dossiers?deadline=soon'), 400, 'validation-failed');
    assertProblem(await call(srv, 'GET', '/api/v1/dossiers', { as: who.officer }), 400, 'validation-failed');
  });
});
