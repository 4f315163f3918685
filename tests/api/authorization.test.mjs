// authorization.test.mjs — role and area checks on the real binary, on SQLite or PostgreSQL
// (DD_TEST_DB): for every route of `dinhdanh routes` and every kind of caller (nobody, an
// officer of each role with an API token, a commune-police officer with a session, a citizen at
// level 1 and at level 2, an organisation's owner and clerk), one request whose outcome must be
// what the route's declared auth kind and scope and the role tables below say: refused (401
// unauthenticated for nobody, 403 forbidden for the others) or allowed (anything but 401 and
// 403: the bodies are deliberately invalid, so 400, 404 or 422 mean the caller got past the
// authorisation). The role tables are declared here and checked against `dinhdanh roles
// --json`, so that the code and this declaration cannot drift apart. Then the areas: a
// commune-level officer sees the people and organisations of their commune (404 elsewhere);
// province-wide roles see the whole province.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertProblem, runCli } from './server.mjs';
import { call, citizen, freshTotp, login, officer, session, startIdentityServer } from './identity_util.mjs';
import { BNT, NT, P, addStaff, registerOrg } from './org_util.mjs';

// --- the declaration ---------------------------------------------------------------------------

// Officers' roles: their area and the scopes they grant ("*": every scope).
const POLICE = ['register:read', 'register:write', 'identity:verify', 'identity:suspend', 'org:read', 'org:write', 'stay:read', 'stay:police', 'stay:figures', 'insight:read', 'insight:police'];
const OFFICER_ROLES = {
  admin: { area: 'province', scopes: ['*'] },
  'province-police': { area: 'province', scopes: [...POLICE.slice(0, 9), 'stay:watch', 'insight:read', 'insight:police'] },
  'commune-police': { area: 'commune', scopes: POLICE },
  'service-officer': { area: 'province', scopes: ['register:read', 'services:process', 'services:stats', 'services:kiosks'] },
  cashier: { area: 'province', scopes: ['payments:read', 'payments:write'] },
  health: { area: 'province', scopes: [] },
  tourism: { area: 'province', scopes: ['stay:figures'] },
  education: { area: 'province', scopes: [] },
  transport: { area: 'province', scopes: [] },
  leader: { area: 'province', scopes: ['stay:figures', 'services:stats', 'insight:read'] },
  'soc-analyst': { area: 'province', scopes: ['soc:read', 'soc:write'] },
  'document-issuer': { area: 'province', scopes: ['wallet:issue', 'wallet:read'] },
  'commune-justice': { area: 'commune', scopes: ['wallet:certify'] },
  notary: { area: 'province', scopes: ['wallet:certify'] },
  'land-officer': { area: 'province', scopes: ['land:read', 'land:write', 'wallet:read'] },
  labour: { area: 'province', scopes: ['insight:read', 'insight:labour'] },
};

// Roles in an organisation and the scopes they grant.
const ORG_ROLES = {
  owner: { scopes: ['establishment:read', 'establishment:staff', 'stay:write'] },
  manager: { scopes: ['establishment:read', 'establishment:staff', 'stay:write'] },
  clerk: { scopes: ['establishment:read', 'stay:write'] },
};

const grants = (scopes, scope) => scopes.includes('*') || scopes.includes(scope);

// Whether `caller` may call `route` ({auth, scope}), as docs/IDENTITY.md states the rules:
//   none                anyone;
//   officer             an officer whose role grants the scope;
//   operator            an officer with the admin role;
//   citizen-l1 / -l2    a citizen at level 1 (or 2) / 2; the scope "account" or
//                       "account:enrol" also admits any other account holder's session (not an
//                       API token), and an officer scope admits officers whose role grants it;
//   establishment       an organisation's staff member whose role grants the scope (none: any);
//   client              nobody yet.
function allowed(route, caller) {
  // The data-sharing gateway's routes take no caller at the router and admit SSO clients only,
  // which they authenticate themselves (docs/LGSP.md): as `client` routes, nobody here.
  if (route.path.startsWith('/lgsp/r1/')) return false;
  // The kiosk routes admit registered kiosks only (X-Kiosk-Key), which they check themselves
  // (docs/SERVICES.md): nobody here is one.
  if (route.path.startsWith('/api/v1/kiosk/')) return false;
  if (route.auth === 'none') return true;
  if (caller.kind === 'anonymous') return false;
  const scope = route.scope;
  switch (route.auth) {
    case 'officer':
      return caller.kind === 'officer' && grants(OFFICER_ROLES[caller.role].scopes, scope);
    case 'operator':
      return caller.kind === 'officer' && caller.role === 'admin';
    case 'citizen-l1':
    case 'citizen-l2':
      if (caller.kind === 'citizen') return route.auth === 'citizen-l1' || caller.level === 2;
      if (scope === 'account' || scope === 'account:enrol') return caller.session;
      return caller.kind === 'officer' && scope !== null && grants(OFFICER_ROLES[caller.role].scopes, scope);
    case 'establishment':
      return caller.kind === 'staff' && (scope === null || grants(ORG_ROLES[caller.role].scopes, scope));
    case 'client':
      return false;
    default:
      throw new Error(`unknown auth ${route.auth} of ${route.method} ${route.path}`);
  }
}

