// order.js — model 30: stays notified late and watch-list hits by month, and the communes with
// the most (hot spots). Crime reports, violations and incidents join when their models exist.
import { t } from '/lib/i18n.js';
import { start } from '/lib/page.js';
import { bars, lines, tileMap } from '/leader/charts.js';
import { chartCard, communes, exportLinks, figures, filterForm, keyNumbers, readFilter, sum } from '/leader/dash.js';

start(async ({ me }, main) => {
  const f = readFilter();
  const list = await communes(me.account.officer?.province || '56');
  const b = await figures('order', f);
  const name = (code) => list.find((c) => c.code === code)?.name || code;
  main.append(filterForm(f, list), exportLinks('order', f), keyNumbers([
    [t('insight.late'), sum(b.by_month, 'late_stays'), b.compare ? sum(b.by_month, 'late_stays') - sum(b.compare, 'late_stays') : null, 'kpi-late'],
    [t('insight.hits'), sum(b.by_month, 'watch_hits'), b.compare ? sum(b.by_month, 'watch_hits') - sum(b.compare, 'watch_hits') : null, 'kpi-hits'],
  ]));
  const values = new Map(b.hot_spots.map((h) => [h.commune, h.late_stays + h.watch_hits]));
  main.append(
    chartCard('trend', 'insight.orderTrend', lines([
      { name: t('insight.late'), points: b.by_month.map((m) => ({ x: m.month, y: m.late_stays })) },
      { name: t('insight.hits'), points: b.by_month.map((m) => ({ x: m.month, y: m.watch_hits })) },
    ], { title: t('insight.orderTrend') }), [t('insight.month'), t('insight.late'), t('insight.hits')], b.by_month.map((m) => [m.month, m.late_stays, m.watch_hits])),
    chartCard('map', 'insight.hotSpots', tileMap(list.length ? list : b.hot_spots.map((h) => ({ code: h.commune, name: h.commune })), values, { title: t('insight.hotSpots') }),
      [t('insight.commune'), t('insight.late'), t('insight.hits')], b.hot_spots.map((h) => [`${name(h.commune)} (${h.commune})`, h.late_stays, h.watch_hits])),
    chartCard('top', 'insight.top', bars(b.hot_spots.map((h) => ({ label: name(h.commune), value: h.late_stays + h.watch_hits })), { title: t('insight.top') }),
      [t('insight.commune'), t('insight.count')], b.hot_spots.map((h) => [name(h.commune), h.late_stays + h.watch_hits])),
  );
});
