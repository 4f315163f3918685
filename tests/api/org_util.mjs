// org_util.mjs — what the organisation tests share: an organisation registered by an officer
// over the API with its owner, a staff member's first password set with the code they were
// sent and their session, organisations and staff made with the command line, and a snapshot of
// the organisation tables for the checks that a refused request stored nothing.
import assert from 'node:assert/strict';
import { runCli } from './server.mjs';
import { FAST, call, codeFor, count, session, sql } from './identity_util.mjs';

export const P = '56'; // Khánh Hòa
export const NT = '22366'; // Phường Nha Trang
export const BNT = '22333'; // Phường Bắc Nha Trang
export const HCM = '79';
export const HCM_C = '26882';
export const PASSWORD = 'mật khẩu của cơ sở';

let serial = 0;
const unique = () => `${process.pid % 1000}${++serial}${Math.floor(Math.random() * 1000)}`;

// A registration number nobody has used: 10 digits.
export const regNumber = () => `42${String(Date.now() % 1e5).padStart(5, '0')}${String(++serial % 1000).padStart(3, '0')}`;

// The body of a registration, with an owner reachable by e-mail.
export function orgBody(over = {}) {
  const u = unique();
  return {
    kind: 'hotel',
    name: `Khách sạn Biển Xanh ${u}`,
    registration_number: regNumber(),
    licence_number: `${u}/GCN-ANTT`,
    licence_issuer: 'Công an tỉnh Khánh Hòa',
    licence_issued_on: '2024-03-01',
    address: '12 Trần Phú',
    province: P,
    commune: NT,
    phone: '02583822000',
    owner_username: `chu.ks${u}`,
    owner_display_name: 'Trần Thị Bích',
    owner_email: `chu${u}@example.vn`,
    ...over,
  };
}

// Sets a staff member's first password with the code sent to `recipient`, then logs in:
// returns the session ({token, csrf, id, json}).
export async function firstLogin(srv, username, recipient, password = PASSWORD, after = 0) {
  const code = await codeFor(srv, recipient, after);
  const r = await call(srv, 'POST', '/api/v1/password-resets/confirmations', {
    body: { login: username, code, new_password: password },
  });
  assert.equal(r.status, 204, r.text);
  return session(srv, username, password);
}

// An organisation registered by `officerToken`, with its owner logged in:
// { org, owner: {username, email, account_id, session} }.
export async function registerOrg(srv, officerToken, over = {}) {
  const body = orgBody(over);
  const r = await call(srv, 'POST', '/api/v1/organisations', { as: officerToken, body });
  assert.equal(r.status, 201, r.text);
  const j = r.json();
  const s = await firstLogin(srv, body.owner_username, body.owner_email);
  return {
    org: j.organisation,
    body,
    owner: { username: body.owner_username, email: body.owner_email, account_id: j.owner.account_id, session: s },
  };
}

// A staff member added by `as` (an owner's or manager's session token), logged in.
export async function addStaff(srv, orgId, as, role = 'clerk', over = {}) {
  const u = unique();
  const body = { username: `nv${u}`, display_name: 'Lê Văn Tâm', role, email: `nv${u}@example.vn`, ...over };
  const r = await call(srv, 'POST', `/api/v1/organisations/${orgId}/staff`, { as, body });
  assert.equal(r.status, 201, r.text);
  const s = await firstLogin(srv, body.username, body.email || `+84${body.phone.slice(1)}`);
  return { ...body, account_id: r.json().staff.account_id, session: s };
}

// `dinhdanh org …` on the server's database.
export function orgCli(srv, args, input) {
  return runCli(['org', ...args, '--db', srv.db, ...FAST.slice(2, 6)], { input });
}

// What a refused change must leave as it was.
export function orgSnapshot(srv) {
  const out = {};
  for (const t of ['organisations', 'org_staff', 'accounts', 'one_time_codes', 'events', 'sessions'])
    out[t] = count(srv, `SELECT COUNT(*) FROM ${t}`);
  out.orgs = sql(srv, "SELECT id || ':' || status || ':' || status_reason || ':' || updated_at FROM organisations ORDER BY id");
  out.staff = sql(srv, "SELECT id || ':' || ended_at FROM org_staff ORDER BY id");
  out.accounts = sql(srv, "SELECT id || ':' || status FROM accounts ORDER BY id");
  out.live_sessions = count(srv, "SELECT COUNT(*) FROM sessions WHERE ended_at = ''");
  return out;
}
