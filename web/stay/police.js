// police.js — the police console for stays (/stay/police.html, an officer with a police role):
// the stays of a commune (the officer's own when left empty) that arrived on a day, late
// notifications only if asked, in pages (GET /api/v1/stays/police/stays); a person's stays by ID
// or passport number (…/police/people/{key}/stays); the watch-list alerts with the establishment
// and the room (…/police/alerts); the establishments that notified nothing today
// (…/police/missing). Every read that shows people sends the purpose typed at the top as
// X-Purpose (percent-encoded UTF-8), which the server writes into each person's access log. What
// the role does not grant, the server refuses, and the page says so.
import { api } from '/lib/http.js';
import { dateTime, number, parseDate, t } from '/lib/i18n.js';
import { section, start } from '/lib/page.js';
import { clearErrors, dataTable, el, fieldError, toast } from '/lib/ui.js';
import { cursorQuery, documentOf, fieldAt, showStayProblem, stayColumns } from '/stay/stay.js';

const withEstablishment = () => stayColumns([
  { key: 'establishment_name', label: t('police.establishment'), sort: (s) => s.establishment_name || '' },
]);

start(async (ctx, main) => {
  // The purpose, asked once for every read of people on the page.
  const purposeForm = el('form', { id: 'purpose-form', novalidate: true },
    fieldAt('purpose', { name: 'purpose', label: t('police.purpose'), required: true, hint: t('police.purposeHint'), value: t('police.purposeDefault') }));
  purposeForm.addEventListener('submit', (e) => e.preventDefault());
  const purpose = () => {
    clearErrors(purposeForm);
    const p = purposeForm.elements.purpose.value.trim();
    if (!p) {
      fieldError(purposeForm, 'purpose', t('police.needPurpose'));
      purposeForm.elements.purpose.focus();
      return null;
    }
    return { 'X-Purpose': encodeURIComponent(p) };
  };

  // The daily list.
  const daily = el('form', { id: 'daily', novalidate: true },
    fieldAt('commune', { name: 'commune', label: t('police.commune'), hint: t('police.communeHint') }),
    fieldAt('day', { name: 'day', label: t('police.day'), hint: t('police.dayHint') }),
    el('label', { class: 'check' }, el('input', { type: 'checkbox', id: 'late', name: 'late' }), ' ', t('police.lateOnly')),
    el('button', { type: 'submit', class: 'primary' }, t('police.show')));
  daily.elements.commune.setAttribute('inputmode', 'numeric');
  daily.elements.commune.setAttribute('maxlength', '5');
  let dailyQuery = null;
  let dailyHeaders = {};
  const stays = dataTable({
    caption: { text: t('police.dailyTitle'), hidden: true },
    id: 'stays',
    columns: withEstablishment(),
    load: (cursor) => api('GET', `/api/v1/stays/police/stays?${dailyQuery}${cursorQuery(cursor)}`, undefined, dailyHeaders),
    emptyText: t('police.noStays'),
  });
  daily.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(daily);
    const headers = purpose();
    if (!headers) return;
    const day = parseDate(daily.elements.day.value);
    if (day === null) {
      fieldError(daily, 'day', t('stay.badDate'));
      daily.elements.day.focus();
      return;
    }
    const q = new URLSearchParams({ limit: '100' });
    if (daily.elements.commune.value.trim()) q.set('commune', daily.elements.commune.value.trim());
    if (day) q.set('day', day);
    if (daily.elements.late.checked) q.set('late', 'true');
    dailyQuery = q.toString();
    dailyHeaders = headers;
    try {
      await stays.reload();
      toast(t('police.count', { n: number(stays.rows().length) }));
    } catch (err) {
      showStayProblem(daily, err);
    }
  });

  // A person's stays.
  const person = el('form', { id: 'person', novalidate: true },
    fieldAt('key', { name: 'key', label: t('police.key'), required: true }),
    el('button', { type: 'submit', class: 'primary' }, t('police.find')));
  let personKey = '';
  let personHeaders = {};
  const personStays = dataTable({
    caption: { text: t('police.personTitle'), hidden: true },
    id: 'person-stays',
    columns: withEstablishment(),
    load: (cursor) => api('GET', `/api/v1/stays/police/people/${encodeURIComponent(personKey)}/stays?limit=100${cursorQuery(cursor)}`, undefined, personHeaders),
    emptyText: t('police.noPersonStays'),
  });
  person.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(person);
    const headers = purpose();
    if (!headers) return;
    const key = person.elements.key.value.trim();
    if (!key) {
      fieldError(person, 'key', t('police.needKey'));
      person.elements.key.focus();
      return;
    }
    personKey = key;
    personHeaders = headers;
    try {
      await personStays.reload();
      toast(t('police.personCount', { n: number(personStays.rows().length), key }));
    } catch (err) {
      showStayProblem(person, err);
    }
  });

  // Watch-list alerts.
  const alerts = dataTable({
    caption: { text: t('police.alertsTitle'), hidden: true },
    id: 'alerts',
    columns: [
      { key: 'created_at', label: t('police.alertAt'), render: (a) => dateTime(a.created_at), sort: (a) => a.created_at },
      { key: 'full_name', label: t('stay.name') },
      { key: 'document', label: t('stay.document'), render: documentOf },
      { key: 'establishment_name', label: t('police.establishment') },
      { key: 'room', label: t('stay.room'), render: (a) => a.room || '—' },
      { key: 'reason', label: t('police.reason') },
    ],
    load: () => api('GET', '/api/v1/stays/police/alerts'),
    emptyText: t('police.noAlerts'),
  });
  const alertsButton = el('button', { type: 'button', id: 'load-alerts', class: 'secondary' }, t('police.loadAlerts'));
  const alertsNote = el('div', { id: 'alerts-note' });
  alertsButton.addEventListener('click', async () => {
    alertsNote.replaceChildren();
    try {
      await alerts.reload();
    } catch (err) {
      alertsNote.append(el('p', { class: 'notice error', role: 'alert' }, err.detail || t('error.generic')));
    }
  });

  // Establishments that notified nothing today.
  const missing = dataTable({
    caption: { text: t('police.missingTitle'), hidden: true },
    id: 'missing',
    columns: [
      { key: 'name', label: t('police.establishment'), sort: (m) => m.name },
      { key: 'address', label: t('police.address') },
    ],
    load: () => {
      const c = daily.elements.commune.value.trim();
      return api('GET', `/api/v1/stays/police/missing${c ? `?commune=${encodeURIComponent(c)}` : ''}`);
    },
    emptyText: t('police.noMissing'),
  });
  const missingButton = el('button', { type: 'button', id: 'load-missing', class: 'secondary' }, t('police.loadMissing'));
  const missingNote = el('div', { id: 'missing-note' });
  missingButton.addEventListener('click', async () => {
    missingNote.replaceChildren();
    try {
      await missing.reload();
    } catch (err) {
      missingNote.append(el('p', { class: 'notice error', role: 'alert' }, err.detail || t('error.generic')));
    }
  });

  main.append(
    section('purpose-section', 'police.purposeTitle', purposeForm),
    section('daily-section', 'police.dailyTitle', daily, stays.element),
    section('person-section', 'police.personTitle', person, personStays.element),
    section('alerts-section', 'police.alertsTitle', el('p', { class: 'actions' }, alertsButton), alertsNote, alerts.element),
    section('missing-section', 'police.missingTitle', el('p', { class: 'hint' }, t('police.missingHint')), el('p', { class: 'actions' }, missingButton), missingNote, missing.element));
});
