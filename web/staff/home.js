// home.js — an establishment's staff member's home (/staff/): their organisation as the platform
// knows it (GET /api/v1/me/organisation: name, kind, licence, area, state) and their role in it.
// The screens of the establishment's own work (such as stay notices, web/stay/) link from here
// as they arrive.
import { api } from '/lib/http.js';
import { date, has, t } from '/lib/i18n.js';
import { facts, section, start } from '/lib/page.js';

start(async ({ me }, main) => {
  const r = await api('GET', '/api/v1/me/organisation');
  const org = r.organisation || {};
  main.append(section('organisation', 'staff.organisation', facts([
    [t('staff.name'), org.name, 'org-name'],
    [t('staff.kind'), has(`org.kind.${org.kind}`) ? t(`org.kind.${org.kind}`) : org.kind],
    [t('staff.licence'), org.licence_number || org.licence || ''],
    [t('staff.address'), org.address || ''],
    [t('staff.state'), has(`org.status.${org.status}`) ? t(`org.status.${org.status}`) : org.status],
    [t('staff.since'), date(org.created_at)],
    [t('staff.role'), has(`org.role.${r.role}`) ? t(`org.role.${r.role}`) : r.role, 'staff-role'],
    [t('identity.name'), me.account.display_name],
  ])));
});
