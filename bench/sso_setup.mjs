// sso_setup.mjs — the preparations of bench/sso.sh that speak HTTP, none of them measured.
//
//   node bench/sso_setup.mjs account BASE PEOPLE_TSV OUTBOX
//       registers and confirms a citizen of the register (first line of PEOPLE_TSV: ID number,
//       full name, date of birth) through the API, the code read from the file notice adapter's
//       OUTBOX; prints "login<TAB>password".
//   node bench/sso_setup.mjs mint BASE CLIENT_ID SECRET REDIRECT_URI SCOPE LOGIN PASSWORD N FILE
//       logs the person in once, then runs N authorization code flows with PKCE S256 for the
//       client (the first one answers the consent page, the next ones find it remembered) and
//       exchanges each code: N refresh tokens, each the first of its own family, one a line in
//       FILE.
//   node bench/sso_setup.mjs sample NAME TOKEN_URL BASIC BODY [ANSWER_FILE]
//       one token request; prints a JSON line {name, status, fields, tokens: {field: {header,
//       claims}}} with the header and claim names of each JWT in the answer, for the report,
//       and writes the answer's body as it came into ANSWER_FILE when given.
import crypto from 'node:crypto';
import fs from 'node:fs';

const [mode, ...args] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function post(url, body, headers = {}) {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
    redirect: 'manual',
  });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

async function account(base, peopleTsv, outbox) {
  const [id, name, birth] = fs.readFileSync(peopleTsv, 'utf8').split('\n')[0].split('\t');
  const email = 'sso.bench@example.vn';
  const password = 'mat khau cho bench sso';
  const r = await post(`${base}/api/v1/accounts`, {
    id_number: id, full_name: name, birth_date: birth, phone: '0905000111', email, password,
  });
  if (r.status !== 201) throw new Error(`registration: ${r.status} ${r.text}`);
  let code = '';
  for (let i = 0; i < 200 && !code; i++) {
    const lines = fs.existsSync(outbox) ? fs.readFileSync(outbox, 'utf8').split('\n').filter(Boolean) : [];
    for (const l of lines) {
      const n = JSON.parse(l);
      if (n.recipient === email) code = /\b(\d{6})\b/.exec(n.body)[1];
    }
    if (!code) await sleep(50);
  }
  if (!code) throw new Error('no confirmation code');
  const c = await post(`${base}/api/v1/accounts/confirmations`, { login: id, code });
  if (c.status !== 200) throw new Error(`confirmation: ${c.status} ${c.text}`);
  console.log(`${id}\t${password}`);
}

async function mint(base, clientId, secret, redirectUri, scope, login, password, n, file) {
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  const s = await post(`${base}/api/v1/sessions`, { login, password });
  if (s.status !== 201) throw new Error(`login: ${s.status} ${s.text}`);
  const { session_token: token, csrf_token: csrf } = JSON.parse(s.text);
  const cookie = `dd_session=${token}`;
  const get = (url) => fetch(new URL(url, base), { headers: { Cookie: cookie }, redirect: 'manual' });

  async function codeFor() {
    const verifier = crypto.randomBytes(32).toString('base64url');
    const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
    const q = new URLSearchParams({
      response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope,
      code_challenge: challenge, code_challenge_method: 'S256', state: crypto.randomUUID(),
      nonce: crypto.randomUUID(),
    });
    let url = new URL(`/sso/authorize?${q}`, base);
    for (let hop = 0; hop < 8; hop++) {
      if (url.href.startsWith(redirectUri)) break;
      const r = await get(url);
      await r.arrayBuffer();
      const loc = r.headers.get('location');
      if (!loc) throw new Error(`authorize: ${r.status} at ${url}`);
      url = new URL(loc, url);
      if (url.pathname.endsWith('/sso/consent.html')) {
        const id = url.searchParams.get('interaction');
        const a = await post(`${base}/api/v1/sso/interactions/${id}`, { approve: true }, { Cookie: cookie, 'X-CSRF-Token': csrf });
        if (a.status !== 200) throw new Error(`consent: ${a.status} ${a.text}`);
        url = new URL(JSON.parse(a.text).redirect_to, base);
      }
    }
    const code = url.searchParams.get('code');
    if (!code) throw new Error(`no code: ${url}`);
    const t = await fetch(`${base}/sso/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }),
    });
    const body = await t.json();
    if (t.status !== 200 || !body.refresh_token) throw new Error(`token: ${t.status} ${JSON.stringify(body)}`);
    return body.refresh_token;
  }

  const out = [await codeFor()]; // answers the consent page once
  let left = Number(n) - 1;
  const worker = async () => {
    while (left-- > 0) out.push(await codeFor());
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  fs.writeFileSync(file, `${out.join('\n')}\n`);
}

async function sample(name, url, basic, body, answerFile) {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic },
    body,
  });
  const text = await r.text();
  if (answerFile) fs.writeFileSync(answerFile, text);
  const j = JSON.parse(text);
  const tokens = {};
  for (const f of ['access_token', 'id_token']) {
    if (typeof j[f] !== 'string') continue;
    const [h, p] = j[f].split('.');
    tokens[f] = {
      header: JSON.parse(Buffer.from(h, 'base64url').toString()),
      claims: Object.keys(JSON.parse(Buffer.from(p, 'base64url').toString())).sort(),
      payload: JSON.parse(Buffer.from(p, 'base64url').toString()),
    };
  }
  console.log(JSON.stringify({ name, status: r.status, fields: Object.keys(j).sort(), tokens }));
}

if (mode === 'account') await account(...args);
else if (mode === 'mint') await mint(...args);
else if (mode === 'sample') await sample(...args);
else throw new Error(`unknown mode ${mode}`);
