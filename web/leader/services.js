// services.js — online public services on the leaders' pages (/leader/services.html): within the
// leader's area and the period chosen (days of submission, ?from=YYYY-MM-DD&to=YYYY-MM-DD, the
// last 90 days by default), the key numbers (dossiers, decided on time, overdue now, average
// satisfaction, queue tickets and their average wait), dossiers by procedure as a chart, and a
// table per procedure — total, by status, on-time rate and satisfaction — downloadable as CSV.
// Figures come from GET /api/v1/services/statistics (scope services:stats).
import { api } from '/lib/http.js';
import { lang, number, t, vietnamDay } from '/lib/i18n.js';
import { start } from '/lib/page.js';
import { el } from '/lib/ui.js';
import { bars } from '/leader/charts.js';
import { chartCard, keyNumbers } from '/leader/dash.js';

const STATUSES = ['awaiting-payment', 'submitted', 'received', 'more-info', 'processing', 'approved', 'refused'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const pct = (x) => `${Math.round(x * 1000) / 10} %`;
const name = (o) => (o ? o[lang] || o.vi : '');

function readPeriod() {
  const q = new URLSearchParams(location.search);
  const today = vietnamDay();
  const back = vietnamDay(new Date(Date.now() - 89 * 86400000));
  return { from: DAY.test(q.get('from') || '') ? q.get('from') : back, to: DAY.test(q.get('to') || '') ? q.get('to') : today };
}

function periodForm(p) {
  return el('form', { class: 'filters dash-filters', id: 'svc-period', method: 'get', action: location.pathname, 'aria-label': t('insight.filter') },
    el('p', {}, el('label', { for: 'p-from' }, t('insight.from')), el('input', { id: 'p-from', name: 'from', type: 'date', value: p.from, required: true })),
    el('p', {}, el('label', { for: 'p-to' }, t('insight.to')), el('input', { id: 'p-to', name: 'to', type: 'date', value: p.to, required: true })),
    el('p', {}, el('button', { type: 'submit' }, t('insight.apply'))));
}

// One row per procedure: code, name, total, each status, decided on time, late, on-time rate,
// ratings and satisfaction.
function rowsOf(s) {
  return s.by_procedure.map((p) => [p.procedure, name(p.name), p.total, ...STATUSES.map((k) => p.by_status[k] || 0),
    p.on_time, p.late, p.on_time + p.late ? pct(p.on_time_rate) : '–', p.ratings, p.ratings ? p.satisfaction.toFixed(2) : '–']);
}

const csvCell = (v) => (/[",\r\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

function csvLink(s, p) {
  const head = ['procedure', 'name', 'total', ...STATUSES, 'on_time', 'late', 'on_time_rate', 'ratings', 'satisfaction'];
  const rows = s.by_procedure.map((x) => [x.procedure, name(x.name), x.total, ...STATUSES.map((k) => x.by_status[k] || 0),
    x.on_time, x.late, x.on_time_rate.toFixed(3), x.ratings, x.satisfaction.toFixed(2)]);
  const a = el('a', { class: 'button secondary', id: 'export-services-csv', href: '#', download: `dich-vu-cong-${p.from}-${p.to}.csv` }, t('insight.exportCsv'));
  a.addEventListener('click', () => {
    const text = [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
    a.href = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  });
  return el('p', { class: 'exports' }, a);
}

start(async (_ctx, main) => {
  const p = readPeriod();
  const s = await api('GET', `/api/v1/services/statistics?${new URLSearchParams(p)}`);
  const total = s.by_procedure.reduce((a, x) => a + x.total, 0);
  const ratings = s.by_procedure.reduce((a, x) => a + x.ratings, 0);
  const stars = s.by_procedure.reduce((a, x) => a + x.satisfaction * x.ratings, 0);
  const columns = [t('svc.code'), t('svc.procedure'), t('lsvc.total'), ...STATUSES.map((k) => t(`dossier.status.${k}`)),
    t('lsvc.onTime'), t('lsvc.late'), t('lsvc.onTimeRate'), t('lsvc.ratings'), t('lsvc.satisfaction')];
  main.append(periodForm(p), csvLink(s, p),
    keyNumbers([
      [t('lsvc.total'), total, null, 'kpi-dossiers'],
      [t('lsvc.onTime'), s.decided_on_time, null, 'kpi-on-time'],
      [t('lsvc.overdue'), s.overdue_now, null, 'kpi-overdue'],
      [t('lsvc.tickets'), s.tickets.total, null, 'kpi-tickets'],
    ]),
    el('p', { id: 'svc-rates' }, t('lsvc.rates', {
      rate: s.decided_on_time + s.decided_late ? pct(s.on_time_rate) : '–',
      satisfaction: ratings ? (stars / ratings).toFixed(2) : '–',
      wait: s.tickets.called ? number(Math.round(s.tickets.average_wait_seconds / 60)) : '–',
    })),
    chartCard('by-procedure', 'lsvc.byProcedure',
      bars(s.by_procedure.map((x) => ({ label: `${x.procedure} ${name(x.name)}`.slice(0, 28), value: x.total })).sort((a, b) => b.value - a.value), { title: t('lsvc.byProcedure') }),
      columns, rowsOf(s)));
  const table = main.querySelector('#by-procedure table');
  table.id = 'svc-table';
  main.querySelector('#by-procedure details').open = true;
});
