// tourism.js — model 29: arrivals and guest nights by month against the same months a year before,
// occupancy by commune and class (over rooms and over beds), the length of stay, arrivals by
// nationality and by province of origin.
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
  const pct = (x) => (x === null ? '–' : `${Math.round(100 * x)} %`);
  const los = b.length_of_stay;
  main.append(filterForm(f, list), exportLinks('tourism', f), keyNumbers([
    [t('insight.arrivals'), sum(b.by_month, 'arrivals'), b.compare ? sum(b.by_month, 'arrivals') - sum(b.compare, 'arrivals') : null, 'kpi-arrivals'],
    [t('insight.nights'), nights, nights - lastYear, 'kpi-nights'],
    [t('insight.meanStay'), los.mean_nights === null ? null : Math.round(10 * los.mean_nights) / 10, null, 'kpi-stay'],
  ]));
  const byCommune = new Map();
  for (const r of b.by_commune_class) byCommune.set(r.commune, (byCommune.get(r.commune) || 0) + r.guest_nights);
  main.append(
    chartCard('season', 'insight.season', lines([
      { name: t('insight.nights'), points: b.by_month.map((m) => ({ x: m.month, y: m.guest_nights })) },
      { name: t('insight.lastYear'), points: b.same_months_last_year.map((m) => ({ x: shift(m.month), y: m.guest_nights })) },
    ], { title: t('insight.season') }), [t('insight.month'), t('insight.arrivals'), t('insight.nights')], b.by_month.map((m) => [m.month, m.arrivals, m.guest_nights])),
    chartCard('map', 'insight.nightsMap', tileMap(list.length ? list : [...byCommune.keys()].map((c) => ({ code: c, name: c })), byCommune, { title: t('insight.nightsMap') }),
      [t('insight.commune'), t('insight.class'), t('insight.arrivals'), t('insight.nights'), t('insight.occupancy'), t('insight.bedOccupancy')],
      b.by_commune_class.map((r) => [`${name(r.commune)} (${r.commune})`, r.class, r.arrivals, r.guest_nights, pct(r.occupancy), pct(r.bed_occupancy)])),
    chartCard('stay-length', 'insight.stayLength', bars(b.length_of_stay.distribution.map((d) => ({ label: d.nights, value: d.stays })), { title: t('insight.stayLength') }),
      [t('insight.nightsStayed'), t('insight.stays')], b.length_of_stay.distribution.map((d) => [d.nights, d.stays])),
    chartCard('nationality', 'insight.nationality', bars(b.by_nationality.map((n) => ({ label: n.value, value: n.arrivals })), { title: t('insight.nationality') }),
      [t('insight.value'), t('insight.arrivals')], b.by_nationality.map((n) => [n.value, n.arrivals])),
    chartCard('origin', 'insight.originProvince', bars(b.by_origin_province.map((n) => ({ label: n.value || '–', value: n.arrivals })), { title: t('insight.originProvince') }),
      [t('insight.province'), t('insight.arrivals')], b.by_origin_province.map((n) => [n.value || '–', n.arrivals])),
  );
});
