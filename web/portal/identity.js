// identity.js — "My e-identity" (/portal/identity.html): the account's level and state, the
// second factor and its set-up (POST /api/v1/me/totp, then /confirmations, which shows the
// recovery codes once), the running sessions with a button to end each (DELETE
// /api/v1/me/sessions/{id}), the usage history (GET /api/v1/me/auth-history, paged), and locking
// the e-identity (POST /api/v1/me/lock, which ends every session; only the commune police unlock
// it, with the ID card).
import { api } from '/lib/http.js';
import { dateTime, has, t } from '/lib/i18n.js';
import { facts, section, showError, start } from '/lib/page.js';
import { clearErrors, dataTable, dialog, el, field, fieldError, showProblem, toast } from '/lib/ui.js';

const device = (ua) => (ua && ua !== 'unknown' ? ua : t('identity.unknownDevice'));

async function qrSvg(uri) {
  const { qrcode } = await import('/vendor/qrcode-generator/qrcode.mjs');
  qrcode.stringToBytes = (s) => Array.from(new TextEncoder().encode(s));
  const qr = qrcode(0, 'M');
  qr.addData(uri, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  let d = '';
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + 4} ${r + 4}h1v1h-1z`;
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${n + 8} ${n + 8}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('identity.qr'));
  const bg = document.createElementNS(NS, 'rect');
  bg.setAttribute('width', n + 8);
  bg.setAttribute('height', n + 8);
  bg.setAttribute('fill', '#fff');
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', d);
  svg.append(bg, path);
  return svg;
}

function secondFactor(me) {
  const s = section('second-factor', 'identity.secondFactor');
  const state = el('p', { id: 'second-factor-state' });
  const area = el('div', { id: 'totp-area' });
  const paint = () => {
    state.textContent = me.account.second_factor ? t('identity.sf.on') : t('identity.sf.off');
    if (me.account.second_factor) return;
    const b = el('button', { type: 'button', class: 'primary', id: 'totp-start' }, t('identity.sf.setUp'));
    b.addEventListener('click', () => setUp(b));
    area.replaceChildren(el('p', {}, t('identity.sf.why')), b);
  };
  async function setUp(button) {
    button.disabled = true;
    let e;
    try {
      e = await api('POST', '/api/v1/me/totp');
    } catch (err) {
      button.disabled = false;
      return showError(err);
    }
    const form = el('form', { id: 'totp-form', novalidate: true },
      el('p', {}, t('identity.sf.scan')),
      el('figure', { class: 'qr', id: 'qr' }),
      el('p', {}, t('identity.sf.key'), ' ', el('code', { class: 'secret', id: 'totp-secret' }, e.secret.replace(/(.{4})(?=.)/g, '$1 '))),
      field('totp', { name: 'code', label: t('identity.sf.code'), hint: t('identity.sf.codeHint'), required: true, autocomplete: 'one-time-code' }),
      el('button', { type: 'submit', class: 'primary' }, t('identity.sf.turnOn')));
    form.querySelector('input').setAttribute('inputmode', 'numeric');
    area.replaceChildren(form);
    try {
      form.querySelector('#qr').append(await qrSvg(e.otpauth_uri));
    } catch {
      form.querySelector('#qr').remove();
    }
    form.querySelector('input').focus();
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      const code = form.elements.code.value.replace(/\s+/g, '');
      if (!/^[0-9]{6}$/.test(code)) {
        fieldError(form, 'code', t('identity.sf.needCode'));
        form.elements.code.focus();
        return;
      }
      try {
        const r = await api('POST', '/api/v1/me/totp/confirmations', { code });
        me.account.second_factor = true;
        paint();
        area.replaceChildren(
          el('h3', { id: 'recovery-title', tabindex: '-1' }, t('identity.sf.recovery')),
          el('p', {}, t('identity.sf.recoveryText')),
          el('ol', { class: 'codes', id: 'recovery-codes' }, ...r.recovery_codes.map((c) => el('li', {}, el('code', {}, c)))));
        toast(t('identity.sf.enabled'));
        area.querySelector('#recovery-title').focus();
      } catch (err) {
        form.elements.code.value = '';
        showProblem(form, err);
      }
    });
  }
  paint();
  s.append(state, area);
  return s;
}

function sessions() {
  const s = section('sessions', 'identity.sessions');
  const list = el('ul', { class: 'cards', id: 'session-list' });
  async function load() {
    const page = await api('GET', '/api/v1/me/sessions');
    list.replaceChildren(...page.items.map((x) => {
      const title = el('p', { class: 'card-title' }, device(x.user_agent));
      if (x.current) title.append(' ', el('span', { class: 'badge' }, t('identity.thisSession')));
      const item = el('li', { class: 'card', 'data-session': x.id }, title,
        facts([[t('identity.started'), dateTime(x.created_at)], [t('identity.lastSeen'), dateTime(x.last_seen_at)], [t('identity.network'), x.network || '—']], { class: 'facts compact' }));
      if (!x.current) {
        const b = el('button', { type: 'button', class: 'secondary', 'aria-label': t('identity.endLabel', { device: device(x.user_agent), start: dateTime(x.created_at) }) }, t('identity.end'));
        b.addEventListener('click', async () => {
          b.disabled = true;
          try {
            await api('DELETE', `/api/v1/me/sessions/${x.id}`);
            toast(t('identity.ended'));
            await load();
            s.querySelector('h2').focus();
          } catch (err) {
            b.disabled = false;
            showError(err);
          }
        });
        item.append(b);
      }
      return item;
    }));
  }
  s.append(list);
  return { element: s, load };
}

function history(clients) {
  const s = section('usage', 'identity.history');
  const table = dataTable({
    caption: { text: t('identity.history'), hidden: true },
    id: 'history-table',
    columns: [
      { key: 'at', label: t('identity.h.when'), render: (h) => dateTime(h.at), sort: (h) => h.at },
      { key: 'success', label: t('identity.h.result'), sort: (h) => (h.success ? 1 : 0),
        render: (h) => (h.success ? t('identity.h.ok') : `${t('identity.h.failed')}${h.reason ? ` (${has(`reason.${h.reason}`) ? t(`reason.${h.reason}`) : h.reason})` : ''}`) },
      { key: 'method', label: t('identity.h.method'), render: (h) => (has(`method.${h.method}`) ? t(`method.${h.method}`) : h.method) },
      { key: 'service', label: t('identity.h.service'), render: (h) => (h.service?.startsWith('sso:') ? t('identity.h.sso', { client: clients.get(h.service.slice(4)) || h.service.slice(4) }) : has(`service.${h.service}`) ? t(`service.${h.service}`) : h.service) },
      { key: 'network', label: t('identity.network') },
    ],
    load: (cursor) => api('GET', `/api/v1/me/auth-history?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
    emptyText: t('identity.h.none'),
  });
  s.append(table.element);
  return { element: s, load: table.reload };
}

