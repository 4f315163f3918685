// payments.test.mjs — the payments API on the real binary, on SQLite or PostgreSQL (DD_TEST_DB):
// intents created with an Idempotency-Key (a retry replays, bad input stores nothing, callers
// without the role are refused); a VietQR checkout whose payload the npm package vietnam-qr-pay
// decodes to the intent's fields; the whole flow through the sandbox gateway (payment page,
// pay, signed IPN, redirect to the return page, paid with its transitions and one
// `payment.paid` event, the receipt as JSON, HTML and PDF); a cancelled payment; the IPN's
// answers to tampered parameters (97), an unknown order (01), a wrong amount (04) and a
// repeated notification (02, nothing changed); expiry (and `dinhdanh pay expire`); the bank-transfer webhook (signature,
// matching by the reference in the description, duplicates, amount mismatch); settlement
// reconciliation; refunds; and a citizen who sees and pays only their own intents.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import crypto from 'node:crypto';
import { QRPay } from 'vietnam-qr-pay';
import { call, citizen, count, session, sql } from './identity_util.mjs';
import { assertProblem, runCli, sleep } from './server.mjs';
import {
  ACCOUNT,
  BIN,
  FINE,
  WEBHOOK,
  createIntent,
  ipn,
  ipnParams,
  sandboxForm,
  signedQuery,
  startPayServer,
} from './pay_util.mjs';

let srv;
let cashier;
let police;

before(async () => {
  ({ srv, cashier, police } = await startPayServer());
});
after(async () => {
  await srv?.stop();
});

const get = (p, token) => call(srv, 'GET', p, { as: token });
const post = (p, body, token, headers = {}) => call(srv, 'POST', p, { as: token, body, headers });
const state = (id) => sql(srv, `SELECT state FROM payments WHERE id = '${id}'`);
const events = (type) => count(srv, `SELECT COUNT(*) FROM events WHERE type = '${type}'`);
const rows = () =>
  sql(srv, 'SELECT (SELECT COUNT(*) FROM payments) || \'/\' || (SELECT COUNT(*) FROM payment_transitions)');

describe('intents', () => {
  test('creation: 201 in state created with its first transition; the same key replays', async () => {
    const key = crypto.randomUUID();
    const r = await post('/api/v1/payments', FINE, cashier.token, { 'Idempotency-Key': key });
    assert.equal(r.status, 201, r.text);
    const p = r.json();
    assert.match(p.id, /^pay_[0-9a-f]{20}$/);
    assert.match(p.reference, /^DD[0-9A-Z]{10}$/);
    assert.equal(r.headers.location, `/api/v1/payments/${p.id}`);
    assert.equal(p.state, 'created');
    assert.equal(p.amount, 800000);
    assert.deepEqual(p.object, { module: 'traffic', type: 'violation', id: 'BB-2026-0001' });
    assert.equal(p.transitions.length, 1);
    assert.equal(p.transitions[0].to, 'created');
    assert.equal(p.transitions[0].actor, `officer:${cashier.id}`);
    const before = rows();
    const again = await post('/api/v1/payments', FINE, cashier.token, { 'Idempotency-Key': key });
    assert.equal(again.status, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.json().id, p.id);
    assert.equal(rows(), before);
    const other = await post('/api/v1/payments', { ...FINE, amount: 1 }, cashier.token, { 'Idempotency-Key': key });
    assertProblem(other, 422, 'idempotency-key-reused');
    const got = await get(`/api/v1/payments/${p.id}`, cashier.token);
    assert.equal(got.status, 200);
    assert.equal(got.json().reference, p.reference);
    assertProblem(await get('/api/v1/payments/pay_00000000000000000000', cashier.token), 404, 'not-found');
  });

  test('bad input is 400 and stores nothing', async () => {
    const before = rows();
    const bad = [
      { ...FINE, amount: 0 },
      { ...FINE, amount: '800000' },
      { ...FINE, purpose: 'gift' },
      { ...FINE, payer_id_number: '12345' },
      { ...FINE, module: 'Traffic Police' },
      { ...FINE, expires_in: 0 },
      { ...FINE, colour: 'red' },
      (({ description, ...rest }) => rest)(FINE),
    ];
    for (const body of bad) {
      const r = await post('/api/v1/payments', body, cashier.token);
      const b = assertProblem(r, 400, 'validation-failed');
      assert.ok(b.errors.length >= 1, r.text);
    }
    assertProblem(await post('/api/v1/payments', '[1', cashier.token), 400, 'invalid-json');
    assert.equal(rows(), before);
  });

  test('officers without a payments role and anonymous callers are refused', async () => {
    const before = rows();
    assertProblem(await post('/api/v1/payments', FINE, police.token), 403, 'forbidden');
    assertProblem(await post('/api/v1/payments', FINE, undefined), 401, 'unauthenticated');
    assertProblem(await get('/api/v1/payments', police.token), 403, 'forbidden');
    assert.equal(rows(), before);
  });

  test('the list is newest first, filtered, and paged with next_cursor', async () => {
    const object_id = `LIST-${Date.now()}`;
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await createIntent(srv, cashier.token, { object_id }));
    const page1 = (await get(`/api/v1/payments?object_id=${object_id}&limit=2`, cashier.token)).json();
    assert.equal(page1.items.length, 2);
    assert.ok(page1.next_cursor);
    const page2 = (
      await get(`/api/v1/payments?object_id=${object_id}&limit=2&cursor=${encodeURIComponent(page1.next_cursor)}`, cashier.token)
    ).json();
    assert.equal(page2.items.length, 1);
    assert.equal(page2.next_cursor, null);
    const ids = [...page1.items, ...page2.items].map((p) => p.id).sort();
    assert.deepEqual(ids, made.map((p) => p.id).sort());
    assertProblem(await get('/api/v1/payments?cursor=nonsense', cashier.token), 400, 'validation-failed');
  });
});

