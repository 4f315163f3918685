// inbox.test.mjs — the citizen's notifications inbox (src/core/inbox/) on the real binary, on
// SQLite or PostgreSQL (DD_TEST_DB): a consent granted and withdrawn and a correction request
// filed become messages (written by the `inbox` event consumer) that only their person sees,
// newest first, paged, filtered to the unread ones, and marked read one by one; bad queries are
// refused naming each parameter, and a refused mark-read changes nothing. Also the chosen client
// id of `dinhdanh client add --client-id` (the portal's well-known client, docs/WEB.md).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertProblem, runCli, sleep } from './server.mjs';
import { call, citizen, count, session, sql, startIdentityServer } from './identity_util.mjs';

let srv;
let an; // {token, csrf}
let binh;

before(async () => {
  srv = await startIdentityServer();
  const a = await citizen(srv, { full_name: 'Lê Văn An' });
  // Living in Phường Nha Trang, so that a correction request has a commune to go to.
  sql(srv, `UPDATE people SET permanent_province = '56', permanent_commune = '22366' WHERE id_number = '${a.login}'`);
  an = { ...(await session(srv, a.login, a.password)), id: a.login };
  const b = await citizen(srv, { full_name: 'Phạm Thị Bình', sex: 'female', birth_date: '1985-02-03' });
  binh = { ...(await session(srv, b.login, b.password)), id: b.login };
});
after(() => srv?.stop());

const todayVN = () => new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
const inbox = (who, q = '') => call(srv, 'GET', `/api/v1/me/notifications${q}`, { as: who.token });

// Waits until the person has `n` messages (the dispatcher delivers events soon after commit).
async function waitFor(who, n) {
  for (let i = 0; i < 300; i++) {
    const r = await inbox(who);
    assert.equal(r.status, 200, r.text);
    if (r.json().items.length >= n) return r.json();
    await sleep(50);
  }
  assert.fail(`fewer than ${n} messages`);
}

