// mine.js — an agency's own view of the data-sharing gateway (/lgsp/mine.html, docs/LGSP.md "An
// agency's own views"): the staff of the organisation a member is bound to see its subsystems,
// the usage of their calls and of their services, and the exchange log narrowed to their calls
// as a consumer or the calls to their services as a provider. Nothing of another agency's.
import { api } from '/lib/http.js';
import { dateTime, t } from '/lib/i18n.js';
import { section, start } from '/lib/page.js';
import { dataTable, el } from '/lib/ui.js';

const page = (path, cursor) => api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);

start(async (_ctx, main) => {
  const subs = dataTable({
    caption: { text: t('lgsp.mine.subsystems'), hidden: true },
    id: 'own-subsystems',
    columns: [
      { key: 'subsystem', label: t('lgsp.subsystem') },
      { key: 'member_name', label: t('lgsp.memberName') },
      { key: 'suspended', label: t('lgsp.state'), render: (r) => (r.suspended ? `${t('lgsp.suspended')}: ${r.suspend_reason}` : t('lgsp.active')) },
    ],
    load: (cursor) => page('/api/v1/me/lgsp/subsystems', cursor),
    emptyText: t('lgsp.mine.none'),
  });
  const usage = dataTable({
    caption: { text: t('lgsp.usageCaption'), hidden: true },
    id: 'own-usage',
    columns: [
      { key: 'consumer', label: t('lgsp.consumer') },
      { key: 'service', label: t('lgsp.service') },
      { key: 'calls', label: t('lgsp.calls') },
      { key: 'errors', label: t('lgsp.errors') },
      { key: 'refused', label: t('lgsp.refused') },
      { key: 'mean_ms', label: t('lgsp.meanMs'), render: (r) => r.mean_ms.toFixed(2) },
      { key: 'alerting', label: t('lgsp.alert'), render: (r) => (r.alerting ? t('lgsp.spike') : '') },
    ],
    load: () => api('GET', '/api/v1/me/lgsp/usage'),
    emptyText: t('lgsp.mine.noCalls'),
  });
  const as = el('select', { id: 'own-as' },
    el('option', { value: '' }, t('lgsp.mine.both')),
    el('option', { value: 'consumer' }, t('lgsp.view.consumer')),
    el('option', { value: 'provider' }, t('lgsp.view.provider')));
  const log = dataTable({
    caption: { text: t('lgsp.logCaption'), hidden: true },
    id: 'own-log',
    columns: [
      { key: 'seq', label: '#' },
      { key: 'at', label: t('lgsp.at'), render: (r) => dateTime(r.at) },
      { key: 'consumer', label: t('lgsp.consumer') },
      { key: 'service', label: t('lgsp.service') },
      { key: 'path', label: t('lgsp.request'), render: (r) => `${r.method} ${r.path}` },
      { key: 'status', label: t('lgsp.status') },
      { key: 'outcome', label: t('lgsp.outcome') },
    ],
    load: (cursor) => page(`/api/v1/me/lgsp/log${as.value ? `?as=${as.value}` : ''}`, cursor),
    emptyText: t('lgsp.mine.noCalls'),
  });
  as.addEventListener('change', () => log.reload());
  main.append(
    section('own-subs', 'lgsp.mine.subsystems', subs.element),
    section('own-use', 'lgsp.traffic', usage.element),
    section('own-exchanges', 'lgsp.logCaption',
      el('div', { class: 'field' }, el('label', { for: 'own-as' }, t('lgsp.view')), as), log.element),
  );
  await Promise.all([subs.reload(), usage.reload(), log.reload()]);
});
