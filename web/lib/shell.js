// shell.js — the frame every audience's page stands in: the header (name of the platform, the
// audience's navigation with the current page marked, the person's name, the language switch and
// sign-out), the sign-in check, and who may see the page.
//
// A page says who it is for and which of its audience's pages it is on <body>:
// data-audience="citizen|staff|officer|leader|soc", data-page="…", data-title="i18n key". boot()
// resolves to {me, signin} once the person is signed in (through oidc.js) and of that audience;
// otherwise it sends them to sign in, or says whose page it is and links to their own home, and
// resolves to null.
import { api, ApiError, setCsrf } from '/lib/http.js';
import { lang, switchLanguage, t, translate } from '/lib/i18n.js';
import * as oidc from '/lib/oidc.js';
import { el } from '/lib/ui.js';

// Each audience's home and pages: [page, path, i18n key].
export const NAV = {
  citizen: [
    ['data', '/portal/', 'nav.citizen.data'],
    ['identity', '/portal/identity.html', 'nav.citizen.identity'],
    ['documents', '/portal/documents.html', 'nav.citizen.documents'],
    ['access', '/portal/access.html', 'nav.citizen.access'],
    ['consents', '/portal/consents.html', 'nav.citizen.consents'],
    ['inbox', '/portal/inbox.html', 'nav.citizen.inbox'],
    ['services', '/services/', 'nav.citizen.services'],
  ],
  staff: [['home', '/staff/', 'nav.staff.home']],
  officer: [
    ['home', '/officer/', 'nav.officer.home'],
    ['dossiers', '/officer/dossiers.html', 'nav.officer.dossiers'],
  ],
  leader: [['home', '/leader/', 'nav.leader.home'], ['population', '/leader/population.html', 'nav.leader.population'],
    ['labour', '/leader/labour.html', 'nav.leader.labour'], ['tourism', '/leader/tourism.html', 'nav.leader.tourism'],
    ['order', '/leader/order.html', 'nav.leader.order'], ['services', '/leader/services.html', 'nav.leader.services']],
  soc: [
    ['alerts', '/soc/', 'nav.soc.alerts'],
    ['incidents', '/soc/incidents.html', 'nav.soc.incidents'],
    ['events', '/soc/events.html', 'nav.soc.events'],
    ['rules', '/soc/rules.html', 'nav.soc.rules'],
  ],
};

// The audience of an account (GET /api/v1/me's `account`).
export function audienceOf(account) {
  if (account.kind === 'staff') return 'staff';
  if (account.kind === 'officer' && account.officer?.role === 'soc-analyst') return 'soc';
  if (account.kind === 'officer') return account.officer?.role === 'leader' ? 'leader' : 'officer';
  return 'citizen';
}

export const homeOf = (audience) => NAV[audience][0][1];

function header(audience, page, me) {
  const other = lang === 'vi' ? 'en' : 'vi';
  const switcher = el('button', { type: 'button', class: 'lang', lang: other, id: 'lang-switch' }, t('lang.other'));
  switcher.addEventListener('click', () => switchLanguage(other));
  const nav = el('nav', { 'aria-label': t('nav.label') },
    el('ul', {}, ...NAV[audience].map(([p, href, key]) =>
      el('li', {}, el('a', { href, 'aria-current': p === page ? 'page' : false }, t(key))))));
  const out = el('button', { type: 'button', class: 'secondary signout', id: 'signout' }, t('nav.signout'));
  out.addEventListener('click', signOut);
  const who = me
    ? el('p', { class: 'who' }, el('span', { class: 'sr-only' }, t('nav.signedInAs')), ' ', el('strong', { id: 'who-name' }, me.account.display_name || me.account.login))
    : null;
  return el('div', { class: 'bar' },
    el('div', { class: 'wrap bar-row' },
      el('p', { class: 'brand' }, el('a', { href: homeOf(audience) }, 'dinhdanh'), el('span', { class: 'audience' }, t(`audience.${audience}`))),
      el('div', { class: 'bar-tools' }, who, switcher, me ? out : null)),
    me ? el('div', { class: 'wrap' }, nav) : null);
}

// Ends the identity session (and with it the provider's), forgets the sign-in, and shows the
// signed-out page.
export async function signOut() {
  try {
    await api('DELETE', '/api/v1/sessions/current');
  } catch {
    /* already ended: nothing more to do */
  }
  oidc.forget();
  location.assign('/signin/?out');
}

export async function boot() {
  translate(document);
  const audience = document.body.dataset.audience;
  const page = document.body.dataset.page;
  const top = document.getElementById('top');
  const main = document.getElementById('main');
  top.replaceChildren(header(audience, page, null));
  const back = location.pathname + location.search + location.hash;
  if (!oidc.current()) {
    await oidc.start(back);
    return null;
  }
  let me;
  try {
    me = await api('GET', '/api/v1/me');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      oidc.forget();
      await oidc.start(back);
      return null;
    }
    main.replaceChildren(el('p', { class: 'notice error', role: 'alert' }, err.detail || t('error.generic')));
    main.removeAttribute('aria-busy');
    return null;
  }
  const signin = oidc.current();
  if (String(me.account.id) !== String(signin.sub)) {
    // The session is another account's than the one this tab signed in: sign in again.
    oidc.forget();
    await oidc.start(back);
    return null;
  }
  if (me.enrolment_only) {
    location.assign(lang === 'en' ? '/en/account.html#second-factor' : '/account.html#second-factor');
    return null;
  }
  setCsrf(me.csrf_token);
  const mine = audienceOf(me.account);
  top.replaceChildren(header(mine, mine === audience ? page : '', me));
  if (mine !== audience) {
    main.replaceChildren(
      el('section', { 'aria-labelledby': 'wrong-title' },
        el('h1', { id: 'wrong-title' }, t('shell.notYours.title')),
        el('p', {}, t('shell.notYours.text', { audience: t(`audience.${audience}`) })),
        el('p', {}, el('a', { href: homeOf(mine), id: 'own-home' }, t('shell.notYours.home')))));
    main.removeAttribute('aria-busy');
    return null;
  }
  main.removeAttribute('aria-busy');
  return { me, signin, audience };
}
