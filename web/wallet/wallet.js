// wallet.js — the citizen's wallet page: their documents with their claims, a printable
// rendering of each, and a presentation of the claims they tick (a short-lived link and QR),
// which they can revoke.
import { api, ApiError, el, say, setCsrf } from '/api.js';

const $ = (id) => document.getElementById(id);
let shown = null;

function fail(err) {
  if (err instanceof ApiError && err.status === 401) {
    location.replace('/login.html?signin');
    return;
  }
  say($('error'), err.detail || String(err));
}

async function present(doc, form) {
  const claims = [...form.querySelectorAll('input:checked')].map((i) => i.value);
  say($('error'), '');
  try {
    shown = await api('POST', `/api/v1/me/wallet/documents/${doc.id}/presentations`, { claims });
  } catch (err) {
    return fail(err);
  }
  $('share').hidden = false;
  $('share-link').href = shown.url;
  $('share-link').textContent = shown.url;
  $('share-until').textContent = new Date(shown.expires_at * 1000).toLocaleTimeString('vi-VN');
  const svg = new DOMParser().parseFromString(shown.qr_svg, 'image/svg+xml').documentElement;
  svg.setAttribute('aria-label', 'Mã QR của đường dẫn');
  $('share-qr').replaceChildren(svg);
  $('share-title').focus();
}

$('share-revoke').addEventListener('click', async () => {
  try {
    await api('POST', `/api/v1/me/wallet/presentations/${shown.id}/revocations`, {});
  } catch (err) {
    return fail(err);
  }
  $('share').hidden = true;
  say($('notice'), 'Đã thu hồi đường dẫn.', 'ok');
});

function documentSection(doc) {
  const boxes = Object.keys(doc.claims).map((k) =>
    el('label', {}, el('input', { type: 'checkbox', value: k }), ` ${k}: ${typeof doc.claims[k] === 'string' ? doc.claims[k] : JSON.stringify(doc.claims[k])}`),
  );
  const form = el(
    'form',
    {},
    el('fieldset', {}, el('legend', {}, 'Chọn thông tin cho xem'), ...boxes.map((b) => el('div', {}, b))),
    el('button', { type: 'submit', class: 'primary' }, 'Tạo đường dẫn cho xem'),
    ' ',
    el('a', { href: `/api/v1/me/wallet/documents/${doc.id}/rendering`, target: '_blank' }, 'Bản in'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    present(doc, form);
  });
  const state = { valid: 'còn hiệu lực', expired: 'hết hạn', revoked: 'đã thu hồi' }[doc.state];
  return el('section', { class: 'doc', 'data-id': doc.id }, el('h3', {}, doc.title), el('p', { class: 'muted' }, `${doc.issuer_name} — ${state}`), form);
}

async function main() {
  try {
    const me = await api('GET', '/api/v1/me');
    setCsrf(me.csrf_token);
    const page = await api('GET', '/api/v1/me/wallet/documents');
    $('documents').replaceChildren(...page.items.map(documentSection));
    $('empty').hidden = page.items.length > 0;
  } catch (err) {
    fail(err);
  }
  $('main').removeAttribute('aria-busy');
}

main();
