// dash.js — what every dashboard page shares: the filter (commune, months, comparison with the
// period before), reading an area's figures from /api/v1/insight/{area}, the key numbers, a chart
// with its data table, and the export links (CSV and XLSX, small cells hidden: the leader's
// copies may be shared outside the police). The filter lives in the address (?commune=&from=&to=
// &compare=1), so a wall screen can be pointed at one view and a view can be bookmarked.
import { api } from '/lib/http.js';
import { number, t, vietnamDay } from '/lib/i18n.js';
import { el } from '/lib/ui.js';

const month = (d) => d.toISOString().slice(0, 7);

// The filter from the address, with defaults: the last 12 months up to this month in Vietnam,
// the whole province.
export function readFilter() {
  const q = new URLSearchParams(location.search);
  const to = /^\d{4}-\d{2}$/.test(q.get('to') || '') ? q.get('to') : vietnamDay().slice(0, 7);
  const back = new Date(Date.UTC(Number(to.slice(0, 4)), Number(to.slice(5, 7)) - 12, 1));
  const from = /^\d{4}-\d{2}$/.test(q.get('from') || '') ? q.get('from') : month(back);
  return { commune: /^\d{5}$/.test(q.get('commune') || '') ? q.get('commune') : '', from, to, compare: q.get('compare') === '1' };
}

// The months just before [from, to], as long as it.
export function previousPeriod(from, to) {
  const n = (m) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
  const len = n(to) - n(from) + 1;
  const m = (k) => `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
  return { from: m(n(from) - len), to: m(n(from) - 1) };
}

export function query(f, extra = {}) {
  const q = new URLSearchParams({ from: f.from, to: f.to, ...extra });
  if (f.commune) q.set('commune', f.commune);
  if (f.compare) {
    const p = previousPeriod(f.from, f.to);
    q.set('compare_from', p.from);
    q.set('compare_to', p.to);
  }
  return q.toString();
}

export const figures = (area, f) => api('GET', `/api/v1/insight/${area}?${query(f)}`);

let communeCache;
// The province's communes in force today: [{code, name}].
export async function communes(province) {
  if (!communeCache)
    communeCache = api('GET', `/api/v1/units?province=${encodeURIComponent(province)}&limit=500`).then((r) => r.items.map((u) => ({ code: u.code, name: u.name })), () => []);
  return communeCache;
}

// The filter form; submitting reloads the page with the new address.
export function filterForm(f, list) {
  const sel = el('select', { id: 'f-commune', name: 'commune' }, el('option', { value: '' }, t('insight.wholeProvince')),
    list.map((c) => el('option', { value: c.code, selected: c.code === f.commune }, `${c.name} (${c.code})`)));
  const from = el('input', { id: 'f-from', name: 'from', type: 'month', value: f.from, required: true, pattern: '\\d{4}-\\d{2}' });
  const to = el('input', { id: 'f-to', name: 'to', type: 'month', value: f.to, required: true, pattern: '\\d{4}-\\d{2}' });
  const cmp = el('input', { id: 'f-compare', name: 'compare', type: 'checkbox', value: '1', checked: f.compare });
  return el('form', { class: 'filters dash-filters', method: 'get', action: location.pathname, 'aria-label': t('insight.filter') },
    el('p', {}, el('label', { for: 'f-commune' }, t('insight.commune')), sel),
    el('p', {}, el('label', { for: 'f-from' }, t('insight.from')), from),
    el('p', {}, el('label', { for: 'f-to' }, t('insight.to')), to),
    el('p', { class: 'check' }, cmp, el('label', { for: 'f-compare' }, t('insight.compare'))),
    el('p', {}, el('button', { type: 'submit' }, t('insight.apply'))));
}

// Links that download the area's table.
export function exportLinks(area, f) {
  const q = query(f);
  return el('p', { class: 'exports' },
    el('a', { class: 'button secondary', id: `export-${area}-csv`, href: `/api/v1/insight/${area}/export?format=csv&${q}`, download: `${area}.csv` }, t('insight.exportCsv')),
    ' ',
    el('a', { class: 'button secondary', id: `export-${area}-xlsx`, href: `/api/v1/insight/${area}/export?format=xlsx&${q}`, download: `${area}.xlsx` }, t('insight.exportXlsx')),
    el('span', { class: 'hint' }, t('insight.suppressed')));
}

// Key numbers: [[label, value, change?]] as large tiles.
export function keyNumbers(items) {
  return el('ul', { class: 'kpis', role: 'list' }, items.map(([label, value, change, id]) =>
    el('li', { id }, el('span', { class: 'kpi-label' }, label), el('span', { class: 'kpi-value' }, value === null || value === undefined ? '–' : number(value)),
      change === undefined || change === null ? null : el('span', { class: change >= 0 ? 'kpi-change up' : 'kpi-change down' }, `${change >= 0 ? '▲' : '▼'} ${number(Math.abs(change))} ${t('insight.vsBefore')}`))));
}

// A chart and, folded under it, the same values as a table.
export function chartCard(id, titleKey, svg, columns, rows) {
  const table = el('table', { class: 'data' }, el('caption', { class: 'sr-only' }, t(titleKey)),
    el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col' }, c)))),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((v) => el('td', {}, typeof v === 'number' ? number(v) : v))))));
  return el('section', { id, class: 'card', 'aria-labelledby': `${id}-title` },
    el('h2', { id: `${id}-title` }, t(titleKey)), el('div', { class: 'chart-box' }, svg),
    el('details', {}, el('summary', {}, t('insight.table')), table));
}

export const sum = (rows, key) => rows.reduce((a, r) => a + (r[key] || 0), 0);
