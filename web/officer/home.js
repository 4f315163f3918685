// home.js — the officer's home (/officer/): who they are (role, agency, area), looking a person
// up by personal ID number with the purpose the law asks them to state (GET /api/v1/people/{id}
// with X-Purpose, percent-encoded; the read is written to the person's access log, which the
// person sees in their portal), and the area's open correction requests (GET
// /api/v1/correction-requests?status=open). What the role does not grant, the server refuses
// (403) and the page says so. A police officer (commune or province police) also gets a link to
// the stays console (web/stay/police.html).
import { api } from '/lib/http.js';
import { date, dateTime, has, t } from '/lib/i18n.js';
import { facts, section, start } from '/lib/page.js';
import { clearErrors, dataTable, el, field, fieldError, showProblem } from '/lib/ui.js';

const purposeHeader = (p) => ({ 'X-Purpose': encodeURIComponent(p) });
const roleName = (r) => (has(`role.${r}`) ? t(`role.${r}`) : r);
const POLICE_ROLES = ['commune-police', 'province-police'];

// The name of an administrative unit by its code, or the code.
const unitName = (code) =>
  code ? api('GET', `/api/v1/units/${encodeURIComponent(code)}`).then((u) => u.name, () => code) : '';

start(async ({ me }, main) => {
  const o = me.account.officer || {};
  const area = (await Promise.all([unitName(o.commune), unitName(o.province)])).filter(Boolean).join(', ');
  main.append(section('officer', 'officer.who', facts([
    [t('identity.name'), me.account.display_name, 'name'],
    [t('officer.role'), roleName(o.role), 'role'],
    [t('officer.agency'), o.agency],
    [t('officer.area'), area, 'area'],
  ])));
  if (POLICE_ROLES.includes(o.role))
    main.append(section('work', 'officer.work', el('ul', { class: 'homes', id: 'work-links' },
      el('li', {}, el('a', { href: '/stay/police.html', id: 'work-police' }, el('strong', {}, t('officer.stays')), t('officer.staysText'))))));

  const result = el('div', { id: 'person-result', class: 'result', 'aria-live': 'polite' });
  const form = el('form', { id: 'lookup-form', novalidate: true },
    field('lookup', { name: 'id', label: t('officer.idNumber'), required: true, hint: t('officer.idHint') }),
    field('lookup', { name: 'purpose', label: t('officer.purpose'), required: true, hint: t('officer.purposeHint') }),
    el('button', { type: 'submit', class: 'primary' }, t('officer.lookup')));
  form.elements.id.setAttribute('inputmode', 'numeric');
  form.elements.id.classList.add('id-number');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    result.replaceChildren();
    const id = form.elements.id.value.trim();
    const purpose = form.elements.purpose.value.trim();
    if (!/^\d{12}$/.test(id)) return fieldError(form, 'id', t('officer.needId')) && form.elements.id.focus();
    if (!purpose) return fieldError(form, 'purpose', t('officer.needPurpose')) && form.elements.purpose.focus();
    try {
      const p = await api('GET', `/api/v1/people/${id}`, undefined, purposeHeader(purpose));
      result.append(el('h3', { id: 'person-title', tabindex: '-1' }, p.full_name),
        facts([
          [t('field.id_number'), p.id_number],
          [t('field.birth_date'), date(p.birth_date)],
          [t('field.sex'), has(`value.sex.${p.sex}`) ? t(`value.sex.${p.sex}`) : p.sex],
          [t('field.status'), has(`value.status.${p.status}`) ? t(`value.status.${p.status}`) : p.status],
          [t('field.permanent_address'), p.permanent_address],
          [t('data.householdNumber'), p.household_number],
        ]), el('p', { class: 'hint' }, t('officer.logged')));
      result.querySelector('h3').focus();
    } catch (err) {
      showProblem(form, err);
    }
  });
  main.append(section('lookup', 'officer.lookupTitle', form, result));

  const queue = dataTable({
    caption: { text: t('officer.queue'), hidden: true },
    id: 'queue-table',
    columns: [
      { key: 'created_at', label: t('data.when'), render: (r) => dateTime(r.created_at), sort: (r) => r.created_at },
      { key: 'id_number', label: t('field.id_number') },
      { key: 'field', label: t('correction.field'), render: (r) => (has(`field.${r.field}`) ? t(`field.${r.field}`) : r.field) },
      { key: 'proposed_value', label: t('correction.proposed') },
      { key: 'reason', label: t('correction.reason') },
    ],
    load: (cursor) =>
      api('GET', `/api/v1/correction-requests?status=open&limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, undefined,
        purposeHeader(t('officer.queuePurpose'))),
    emptyText: t('officer.queueEmpty'),
  });
  const q = section('queue', 'officer.queue', queue.element);
  main.append(q);
  try {
    await queue.reload();
  } catch (err) {
    q.append(el('p', { class: 'notice' }, err.status === 403 ? t('officer.notGranted') : err.detail));
  }
});
