// inbox.js — "Notifications" (/portal/inbox.html): the person's inbox (GET
// /api/v1/me/notifications, newest first, paged; "unread only" asks ?unread=true), each message
// phrased here from its kind and data in the page's language (services named as in the
// person's consents), and marked read with its button
// (POST /api/v1/me/notifications/{id}/read).
import { api } from '/lib/http.js';
import { dateTime, has, t } from '/lib/i18n.js';
import { section, showError, start } from '/lib/page.js';
import { el, empty, toast } from '/lib/ui.js';

// Services' names by id, from the person's consents (the events carry only the id).
const services = new Map();

function phrase(m) {
  const d = m.data || {};
  const params = {
    service: services.get(d.service) || d.service || '',
    field: has(`field.${d.field}`) ? t(`field.${d.field}`) : d.field || '',
    id: d.correction_request_id || d.consent_id || '',
    code: d.code || '',
    status: has(`dossier.status.${d.status}`) ? t(`dossier.status.${d.status}`) : d.status || '',
  };
  return has(`inbox.${m.kind}`) ? t(`inbox.${m.kind}`, params) : m.kind;
}

start(async (ctx, main) => {
  const consents = await api('GET', '/api/v1/me/consents?limit=500');
  for (const c of consents.items) services.set(c.service, c.service_name);
  const count = el('p', { id: 'unread-count', role: 'status' });
  const only = el('input', { type: 'checkbox', id: 'unread-only' });
  const filter = el('label', { class: 'check', for: 'unread-only' }, only, t('inbox.unreadOnly'));
  const list = el('ul', { class: 'messages', id: 'messages' });
  const more = el('button', { type: 'button', class: 'secondary more', hidden: true }, t('ui.more'));
  let cursor = null;

  function item(m) {
    const li = el('li', { class: `message${m.read ? '' : ' unread'}`, 'data-message': m.id },
      el('p', { class: 'message-text' }, m.read ? null : el('span', { class: 'badge' }, t('inbox.new')), m.read ? null : ' ', phrase(m)),
      el('p', { class: 'muted small' }, el('time', { datetime: m.created_at }, dateTime(m.created_at))));
    if (!m.read) {
      const b = el('button', { type: 'button', class: 'link', 'aria-label': t('inbox.markLabel', { text: phrase(m) }) }, t('inbox.mark'));
      b.addEventListener('click', async () => {
        b.disabled = true;
        try {
          const r = await api('POST', `/api/v1/me/notifications/${m.id}/read`);
          li.replaceWith(item(r));
          toast(t('inbox.marked'));
          await refreshCount();
        } catch (err) {
          b.disabled = false;
          showError(err);
        }
      });
      li.append(b);
    }
    return li;
  }
  async function refreshCount() {
    const r = await api('GET', '/api/v1/me/notifications?limit=1');
    count.textContent = r.unread ? t('inbox.unread', { n: r.unread }) : t('inbox.allRead');
  }
  async function load(next) {
    const q = new URLSearchParams({ limit: '20' });
    if (only.checked) q.set('unread', 'true');
    if (next) q.set('cursor', next);
    const page = await api('GET', `/api/v1/me/notifications?${q}`);
    if (!next) list.replaceChildren();
    list.append(...page.items.map(item));
    if (!list.children.length) list.append(el('li', {}, empty(t(only.checked ? 'inbox.noneUnread' : 'inbox.none'))));
    count.textContent = page.unread ? t('inbox.unread', { n: page.unread }) : t('inbox.allRead');
    cursor = page.next_cursor;
    more.hidden = !cursor;
  }
  only.addEventListener('change', () => load(null).catch(showError));
  more.addEventListener('click', () => load(cursor).catch(showError));
  main.append(section('inbox', 'inbox.title', count, filter, list, more));
  await load(null);
});
