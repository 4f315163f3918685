// identity_util.mjs — what the identity API tests share: a server whose notices go to the file
// adapter (DATA_DIR/notify/outbox.jsonl, where the tests read one-time codes), cheap password
// hashes and short login delays; people put straight into the register; officers made with the
// command line; SQL on either backend; TOTP codes computed as an authenticator app does; and a
// snapshot of every identity table, for the checks that a refused request stored nothing.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DB_KIND, psql, runCli, sleep, startServer } from './server.mjs';

// Settings for tests: notices in the outbox file, Argon2id at 1 MiB and one pass (the cost
// does not change what is tested), a 10 ms unit for the login delays (2^n units each), and no
// network throttling (every test comes from 127.0.0.0/24; one test turns it back on).
export const FAST = [
  '--notify-adapter', 'file',
  '--password-memlimit-kib', '1024',
  '--password-opslimit', '1',
  '--login-delay-ms', '10',
  '--login-network-failures', '100000',
];

export async function startIdentityServer(args = [], opts = {}) {
  return startServer({ ...opts, args: [...FAST, ...args] });
}

function sqlite(db, text) {
  const file = db.replace(/^sqlite:/, '');
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', '-batch', '-noheader', '-separator', '|', file], {
    input: `.timeout 5000\n${text};\n`,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
  return r.stdout.trim();
}

export const sql = (srv, text) => (DB_KIND === 'sqlite' ? sqlite(srv.db, text) : psql(srv.db, text));
export const count = (srv, text) => Number(sql(srv, text));

// What a refused request must leave as it was.
export function snapshot(srv) {
  const tables = [
    'accounts', 'sessions', 'one_time_codes', 'recovery_codes', 'auth_history', 'auth_throttle',
    'events', 'access_log', 'officers',
  ];
  const out = {};
  // Events written apart from the request, on their own schedule, for the security operations
  // centre: access.reads and access.outside_area from the access-log writer, soc.alert when a rule fires (a level-2 raise
  // outside working hours, failed logins): not writes of the request.
  const other = " WHERE type NOT IN ('access.reads', 'access.outside_area', 'soc.alert')";
  for (const t of tables) out[t] = count(srv, `SELECT COUNT(*) FROM ${t}${t === 'events' ? other : ''}`);
  out.states = sql(
    srv,
    "SELECT id || ':' || status || ':' || level || ':' || password_hash || ':' || totp_secret || " +
      "':' || totp_pending || ':' || failed_logins || ':' || locked_until || ':' || status_reason " +
      'FROM accounts ORDER BY id',
  );
  return out;
}

