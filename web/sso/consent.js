// consent.js — the single sign-on consent page (sso/consent.html, en/sso/consent.html). The
// provider sends the browser here with ?interaction=<id> when an application asks for claims
// the person has not yet released to it. The page reads the request
// (GET /api/v1/sso/interactions/{id}: the application and each claim, labelled in the page's
// language), lists the claims, and sends the answer (POST … {"approve": true|false}, with the
// session's CSRF token from /api/v1/me); the server answers where the browser goes next. Without
// a session the person is sent to the login page, which brings them back here.
import { api, ApiError, base, el, say, setCsrf } from '/api.js';

const T = {
  vi: { missing: 'Yêu cầu này không còn hiệu lực. Hãy quay lại ứng dụng và đăng nhập lại.', busy: 'Đang gửi…' },
  en: { missing: 'This request is no longer valid. Go back to the application and log in again.', busy: 'Sending…' },
}[document.documentElement.lang === 'en' ? 'en' : 'vi'];

const $ = (id) => document.getElementById(id);
const errorBox = $('error');
const form = $('consent-form');
const id = new URLSearchParams(location.search).get('interaction');

// Keeps the interaction when switching language.
$('other-language').href += location.search;

function fail(err) {
  if (err instanceof ApiError && err.status === 401) {
    const next = `${location.pathname}${location.search}`;
    location.replace(`${base}login.html?next=${encodeURIComponent(next)}`);
    return;
  }
  say(errorBox, err instanceof ApiError && err.status === 404 ? T.missing : err.message);
  form.hidden = true;
  $('main').setAttribute('aria-busy', 'false');
  $('title').focus();
}

function render(r) {
  $('client-name').textContent = r.client.name;
  const list = $('claims');
  list.replaceChildren();
  for (const c of r.claims) {
    const names = c.claims.length ? el('p', { class: 'muted small' }, c.claims.join(', ')) : null;
    list.append(el('li', { class: 'card' }, el('p', { class: 'card-title' }, c.label), names));
  }
  form.hidden = false;
}

async function answer(approve) {
  for (const b of form.querySelectorAll('button')) b.disabled = true;
  form.setAttribute('aria-busy', 'true');
  say($('notice'), T.busy, 'info');
  try {
    const out = await api('POST', `/api/v1/sso/interactions/${encodeURIComponent(id)}`, { approve });
    location.assign(out.redirect_to);
  } catch (err) {
    for (const b of form.querySelectorAll('button')) b.disabled = false;
    form.setAttribute('aria-busy', 'false');
    say($('notice'), '');
    fail(err);
  }
}

async function main() {
  if (!id) return fail(new ApiError(404, {}));
  try {
    const me = await api('GET', '/api/v1/me');
    setCsrf(me.csrf_token);
    render(await api('GET', `/api/v1/sso/interactions/${encodeURIComponent(id)}`));
  } catch (err) {
    return fail(err);
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    answer(true);
  });
  $('refuse').addEventListener('click', () => answer(false));
  $('main').setAttribute('aria-busy', 'false');
  $('title').focus();
}

main();
