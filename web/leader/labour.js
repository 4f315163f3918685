// labour.js — model 28: working-age people by commune, employment status and sector, workers by
// industrial park (from the labour department's imported records).
import { t } from '/lib/i18n.js';
import { start } from '/lib/page.js';
import { bars, tileMap } from '/leader/charts.js';
import { chartCard, communes, exportLinks, figures, filterForm, keyNumbers, readFilter, sum } from '/leader/dash.js';

start(async ({ me }, main) => {
  const f = readFilter();
  const list = await communes(me.account.officer?.province || '56');
  const b = await figures('labour', f);
  const name = (code) => list.find((c) => c.code === code)?.name || code;
  const employed = sum(b.by_status.filter((s) => s.status === 'employed'), 'people');
  const unemployed = sum(b.by_status.filter((s) => s.status === 'unemployed'), 'people');
  main.append(filterForm(f, list), exportLinks('labour', f), keyNumbers([
    [t('insight.workingAge'), sum(b.working_age, 'working_age'), null, 'kpi-working'],
    [t('insight.employed'), employed, null, 'kpi-employed'],
    [t('insight.unemployed'), unemployed, null, 'kpi-unemployed'],
  ]));
  const values = new Map(b.working_age.map((c) => [c.commune, c.working_age]));
  main.append(
    chartCard('map', 'insight.workingAgeMap', tileMap(list.length ? list : b.working_age.map((c) => ({ code: c.commune, name: c.commune })), values, { title: t('insight.workingAgeMap') }),
      [t('insight.commune'), t('insight.workingAge'), t('insight.people')], b.working_age.map((c) => [`${name(c.commune)} (${c.commune})`, c.working_age, c.people])),
    chartCard('status', 'insight.status', bars(b.by_status.map((s) => ({ label: `${t(`insight.st.${s.status}`)} · ${s.sector ? t(`insight.sector.${s.sector}`) : '–'}`, value: s.people })), { title: t('insight.status') }),
      [t('insight.statusCol'), t('insight.sectorCol'), t('insight.people')], b.by_status.map((s) => [t(`insight.st.${s.status}`), s.sector ? t(`insight.sector.${s.sector}`) : '–', s.people])),
    chartCard('parks', 'insight.parks', bars(b.by_park.map((p) => ({ label: p.park, value: p.people })), { title: t('insight.parks') }),
      [t('insight.park'), t('insight.people')], b.by_park.map((p) => [p.park, p.people])),
  );
});
