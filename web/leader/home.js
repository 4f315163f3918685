// home.js — a leader's home (/leader/): who they are, the province's key numbers of the last 12
// months with their trend against the 12 months before (people, births and deaths, guest nights,
// late notifications and watch-list hits), and the way to each area's dashboard. The leader role
// sees aggregate figures only, never a person's record (core/officers.c).
import { api } from '/lib/http.js';
import { t } from '/lib/i18n.js';
import { facts, section, start } from '/lib/page.js';
import { el } from '/lib/ui.js';
import { lines } from '/leader/charts.js';
import { figures, keyNumbers, readFilter, sum } from '/leader/dash.js';

start(async ({ me }, main) => {
  const o = me.account.officer || {};
  const province = o.province ? await api('GET', `/api/v1/units/${encodeURIComponent(o.province)}`).then((u) => u.name, () => o.province) : '';
  main.append(section('leader', 'leader.who', facts([
    [t('identity.name'), me.account.display_name, 'name'],
    [t('officer.agency'), o.agency],
    [t('officer.area'), province, 'area'],
  ])));
  const f = { ...readFilter(), compare: true };
  const [pop, tour, order] = await Promise.all([figures('population', f), figures('tourism', f), figures('order', f)]);
  const nights = sum(tour.by_month, 'guest_nights');
  main.append(section('key', 'insight.key', keyNumbers([
    [t('insight.people'), pop.totals.people, null, 'kpi-people'],
    [t('insight.births'), pop.period.births, pop.period.births - pop.compare.births, 'kpi-births'],
    [t('insight.deaths'), pop.period.deaths, pop.period.deaths - pop.compare.deaths, 'kpi-deaths'],
    [t('insight.nights'), nights, nights - sum(tour.compare, 'guest_nights'), 'kpi-nights'],
    [t('insight.late'), sum(order.by_month, 'late_stays'), sum(order.by_month, 'late_stays') - sum(order.compare, 'late_stays'), 'kpi-late'],
    [t('insight.hits'), sum(order.by_month, 'watch_hits'), null, 'kpi-hits'],
  ]), el('div', { class: 'chart-box' }, lines([
    { name: t('insight.births'), points: pop.by_month.map((m) => ({ x: m.month, y: m.births })) },
    { name: t('insight.deaths'), points: pop.by_month.map((m) => ({ x: m.month, y: m.deaths })) },
  ], { title: t('insight.vital') }))));
  const areas = [['population', 'insight.areaPopulation'], ['labour', 'insight.areaLabour'], ['tourism', 'insight.areaTourism'], ['order', 'insight.areaOrder']];
  main.append(section('areas', 'insight.areas', el('ul', { class: 'area-links', role: 'list' },
    areas.map(([a, key]) => el('li', {}, el('a', { class: 'button', href: `/leader/${a}.html`, id: `go-${a}` }, t(key)))))));
});
