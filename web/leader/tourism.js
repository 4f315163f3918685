// tourism.js — model 29: arrivals and guest nights by month against the same months a year before,
// occupancy by commune and class, arrivals by nationality and by province of origin.
import { t } from '/lib/i18n.js';
import { start } from '/lib/page.js';
import { bars, lines, tileMap } from '/leader/charts.js';
import { chartCard, communes, exportLinks, figures, filterForm, keyNumbers, readFilter, sum } from '/leader/dash.js';

const shift = (m) => `${Number(m.slice(0, 4)) + 1}${m.slice(4)}`; // a month of last year, on this year's axis

start(async ({ me }, main) => {
  const f = readFilter();
  const list = await communes(me.account.officer?.province || '56');
  const b = await figures('tourism', f);
  const name = (code) => list.find((c) => c.code === code)?.name || code;
  const nights = sum(b.by_month, 'guest_nights'), lastYear = sum(b.same_months_last_year, 'guest_nights');
  main.append(filterForm(f, list), exportLinks('tourism', f), keyNumbers([
    [t('insight.arrivals'), sum(b.by_month, 'arrivals'), b.compare ? sum(b.by_month, 'arrivals') - sum(b.compare, 'arrivals') : null, 'kpi-arrivals'],
    [t('insight.nights'), nights, nights - lastYear, 'kpi-nights'],
  ]));
  const byCommune = new Map();
  for (const r of b.by_commune_class) byCommune.set(r.commune, (byCommune.get(r.commune) || 0) + r.guest_nights);
  const months = (f.to.slice(0, 4) * 12 + Number(f.to.slice(5))) - (f.from.slice(0, 4) * 12 + Number(f.from.slice(5))) + 1;
  main.append(
    chartCard('season', 'insight.season', lines([
      { name: t('insight.nights'), points: b.by_month.map((m) => ({ x: m.month, y: m.guest_nights })) },
      { name: t('insight.lastYear'), points: b.same_months_last_year.map((m) => ({ x: shift(m.month), y: m.guest_nights })) },
    ], { title: t('insight.season') }), [t('insight.month'), t('insight.arrivals'), t('insight.nights')], b.by_month.map((m) => [m.month, m.arrivals, m.guest_nights])),
    chartCard('map', 'insight.nightsMap', tileMap(list.length ? list : [...byCommune.keys()].map((c) => ({ code: c, name: c })), byCommune, { title: t('insight.nightsMap') }),
      [t('insight.commune'), t('insight.class'), t('insight.arrivals'), t('insight.nights'), t('insight.occupancy')],
      b.by_commune_class.map((r) => [`${name(r.commune)} (${r.commune})`, r.class, r.arrivals, r.guest_nights, r.beds ? `${Math.round((100 * r.guest_nights) / (r.beds * 30.4 * months))} %` : '–'])),
    chartCard('nationality', 'insight.nationality', bars(b.by_nationality.map((n) => ({ label: n.value, value: n.arrivals })), { title: t('insight.nationality') }),
      [t('insight.value'), t('insight.arrivals')], b.by_nationality.map((n) => [n.value, n.arrivals])),
    chartCard('origin', 'insight.originProvince', bars(b.by_origin_province.map((n) => ({ label: n.value || '–', value: n.arrivals })), { title: t('insight.originProvince') }),
      [t('insight.province'), t('insight.arrivals')], b.by_origin_province.map((n) => [n.value || '–', n.arrivals])),
  );
});
