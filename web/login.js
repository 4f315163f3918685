// login.js — the login page (login.html, en/login.html). Step one sends the login and password to
// POST /api/v1/sessions; when the account has a second factor the server answers 401
// second-factor-required and step two asks for the authenticator's 6-digit code or a recovery
// code, sent with the same login and password (kept in this script only until the login ends).
// Refusals show the server's own `detail`, which is the same for an unknown login and a wrong
// password; a 429 says how long to wait (Retry-After) and holds the buttons, counting down, until
// then. An officer who still has to enrol a second factor is sent to the account page, where the
// enrolment-only session the server set lets them do it. Success opens the account page, or the
// page named by ?next= when it is a path of this site (single sign-on sends people here with
// next=/sso/authorize?interaction=…; step_up=1 says an application asks for the second factor).
import { api, ApiError, base, lang, say, when } from './api.js';

const T = {
  vi: {
    needLogin: 'Hãy nhập số định danh cá nhân hoặc tên đăng nhập.',
    needPassword: 'Hãy nhập mật khẩu.',
    needCode: 'Hãy nhập đủ 6 chữ số của mã trong ứng dụng xác thực.',
    needRecovery: 'Hãy nhập mã khôi phục (dạng xxxx-xxxx-xxxx).',
    throttled: 'Đăng nhập không thành công quá nhiều lần.',
    wait: (s) => `Vui lòng đợi ${s} giây rồi thử lại.`,
    waitMinutes: (m) => `Vui lòng đợi khoảng ${m} phút rồi thử lại.`,
    lockedUntil: (d) => `Tài khoản mở lại lúc ${d}.`,
    reason: (r) => `Lý do: ${r}`,
    codeStep: 'Mật khẩu đúng. Tài khoản này bật xác thực hai lớp: hãy nhập mã xác thực.',
    loggedOut: 'Bạn đã đăng xuất.',
    signIn: 'Hãy đăng nhập để xem tài khoản của bạn.',
    sso: 'Một ứng dụng của tỉnh yêu cầu bạn đăng nhập bằng tài khoản định danh.',
    stepUp: 'Ứng dụng yêu cầu mức định danh 2: hãy đăng nhập lại với mã xác thực hai lớp.',
    busy: 'Đang kiểm tra…',
  },
  en: {
    needLogin: 'Enter your personal ID number or your username.',
    needPassword: 'Enter your password.',
    needCode: 'Enter all 6 digits of the code in your authenticator app.',
    needRecovery: 'Enter a recovery code (xxxx-xxxx-xxxx).',
    throttled: 'Too many failed attempts to log in.',
    wait: (s) => `Please wait ${s} seconds and try again.`,
    waitMinutes: (m) => `Please wait about ${m} minutes and try again.`,
    lockedUntil: (d) => `The account opens again at ${d}.`,
    reason: (r) => `Reason: ${r}`,
    codeStep: 'Password accepted. This account uses two-step verification: enter your code.',
    loggedOut: 'You have logged out.',
    signIn: 'Log in to see your account.',
    sso: 'A provincial application asks you to log in with your e-identity.',
    stepUp: 'The application asks for level 2: log in again with your two-step verification code.',
    busy: 'Checking…',
  },
}[lang];

const $ = (id) => document.getElementById(id);
const passwordForm = $('password-form');
const codeForm = $('code-form');
const loginInput = $('login');
const passwordInput = $('password');
const totpInput = $('totp');
const recoveryInput = $('recovery');
const errorBox = $('error');
const noticeBox = $('notice');
const switchButton = $('switch-method');

let pending = null; // {login, password} between the two steps
let useRecovery = false;
let holdUntil = 0; // Date.now() before which the server asked us to wait

const params = new URLSearchParams(location.search);
// Where to go after logging in: only a path of this site, never another origin.
const next = params.get('next');
const nextPath = next && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\') ? next : null;
if (params.has('out')) say(noticeBox, T.loggedOut, 'ok');
else if (params.has('step_up') && nextPath) say(noticeBox, T.stepUp, 'info');
else if (nextPath) say(noticeBox, T.sso, 'info');
else if (params.has('signin')) say(noticeBox, T.signIn, 'info');

$('show-password').addEventListener('change', (e) => {
  passwordInput.type = e.target.checked ? 'text' : 'password';
});

// Marks one field as wrong (or none) and says why.
function fieldError(input, text) {
  for (const i of [loginInput, passwordInput, totpInput, recoveryInput])
    i.toggleAttribute('aria-invalid', i === input);
  say(errorBox, text);
  if (input) input.focus();
}

function clearErrors() {
  fieldError(null, '');
}

const submitButtons = () => [...document.querySelectorAll('form button[type="submit"]')];
let holdTimer = 0;

