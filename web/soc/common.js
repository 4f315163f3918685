// common.js — what the pages of the security operations centre's console share: titles of
// rules in the reader's language, severities as badges, and links to an incident.
import { lang } from '/lib/i18n.js';
import { el } from '/lib/ui.js';

export const title = (o) => (o.title ? o.title[lang] || o.title.vi : o.rule || o.id);
export const severity = (s) => el('span', { class: `badge severity-${s}` }, s);
export const incidentLink = (id) => el('a', { href: `/soc/incident.html?id=${id}` }, `#${id}`);
