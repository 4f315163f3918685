// callback.js — /signin/callback.html, the redirect URI of the platform's own OpenID Connect
// client (lib/oidc.js): finishes the sign-in, then opens the page the person was going to, or
// the home of their audience. A refusal (consent refused, a state that does not match) is said
// with a link to try again.
import { api } from '/lib/http.js';
import { t, translate } from '/lib/i18n.js';
import * as oidc from '/lib/oidc.js';
import { audienceOf, homeOf } from '/lib/shell.js';
import { el } from '/lib/ui.js';

translate(document);
const main = document.getElementById('main');
try {
  const back = await oidc.finish();
  let to = back;
  if (!to) {
    const me = await api('GET', '/api/v1/me');
    to = homeOf(audienceOf(me.account));
  }
  location.replace(to);
} catch (err) {
  const code = err.code || 'failed';
  main.replaceChildren(el('h1', { id: 'title' }, t('signin.failed')),
    el('p', { class: 'notice error', role: 'alert' }, code === 'access_denied' ? t('signin.denied') : t('signin.error', { code })),
    el('p', {}, el('a', { href: '/portal/' }, t('signin.again'))));
  main.removeAttribute('aria-busy');
}
