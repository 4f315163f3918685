// soc_handling.test.mjs — handling in the security operations centre on the real binary, on
// SQLite or PostgreSQL (DD_TEST_DB): an alert raised to an incident with severity, assignee,
// status, notes and a timeline; containment actions (lock an account, revoke its sessions,
// suspend a gateway consumer through the soc.contain.suspend_consumer event of the gateway
// contract) that work and are audited; the breach workflow with its 72-hour clock and the
// notification draft; refused writes that store nothing; and the rules reloaded without a
// restart, by the API and by SIGHUP, a bad file keeping the rules in use.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertProblem, sleep } from './server.mjs';
import { call, citizen, count, officer, session, sql } from './identity_util.mjs';
import { alerts, failLogins, settle, startSocServer, testRules, writeRules } from './soc_util.mjs';

let srv;
let analyst;
let victim;
let victimSession;
let alert;

before(async () => {
  srv = await startSocServer();
  analyst = officer(srv, 'socana', 'soc-analyst', '56');
  victim = await citizen(srv);
  victimSession = await session(srv, victim.login, victim.password);
  await failLogins(srv, victim.login, 5);
  await settle(srv);
  [alert] = await alerts(srv, analyst.token, '?rule=brute-force');
  assert.ok(alert, 'the brute-force alert');
});
after(() => srv?.stop());

const soc = (method, path, body) => call(srv, method, `/api/v1/soc${path}`, { as: analyst.token, body });

