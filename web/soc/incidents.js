// incidents.js — the incidents (/soc/incidents.html), newest first, each linking to its page.
import { api } from '/lib/http.js';
import { dateTime, t } from '/lib/i18n.js';
import { section, start } from '/lib/page.js';
import { dataTable } from '/lib/ui.js';
import { incidentLink, severity } from '/soc/common.js';

start(async (_ctx, main) => {
  const list = dataTable({
    caption: { text: t('soc.incidentsList'), hidden: true },
    id: 'incident-table',
    columns: [
      { key: 'id', label: '#', render: (r) => incidentLink(r.id) },
      { key: 'title', label: t('soc.title') },
      { key: 'severity', label: t('soc.severity'), render: (r) => severity(r.severity) },
      { key: 'status', label: t('soc.status') },
      { key: 'assignee', label: t('soc.assignee') },
      { key: 'updated_at', label: t('soc.last'), render: (r) => dateTime(r.updated_at) },
    ],
    load: (cursor) => api('GET', `/api/v1/soc/incidents?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
    emptyText: t('soc.noIncidents'),
  });
  main.append(section('incidents', 'soc.incidentsList', list.element));
  await list.reload();
});
