// verify.js — the public verify page: a presentation link (?p=ID) is checked by the server; a
// whole SD-JWT after '#' (the printed document's QR) or pasted in the form is sent to
// /api/v1/wallet/verifications. Shows the verdict, the issuer, the dates and only the disclosed
// claims.
import { api, el, say } from '/api.js';

const $ = (id) => document.getElementById(id);

const reasons = {
  malformed: 'Không đọc được giấy tờ.',
  'unknown-issuer': 'Cơ quan cấp không thuộc hệ thống.',
  'unknown-key': 'Khoá ký không được cơ quan cấp công bố.',
  'bad-signature': 'Chữ ký không đúng: giấy tờ đã bị sửa hoặc giả.',
  'bad-disclosure': 'Có thông tin bị sửa so với bản được ký.',
  'key-binding-unsupported': 'Dạng trình bày này chưa được hỗ trợ.',
  expired: 'Giấy tờ đã hết hạn.',
  'not-yet-valid': 'Giấy tờ chưa có hiệu lực.',
  revoked: 'Giấy tờ đã bị thu hồi.',
  'presentation-revoked': 'Người dân đã thu hồi đường dẫn này.',
  'presentation-expired': 'Đường dẫn đã hết hạn.',
};

const day = (s) =>
  s ? new Date(s * 1000).toLocaleDateString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' }) : '';

function show(v) {
  $('result').hidden = false;
  $('result').classList.toggle('valid', v.valid);
  $('result').classList.toggle('invalid', !v.valid);
  $('verdict').textContent = v.valid ? 'Giấy tờ hợp lệ' : `Không hợp lệ: ${reasons[v.reason] || v.reason}`;
  $('verdict').dataset.reason = v.reason || '';
  $('issuer').textContent = v.issuer_name || v.issuer || '';
  $('vct').textContent = v.vct || '';
  $('issued').textContent = day(v.issued_at);
  $('expires').textContent = day(v.expires_at);
  const rows = Object.entries(v.claims || {}).map(([k, val]) =>
    el('tr', {}, el('th', { scope: 'row' }, k), el('td', {}, typeof val === 'string' ? val : JSON.stringify(val))),
  );
  $('claims').replaceChildren(...rows);
  $('verdict').focus();
}

async function check(fn) {
  say($('error'), '');
  try {
    show(await fn());
  } catch (err) {
    say($('error'), err.detail || String(err));
  }
}

const verifyText = (sd_jwt) => check(() => api('POST', '/api/v1/wallet/verifications', { sd_jwt }));

$('paste').addEventListener('submit', (e) => {
  e.preventDefault();
  verifyText($('sd-jwt').value.trim());
});

const p = new URLSearchParams(location.search).get('p');
if (p) check(() => api('GET', `/api/v1/wallet/presentations/${encodeURIComponent(p)}`));
else if (location.hash.length > 1) verifyText(decodeURIComponent(location.hash.slice(1)));
