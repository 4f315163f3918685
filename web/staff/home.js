// home.js — an establishment's staff member's home (/staff/): their organisation as the platform
// knows it (GET /api/v1/me/organisation: name, kind, licence, area, state) and their role in it.
// Below it, the screens of the establishment's own work that fit its kind: the stay notices'
// check-in desk (web/stay/checkin.html) for lodgings, hospitals and clinics, the passenger
// manifest (web/stay/coach.html) for coach operators. Every member (owner, manager, clerk) holds
// stay:write; the server still decides, and refuses an establishment whose stays profile is not
// approved.
import { api } from '/lib/http.js';
import { date, has, t } from '/lib/i18n.js';
import { facts, section, start } from '/lib/page.js';
import { el } from '/lib/ui.js';

const CHECKIN_KINDS = ['hotel', 'guesthouse', 'homestay', 'boarding-house', 'hospital', 'clinic'];

// The links to the work screens of an organisation of this kind.
function work(kind) {
  const link = (id, href, title, text) => el('li', {}, el('a', { href, id }, el('strong', {}, t(title)), t(text)));
  const links = [];
  if (CHECKIN_KINDS.includes(kind)) links.push(link('work-checkin', '/stay/checkin.html', 'staff.checkin', 'staff.checkinText'));
  if (kind === 'coach-operator') links.push(link('work-coach', '/stay/coach.html', 'staff.coach', 'staff.coachText'));
  return links.length ? el('ul', { class: 'homes', id: 'work-links' }, ...links) : el('p', { class: 'empty' }, t('staff.noWork'));
}

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
  ])), section('work', 'staff.work', work(org.kind)));
});
