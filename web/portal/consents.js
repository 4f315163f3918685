// consents.js — "Consents" (/portal/consents.html): what each service may see about the person
// (GET /api/v1/me/consents: the service, the kinds of data, the purpose, the period and the
// state), withdrawing one (POST /api/v1/me/consents/{id}/withdrawals with a reason and an
// Idempotency-Key, after a dialog), and the applications allowed to sign the person in
// (GET /api/v1/me/sso-consents, withdrawn with DELETE /api/v1/me/sso-consents/{client_id}).
import { api, newKey } from '/lib/http.js';
import { date, dateTime, has, t } from '/lib/i18n.js';
import { facts, section, showError, start } from '/lib/page.js';
import { dialog, el, empty, field, showProblem, toast } from '/lib/ui.js';

const itemName = (i) => (has(`item.${i}`) ? t(`item.${i}`) : i);

function consentCard(c, reload) {
  const state = el('span', { class: `badge state-${c.state}` }, has(`consent.state.${c.state}`) ? t(`consent.state.${c.state}`) : c.state);
  const card = el('li', { class: 'card', 'data-consent': c.id },
    el('p', { class: 'card-title' }, c.service_name, ' ', state),
    facts([
      [t('consent.items'), c.items.map(itemName).join(', ')],
      [t('consent.purpose'), c.purpose],
      [t('consent.period'), t('consent.fromTo', { from: date(c.valid_from), to: date(c.valid_until) })],
      [t('consent.granted'), dateTime(c.granted_at)],
      [t('consent.withdrawnAt'), c.withdrawn_at ? dateTime(c.withdrawn_at) : ''],
      [t('consent.reason'), c.withdrawal_reason || ''],
    ], { class: 'facts compact' }));
  if (c.state === 'active' || c.state === 'pending') {
    const b = el('button', { type: 'button', class: 'secondary', 'aria-label': t('consent.withdrawLabel', { service: c.service_name }) }, t('consent.withdraw'));
    b.addEventListener('click', () => withdraw(c, reload));
    card.append(b);
  }
  return card;
}

async function withdraw(c, reload) {
  const key = newKey();
  const v = await dialog({
    title: t('consent.withdrawTitle', { service: c.service_name }),
    content: [el('p', {}, t('consent.withdrawText')), field('wd', { name: 'reason', label: t('consent.reasonOptional'), type: 'textarea' })],
    buttons: [{ value: 'cancel', label: t('ui.cancel') }, { value: 'withdraw', label: t('consent.withdraw'), kind: 'danger', submit: true }],
    async onSubmit(form) {
      try {
        await api('POST', `/api/v1/me/consents/${c.id}/withdrawals`, form.elements.reason.value.trim() ? { reason: form.elements.reason.value.trim() } : {}, { 'Idempotency-Key': key });
        return true;
      } catch (err) {
        showProblem(form, err);
        return false;
      }
    },
  });
  if (v === 'withdraw') {
    toast(t('consent.withdrawn', { service: c.service_name }));
    await reload();
    document.getElementById('services-title').focus();
  }
}

start(async (ctx, main) => {
  main.append(el('p', { class: 'lead' }, t('consent.lead')));
  const list = el('ul', { class: 'cards', id: 'consent-list' });
  const more = el('button', { type: 'button', class: 'secondary more', hidden: true }, t('ui.more'));
  let cursor = null;
  async function load(next) {
    const page = await api('GET', `/api/v1/me/consents?limit=50${next ? `&cursor=${encodeURIComponent(next)}` : ''}`);
    if (!next) list.replaceChildren();
    for (const c of page.items) list.append(consentCard(c, () => load(null)));
    if (!list.children.length) list.append(el('li', {}, empty(t('consent.none'))));
    cursor = page.next_cursor;
    more.hidden = !cursor;
  }
  more.addEventListener('click', () => load(cursor).catch(showError));

  const apps = el('ul', { class: 'cards', id: 'sso-list' });
  async function loadApps() {
    const page = await api('GET', '/api/v1/me/sso-consents');
    apps.replaceChildren(...page.items.map((c) => {
      const b = el('button', { type: 'button', class: 'secondary', 'aria-label': t('consent.withdrawLabel', { service: c.client_name }) }, t('consent.withdraw'));
      b.addEventListener('click', async () => {
        b.disabled = true;
        try {
          await api('DELETE', `/api/v1/me/sso-consents/${encodeURIComponent(c.client_id)}`);
          toast(t('consent.withdrawn', { service: c.client_name }));
          await loadApps();
          document.getElementById('apps-title').focus();
        } catch (err) {
          b.disabled = false;
          showError(err);
        }
      });
      return el('li', { class: 'card' }, el('p', { class: 'card-title' }, c.client_name),
        facts([[t('consent.granted'), dateTime(c.granted_at)], [t('consent.claims'), c.claims.map((k) => k.label).join(', ')]], { class: 'facts compact' }), b);
    }));
    if (!apps.children.length) apps.append(el('li', {}, empty(t('consent.noApps'))));
  }
  main.append(section('services', 'consent.services', list, more), section('apps', 'consent.apps', el('p', {}, t('consent.appsText')), apps));
  await Promise.all([load(null), loadApps()]);
});
