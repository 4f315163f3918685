// soc_util.mjs — what the security operations centre's API tests share: a server with a rules
// file of low thresholds (the repository's rules are for a province, not for a test), analysts
// and officers made with the command line, waiting for the `soc` consumer to catch up, and
// gateway events written through `dinhdanh events emit` (the gateway is built in parallel; its
// contract says it emits lgsp.person_read and lgsp.refused through the outbox).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, eventsStatus, runCli, sleep, tempDir } from './server.mjs';
import { call, startIdentityServer } from './identity_util.mjs';

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
