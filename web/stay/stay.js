// stay.js — what the stays screens share: the session's CSRF token from /api/v1/me, GET calls
// that carry an X-Purpose (the police reads), how a typed or scanned line becomes a guest (a card's
// QR text, an ID number, or a passport line "P:NAT:NUMBER"), and a stay's line in a table.
import { ApiError, api, el, lang, setCsrf, when } from '/api.js';

export const vi = lang !== 'en';

// Loads the caller (and their CSRF token); sends them to the login page without a session.
export async function whoAmI() {
  try {
    const me = await api('GET', '/api/v1/me');
    setCsrf(me.csrf_token);
    return me;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      location.assign(`/login.html?next=${encodeURIComponent(location.pathname)}`);
      return null;
    }
    throw e;
  }
}

// GET with the officer's purpose, which the server writes into each person's access log.
export async function getWithPurpose(path, purpose) {
  const res = await fetch(path, {
    headers: { Accept: 'application/json', 'Accept-Language': lang, 'X-Purpose': encodeURIComponent(purpose) },
    credentials: 'same-origin',
    cache: 'no-store',
  }).catch(() => null);
  if (res === null) throw new ApiError(0, { detail: vi ? 'Không kết nối được máy chủ.' : 'The server could not be reached.' });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, body, res.headers);
  return body;
}

// The guest in a scanned or typed line: {qr}, {id_number}, or {passport: {number, nationality}}
// (the passport's other fields come from the form); null when it is none of them.
export function guestOf(line) {
  const s = line.trim();
  if (s.includes('|')) return { qr: s };
  if (/^(\d{12}|\d{9})$/.test(s)) return { id_number: s };
  const p = /^P:([A-Z]{3}):([A-Z0-9]{5,20})$/i.exec(s);
  if (p) return { passport: { nationality: p[1].toUpperCase(), number: p[2].toUpperCase() } };
  return null;
}

// A table row of a stay.
export function stayRow(s, extra = []) {
  const who = s.id_number || `${s.nationality} ${s.passport_number}`;
  const flags = [];
  if (!s.verified) flags.push(vi ? 'chưa xác minh' : 'unverified');
  if (s.late) flags.push(vi ? 'muộn' : 'late');
  if (s.departed_at) flags.push(vi ? 'đã trả phòng' : 'checked out');
  return el(
    'tr',
    { 'data-stay': s.id },
    el('td', {}, s.room || '—'),
    el('td', {}, s.full_name || '—'),
    el('td', {}, who),
    el('td', {}, when(s.arrived_at)),
    el('td', {}, flags.join(', ')),
    ...extra,
  );
}
