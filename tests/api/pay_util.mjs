// pay_util.mjs — what the payments API tests share: a server with the sandbox gateway, the
// VietQR collection account and the bank webhook's secret; VNPay-style signatures computed here,
// independently of the server (sorted parameters, each URL-encoded as PHP's urlencode does,
// HMAC-SHA512 in hex); intents made through the API; the sandbox's payment form submitted as a
// browser would.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { call, officer, startIdentityServer } from './identity_util.mjs';

export const SECRET = 'sandbox-shared-secret';
export const WEBHOOK = 'bank-webhook-secret';
export const BIN = '970415';
export const ACCOUNT = '113366668888';

export async function startPayServer(extra = []) {
  const srv = await startIdentityServer([
    '--pay-sandbox', 'on',
    '--pay-vnpay-secret', SECRET,
    '--pay-bank-bin', BIN,
    '--pay-bank-account', ACCOUNT,
    '--pay-webhook-secret', WEBHOOK,
    ...extra,
  ]);
  const cashier = officer(srv, 'thungan', 'cashier', '56');
  const police = officer(srv, 'canbo', 'province-police', '56');
  return { srv, cashier, police };
}

const enc = (s) =>
  encodeURIComponent(s)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

export function signedText(params) {
  return Object.keys(params)
    .filter((k) => k !== 'vnp_SecureHash' && k !== 'vnp_SecureHashType')
    .sort()
    .map((k) => `${enc(k)}=${enc(String(params[k]))}`)
    .join('&');
}

export function sign(params, secret = SECRET) {
  return crypto.createHmac('sha512', secret).update(signedText(params)).digest('hex');
}

export function signedQuery(params, secret = SECRET) {
  return `${signedText(params)}&vnp_SecureHash=${sign(params, secret)}`;
}

// The IPN a gateway sends for intent `p`; `over` changes fields before signing.
export function ipnParams(p, over = {}) {
  return {
    vnp_Amount: String(p.amount * 100),
    vnp_BankCode: 'NCB',
    vnp_OrderInfo: `Thanh toan ${p.reference}`,
    vnp_PayDate: '20261129120000',
    vnp_ResponseCode: '00',
    vnp_TmnCode: 'DINHDANH',
    vnp_TransactionNo: String(10000000 + Math.floor(Math.random() * 89999999)),
    vnp_TransactionStatus: '00',
    vnp_TxnRef: p.reference,
    ...over,
  };
}

export async function ipn(srv, query) {
  const r = await srv.get(`/api/v1/payments/vnpay/ipn?${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json();
}

export const FINE = {
  purpose: 'fine',
  description: 'Phạt vi phạm giao thông: vượt đèn đỏ',
  amount: 800000,
  payer_id_number: '056090001234',
  module: 'traffic',
  object_type: 'violation',
  object_id: 'BB-2026-0001',
};

export async function createIntent(srv, token, over = {}, headers = {}) {
  const r = await call(srv, 'POST', '/api/v1/payments', { as: token, body: { ...FINE, ...over }, headers });
  assert.equal(r.status, 201, r.text);
  return r.json();
}

// The hidden fields of the sandbox's payment page, and the button pressed.
export function sandboxForm(html, action) {
  const unescape = (s) =>
    s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const fields = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
    unescape(m[1]),
    unescape(m[2]),
  ]);
  fields.push(['action', action]);
  return new URLSearchParams(fields).toString();
}
