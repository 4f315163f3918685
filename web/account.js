// account.js — the account page (account.html, en/account.html) of a logged-in person: who they
// are (GET /api/v1/me: name, login, kind, level, second factor), their running sessions with a
// button to end each (DELETE /api/v1/me/sessions/{id}), their e-identity usage history
// (GET /api/v1/me/auth-history, paged), the applications allowed through single sign-on with a
// button to withdraw each consent (GET/DELETE /api/v1/me/sso-consents), enrolment of an authenticator app (POST /api/v1/me/totp,
// then /confirmations, which shows the recovery codes once), and logout
// (DELETE /api/v1/sessions/current). Every change carries the session's CSRF token from /me.
// Without a session it sends the person to the login page. An officer's enrolment-only session
// sees only the enrolment, then logs in again.
import { api, ApiError, base, el, lang, say, setCsrf, when } from './api.js';

const T = {
  vi: {
    kinds: { citizen: 'Công dân', officer: 'Cán bộ', staff: 'Nhân viên của tổ chức' },
    foreigner: 'Người nước ngoài',
    level: (n) => `Mức ${n}`,
    levelNote: { 1: 'đăng ký trực tuyến', 2: 'đã đối chiếu thẻ căn cước và khuôn mặt' },
    on: 'Đã bật',
    off: 'Chưa bật',
    role: 'Vai trò',
    roles: {
      admin: 'Quản trị hệ thống',
      'province-police': 'Công an tỉnh',
      'commune-police': 'Công an xã, phường',
      'service-officer': 'Cán bộ tiếp nhận hồ sơ',
      health: 'Y tế',
      tourism: 'Du lịch',
      education: 'Giáo dục',
      transport: 'Giao thông vận tải',
      leader: 'Lãnh đạo',
      'soc-analyst': 'Chuyên viên giám sát an ninh mạng',
    },
    current: 'Phiên này',
    enrolmentOnly: 'chỉ để thiết lập xác thực hai lớp',
    started: 'Bắt đầu',
    lastSeen: 'Dùng gần nhất',
    network: 'Mạng',
    unknownDevice: 'Thiết bị không rõ',
    end: 'Kết thúc phiên',
    endLabel: (device, start) => `Kết thúc phiên trên ${device}, bắt đầu ${start}`,
    ended: 'Đã kết thúc phiên.',
    noHistory: 'Chưa có lần xác thực nào.',
    success: 'Thành công',
    failure: 'Không thành công',
    methods: {
      password: 'Mật khẩu',
      totp: 'Mật khẩu và mã xác thực',
      recovery: 'Mật khẩu và mã khôi phục',
      otc: 'Mã một lần',
    },
    services: { web: 'Trang web', api: 'Ứng dụng (API)' },
    ssoService: (name) => `Đăng nhập một lần: ${name}`,
    noConsents: 'Bạn chưa cho phép ứng dụng nào.',
    consentSince: 'Cho phép từ',
    withdraw: 'Rút lại sự đồng ý',
    withdrawLabel: (name) => `Rút lại sự đồng ý cho ${name}`,
    withdrawn: (name) => `Đã rút lại sự đồng ý cho ${name}.`,
    reasons: {
      'unknown-login': 'tên đăng nhập không có',
      'bad-password': 'sai mật khẩu',
      'bad-totp': 'sai mã xác thực',
      'bad-recovery-code': 'sai mã khôi phục',
      'second-factor-missing': 'thiếu mã xác thực',
      'second-factor-not-enrolled': 'chưa bật xác thực hai lớp',
      'locked-out': 'tạm khoá do sai nhiều lần',
      'not-confirmed': 'chưa xác nhận đăng ký',
      locked: 'tài khoản đang khoá',
      suspended: 'tài khoản bị tạm dừng',
      disabled: 'tài khoản bị vô hiệu hoá',
      'bad-code': 'sai mã một lần',
      'no-usable-code': 'không có mã còn hiệu lực',
      'account-state': 'trạng thái tài khoản không cho phép',
      'registration-confirmed': 'xác nhận đăng ký',
      'password-reset': 'đặt lại mật khẩu',
      'reset-code-sent': 'đã gửi mã đặt lại mật khẩu',
      'reset-refused': 'từ chối gửi mã đặt lại mật khẩu',
    },
    needCode: 'Hãy nhập đủ 6 chữ số của mã trong ứng dụng xác thực.',
    enabled: 'Đã bật xác thực hai lớp. Hãy cất giữ các mã khôi phục bên dưới.',
    qrLabel: 'Mã QR để quét bằng ứng dụng xác thực',
  },
  en: {
    kinds: { citizen: 'Citizen', officer: 'Officer', staff: "Organisation's staff" },
    foreigner: 'Foreign national',
    level: (n) => `Level ${n}`,
    levelNote: { 1: 'registered online', 2: 'ID card and face checked in person' },
    on: 'On',
    off: 'Off',
    role: 'Role',
    roles: {
      admin: 'System administrator',
      'province-police': 'Provincial police',
      'commune-police': 'Commune police',
      'service-officer': 'Public service officer',
      health: 'Health',
      tourism: 'Tourism',
      education: 'Education',
      transport: 'Transport',
      leader: 'Leader',
      'soc-analyst': 'Security operations analyst',
    },
    current: 'This session',
    enrolmentOnly: 'only for setting up two-step verification',
    started: 'Started',
    lastSeen: 'Last used',
    network: 'Network',
    unknownDevice: 'Unknown device',
    end: 'End session',
    endLabel: (device, start) => `End session on ${device}, started ${start}`,
    ended: 'The session has ended.',
    noHistory: 'No authentication yet.',
    success: 'Succeeded',
    failure: 'Failed',
    methods: {
      password: 'Password',
      totp: 'Password and authenticator code',
      recovery: 'Password and recovery code',
      otc: 'One-time code',
    },
    services: { web: 'Website', api: 'Application (API)' },
    ssoService: (name) => `Single sign-on: ${name}`,
    noConsents: 'You have not allowed any application.',
    consentSince: 'Allowed since',
    withdraw: 'Withdraw consent',
    withdrawLabel: (name) => `Withdraw consent for ${name}`,
    withdrawn: (name) => `Consent for ${name} withdrawn.`,
    reasons: {
      'unknown-login': 'unknown login',
      'bad-password': 'wrong password',
      'bad-totp': 'wrong authenticator code',
      'bad-recovery-code': 'wrong recovery code',
      'second-factor-missing': 'code missing',
      'second-factor-not-enrolled': 'two-step verification not set up',
      'locked-out': 'locked after failed attempts',
      'not-confirmed': 'registration not confirmed',
      locked: 'account locked',
      suspended: 'account suspended',
      disabled: 'account disabled',
      'bad-code': 'wrong one-time code',
      'no-usable-code': 'no valid code',
      'account-state': 'account state',
      'registration-confirmed': 'registration confirmed',
      'password-reset': 'password reset',
      'reset-code-sent': 'password reset code sent',
      'reset-refused': 'password reset refused',
    },
    needCode: 'Enter all 6 digits of the code your authenticator app shows.',
    enabled: 'Two-step verification is on. Keep the recovery codes below somewhere safe.',
    qrLabel: 'QR code to scan with an authenticator app',
  },
}[lang];