describe('VietQR', () => {
  test('a VietQR checkout gives a payload vietnam-qr-pay reads as the intent, and the intent is pending', async () => {
    const p = await createIntent(srv, cashier.token, { amount: 150000 });
    for (const body of [{ method: 'cash' }, {}, { method: 'vietqr', extra: 1 }, '"vietqr"'])
      assertProblem(await post(`/api/v1/payments/${p.id}/checkouts`, body, cashier.token), 400, 'validation-failed');
    assert.equal(state(p.id), 'created');
    assert.equal(count(srv, `SELECT COUNT(*) FROM payment_transitions WHERE payment_id = '${p.id}'`), 1);
    const r = await post(`/api/v1/payments/${p.id}/checkouts`, { method: 'vietqr' }, cashier.token);
    assert.equal(r.status, 201, r.text);
    const c = r.json();
    assert.equal(c.payment.state, 'pending');
    assert.equal(c.transfer_description, p.reference);
    const peer = new QRPay(c.vietqr);
    assert.equal(peer.isValid, true);
    assert.equal(peer.consumer.bankBin, BIN);
    assert.equal(peer.consumer.bankNumber, ACCOUNT);
    assert.equal(peer.amount, '150000');
    assert.equal(peer.additionalData.purpose, p.reference);
    assert.equal(peer.additionalData.reference, p.reference);
    assert.equal(peer.initMethod, '12');
    const text = await get(`/api/v1/payments/${p.id}/vietqr?format=text`, cashier.token);
    assert.equal(text.text, c.vietqr);
    const png = await get(`/api/v1/payments/${p.id}/vietqr?format=png`, cashier.token);
    assert.equal(png.headers['content-type'], 'image/png');
    assert.deepEqual([...png.body.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const svg = await get(`/api/v1/payments/${p.id}/vietqr`, cashier.token);
    assert.equal(svg.headers['content-type'], 'image/svg+xml');
    assert.match(svg.text, /^<svg /);
    assertProblem(await get(`/api/v1/payments/${p.id}/vietqr?format=gif`, cashier.token), 400, 'validation-failed');
    assertProblem(await post(`/api/v1/payments/${p.id}/checkouts`, { method: 'cash' }, cashier.token), 400, 'validation-failed');
  });
});

// Pays intent p through the sandbox: its payment page, then the button; the redirect.
async function throughSandbox(p, action) {
  const c = await post(`/api/v1/payments/${p.id}/checkouts`, { method: 'vnpay' }, cashier.token);
  assert.equal(c.status, 201, c.text);
  const url = new URL(c.json().payment_url);
  assert.equal(url.pathname, '/sandbox/vnpay/pay');
  assert.equal(url.searchParams.get('vnp_TxnRef'), p.reference);
  assert.equal(url.searchParams.get('vnp_Amount'), String(p.amount * 100));
  const page = await srv.get(url.pathname + url.search);
  assert.equal(page.status, 200, page.text);
  assert.match(page.text, new RegExp(`<dd id="order">${p.reference}</dd>`));
  const form = await srv.request('POST', '/sandbox/vnpay/pay', {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: sandboxForm(page.text, action),
  });
  assert.equal(form.status, 302, form.text);
  return { location: new URL(form.headers.location), ipnCode: form.headers['x-sandbox-ipn'], url };
}

describe('gateway', () => {
  test('the whole flow through the sandbox: page, pay, IPN, return page, paid, one payment.paid, receipts', async () => {
    const p = await createIntent(srv, cashier.token, { amount: 230000, object_id: 'HS-FLOW' });
    const paidBefore = events('payment.paid');
    const { location, ipnCode } = await throughSandbox(p, 'pay');
    assert.equal(ipnCode, '00');
    assert.equal(location.pathname, '/api/v1/payments/vnpay/return');
    assert.equal(location.searchParams.get('vnp_ResponseCode'), '00');
    const ret = await srv.get(location.pathname + location.search);
    assert.equal(ret.status, 200, ret.text);
    assert.match(ret.text, /data-outcome="paid"/);
    const after = (await get(`/api/v1/payments/${p.id}`, cashier.token)).json();
    assert.equal(after.state, 'paid');
    assert.equal(after.method, 'vnpay');
    assert.equal(after.gateway_txn, location.searchParams.get('vnp_TransactionNo'));
    assert.deepEqual(after.transitions.map((t) => t.to), ['created', 'pending', 'paid']);
    assert.equal(after.transitions[2].actor, 'vnpay');
    assert.equal(events('payment.paid'), paidBefore + 1);
    const payload = JSON.parse(sql(srv, `SELECT payload FROM events WHERE subject = 'payment:${p.id}' AND type = 'payment.paid'`));
    assert.equal(payload.object.id, 'HS-FLOW');
    assert.equal(payload.amount, 230000);
    // The return page with one parameter changed is refused.
    const forged = new URLSearchParams(location.search);
    forged.set('vnp_Amount', '100');
    const bad = await srv.get(`${location.pathname}?${forged}`);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /data-outcome="invalid"/);
    // Signed, but for another amount than the intent's.
    const other = Object.fromEntries(new URLSearchParams(location.search));
    delete other.vnp_SecureHash;
    const wrongAmount = await srv.get(`${location.pathname}?${signedQuery({ ...other, vnp_Amount: '100' })}`);
    assert.equal(wrongAmount.status, 400);
    // Signed by the test itself, the right parameters give the same page as the gateway's.
    assert.equal((await srv.get(`${location.pathname}?${signedQuery(other)}`)).status, 200);
    // The receipt verifies publicly by its code, as JSON, HTML and PDF.
    const code = after.receipt_code;
    assert.match(code, /^[0-9a-f]{32}$/);
    const rj = await srv.get(`/api/v1/receipts/${code}`);
    assert.equal(rj.status, 200);
    const receipt = rj.json();
    assert.equal(receipt.valid, true);
    assert.equal(receipt.amount, 230000);
    assert.equal(receipt.reference, p.reference);
    assert.equal(receipt.payer_id_number, '********1234');
    assert.equal(receipt.verify_url, `${srv.url}/api/v1/receipts/${code}`);
    const html = await srv.get(`/api/v1/receipts/${code}?format=html`);
    assert.equal(html.status, 200);
    assert.match(html.text, /<svg /);
    assert.match(html.text, /230\.000 ₫/);
    assert.ok(!html.text.includes('056090001234'));
    const pdf = await srv.get(`/api/v1/receipts/${code}?format=pdf`);
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    const pdfText = pdf.body.toString('latin1');
    assert.match(pdfText, /^%PDF-1\.4/);
    assert.match(pdfText, /%%EOF\n$/);
    assert.ok(pdfText.includes(`(${p.reference})`));
    assert.ok(pdfText.includes('(Bien lai thu tien dien tu / Electronic receipt)'));
    const startxref = Number(/startxref\n(\d+)\n/.exec(pdfText)[1]);
    assert.equal(pdfText.slice(startxref, startxref + 4), 'xref');
    assertProblem(await srv.get(`/api/v1/receipts/${'0'.repeat(32)}`), 404, 'not-found');
    assertProblem(await srv.get(`/api/v1/receipts/${code}?format=doc`), 400, 'validation-failed');
  });

  test('a cancelled payment fails; the intent can be paid again afterwards', async () => {
    const p = await createIntent(srv, cashier.token, { amount: 99000 });
    const { location, ipnCode } = await throughSandbox(p, 'cancel');
    assert.equal(ipnCode, '00');
    assert.equal(location.searchParams.get('vnp_ResponseCode'), '24');
    assert.equal(state(p.id), 'failed');
    const ret = await srv.get(location.pathname + location.search);
    assert.match(ret.text, /data-outcome="failed"/);
    const second = await throughSandbox(p, 'pay');
    assert.equal(second.ipnCode, '00');
    assert.equal(state(p.id), 'paid');
    const t = (await get(`/api/v1/payments/${p.id}`, cashier.token)).json().transitions.map((x) => x.to);
    assert.deepEqual(t, ['created', 'pending', 'failed', 'pending', 'paid']);
  });

  test('the sandbox refuses a payment URL whose parameters were changed', async () => {
    const p = await createIntent(srv, cashier.token);
    const c = (await post(`/api/v1/payments/${p.id}/checkouts`, { method: 'vnpay' }, cashier.token)).json();
    const url = new URL(c.payment_url);
    url.searchParams.set('vnp_Amount', '100');
    const page = await srv.get(url.pathname + url.search);
    assert.equal(page.status, 400);
    assert.match(page.text, /Sai chữ ký/);
  });

  test('IPN: tampered 97, unknown order 01, wrong amount 04, repeated 02 with nothing changed', async () => {
    const p = await createIntent(srv, cashier.token, { amount: 120000 });
    const params = ipnParams(p);
    // Tampered: signed, then one value changed; or signed with another key; or no hash.
    const tampered = signedQuery(params).replace(`vnp_Amount=${params.vnp_Amount}`, 'vnp_Amount=100');
    assert.deepEqual(await ipn(srv, tampered), { RspCode: '97', Message: 'Invalid signature' });
    assert.equal((await ipn(srv, signedQuery(params, 'another-key'))).RspCode, '97');
    assert.equal((await ipn(srv, signedQuery(params).replace(/&vnp_SecureHash=.*$/, ''))).RspCode, '97');
    assert.equal((await ipn(srv, signedQuery(ipnParams({ ...p, reference: 'DDZZZZZZZZZZ' })))).RspCode, '01');
    assert.deepEqual(await ipn(srv, signedQuery({ ...params, vnp_Amount: '1200000' })), {
      RspCode: '04',
      Message: 'Invalid amount',
    });
    assert.equal(state(p.id), 'created');
    assert.equal(count(srv, `SELECT COUNT(*) FROM payment_transitions WHERE payment_id = '${p.id}'`), 1);
    const paidBefore = events('payment.paid');
    assert.deepEqual(await ipn(srv, signedQuery(params)), { RspCode: '00', Message: 'Confirm Success' });
    assert.equal(state(p.id), 'paid');
    const snapshot = sql(srv, `SELECT version || receipt_code || paid_at FROM payments WHERE id = '${p.id}'`);
    assert.deepEqual(await ipn(srv, signedQuery(params)), { RspCode: '02', Message: 'Order already confirmed' });
    // Another gateway transaction for the same, paid order is also "already confirmed".
    assert.equal((await ipn(srv, signedQuery(ipnParams(p)))).RspCode, '02');
    assert.equal(sql(srv, `SELECT version || receipt_code || paid_at FROM payments WHERE id = '${p.id}'`), snapshot);
    assert.equal(events('payment.paid'), paidBefore + 1);
    assert.equal(count(srv, `SELECT COUNT(*) FROM payment_transitions WHERE payment_id = '${p.id}'`), 2);
  });
});

describe('expiry', () => {
  test('an intent past its window is expired: no checkout, a late IPN is refused (99), a late transfer is recorded', async () => {
    const p = await createIntent(srv, cashier.token, { expires_in: 1 });
    await sleep(1300);
    const got = (await get(`/api/v1/payments/${p.id}`, cashier.token)).json();
    assert.equal(got.state, 'expired');
    assert.equal(got.transitions.at(-1).actor, 'system');
    assert.equal(events('payment.expired') >= 1, true);
    assertProblem(await post(`/api/v1/payments/${p.id}/checkouts`, { method: 'vnpay' }, cashier.token), 409, 'conflict');
    assert.equal((await ipn(srv, signedQuery(ipnParams(p)))).RspCode, '99');
    assert.equal(state(p.id), 'expired');
    // The IPN arriving first (before any read) expires it too.
    const q = await createIntent(srv, cashier.token, { expires_in: 1 });
    await sleep(1300);
    assert.equal((await ipn(srv, signedQuery(ipnParams(q)))).RspCode, '99');
    assert.equal(state(q.id), 'expired');
    assert.equal(count(srv, `SELECT COUNT(*) FROM payment_notifications WHERE payment_id = '${q.id}' AND outcome = 'expired'`), 1);
  });

  test('dinhdanh pay expire moves the intents nobody touched', async () => {
    const p = await createIntent(srv, cashier.token, { expires_in: 1 });
    const keep = await createIntent(srv, cashier.token);
    await sleep(1300);
    assert.equal(state(p.id), 'created');
    const out = runCli(['pay', 'expire', '--db', srv.db]);
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /^1 payment intents expired$/m);
    assert.equal(state(p.id), 'expired');
    assert.equal(state(keep.id), 'created');
    assert.equal(count(srv, `SELECT COUNT(*) FROM events WHERE type = 'payment.expired' AND subject = 'payment:${p.id}'`), 1);
    assert.match(runCli(['pay', 'expire', '--db', srv.db]).stdout, /^0 payment intents expired$/m);
  });
});