function lock() {
  const s = section('lock', 'identity.lock');
  const b = el('button', { type: 'button', class: 'danger', id: 'lock-start' }, t('identity.lock.button'));
  s.append(el('p', {}, t('identity.lock.text')), el('p', {}, t('identity.lock.unlock')), b);
  b.addEventListener('click', async () => {
    const v = await dialog({
      title: t('identity.lock.title'),
      content: [el('p', {}, t('identity.lock.confirm')), field('lock', { name: 'reason', label: t('identity.lock.reason'), type: 'textarea' })],
      buttons: [{ value: 'cancel', label: t('ui.cancel') }, { value: 'lock', label: t('identity.lock.button'), kind: 'danger', submit: true }],
      async onSubmit(form) {
        const reason = form.elements.reason.value.trim();
        try {
          await api('POST', '/api/v1/me/lock', reason ? { reason } : {});
          return true;
        } catch (err) {
          showProblem(form, err);
          return false;
        }
      },
    });
    if (v === 'lock') {
      sessionStorage.removeItem('dd-signin');
      location.assign('/signin/?locked');
    }
  });
  return s;
}

start(async ({ me, signin }, main) => {
  const a = me.account;
  main.append(section('account', 'identity.account', facts([
    [t('identity.name'), a.display_name, 'name'],
    [t('identity.login'), a.login, 'login'],
    [t('identity.level'), `${t('identity.levelN', { n: a.level })} — ${t(`identity.level${a.level}`)}`, 'level'],
    [t('identity.status'), has(`status.${a.status}`) ? t(`status.${a.status}`) : a.status, 'status'],
    [t('identity.signedIn'), `${dateTime(new Date(signin.auth_time * 1000).toISOString())} (${(signin.amr || []).map((m) => (has(`amr.${m}`) ? t(`amr.${m}`) : m)).join(', ')})`, 'signed-in'],
  ])));
  main.append(secondFactor(me));
  const ss = sessions();
  // The names of the applications signed in to, for the history's single sign-on rows.
  const apps = await api('GET', '/api/v1/me/sso-consents');
  const hs = history(new Map(apps.items.map((c) => [c.client_id, c.client_name])));
  main.append(ss.element, hs.element, lock());
  await Promise.all([ss.load(), hs.load()]);
});