const $ = (id) => document.getElementById(id);
const errorBox = $('error');
const noticeBox = $('notice');
let me = null;
let historyCursor = null;

// The server's summary of a user agent ("Firefox on Linux"), or "unknown device".
const deviceName = (ua) => (ua && ua !== 'unknown' ? ua : T.unknownDevice);

// A refusal while the page is open: a lost session goes back to the login page, anything else
// is said in the alert region.
function fail(err) {
  if (!(err instanceof ApiError)) throw err;
  if (err.status === 401) {
    location.replace(`${base}login.html?signin`);
    return;
  }
  say(errorBox, err.detail);
}

function renderProfile() {
  const a = me.account;
  $('name').textContent = a.display_name || a.login;
  $('login').textContent = a.login;
  $('kind').textContent = a.passport ? T.foreigner : T.kinds[a.kind] || a.kind;
  $('level').textContent = `${T.level(a.level)} (${T.levelNote[a.level] || ''})`;
  $('second-factor-state').textContent = a.second_factor ? T.on : T.off;
  if (a.officer && !$('role')) {
    const role = [T.roles[a.officer.role] || a.officer.role, a.officer.agency]
      .filter(Boolean)
      .join(' — ');
    $('kind').parentElement.append(el('dt', {}, T.role), el('dd', { id: 'role' }, role));
  }
  $('profile').hidden = false;
}

function renderSecondFactor() {
  const on = me.account.second_factor;
  $('second-factor').hidden = false;
  $('enrol-required').hidden = !me.enrolment_only || on;
  $('totp-on').hidden = !on;
  $('totp-off').hidden = on || !$('totp-setup').hidden || !$('recovery').hidden;
}

