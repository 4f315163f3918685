// stay_util.mjs — what the stays tests share: an establishment registered by the commune police
// with its owner logged in, its stays profile asked for and approved; people put into the
// register with a province of origin; a chip ID card's QR text for a person; times in Vietnam's
// time; and a snapshot of the stays tables for the checks that a refused request stored nothing.
import assert from 'node:assert/strict';
import { call, addPerson, count, sql } from './identity_util.mjs';
import { registerOrg } from './org_util.mjs';

export const PURPOSE = encodeURIComponent('Kiểm tra lưu trú trên địa bàn');

// An approved establishment: {org, owner, token (the owner's session), profile}.
export async function establishment(srv, police, { kind = 'hotel', type = 'hotel', stars = 3, beds = 40, remote = false, commune } = {}) {
  const over = { kind };
  if (commune) over.commune = commune;
  const o = await registerOrg(srv, police.token, over);
  const token = o.owner.session.token;
  const body = { type, beds, rooms: Math.ceil(beds / 2) };
  if (type === 'hotel') body.stars = stars;
  const r = await call(srv, 'POST', '/api/v1/stays/establishment', { as: token, body });
  assert.equal(r.status, 201, r.text);
  const d = await call(srv, 'POST', `/api/v1/stays/police/establishments/${o.org.id}/decisions`, {
    as: police.token,
    body: { decision: 'approve', remote },
  });
  assert.equal(d.status, 200, d.text);
  return { ...o, token, profile: d.json() };
}

// A person of the register whose permanent residence is in `province`.
export function person(srv, over = {}, province = '79') {
  const p = addPerson(srv, over);
  sql(srv, `UPDATE people SET permanent_province = '${province}' WHERE id_number = '${p.id_number}'`);
  return p;
}

// The QR text of a chip ID card for person p: DDMMYYYY dates, "Nam"/"Nữ".
export function qrOf(p) {
  const dmy = (d) => `${d.slice(8, 10)}${d.slice(5, 7)}${d.slice(0, 4)}`;
  return [p.id_number, '', p.full_name, dmy(p.birth_date), p.sex === 'male' ? 'Nam' : 'Nữ', '12 Trần Phú, Nha Trang', dmy('2021-06-01')].join('|');
}

// ISO text of a time in Vietnam's time ("…+07:00") for a Date.
export function local(d) {
  const t = new Date(d.getTime() + 7 * 3600e3).toISOString().slice(0, 19);
  return `${t}+07:00`;
}

// Today's date in Vietnam's time, shifted by `days`.
export function vnDay(days = 0) {
  return new Date(Date.now() + 7 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
}

// The UTC instant of a local (UTC+7) wall time on a day.
export function vnTime(day, hms) {
  return new Date(`${day}T${hms}+07:00`);
}

export function staySnapshot(srv) {
  const out = {};
  for (const t of ['stays', 'stay_history', 'stay_alerts', 'stay_watchlist', 'stay_trips', 'stay_trip_passengers', 'stay_establishments', 'stay_police_contacts'])
    out[t] = count(srv, `SELECT COUNT(*) FROM ${t}`);
  out.events = count(srv, "SELECT COUNT(*) FROM events WHERE type LIKE 'stay.%'");
  out.rows = sql(srv, "SELECT id || ':' || version || ':' || departed_at || ':' || room FROM stays ORDER BY id");
  return out;
}