// --- the server and its callers -----------------------------------------------------------------

let srv;
let routes;
const callers = [];
const officers = {};

// A commune-police officer logged in with a password and a second factor (a session, not a
// token).
async function officerSession() {
  const pw = 'mật khẩu của cán bộ xã';
  officer(srv, 'authz.session', 'commune-police', `${P}-${NT}`, pw);
  const r = await login(srv, 'authz.session', pw);
  const enrol = assertProblem(r, 403, 'second-factor-enrolment-required').enrolment.session_token;
  const t = await call(srv, 'POST', '/api/v1/me/totp', { as: enrol });
  assert.equal(t.status, 201, t.text);
  const secret = t.json().secret;
  const ok = await call(srv, 'POST', '/api/v1/me/totp/confirmations', { as: enrol, body: { code: await freshTotp(secret) } });
  assert.equal(ok.status, 200, ok.text);
  return (await session(srv, 'authz.session', pw, { totp: await freshTotp(secret) })).token;
}

before(async () => {
  srv = await startIdentityServer();
  const r = runCli(['routes']);
  assert.equal(r.status, 0, r.stderr);
  routes = r.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [method, path, auth, scope] = l.split('\t');
      return { method, path, auth, scope: scope && scope !== '-' ? scope : null };
    });
  callers.push({ name: 'nobody', kind: 'anonymous', session: false });
  for (const [role, { area }] of Object.entries(OFFICER_ROLES)) {
    const o = officer(srv, `authz.${role}`, role, area === 'commune' ? `${P}-${NT}` : P);
    officers[role] = o;
    callers.push({ name: `${role} (token)`, kind: 'officer', role, session: false, token: o.token });
  }
  callers.push({ name: 'commune-police (session)', kind: 'officer', role: 'commune-police', session: true, token: await officerSession() });
  const l1 = await citizen(srv);
  callers.push({ name: 'citizen level 1', kind: 'citizen', level: 1, session: true, token: (await session(srv, l1.login, l1.password)).token });
  const l2 = await citizen(srv);
  const raised = await call(srv, 'POST', `/api/v1/accounts/${l2.account.id}/level-2`, {
    as: officers['commune-police'].token,
    body: { card_check: 'manual', face_check: 'manual' },
  });
  assert.equal(raised.status, 200, raised.text);
  callers.push({ name: 'citizen level 2', kind: 'citizen', level: 2, session: true, token: (await session(srv, l2.login, l2.password)).token });
  const { org, owner } = await registerOrg(srv, officers['commune-police'].token);
  const clerk = await addStaff(srv, org.id, owner.session.token, 'clerk');
  callers.push({ name: 'establishment owner', kind: 'staff', role: 'owner', session: true, token: owner.session.token });
  callers.push({ name: 'establishment clerk', kind: 'staff', role: 'clerk', session: true, token: clerk.session.token });
});
after(async () => {
  await srv?.stop();
});