async function loadSessions() {
  const list = $('session-list');
  const page = await api('GET', '/api/v1/me/sessions');
  list.replaceChildren();
  for (const s of page.items) {
    const device = deviceName(s.user_agent);
    const title = el('p', { class: 'card-title' }, device);
    if (s.current) title.append(' ', el('span', { class: 'badge' }, T.current));
    const facts = el(
      'dl',
      { class: 'facts compact' },
      el('dt', {}, T.started),
      el('dd', {}, when(s.created_at)),
      el('dt', {}, T.lastSeen),
      el('dd', {}, when(s.last_seen_at)),
      el('dt', {}, T.network),
      el('dd', {}, s.network || '—'),
    );
    const item = el('li', { class: 'card', 'data-session': s.id }, title, facts);
    if (s.enrolment_only) item.append(el('p', { class: 'muted small' }, T.enrolmentOnly));
    if (!s.current) {
      const b = el(
        'button',
        { type: 'button', class: 'secondary', 'aria-label': T.endLabel(device, when(s.created_at)) },
        T.end,
      );
      b.addEventListener('click', () => endSession(s.id, b));
      item.append(b);
    }
    list.append(item);
  }
  $('sessions').hidden = false;
}

async function endSession(id, button) {
  button.disabled = true;
  try {
    await api('DELETE', `/api/v1/me/sessions/${id}`);
    await loadSessions();
    say(errorBox, '');
    say(noticeBox, T.ended, 'ok');
    $('sessions-title').focus();
  } catch (err) {
    button.disabled = false;
    fail(err);
  }
}

function cell(label, ...content) {
  return el('td', { 'data-label': label }, ...content);
}

// Names of the applications the person allowed, by client id, for the history.
const clientNames = new Map();

function serviceName(service) {
  if (service?.startsWith('sso:')) {
    const id = service.slice(4);
    return T.ssoService(clientNames.get(id) || id);
  }
  return T.services[service] || service;
}

async function loadConsents() {
  const list = $('sso-consent-list');
  const page = await api('GET', '/api/v1/me/sso-consents');
  list.replaceChildren();
  for (const c of page.items) {
    clientNames.set(c.client_id, c.client_name);
    const claims = el('ul', { class: 'small' }, ...c.claims.map((k) => el('li', {}, k.label)));
    const facts = el('dl', { class: 'facts compact' }, el('dt', {}, T.consentSince), el('dd', {}, when(c.granted_at)));
    const b = el('button', { type: 'button', class: 'secondary', 'aria-label': T.withdrawLabel(c.client_name) }, T.withdraw);
    b.addEventListener('click', () => withdrawConsent(c, b));
    list.append(el('li', { class: 'card' }, el('p', { class: 'card-title' }, c.client_name), facts, claims, b));
  }
  if (!list.children.length) list.append(el('li', { class: 'muted' }, T.noConsents));
  $('sso-consents').hidden = false;
}

async function withdrawConsent(c, button) {
  button.disabled = true;
  try {
    await api('DELETE', `/api/v1/me/sso-consents/${encodeURIComponent(c.client_id)}`);
    await loadConsents();
    say(errorBox, '');
    say(noticeBox, T.withdrawn(c.client_name), 'ok');
    $('sso-consents-title').focus();
  } catch (err) {
    button.disabled = false;
    fail(err);
  }
}

async function loadHistory(more = false) {
  const rows = $('history-rows');
  const labels = [...document.querySelectorAll('#history thead th')].map((th) =>
    th.textContent.replace(/\s+/g, ' ').trim(),
  );
  const q = new URLSearchParams({ limit: '20' });
  if (more && historyCursor) q.set('cursor', historyCursor);
  const page = await api('GET', `/api/v1/me/auth-history?${q}`);
  if (!more) rows.replaceChildren();
  for (const h of page.items) {
    const result = h.success ? T.success : T.failure;
    const reason = !h.success && h.reason ? ` (${T.reasons[h.reason] || h.reason})` : '';
    rows.append(
      el(
        'tr',
        { class: h.success ? 'ok' : 'failed' },
        cell(labels[0], el('time', { datetime: h.at }, when(h.at))),
        cell(labels[1], result + reason),
        cell(labels[2], T.methods[h.method] || h.method),
        cell(labels[3], serviceName(h.service)),
        cell(labels[4], h.network || '—'),
        cell(labels[5], deviceName(h.user_agent)),
      ),
    );
  }
  if (!rows.children.length)
    rows.append(el('tr', {}, el('td', { colspan: labels.length }, T.noHistory)));
  historyCursor = page.next_cursor;
  $('history-more').hidden = !historyCursor;
  $('history').hidden = false;
}

