// home.js — a leader's home (/leader/): who they are and what the platform holds for them today.
// The leader role grants no access to people's records (core/officers.c): the province's
// indicators (the KPI model) are what this home will show, and it links to nothing that the
// role cannot open.
import { api } from '/lib/http.js';
import { t } from '/lib/i18n.js';
import { facts, section, start } from '/lib/page.js';
import { el } from '/lib/ui.js';

start(async ({ me }, main) => {
  const o = me.account.officer || {};
  const province = o.province ? await api('GET', `/api/v1/units/${encodeURIComponent(o.province)}`).then((u) => u.name, () => o.province) : '';
  main.append(section('leader', 'leader.who', facts([
    [t('identity.name'), me.account.display_name, 'name'],
    [t('officer.agency'), o.agency],
    [t('officer.area'), province, 'area'],
  ])), section('leader-access', 'leader.access', el('p', {}, t('leader.accessText'))));
});
