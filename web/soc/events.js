// events.js — security event search (/soc/events.html): filters by type, actor, source network
// and outcome (GET /api/v1/soc/events), newest first, paged.
import { api } from '/lib/http.js';
import { dateTime, t } from '/lib/i18n.js';
import { section, start } from '/lib/page.js';
import { dataTable, el, field } from '/lib/ui.js';

start(async (_ctx, main) => {
  const form = el('form', { id: 'event-filters', novalidate: true },
    field('f', { name: 'type', label: t('soc.type') }),
    field('f', { name: 'actor', label: t('soc.actor') }),
    field('f', { name: 'source', label: t('soc.source') }),
    field('f', { name: 'outcome', label: t('soc.outcome') }),
    el('button', { type: 'submit', class: 'primary' }, t('soc.search')));
  const query = () => {
    const q = new URLSearchParams();
    for (const k of ['type', 'actor', 'source', 'outcome']) if (form.elements[k].value.trim()) q.set(k, form.elements[k].value.trim());
    return q;
  };
  const list = dataTable({
    caption: { text: t('page.soc.events'), hidden: true },
    id: 'event-table',
    columns: [
      { key: 'at', label: t('soc.when'), render: (r) => dateTime(r.at) },
      { key: 'type', label: t('soc.type') },
      { key: 'actor', label: t('soc.actor') },
      { key: 'subject', label: t('soc.subject') },
      { key: 'source', label: t('soc.source') },
      { key: 'outcome', label: t('soc.outcome') },
    ],
    load: (cursor) => {
      const q = query();
      q.set('limit', '50');
      if (cursor) q.set('cursor', cursor);
      return api('GET', `/api/v1/soc/events?${q}`);
    },
    emptyText: t('soc.noEvents'),
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    list.reload();
  });
  main.append(section('filters', 'soc.filters', form), section('events', 'page.soc.events', list.element));
  await list.reload();
});