// What a refused request must not change. Audit rows and events that background writers add at
// any moment (the access-log writer's access.reads and what is made of them) are left out.
function state() {
  return {
    incidents: count(srv, 'SELECT COUNT(*) FROM soc_incidents'),
    timeline: count(srv, 'SELECT COUNT(*) FROM soc_timeline'),
    audit: count(srv, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'soc.%'"),
    events: count(srv, "SELECT COUNT(*) FROM events WHERE type NOT IN ('access.reads', 'access.outside_area', 'soc.alert')"),
    linked: count(srv, 'SELECT COUNT(*) FROM soc_alerts WHERE incident_id IS NOT NULL'),
    accounts: sql(srv, 'SELECT id || status FROM accounts ORDER BY id'),
    sessions: count(srv, "SELECT COUNT(*) FROM sessions WHERE ended_at = ''"),
    incidentRows: sql(srv, 'SELECT id || status || severity || assignee || breach FROM soc_incidents ORDER BY id'),
  };
}

describe('incidents', () => {
  let incident;

  test('an alert becomes an incident; its creation is audited', async () => {
    const r = await soc('POST', '/incidents', { title: 'Dò mật khẩu tài khoản công dân', severity: 'high', alerts: [alert.id], assignee: 'socana' });
    assert.equal(r.status, 201, r.text);
    incident = r.json();
    assert.equal(r.headers.location, `/api/v1/soc/incidents/${incident.id}`);
    assert.equal(incident.status, 'open');
    assert.equal(incident.assignee, 'socana');
    assert.deepEqual(incident.alerts, [alert.id]);
    assert.equal(incident.timeline[0].kind, 'created');
    assert.equal(incident.created_by, `officer:${analyst.id}`);
    const a = await soc('GET', `/alerts/${alert.id}`);
    assert.equal(a.json().incident, incident.id);
    assert.equal(a.json().status, 'acknowledged');
    assert.equal(count(srv, `SELECT COUNT(*) FROM audit_log WHERE action = 'soc.incident.create' AND object = 'soc-incident:${incident.id}' AND actor = 'officer:${analyst.id}'`), 1);
  });

  test('bad incidents are refused and store nothing', async () => {
    const before = state();
    for (const body of [
      {},
      { title: 'x', severity: 'urgent' },
      { title: 'x', severity: 'low', alerts: ['1'] },
      { title: 'x', severity: 'low', extra: 1 },
      { title: '', severity: 'low' },
    ]) {
      const r = await soc('POST', '/incidents', body);
      assertProblem(r, 400, 'validation-failed');
    }
    // An alert already in an incident cannot join another: nothing of the new one is kept.
    const taken = await soc('POST', '/incidents', { title: 'Lại', severity: 'low', alerts: [alert.id] });
    assertProblem(taken, 409, 'conflict');
    assert.deepEqual(state(), before);
  });

  test('notes, status, severity and assignee go into the timeline', async () => {
    const n = await soc('POST', `/incidents/${incident.id}/notes`, { text: 'Nguồn là mạng nội bộ 127.0.0.0/24.' });
    assert.equal(n.status, 201, n.text);
    const u = await soc('POST', `/incidents/${incident.id}/updates`, { status: 'contained', severity: 'critical', assignee: 'socana2' });
    assert.equal(u.status, 200, u.text);
    const inc = u.json();
    assert.equal(inc.status, 'contained');
    assert.equal(inc.severity, 'critical');
    assert.equal(inc.assignee, 'socana2');
    assert.deepEqual(inc.timeline.map((t) => t.kind), ['created', 'note', 'status', 'severity', 'assignee']);
    const before = state();
    assertProblem(await soc('POST', `/incidents/${incident.id}/updates`, { status: 'done' }), 400, 'validation-failed');
    assertProblem(await soc('POST', `/incidents/${incident.id}/updates`, {}), 400, 'validation-failed');
    assertProblem(await soc('POST', `/incidents/${incident.id}/notes`, { text: 'a\u0001b' }), 400, 'validation-failed');
    assertProblem(await soc('POST', '/incidents/99999/notes', { text: 'không có' }), 404, 'not-found');
    assert.deepEqual(state(), before);
    const list = await soc('GET', '/incidents?status=contained');
    assert.deepEqual(list.json().items.map((i) => i.id), [incident.id]);
  });

  test('containment: locking the account ends its sessions, audited', async () => {
    const me = await call(srv, 'GET', '/api/v1/me', { as: victimSession.token });
    assert.equal(me.status, 200, me.text);
    const r = await soc('POST', `/incidents/${incident.id}/actions`, { action: 'lock-account', account_id: victim.account.id, reason: 'Bị dò mật khẩu' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json().timeline.at(-1).kind, 'action');
    assert.equal(r.json().timeline.at(-1).data.account_id, victim.account.id);
    assert.equal(sql(srv, `SELECT status FROM accounts WHERE id = ${victim.account.id}`), 'locked');
    const after = await call(srv, 'GET', '/api/v1/me', { as: victimSession.token });
    assert.equal(after.status, 401, after.text);
    const login = await call(srv, 'POST', '/api/v1/sessions', { body: { login: victim.login, password: victim.password } });
    assert.equal(login.status, 403, login.text);
    assert.equal(count(srv, `SELECT COUNT(*) FROM audit_log WHERE action = 'soc.contain.lock_account' AND actor = 'officer:${analyst.id}' AND object = 'soc-incident:${incident.id}'`), 1);
    assert.equal(count(srv, `SELECT COUNT(*) FROM events WHERE type = 'account.locked' AND subject = 'account:${victim.account.id}' AND payload LIKE '%officer:${analyst.id}%'`), 1);
  });

  test('containment: revoking sessions ends them and leaves the account usable', async () => {
    const c = await citizen(srv);
    const s = await session(srv, c.login, c.password);
    const r = await soc('POST', `/incidents/${incident.id}/actions`, { action: 'revoke-sessions', account_id: c.account.id, reason: 'Phiên nghi bị chiếm' });
    assert.equal(r.status, 201, r.text);
    assert.equal((await call(srv, 'GET', '/api/v1/me', { as: s.token })).status, 401);
    await session(srv, c.login, c.password);
    assert.equal(count(srv, `SELECT COUNT(*) FROM audit_log WHERE action = 'soc.contain.revoke_sessions' AND detail LIKE '%"account_id":${c.account.id}%'`), 1);
  });

  test('containment: suspending a gateway consumer emits the contract event, audited', async () => {
    const consumer = 'VN/GOV/000.00.00.G22/SCRAPER';
    const r = await soc('POST', `/incidents/${incident.id}/actions`, { action: 'suspend-consumer', consumer, reason: 'Đọc hàng loạt' });
    assert.equal(r.status, 201, r.text);
    const row = sql(srv, "SELECT subject || '|' || payload FROM events WHERE type = 'soc.contain.suspend_consumer'");
    const [subject, payload] = row.split('|');
    assert.equal(subject, `lgsp:${consumer}`);
    assert.deepEqual(JSON.parse(payload), { consumer, reason: 'Đọc hàng loạt', incident: String(incident.id), actor: `officer:${analyst.id}` });
    assert.equal(count(srv, "SELECT COUNT(*) FROM audit_log WHERE action = 'soc.contain.suspend_consumer'"), 1);
  });

  test('bad containment actions are refused and change nothing', async () => {
    const before = state();
    const cases = [
      [{ action: 'delete-everything', reason: 'x' }, 400],
      [{ action: 'lock-account', reason: 'x' }, 400],
      [{ action: 'lock-account', account_id: 'one', reason: 'x' }, 400],
      [{ action: 'suspend-consumer', consumer: 'has space', reason: 'x' }, 400],
      [{ action: 'suspend-consumer', consumer: 'VN/GOV/1/2' }, 400],
      [{ action: 'lock-account', account_id: 999999, reason: 'x' }, 400],
    ];
    for (const [body, status] of cases) {
      const r = await soc('POST', `/incidents/${incident.id}/actions`, body);
      assertProblem(r, status, 'validation-failed');
    }
    assertProblem(await soc('POST', '/incidents/424242/actions', { action: 'revoke-sessions', account_id: victim.account.id, reason: 'x' }), 404, 'not-found');
    assert.deepEqual(state(), before);
  });
});

describe('the breach workflow', () => {
  test('marking a breach starts the 72-hour clock and drafts the notification', async () => {
    const inc = (await soc('POST', '/incidents', { title: 'Lộ dữ liệu', severity: 'critical' })).json();
    const before = state();
    assertProblem(await soc('POST', `/incidents/${inc.id}/breach`, { description: 'x' }), 400, 'validation-failed');
    assertProblem(await soc('POST', `/incidents/${inc.id}/breach`, { description: 'x', categories: [], subjects_estimate: 3 }), 400, 'validation-failed');
    assertProblem(await soc('POST', `/incidents/${inc.id}/breach`, { description: 'x', categories: ['a'], subjects_estimate: 3, found_at: 'hôm qua' }), 400, 'validation-failed');
    assertProblem(await soc('GET', `/incidents/${inc.id}/breach-notification`), 409, 'conflict');
    assert.deepEqual(state(), before);

    const found = new Date(Date.now() - 2 * 3600 * 1000).toISOString();
    const r = await soc('POST', `/incidents/${inc.id}/breach`, {
      found_at: found,
      description: 'Một bên khai thác đọc hàng loạt hồ sơ nhân khẩu.',
      categories: ['họ tên', 'số định danh cá nhân', 'nơi thường trú'],
      subjects_estimate: 1200,
      measures: 'Tạm dừng bên khai thác; thu hồi khoá.',
      contact: 'Phòng An ninh mạng, Công an tỉnh',
    });
    assert.equal(r.status, 200, r.text);
    const b = r.json();
    assert.equal(b.breach, true);
    assert.equal(Date.parse(b.notify_by) - Date.parse(b.breach_at), 72 * 3600 * 1000);
    assert.equal(Date.parse(b.breach_at), Date.parse(found));
    const d = b.notification;
    assert.ok(d.vi.startsWith('THÔNG BÁO VI PHẠM QUY ĐỊNH VỀ BẢO VỆ DỮ LIỆU CÁ NHÂN'), d.vi);
    assert.match(d.vi, /Luật Bảo vệ dữ liệu cá nhân năm 2025/);
    assert.match(d.vi, /1200/);
    assert.match(d.vi, /họ tên, số định danh cá nhân, nơi thường trú/);
    assert.match(d.en, /within|72 hours/);
    assert.equal(d.overdue, false);
    assert.ok(d.seconds_left > 69 * 3600 && d.seconds_left <= 70 * 3600, String(d.seconds_left));
    assert.equal(b.timeline.at(-1).kind, 'breach');
    assert.equal(count(srv, `SELECT COUNT(*) FROM audit_log WHERE action = 'soc.incident.breach' AND object = 'soc-incident:${inc.id}'`), 1);

    const again = await soc('POST', `/incidents/${inc.id}/breach`, { description: 'y', categories: ['a'], subjects_estimate: 1 });
    assertProblem(again, 409, 'conflict');
    const g = await soc('GET', `/incidents/${inc.id}/breach-notification`);
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json().notify_by, b.notify_by);
    const en = await call(srv, 'GET', `/api/v1/soc/incidents/${inc.id}/breach-notification`, { as: analyst.token, headers: { 'Accept-Language': 'en' } });
    assert.equal(en.json().en, g.json().en);
  });
});

describe('rules reloaded without a restart', () => {
  const threshold = async () => {
    const r = await soc('GET', '/rules');
    assert.equal(r.status, 200, r.text);
    return Object.fromEntries(r.json().items.map((x) => [x.id, x.threshold]));
  };

  test('by the API; a bad file keeps the rules in use', async () => {
    writeRules(srv.rulesFile, testRules({ 'brute-force': 7 }));
    const r = await soc('POST', '/rules/reload');
    assert.equal(r.status, 200, r.text);
    assert.equal((await threshold())['brute-force'], 7);
    const bad = testRules();
    bad.rules[0].key = 'everyone';
    writeRules(srv.rulesFile, bad);
    const refused = await soc('POST', '/rules/reload');
    assertProblem(refused, 422, 'rule-violated');
    assert.match(refused.json().reason, /password-spraying/);
    assert.equal((await threshold())['brute-force'], 7);
    writeRules(srv.rulesFile, { rules: [...testRules().rules, testRules().rules[0]] });
    assertProblem(await soc('POST', '/rules/reload'), 422, 'rule-violated');
  });

  test('by SIGHUP', async () => {
    writeRules(srv.rulesFile, testRules({ 'brute-force': 9 }));
    srv.proc.kill('SIGHUP');
    let t;
    for (let i = 0; i < 50 && t !== 9; i++) {
      await sleep(100);
      t = (await threshold())['brute-force'];
    }
    assert.equal(t, 9);
    // The reloaded rule counts: 9 failures of a new account raise nothing at 8.
    const c = await citizen(srv);
    await failLogins(srv, c.login, 8);
    await settle(srv);
    const a = await alerts(srv, analyst.token, '?rule=brute-force');
    assert.ok(!a.some((x) => x.key === `account:${c.account.id}`), JSON.stringify(a));
    await failLogins(srv, c.login, 1);
    await settle(srv);
    const b = await alerts(srv, analyst.token, '?rule=brute-force');
    assert.ok(b.some((x) => x.key === `account:${c.account.id}` && x.value === 9), JSON.stringify(b));
  });

  test('alerts can be acknowledged and closed; a closed one stays closed', async () => {
    const [a] = await alerts(srv, analyst.token, '?rule=brute-force&status=open');
    const ack = await soc('POST', `/alerts/${a.id}/status`, { status: 'closed' });
    assert.equal(ack.status, 200, ack.text);
    assert.equal(ack.json().status, 'closed');
    assertProblem(await soc('POST', `/alerts/${a.id}/status`, { status: 'acknowledged' }), 409, 'conflict');
    assertProblem(await soc('POST', `/alerts/${a.id}/status`, { status: 'open' }), 400, 'validation-failed');
  });
});
