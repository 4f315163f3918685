// population.js — model 27: people, the age pyramid, sex ratio, births, deaths and moves by month,
// the commune map, composition and temporary residents by origin.
import { t } from '/lib/i18n.js';
import { start } from '/lib/page.js';
import { bars, lines, pyramid, tileMap } from '/leader/charts.js';
import { chartCard, communes, exportLinks, figures, filterForm, keyNumbers, readFilter } from '/leader/dash.js';

start(async ({ me }, main) => {
  const f = readFilter();
  const province = me.account.officer?.province || '56';
  const list = await communes(province);
  const b = await figures('population', f);
  const name = (code) => list.find((c) => c.code === code)?.name || code;
  const growth = b.period.births - b.period.deaths;
  main.append(filterForm(f, list), exportLinks('population', f), keyNumbers([
    [t('insight.people'), b.totals.people, null, 'kpi-people'],
    [t('insight.sexRatio'), b.totals.males_per_100_females === null ? null : Math.round(b.totals.males_per_100_females), null, 'kpi-ratio'],
    [t('insight.births'), b.period.births, b.compare ? b.period.births - b.compare.births : null, 'kpi-births'],
    [t('insight.deaths'), b.period.deaths, b.compare ? b.period.deaths - b.compare.deaths : null, 'kpi-deaths'],
    [t('insight.naturalGrowth'), growth, b.compare ? growth - (b.compare.births - b.compare.deaths) : null, 'kpi-growth'],
  ]));
  const values = new Map(b.by_commune.map((c) => [c.commune, c.people]));
  const onPick = (code) => { const q = new URLSearchParams(location.search); q.set('commune', code); location.search = q.toString(); };
  main.append(
    chartCard('map', 'insight.map', tileMap(list.length ? list : b.by_commune.map((c) => ({ code: c.commune, name: c.commune })), values, { title: t('insight.map'), onPick }),
      [t('insight.commune'), t('insight.people'), t('insight.area'), t('insight.density')],
      b.by_commune.map((c) => [`${name(c.commune)} (${c.commune})`, c.people, c.area_km2 ?? t('insight.noArea'), c.density === null ? '–' : Math.round(c.density)])),
    chartCard('pyramid', 'insight.pyramid', pyramid(b.pyramid, { title: t('insight.pyramid'), labels: { male: t('insight.male'), female: t('insight.female') } }),
      [t('insight.ageBand'), t('insight.male'), t('insight.female')], b.pyramid.map((r) => [r.band, r.male, r.female])),
    chartCard('vital', 'insight.vital', lines([
      { name: t('insight.births'), points: b.by_month.map((m) => ({ x: m.month, y: m.births })) },
      { name: t('insight.deaths'), points: b.by_month.map((m) => ({ x: m.month, y: m.deaths })) },
    ], { title: t('insight.vital') }), [t('insight.month'), t('insight.births'), t('insight.deaths'), t('insight.movesIn'), t('insight.movesOut')],
    b.by_month.map((m) => [m.month, m.births, m.deaths, m.moves_in, m.moves_out])),
    chartCard('moves', 'insight.moves', bars(b.moves.map((m) => ({ label: t(`insight.move.${m.kind}`), value: m.moves })), { title: t('insight.moves') }),
      [t('insight.kind'), t('insight.count')], b.moves.map((m) => [t(`insight.move.${m.kind}`), m.moves])),
    chartCard('ethnicity', 'insight.ethnicity', bars(b.ethnicity.map((e) => ({ label: e.value || '–', value: e.people })), { title: t('insight.ethnicity') }),
      [t('insight.value'), t('insight.people')], b.ethnicity.map((e) => [e.value || '–', e.people])),
    chartCard('religion', 'insight.religion', bars(b.religion.map((e) => ({ label: e.value || t('insight.none'), value: e.people })), { title: t('insight.religion') }),
      [t('insight.value'), t('insight.people')], b.religion.map((e) => [e.value || t('insight.none'), e.people])),
    chartCard('origin', 'insight.origin', bars(b.temporary_by_origin.map((e) => ({ label: e.value, value: e.people })), { title: t('insight.origin') }),
      [t('insight.province'), t('insight.people')], b.temporary_by_origin.map((e) => [e.value, e.people])),
  );
});
