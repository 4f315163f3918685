// access.js — "Who looked at my data" (/portal/access.html): the access log (GET
// /api/v1/me/access-log, paged newest first), narrowed by the server to who read (the reader's
// kind), what they did, and a period of days; and the whole five years as a download (CSV or
// JSON, /api/v1/me/access-log.csv|.json).
import { api } from '/lib/http.js';
import { date, dateTime, has, parseDate, t } from '/lib/i18n.js';
import { section, start } from '/lib/page.js';
import { clearErrors, dataTable, el, field, fieldError } from '/lib/ui.js';

const KINDS = ['officer', 'establishment', 'client', 'citizen', 'system'];
const ACTIONS = ['read', 'search', 'change', 'export'];
const label = (prefix, v) => (v && has(`${prefix}.${v}`) ? t(`${prefix}.${v}`) : v || '');


start(async (ctx, main) => {
  let narrowing = {}; // the server narrows the log: reader, action, from, to
  main.append(el('p', { class: 'lead' }, t('access.lead')));
  const form = el('form', { class: 'filters', id: 'access-filters', role: 'search', 'aria-label': t('access.filters') },
    field('f', { name: 'kind', label: t('access.reader'), options: [['', t('access.all')], ...KINDS.map((k) => [k, label('reader', k)])] }),
    field('f', { name: 'action', label: t('access.action'), options: [['', t('access.all')], ...ACTIONS.map((k) => [k, label('action', k)])] }),
    field('f', { name: 'from', label: t('access.from'), hint: t('access.dateHint') }),
    field('f', { name: 'to', label: t('access.to'), hint: t('access.dateHint') }));
  for (const name of ['from', 'to']) form.elements[name].setAttribute('inputmode', 'numeric');
  const table = dataTable({
    caption: { text: t('access.table'), hidden: true },
    id: 'access-table',
    columns: [
      { key: 'at', label: t('access.when'), render: (r) => dateTime(r.at), sort: (r) => r.at },
      { key: 'reader', label: t('access.reader'), sort: (r) => r.reader?.agency || '',
        render: (r) => [label('reader', r.reader?.kind), r.reader?.name, r.reader?.agency, label('role', r.reader?.role)].filter(Boolean).join(' — ') },
      { key: 'action', label: t('access.action'), render: (r) => `${label('action', r.action)}: ${label('datakind', r.data)}`, sort: (r) => r.action },
      { key: 'purpose', label: t('access.purpose') },
      { key: 'request_id', label: t('access.reference'), render: (r) => el('code', {}, r.request_id || '') },
    ],
    load: (cursor) => {
      const q = new URLSearchParams({ limit: '50', ...narrowing });
      if (cursor) q.set('cursor', cursor);
      return api('GET', `/api/v1/me/access-log?${q}`);
    },
    emptyText: t('access.none'),
  });
  const apply = () => {
    clearErrors(form);
    const f = Object.fromEntries(new FormData(form));
    for (const name of ['from', 'to']) {
      f[name] = parseDate(f[name]);
      if (f[name] === null) {
        fieldError(form, name, t('access.badDate'));
        return;
      }
    }
    narrowing = Object.fromEntries(Object.entries({ reader: f.kind, action: f.action, from: f.from, to: f.to }).filter(([, v]) => v));
    table.reload();
    period.textContent = f.from || f.to ? t('access.period', { from: date(f.from) || '…', to: date(f.to) || '…' }) : '';
  };
  const period = el('p', { class: 'hint', 'aria-live': 'polite', id: 'access-period' });
  form.addEventListener('change', apply);
  form.addEventListener('input', (e) => e.target.tagName === 'SELECT' && apply());
  form.addEventListener('submit', (e) => e.preventDefault());
  const exports = el('p', { class: 'actions exports' },
    el('a', { class: 'button secondary', href: '/api/v1/me/access-log.csv', download: 'access-log.csv', id: 'export-csv' }, t('access.csv')),
    el('a', { class: 'button secondary', href: '/api/v1/me/access-log.json', download: 'access-log.json', id: 'export-json' }, t('access.json')));
  main.append(section('log', 'access.title', form, period, table.element),
    section('export', 'access.export', el('p', {}, t('access.exportText')), exports));
  await table.reload();
});
