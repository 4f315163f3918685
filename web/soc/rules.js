// rules.js — the detection rules in use with their hit counts (/soc/rules.html), and reloading
// the rules file without a restart (POST /api/v1/soc/rules/reload).
import { api } from '/lib/http.js';
import { t } from '/lib/i18n.js';
import { section, start } from '/lib/page.js';
import { dataTable, el, toast } from '/lib/ui.js';
import { severity, title } from '/soc/common.js';

start(async (_ctx, main) => {
  const list = dataTable({
    caption: { text: t('soc.rulesList'), hidden: true },
    id: 'rule-table',
    columns: [
      { key: 'id', label: t('soc.rule'), render: (r) => el('span', { title: r.id }, title(r)) },
      { key: 'severity', label: t('soc.severity'), render: (r) => severity(r.severity) },
      { key: 'type', label: t('soc.type') },
      { key: 'window_minutes', label: t('soc.window') },
      { key: 'threshold', label: t('soc.threshold') },
      { key: 'hits', label: t('soc.hits'), sort: (r) => r.hits },
      { key: 'open_alerts', label: t('soc.open') },
    ],
    load: () => api('GET', '/api/v1/soc/rules'),
    emptyText: '',
  });
  const reload = el('button', { type: 'button', class: 'secondary', id: 'reload-rules' }, t('soc.reload'));
  reload.addEventListener('click', async () => {
    try {
      await api('POST', '/api/v1/soc/rules/reload');
      toast(t('soc.reloaded'));
      await list.reload();
    } catch (err) {
      toast(err.detail || String(err), 'error');
    }
  });
  main.append(section('rules', 'soc.rulesList', reload, list.element));
  await list.reload();
});