// Draws the otpauth URI as a QR code (an SVG path, one square per dark module), with the
// vendored qrcode-generator; without it the secret and the URI are still there to type.
async function drawQr(uri) {
  const figure = $('qr');
  try {
    const { qrcode } = await import('./vendor/qrcode-generator/qrcode.mjs');
    qrcode.stringToBytes = (s) => Array.from(new TextEncoder().encode(s));
    const qr = qrcode(0, 'M');
    qr.addData(uri, 'Byte');
    qr.make();
    const n = qr.getModuleCount();
    let d = '';
    for (let r = 0; r < n; r++)
      for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + 4} ${r + 4}h1v1h-1z`;
    const NS = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', `0 0 ${n + 8} ${n + 8}`);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', T.qrLabel);
    svg.setAttribute('shape-rendering', 'crispEdges');
    const bg = document.createElementNS(NS, 'rect');
    bg.setAttribute('width', n + 8);
    bg.setAttribute('height', n + 8);
    bg.setAttribute('fill', '#fff');
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('d', d);
    path.setAttribute('fill', '#000');
    svg.append(bg, path);
    figure.replaceChildren(svg);
    figure.hidden = false;
  } catch {
    figure.hidden = true;
  }
}

async function startTotp() {
  const button = $('totp-start');
  button.disabled = true;
  try {
    const e = await api('POST', '/api/v1/me/totp');
    $('totp-secret').textContent = e.secret.replace(/(.{4})(?=.)/g, '$1 ');
    $('totp-uri').textContent = e.otpauth_uri;
    $('totp-off').hidden = true;
    $('totp-setup').hidden = false;
    await drawQr(e.otpauth_uri);
    say(errorBox, '');
    $('totp-code').focus();
  } catch (err) {
    fail(err);
  } finally {
    button.disabled = false;
  }
}

async function confirmTotp(ev) {
  ev.preventDefault();
  const input = $('totp-code');
  const code = input.value.replace(/\s+/g, '');
  if (!/^[0-9]{6}$/.test(code)) {
    input.setAttribute('aria-invalid', 'true');
    say(errorBox, T.needCode);
    input.focus();
    return;
  }
  const button = ev.target.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const r = await api('POST', '/api/v1/me/totp/confirmations', { code });
    input.removeAttribute('aria-invalid');
    $('totp-setup').hidden = true;
    $('recovery-codes').replaceChildren(
      ...r.recovery_codes.map((c) => el('li', {}, el('code', {}, c))),
    );
    $('recovery').hidden = false;
    $('login-again').hidden = !me.enrolment_only;
    me.account.second_factor = true;
    renderProfile();
    renderSecondFactor();
    say(errorBox, '');
    say(noticeBox, T.enabled, 'ok');
    $('recovery-title').focus();
    if (!me.enrolment_only) await loadHistory();
  } catch (err) {
    input.value = '';
    input.setAttribute('aria-invalid', 'true');
    fail(err);
    input.focus();
  } finally {
    button.disabled = false;
  }
}

async function logout(next = 'out') {
  try {
    await api('DELETE', '/api/v1/sessions/current');
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) return fail(err);
  }
  location.replace(`${base}login.html?${next}`);
}

async function main() {
  try {
    me = await api('GET', '/api/v1/me');
  } catch (err) {
    return fail(err);
  }
  setCsrf(me.csrf_token);
  renderProfile();
  renderSecondFactor();
  $('logout').addEventListener('click', () => logout());
  $('relogin').addEventListener('click', () => logout('signin'));
  $('totp-start').addEventListener('click', startTotp);
  $('totp-form').addEventListener('submit', confirmTotp);
  $('history-more').addEventListener('click', () => loadHistory(true).catch(fail));
  try {
    if (!me.enrolment_only) {
      await loadConsents();
      await Promise.all([loadSessions(), loadHistory()]);
    }
  } catch (err) {
    fail(err);
  }
  $('main').setAttribute('aria-busy', 'false');
  if (me.enrolment_only || location.hash === '#second-factor') $('second-factor-title').focus();
  else $('name').focus();
}

main();