function webhook(body, secret = WEBHOOK) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const sig = crypto.createHmac('sha256', secret).update(text).digest('hex');
  return srv.request('POST', '/api/v1/payments/bank-transfers', {
    headers: { 'Content-Type': 'application/json', 'X-Signature': sig },
    body: text,
  });
}

describe('bank transfers', () => {
  test('bad signatures and bad bodies are refused and record nothing', async () => {
    const notes = () => count(srv, 'SELECT COUNT(*) FROM payment_notifications');
    const before = notes();
    const body = { transaction_id: 'FT1', amount: 1000, description: 'x' };
    assertProblem(await webhook(body, 'wrong'), 401, 'unauthenticated');
    const unsigned = await srv.request('POST', '/api/v1/payments/bank-transfers', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    assertProblem(unsigned, 401, 'unauthenticated');
    assertProblem(await webhook({ transaction_id: 'FT1', amount: -5, description: 'x' }), 400, 'validation-failed');
    assertProblem(await webhook({ amount: 5, description: 'x' }), 400, 'validation-failed');
    assertProblem(await webhook('{"transaction_id":'), 400, 'invalid-json');
    assert.equal(notes(), before);
  });

  test('a transfer is matched by the reference in its description; repeats and wrong amounts change nothing', async () => {
    const p = await createIntent(srv, cashier.token, { amount: 350000 });
    const wrong = await webhook({ transaction_id: `FT${Date.now()}A`, amount: 35000, description: `CT ${p.reference}` });
    assert.equal(wrong.status, 200, wrong.text);
    assert.deepEqual(wrong.json(), { outcome: 'amount-mismatch', payment_id: p.id, reference: p.reference });
    assert.equal(state(p.id), 'created');
    const txn = `FT${Date.now()}B`;
    const body = {
      transaction_id: txn,
      amount: 350000,
      description: `MBVCB.123456.NGUYEN VAN A chuyen tien ${p.reference.toLowerCase()}.CT tu 0011`,
    };
    const ok = await webhook(body);
    assert.deepEqual(ok.json(), { outcome: 'paid', payment_id: p.id, reference: p.reference });
    const got = (await get(`/api/v1/payments/${p.id}`, cashier.token)).json();
    assert.equal(got.state, 'paid');
    assert.equal(got.method, 'bank-transfer');
    assert.equal(got.gateway_txn, txn);
    assert.equal((await webhook(body)).json().outcome, 'duplicate');
    assert.equal((await webhook({ ...body, transaction_id: `${txn}X` })).json().outcome, 'already-paid');
    assert.equal(count(srv, `SELECT COUNT(*) FROM payment_transitions WHERE payment_id = '${p.id}'`), 2);
    const none = await webhook({ transaction_id: `FT${Date.now()}C`, amount: 10000, description: 'ung ho quy DDNOTAREF000' });
    assert.deepEqual(none.json(), { outcome: 'unmatched' });
  });
});

describe('reconciliation', () => {
  test('a settlement file is compared with the intents paid in the period', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const from = today;
    // Two paid intents; one settled right, one not settled at all; one settled for less; one
    // settled but unpaid; one unknown line; a duplicate line.
    const a = await createIntent(srv, cashier.token, { amount: 10000 });
    const b = await createIntent(srv, cashier.token, { amount: 20000 });
    const c = await createIntent(srv, cashier.token, { amount: 30000 });
    const d = await createIntent(srv, cashier.token, { amount: 40000 });
    for (const p of [a, b, c]) assert.equal((await ipn(srv, signedQuery(ipnParams(p)))).RspCode, '00');
    const csv = [
      'transaction_id,reference,amount,settled_at',
      `T1,${a.reference},10000,${today}`,
      `T2,${c.reference},29000,${today}`,
      `T3,${d.reference},40000,${today}`,
      `T4,DD0000000000,5000,${today}`,
      `T5,${a.reference},10000,${today}`,
    ].join('\r\n');
    const r = await srv.request('POST', `/api/v1/payments/settlements?from=${from}&to=${today}&source=vnpay-test`, {
      headers: { Authorization: `Bearer ${cashier.token}`, 'Content-Type': 'text/csv' },
      body: csv,
    });
    assert.equal(r.status, 201, r.text);
    const rep = r.json();
    assert.equal(rep.lines, 5);
    assert.equal(rep.matched, 1);
    const kinds = (k) => rep.mismatches.filter((m) => m.kind === k);
    assert.deepEqual(kinds('amount-difference').map((m) => [m.reference, m.amount, m.settled_amount]), [[c.reference, 30000, 29000]]);
    assert.deepEqual(kinds('settled-not-paid').map((m) => [m.reference, m.state]), [[d.reference, 'created']]);
    assert.deepEqual(kinds('settled-unknown').map((m) => m.reference), ['DD0000000000']);
    assert.deepEqual(kinds('duplicate-line').map((m) => m.line), [6]);
    const unsettled = kinds('paid-not-settled').map((m) => m.reference);
    assert.ok(unsettled.includes(b.reference));
    assert.ok(!unsettled.includes(a.reference) && !unsettled.includes(c.reference));
    assert.equal(count(srv, "SELECT COUNT(*) FROM payment_settlements WHERE source = 'vnpay-test'"), 1);
  });

  test('a malformed file or period is 400 and stores nothing', async () => {
    const before = count(srv, 'SELECT COUNT(*) FROM payment_settlements');
    const send = (q, body) =>
      srv.request('POST', `/api/v1/payments/settlements?${q}`, {
        headers: { Authorization: `Bearer ${cashier.token}`, 'Content-Type': 'text/csv' },
        body,
      });
    assertProblem(await send('from=2026-01-01&to=2026-01-31', 'ref,amt\nx,1\n'), 400, 'validation-failed');
    assertProblem(await send('from=2026-01-01&to=2026-01-31', 'reference,amount\nDDX,abc\n'), 400, 'validation-failed');
    assertProblem(await send('from=2026-01-01&to=2026-01-31', 'reference,amount\n"DDX,1\n'), 400, 'validation-failed');
    assertProblem(await send('from=2026-02-01&to=2026-01-31', 'reference,amount\n'), 400, 'validation-failed');
    assertProblem(await send('to=2026-01-31', 'reference,amount\n'), 400, 'validation-failed');
    assert.equal(count(srv, 'SELECT COUNT(*) FROM payment_settlements'), before);
  });
});