// The register's search key of a name: lower case, no diacritics, đ as d, single spaces.
export function fold(name) {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

// A valid personal ID number for a sex and year of birth.
export function idFor(sex, year, seq, place = '056') {
  const digit = Math.floor((year - 1900) / 100) * 2 + (sex === 'female' ? 1 : 0);
  return `${place}${digit}${String(year % 100).padStart(2, '0')}${String(seq).padStart(6, '0')}`;
}

let seq = 0;
// Puts a person into the register; returns them.
export function addPerson(srv, over = {}) {
  const sex = over.sex || 'male';
  const birth = over.birth_date || '1990-05-17';
  const year = Number(birth.slice(0, 4));
  const p = {
    id_number: over.id_number || idFor(sex, year, 500000 + (++seq % 400000) + Math.floor(Math.random() * 90000)),
    full_name: over.full_name || 'Nguyễn Văn An',
    birth_date: birth,
    sex,
    status: over.status || 'alive',
    father_id: over.father_id || '',
    mother_id: over.mother_id || '',
  };
  const f = fold(p.full_name);
  sql(
    srv,
    'INSERT INTO people (id_number, full_name, name_folded, given_folded, birth_date, birth_year, ' +
      'sex, status, father_id, mother_id, created_at, updated_at) VALUES (' +
      `'${p.id_number}', '${p.full_name}', '${f}', '${f}', '${p.birth_date}', ${year}, ` +
      `'${p.sex}', '${p.status}', '${p.father_id}', '${p.mother_id}', '2020-01-01', '2020-01-01')`,
  );
  return p;
}

// A JSON request; `as` is a session token (bearer), {cookie, csrf}, or an officer token.
export function call(srv, method, p, { body, as, cookie, csrf, headers = {} } = {}) {
  const h = { ...headers };
  if (as) h.Authorization = `Bearer ${as}`;
  if (cookie) h.Cookie = `dd_session=${cookie}`;
  if (csrf) h['X-CSRF-Token'] = csrf;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return srv.request(method, p, { headers: h, body: text });
}

// The notices written so far, oldest first.
export function outbox(srv) {
  const file = path.join(srv.dataDir, 'notify', 'outbox.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

// Waits for notice number `after` + 1 or later to `recipient`; returns its 6-digit code.
export async function codeFor(srv, recipient, after = 0) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const mine = outbox(srv).filter((n) => n.recipient === recipient);
    if (mine.length > after) {
      const m = /\b(\d{6})\b/.exec(mine[mine.length - 1].body);
      assert.ok(m, `no code in ${mine[mine.length - 1].body}`);
      return m[1];
    }
    assert.ok(Date.now() < deadline, `no notice to ${recipient}`);
    await sleep(20);
  }
}

export const noticesTo = (srv, recipient) => outbox(srv).filter((n) => n.recipient === recipient).length;

let phone = 0;
// Registers a person of the register with a fresh e-mail and confirms the account.
export async function citizen(srv, over = {}) {
  const person = over.person || addPerson(srv, over);
  const email = over.email ?? `p${Date.now()}${++phone}@example.vn`;
  const password = over.password || 'một mật khẩu dài';
  const body = {
    id_number: person.id_number,
    full_name: person.full_name,
    birth_date: person.birth_date,
    phone: `09${String(10000000 + ++phone).slice(-8)}`,
    password,
  };
  if (email) body.email = email;
  const r = await call(srv, 'POST', '/api/v1/accounts', { body });
  assert.equal(r.status, 201, r.text);
  const recipient = email || `+84${body.phone.slice(1)}`;
  const code = await codeFor(srv, recipient);
  const c = await call(srv, 'POST', '/api/v1/accounts/confirmations', {
    body: { login: person.id_number, code },
  });
  assert.equal(c.status, 200, c.text);
  return { person, email, password, login: person.id_number, account: c.json().account, recipient };
}

export async function login(srv, loginName, password, extra = {}) {
  return call(srv, 'POST', '/api/v1/sessions', { body: { login: loginName, password, ...extra } });
}

// Logs in and returns {token, csrf, cookie, json}.
export async function session(srv, loginName, password, extra = {}) {
  const r = await login(srv, loginName, password, extra);
  assert.equal(r.status, 201, r.text);
  const b = r.json();
  return { token: b.session_token, csrf: b.csrf_token, id: b.session_id, json: b, res: r };
}

// An officer made with `dinhdanh user add` (a password when given) and an API token.
export function officer(srv, name, role, area, password) {
  const args = ['user', 'add', name, '--role', role, '--area', area, '--display-name', `Cán bộ ${name}`,
    '--agency', 'Công an tỉnh Khánh Hòa', '--db', srv.db, ...FAST.slice(2, 6)];
  if (password) args.push('--password-stdin');
  const r = runCli(args, { input: password ? `${password}\n` : undefined });
  assert.equal(r.status, 0, r.stderr);
  const id = Number(/created \(id (\d+)\)/.exec(r.stdout)?.[1]);
  const t = runCli(['token', '--user', name, '--db', srv.db]);
  assert.equal(t.status, 0, t.stderr);
  return { id, name, token: t.stdout.trim(), password };
}

// --- TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30 s) ---

function base32Decode(s) {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | A.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function totpAt(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const o = h[19] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

const lastStep = new Map();
// A code the server accepts now and has not seen: the smallest step of the window (now ± 1)
// after the last one used with this secret (waiting for the clock when none is left).
export async function freshTotp(secret) {
  for (;;) {
    const now = Math.floor(Date.now() / 1000 / 30);
    const last = lastStep.get(secret) ?? -Infinity;
    for (const step of [now - 1, now, now + 1]) {
      if (step > last) {
        lastStep.set(secret, step);
        return totpAt(secret, step);
      }
    }
    await sleep(1000);
  }
}

export const currentTotp = (secret) => totpAt(secret, lastStep.get(secret));
