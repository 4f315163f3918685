// alerts.js — the live alert queue (/soc/): the alerts not closed, newest first, refreshed every
// five seconds; an alert not in an incident yet can be raised to one (POST
// /api/v1/soc/incidents with the alert), which opens the incident's page.
import { api } from '/lib/http.js';
import { dateTime, t } from '/lib/i18n.js';
import { section, start } from '/lib/page.js';
import { dataTable, el, toast } from '/lib/ui.js';
import { incidentLink, severity, title } from '/soc/common.js';

async function raise(a) {
  const inc = await api('POST', '/api/v1/soc/incidents', { title: title(a), severity: a.severity, alerts: [a.id] });
  toast(t('soc.raised'));
  location.assign(`/soc/incident.html?id=${inc.id}`);
}

start(async (_ctx, main) => {
  const queue = dataTable({
    caption: { text: t('soc.queue'), hidden: true },
    id: 'alert-table',
    columns: [
      { key: 'last_at', label: t('soc.last'), render: (r) => dateTime(r.last_at), sort: (r) => r.last_at },
      { key: 'rule', label: t('soc.rule'), render: (r) => title(r) },
      { key: 'key', label: t('soc.key') },
      { key: 'severity', label: t('soc.severity'), render: (r) => severity(r.severity) },
      { key: 'hits', label: t('soc.hits'), sort: (r) => r.hits },
      { key: 'value', label: t('soc.value') },
      {
        key: 'incident', label: t('nav.soc.incidents'),
        render: (r) => {
          if (r.incident) return incidentLink(r.incident);
          const b = el('button', { type: 'button', class: 'secondary raise', 'data-alert': r.id }, t('soc.raise'));
          b.addEventListener('click', () => raise(r));
          return b;
        },
      },
    ],
    load: async (cursor) => {
      const q = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const [open, ack] = await Promise.all([
        api('GET', `/api/v1/soc/alerts?status=open&limit=100${q}`),
        api('GET', '/api/v1/soc/alerts?status=acknowledged&limit=100'),
      ]);
      return { items: [...open.items, ...ack.items].sort((a, b) => b.id - a.id), next_cursor: open.next_cursor };
    },
    emptyText: t('soc.empty'),
  });
  main.append(section('queue', 'soc.queue', el('p', { class: 'hint' }, t('soc.live')), queue.element));
  await queue.reload();
  setInterval(() => queue.reload().catch(() => {}), 5000);
});
