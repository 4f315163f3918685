// soc_util.mjs — what the security operations centre's API tests share: a server with a rules
// file of low thresholds (the repository's rules are for a province, not for a test), analysts
// and officers made with the command line, waiting for the `soc` consumer to catch up, events
// written through `dinhdanh events emit` (for the unit-like checks of handling), and a real
// data-sharing gateway set-up: a provider, a person service and a consumer with a right, whose
// calls make the gateway emit lgsp.person_read and lgsp.refused itself.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, eventsStatus, runCli, sleep, tempDir } from './server.mjs';
import { call, officer, startIdentityServer } from './identity_util.mjs';
import { accessToken, machineClient, startProvider } from './lgsp_util.mjs';

export const RULES_REPO = path.join(ROOT, 'data', 'soc-rules.json');

// The repository's rules with the thresholds a test can reach (a number in `over` is a
// threshold, an object replaces members of the rule).
export function testRules(over = {}) {
  const rules = JSON.parse(fs.readFileSync(RULES_REPO, 'utf8')).rules;
  const low = {
    'password-spraying': 5,
    'credential-stuffing': 5,
    'failed-logins-platform-wide': 400,
    'officer-lookups-above-own': { threshold: 10, baseline: { compare: 'own', days: 2, factor: 5 } },
    'officer-lookups-above-peers': { threshold: 10, baseline: { compare: 'peers', days: 2, factor: 5 } },
    'officer-outside-area': 3,
    'brute-force': 5,
    'officer-mass-lookups': 20,
    'gateway-scraping': 30,
    'gateway-refusals': 10,
    ...over,
  };
  for (const r of rules) {
    if (typeof low[r.id] === 'number') r.threshold = low[r.id];
    else if (low[r.id]) Object.assign(r, low[r.id]);
  }
  return { rules };
}

export function writeRules(file, rules) {
  fs.writeFileSync(file, JSON.stringify(rules, null, 2));
}

export async function startSocServer(args = []) {
  const dir = tempDir('soc');
  const rulesFile = path.join(dir, 'rules.json');
  writeRules(rulesFile, testRules());
  const srv = await startIdentityServer(['--soc-rules', rulesFile, ...args]);
  srv.rulesFile = rulesFile;
  return srv;
}

// Waits until the soc consumer has nothing pending twice in a row, a little apart (reads'
// access-log rows and their events are committed by a writer thread every 20 ms in tests).
export async function settle(srv, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  while (quiet < 3) {
    const s = eventsStatus(srv.db).soc;
    quiet = s && s.pending === 0 ? quiet + 1 : 0;
    assert.ok(Date.now() < deadline, `soc consumer not settled: ${JSON.stringify(s)}`);
    await sleep(100);
  }
}

// An event through the outbox as a module would write it.
export function emit(srv, type, subject, payload) {
  const r = runCli(['events', 'emit', type, subject, JSON.stringify(payload), '--db', srv.db]);
  assert.equal(r.status, 0, r.stderr);
}

export async function alerts(srv, token, q = '') {
  const r = await call(srv, 'GET', `/api/v1/soc/alerts${q}`, { as: token });
  assert.equal(r.status, 200, r.text);
  return r.json().items;
}

// Logs in with a wrong password until `n` attempts were refused with 401 (waiting out 429s),
// from another loopback address (another network) when `from` is given.
export async function failLogins(srv, login, n, password = 'sai mật khẩu rồi', from = undefined) {
  let done = 0;
  for (let i = 0; done < n && i < n * 20; i++) {
    const r = await srv.request('POST', '/api/v1/sessions', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login, password }),
      localAddress: from,
    });
    if (r.status === 429) {
      await sleep(Number(r.headers['retry-after'] || 1) * 1000);
      continue;
    }
    assert.equal(r.status, 401, r.text);
    done++;
  }
  assert.equal(done, n, `only ${done} refused logins of ${login}`);
}

// A gateway on `srv`: provider member DANCU (subsystem VN/GOV/DANCU/core) with the service
// `person` (its answers name the person in id_number), and consumer members whose calls read
// persons through it. {consumer(code), close()}; a consumer is {id, token, read(idNumber),
// readUngranted()}.
export async function gateway(srv) {
  const provider = await startProvider((req) => ({ status: 200, json: { id_number: req.url.split('/').pop(), ok: true } }));
  const admin = officer(srv, `lgsp.admin.${Date.now() % 100000}`, 'admin', '56');
  const as = async (method, p, body, status = 201) => {
    const r = await call(srv, method, p, { as: admin.token, body });
    assert.equal(r.status, status, `${method} ${p}: ${r.text}`);
    return r.json();
  };
  await as('POST', '/api/v1/lgsp/members', { code: 'DANCU', name: 'Cơ sở dữ liệu dân cư' });
  await as('POST', '/api/v1/lgsp/subsystems', { member: 'DANCU', code: 'core', client_id: '' });
  await as('POST', '/api/v1/lgsp/services', {
    subsystem: 'VN/GOV/DANCU/core', code: 'person', name: 'Tra cứu nhân khẩu', upstream_url: `${provider.url}/api`,
    legal_basis: 'Nghị định 47/2020/NĐ-CP', data_returned: 'họ tên, ngày sinh', person_field: 'id_number',
  });
  await as('POST', '/api/v1/lgsp/services', {
    subsystem: 'VN/GOV/DANCU/core', code: 'secret', name: 'Dịch vụ chưa cấp quyền', upstream_url: `${provider.url}/api`,
    legal_basis: 'Nghị định 47/2020/NĐ-CP', data_returned: 'không',
  });
  const consumer = async (code) => {
    await as('POST', '/api/v1/lgsp/members', { code, name: `Sở ${code}` });
    const c = machineClient(srv, `${code} app`);
    const s = await as('POST', '/api/v1/lgsp/subsystems', { member: code, code: 'app', client_id: c.client_id });
    await as('POST', '/api/v1/lgsp/rights', {
      consumer: s.id, service: 'VN/GOV/DANCU/core/person', reason: 'Công văn 1/2026', valid_until: '2099-12-31',
    });
    const token = await accessToken(srv, c);
    const get = (rest, headers = {}) => srv.request('GET', `/lgsp/r1/VN/GOV/DANCU/core/${rest}`, {
      headers: { Authorization: `Bearer ${token}`, 'X-Purpose': encodeURIComponent('Xác minh nhân thân'), ...headers },
    });
    return {
      id: s.id,
      token,
      read: async (id) => {
        const r = await get(`person/${id}`, { 'X-Person-Id': id });
        assert.equal(r.status, 200, r.text);
      },
      readUngranted: async () => {
        const r = await get('secret/x');
        assert.equal(r.status, 403, r.text);
      },
      get,
    };
  };
  return { consumer, close: () => provider.close() };
}