describe('refunds and the payer', () => {
  test('a paid intent is refunded once; its receipt then says so', async () => {
    const p = await createIntent(srv, cashier.token, { amount: 45000 });
    const refundedBefore = events('payment.refunded');
    assertProblem(await post(`/api/v1/payments/${p.id}/refunds`, { reason: 'trùng' }, cashier.token), 409, 'conflict');
    assert.equal((await ipn(srv, signedQuery(ipnParams(p)))).RspCode, '00');
    assertProblem(await post(`/api/v1/payments/${p.id}/refunds`, {}, cashier.token), 400, 'validation-failed');
    assertProblem(await post(`/api/v1/payments/${p.id}/refunds`, { reason: '' }, cashier.token), 400, 'validation-failed');
    assert.equal(state(p.id), 'paid');
    assert.equal(events('payment.refunded'), refundedBefore);
    const r = await post(`/api/v1/payments/${p.id}/refunds`, { reason: 'Nộp trùng' }, cashier.token);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json().state, 'refunded');
    assert.equal(r.json().transitions.at(-1).reason, 'Nộp trùng');
    assert.equal(events('payment.refunded'), refundedBefore + 1);
    const receipt = (await srv.get(`/api/v1/receipts/${r.json().receipt_code}`)).json();
    assert.equal(receipt.valid, false);
    assert.equal(receipt.state, 'refunded');
    assertProblem(await post(`/api/v1/payments/${p.id}/refunds`, { reason: 'lần nữa' }, cashier.token), 409, 'conflict');
  });

  test('a citizen sees and pays only their own intents', async () => {
    const me = await citizen(srv);
    const s = await session(srv, me.login, me.password);
    const mine = await createIntent(srv, cashier.token, { payer_id_number: me.person.id_number, object_id: 'MINE' });
    const theirs = await createIntent(srv, cashier.token, { payer_id_number: '056090009999' });
    const list = (await get('/api/v1/me/payments', s.token)).json();
    assert.deepEqual(list.items.map((p) => p.id), [mine.id]);
    assert.equal((await get(`/api/v1/me/payments/${mine.id}`, s.token)).json().object.id, 'MINE');
    assertProblem(await get(`/api/v1/me/payments/${theirs.id}`, s.token), 404, 'not-found');
    assertProblem(await post(`/api/v1/me/payments/${theirs.id}/checkouts`, { method: 'vietqr' }, s.token), 404, 'not-found');
    assert.equal(state(theirs.id), 'created');
    const c = await post(`/api/v1/me/payments/${mine.id}/checkouts`, { method: 'vietqr' }, s.token);
    assert.equal(c.status, 201, c.text);
    assert.equal(state(mine.id), 'pending');
    assertProblem(await get(`/api/v1/payments/${mine.id}`, s.token), 403, 'forbidden');
  });
});