describe('the declared tables are the code\'s', () => {
  test('dinhdanh roles --json gives the roles and scopes declared here', () => {
    const r = runCli(['roles', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const code = JSON.parse(r.stdout);
    assert.deepEqual(code.officer, OFFICER_ROLES);
    assert.deepEqual(code.establishment, ORG_ROLES);
  });

  test('every route has an auth kind this test knows, and a scope where its kind needs one', () => {
    for (const r of routes) {
      assert.ok(['none', 'officer', 'operator', 'citizen-l1', 'citizen-l2', 'establishment', 'client'].includes(r.auth), `${r.method} ${r.path}: ${r.auth}`);
      if (r.auth === 'officer') assert.ok(r.scope, `${r.method} ${r.path} has no scope`);
    }
    // Every scope a route asks for is granted to someone, or the route is the admin's alone.
    const held = new Set([...Object.values(OFFICER_ROLES), ...Object.values(ORG_ROLES)].flatMap((x) => x.scopes));
    // lgsp:admin (the data-sharing gateway's administration) is the admin role's alone.
    const orphans = routes.filter((r) => r.scope && !r.scope.startsWith('account') && r.scope !== 'lgsp:admin' && !held.has(r.scope));
    assert.deepEqual(orphans.map((r) => `${r.method} ${r.path} ${r.scope}`).sort(), ['GET /api/v1/consents/checks consent:check']);
  });
});

// The path with its parameters filled in, and a body no handler accepts.
const concrete = (p) => p.replace(/\{[^}]+\}/g, '056090001234');
const last = (r) => r.method === 'DELETE' && r.path === '/api/v1/sessions/current';

async function probe(route, caller) {
  const headers = { 'X-Purpose': 'Kiem tra phan quyen' };
  if (caller.token) headers.Authorization = `Bearer ${caller.token}`;
  let body;
  if (['POST', 'PUT', 'PATCH'].includes(route.method)) {
    body = '[]';
    headers['Content-Type'] = 'application/json';
  }
  return srv.request(route.method, concrete(route.path), { headers, body });
}

describe('every route × every caller', () => {
  test('allowed or refused exactly as declared', async () => {
    const wrong = [];
    // Logging out ends the caller's session: that route goes last.
    const ordered = [...routes.filter((r) => !last(r)), ...routes.filter(last)];
    for (const route of ordered) {
      for (const caller of callers) {
        const res = await probe(route, caller);
        let type = '';
        try {
          type = res.json().type || '';
        } catch {
          /* not JSON */
        }
        const want = allowed(route, caller);
        const got = `${res.status} ${type}`;
        // A kiosk route answers 401 to every caller without a kiosk's key, whatever else it holds.
        const ok = want
          ? res.status !== 401 && res.status !== 403 && res.status < 500
          : caller.kind === 'anonymous' || route.path.startsWith('/api/v1/kiosk/')
            ? res.status === 401 && type === 'urn:dinhdanh:problem:unauthenticated'
            : res.status === 403 && type === 'urn:dinhdanh:problem:forbidden';
        if (!ok) wrong.push(`${route.method} ${route.path} as ${caller.name}: wanted ${want ? 'allowed' : 'refused'}, got ${got}`);
      }
    }
    assert.deepEqual(wrong, []);
    assert.ok(routes.length > 50 && callers.length === Object.keys(OFFICER_ROLES).length + 6, `${routes.length} routes, ${callers.length} callers`);
  });
});

describe('areas', () => {
  const people = {};
  const orgs = {};

  // Registers a person living in `commune`, as the admin.
  async function born(commune, seq) {
    const id = `0560900${String(seq).padStart(5, '0')}`;
    const r = await call(srv, 'POST', '/api/v1/people', {
      as: officers.admin.token,
      headers: { 'X-Purpose': 'Dang ky khai sinh' },
      body: {
        id_number: id,
        full_name: 'Võ Văn Hùng',
        birth_date: '1990-05-17',
        sex: 'male',
        ethnicity: 'Kinh',
        permanent_province: P,
        permanent_commune: commune,
        permanent_address: '5 Lê Lợi',
        reason: 'Đăng ký khai sinh',
        legal_basis: 'Luật Hộ tịch 2014',
        dossier: `HS-AUTHZ-${seq}`,
      },
    });
    assert.equal(r.status, 201, r.text);
    return id;
  }

  before(async () => {
    people.nt = await born(NT, 71001);
    people.bnt = await born(BNT, 71002);
    orgs.nt = (await registerOrg(srv, officers['province-police'].token, { commune: NT })).org.id;
    orgs.bnt = (await registerOrg(srv, officers['province-police'].token, { commune: BNT })).org.id;
  });

  const read = (who, path) => call(srv, 'GET', path, { as: officers[who].token, headers: { 'X-Purpose': 'Kiem tra' } });

  test('a commune-police officer of Nha Trang sees Nha Trang only: 404 for Bắc Nha Trang', async () => {
    assert.equal((await read('commune-police', `/api/v1/people/${people.nt}`)).status, 200);
    assertProblem(await read('commune-police', `/api/v1/people/${people.bnt}`), 404, 'not-found');
    assert.equal((await read('commune-police', `/api/v1/organisations/${orgs.nt}`)).status, 200);
    assertProblem(await read('commune-police', `/api/v1/organisations/${orgs.bnt}`), 404, 'not-found');
  });

  test('province-wide roles see both communes', async () => {
    for (const role of ['province-police', 'admin', 'service-officer']) {
      for (const id of [people.nt, people.bnt]) {
        const r = await read(role, `/api/v1/people/${id}`);
        assert.equal(r.status, 200, `${role} reading ${id}: ${r.text}`);
        assert.equal(r.json().id_number, id);
      }
    }
    for (const role of ['province-police', 'admin'])
      for (const id of [orgs.nt, orgs.bnt]) assert.equal((await read(role, `/api/v1/organisations/${id}`)).status, 200, `${role} ${id}`);
  });
});