// Submit buttons: "Checking…" while a request runs, and while the server asked us to wait,
// disabled with the seconds left after their label.
function refreshButtons() {
  const left = Math.max(0, Math.ceil((holdUntil - Date.now()) / 1000));
  for (const b of submitButtons()) {
    b.dataset.label ??= b.textContent;
    const busy = b.form.getAttribute('aria-busy') === 'true';
    b.disabled = busy || left > 0;
    b.textContent = busy ? T.busy : left > 0 ? `${b.dataset.label} (${left})` : b.dataset.label;
  }
  if (left === 0 && holdTimer) {
    clearInterval(holdTimer);
    holdTimer = 0;
  }
}

function setBusy(form, busy) {
  form.setAttribute('aria-busy', busy ? 'true' : 'false');
  refreshButtons();
}

// After a 429: both submit buttons held until the wait is over.
function hold(seconds) {
  holdUntil = Date.now() + seconds * 1000;
  clearInterval(holdTimer);
  holdTimer = setInterval(refreshButtons, 1000);
  refreshButtons();
}

function showPasswordStep(message) {
  pending = null;
  codeForm.hidden = true;
  passwordForm.hidden = false;
  passwordInput.value = '';
  say(noticeBox, '');
  if (message) fieldError(passwordInput, message);
  else passwordInput.focus();
}

function showCodeStep() {
  passwordForm.hidden = true;
  codeForm.hidden = false;
  setMethod(false);
  say(noticeBox, T.codeStep, 'info');
  totpInput.focus();
}

function setMethod(recovery) {
  useRecovery = recovery;
  $('totp-field').hidden = recovery;
  $('recovery-field').hidden = !recovery;
  totpInput.value = '';
  recoveryInput.value = '';
  switchButton.textContent = recovery ? switchButton.dataset.totp : switchButton.dataset.recovery;
  clearErrors();
  (recovery ? recoveryInput : totpInput).focus();
}

// What to say for a refusal: the server's detail, with the wait, the lockout's end or the
// suspension's reason when the problem carries them.
function explain(err) {
  let text = err.detail;
  if (err.type === 'too-many-requests') {
    // The server's detail points API clients to the Retry-After header; people get the time.
    const s = Math.max(1, err.retryAfter);
    text = `${T.throttled} ${s > 120 ? T.waitMinutes(Math.ceil(s / 60)) : T.wait(s)}`;
    hold(s);
  }
  if (err.type === 'account-locked-out' && err.body.locked_until)
    text += ' ' + T.lockedUntil(when(err.body.locked_until));
  if (err.type === 'account-suspended' && err.body.reason) text += ' ' + T.reason(err.body.reason);
  return text;
}

async function logIn(body, form) {
  setBusy(form, true);
  try {
    await api('POST', '/api/v1/sessions', { ...body, service: 'web' });
    pending = null;
    location.assign(nextPath || `${base}account.html`);
    return null;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return err;
  } finally {
    setBusy(form, false);
  }
}

passwordForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const login = loginInput.value.trim();
  const password = passwordInput.value;
  if (!login) return fieldError(loginInput, T.needLogin);
  if (!password) return fieldError(passwordInput, T.needPassword);
  clearErrors();
  say(noticeBox, '');
  const err = await logIn({ login, password }, passwordForm);
  if (!err) return;
  if (err.type === 'second-factor-required') {
    pending = { login, password };
    passwordInput.value = '';
    return showCodeStep();
  }
  if (err.type === 'second-factor-enrolment-required') {
    location.assign(`${base}account.html#second-factor`);
    return;
  }
  if (err.type === 'invalid-credentials') passwordInput.value = '';
  fieldError(err.type === 'invalid-credentials' ? passwordInput : null, explain(err));
  if (err.type !== 'invalid-credentials') passwordInput.focus();
});

codeForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!pending) return showPasswordStep();
  const body = { ...pending };
  if (useRecovery) {
    const code = recoveryInput.value.trim();
    if (code.length < 12) return fieldError(recoveryInput, T.needRecovery);
    body.recovery_code = code;
  } else {
    const code = totpInput.value.replace(/\s+/g, '');
    if (!/^[0-9]{6}$/.test(code)) return fieldError(totpInput, T.needCode);
    body.totp = code;
  }
  clearErrors();
  const err = await logIn(body, codeForm);
  if (!err) return;
  if (err.type === 'invalid-credentials') return showPasswordStep(explain(err));
  const input = useRecovery ? recoveryInput : totpInput;
  input.value = '';
  fieldError(input, explain(err));
});

switchButton.addEventListener('click', () => setMethod(!useRecovery));
$('back').addEventListener('click', () => {
  clearErrors();
  showPasswordStep();
});