test('consent and correction events become messages for their person only', async () => {
  const empty = await inbox(an);
  assert.equal(empty.status, 200, empty.text);
  assert.deepEqual(empty.json(), { items: [], next_cursor: null, unread: 0 });

  const until = new Date(Date.now() + 200 * 86400000).toISOString().slice(0, 10);
  const g = await call(srv, 'POST', '/api/v1/me/consents', {
    as: an.token,
    body: { service: 'lgsp:bhxh', service_name: 'Bảo hiểm xã hội', items: ['identity'], purpose: 'Cấp thẻ', valid_until: until },
  });
  assert.equal(g.status, 201, g.text);
  const w = await call(srv, 'POST', `/api/v1/me/consents/${g.json().id}/withdrawals`, {
    as: an.token,
    body: { reason: 'Không dùng nữa' },
  });
  assert.equal(w.status, 201, w.text);
  const c = await call(srv, 'POST', '/api/v1/me/correction-requests', {
    as: an.token,
    body: { field: 'full_name', proposed_value: 'Lê Văn Ân', reason: 'Sai dấu' },
  });
  assert.equal(c.status, 201, c.text);
  const expected = 3;
  const box = await waitFor(an, expected);
  assert.equal(box.items.length, expected);
  assert.equal(box.unread, expected);
  const kinds = box.items.map((m) => m.kind);
  assert.deepEqual(kinds, ['correction.requested', 'consent.withdrawn', 'consent.granted'], 'newest first');
  assert.equal(box.items[0].data.correction_request_id, c.json().id);
  const withdrawn = box.items.find((m) => m.kind === 'consent.withdrawn');
  assert.equal(withdrawn.data.consent_id, g.json().id);
  assert.equal(withdrawn.data.service, 'lgsp:bhxh');
  assert.equal(withdrawn.read, false);
  assert.equal(withdrawn.read_at, null);
  assert.match(withdrawn.created_at, new RegExp(`^${todayVN().slice(0, 4)}`));
  // Bình sees none of An's messages, and cannot mark them read.
  assert.deepEqual((await inbox(binh)).json().items, []);
  const before = sql(srv, 'SELECT id || read_at FROM inbox_messages ORDER BY id');
  assertProblem(
    await call(srv, 'POST', `/api/v1/me/notifications/${withdrawn.id}/read`, { as: binh.token }),
    404,
    'not-found',
  );
  assertProblem(await call(srv, 'POST', '/api/v1/me/notifications/999999/read', { as: an.token }), 404, 'not-found');
  assertProblem(await call(srv, 'POST', '/api/v1/me/notifications/abc/read', { as: an.token }), 404, 'not-found');
  assertProblem(await call(srv, 'POST', `/api/v1/me/notifications/${withdrawn.id}/read`), 401, 'unauthenticated');
  // The session cookie without the CSRF token is refused too.
  assertProblem(
    await call(srv, 'POST', `/api/v1/me/notifications/${withdrawn.id}/read`, { cookie: an.token }),
    403,
    'csrf-failed',
  );
  assert.equal(sql(srv, 'SELECT id || read_at FROM inbox_messages ORDER BY id'), before, 'nothing marked');

  // Marking read: the message, read; again: the same time kept.
  const r = await call(srv, 'POST', `/api/v1/me/notifications/${withdrawn.id}/read`, {
    cookie: an.token,
    csrf: an.csrf,
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json().read, true);
  assert.match(r.json().read_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const again = await call(srv, 'POST', `/api/v1/me/notifications/${withdrawn.id}/read`, { as: an.token });
  assert.equal(again.json().read_at, r.json().read_at);
  const unread = (await inbox(an, '?unread=true')).json();
  assert.equal(unread.unread, expected - 1);
  assert.ok(unread.items.every((m) => !m.read && m.id !== withdrawn.id));

  // Paging: one at a time, following next_cursor, gives the same list.
  const seen = [];
  let cursor = '';
  for (let i = 0; i < 10; i++) {
    const page = (await inbox(an, `?limit=1${cursor ? `&cursor=${cursor}` : ''}`)).json();
    seen.push(...page.items.map((m) => m.id));
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  assert.deepEqual(seen, box.items.map((m) => m.id));
  // An event delivered again adds nothing: one message per event.
  assert.equal(count(srv, 'SELECT COUNT(DISTINCT event_id) FROM inbox_messages'), count(srv, 'SELECT COUNT(*) FROM inbox_messages'));
});

test('bad queries are refused naming each parameter', async () => {
  const r = await inbox(an, '?limit=0&cursor=x&unread=maybe');
  const p = assertProblem(r, 400, 'validation-failed');
  assert.deepEqual(p.errors.map((e) => e.field).sort(), ['cursor', 'limit', 'unread']);
  assertProblem(await call(srv, 'GET', '/api/v1/me/notifications'), 401, 'unauthenticated');
});

test('an officer has no inbox here', async () => {
  const o = runCli(['officer', 'add', 'canbo.inbox', '--role', 'province-police', '--province', '56', '--db', srv.db]);
  assert.equal(o.status, 0, o.stderr);
  const t = runCli(['token', '--user', 'canbo.inbox', '--db', srv.db]).stdout.trim();
  assertProblem(await call(srv, 'GET', '/api/v1/me/notifications', { as: t }), 403, 'forbidden');
});

test('client add --client-id registers the well-known id once, and refuses bad ones', () => {
  const add = (id) =>
    runCli([
      'client', 'add', 'Cổng công dân', '--client-id', id, '--grant', 'authorization_code', '--auth', 'none',
      '--redirect-uri', 'http://127.0.0.1:8080/portal/callback.html', '--scope', 'openid', '--db', srv.db,
    ]);
  const before = count(srv, 'SELECT COUNT(*) FROM sso_clients');
  const r = add('ddc_portal');
  assert.equal(r.status, 0, r.stderr);
  const c = JSON.parse(r.stdout);
  assert.equal(c.client_id, 'ddc_portal');
  assert.equal(c.token_endpoint_auth_method, 'none');
  assert.equal(c.client_secret, undefined);
  const twice = add('ddc_portal');
  assert.equal(twice.status, 1);
  assert.match(twice.stderr, /already registered/);
  for (const bad of ['portal', 'ddc_', 'ddc_a b', `ddc_${'x'.repeat(41)}`]) {
    const b = add(bad);
    assert.equal(b.status, 2, `${bad}: ${b.stderr}`);
    assert.match(b.stderr, /client id/);
  }
  assert.equal(count(srv, 'SELECT COUNT(*) FROM sso_clients'), before + 1);
});
