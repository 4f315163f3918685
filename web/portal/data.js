// data.js — "My data" (/portal/): the person's register record from the copy of their data
// (GET /api/v1/me/data-export, which leaves no access-log row): identity, household, residence
// periods and the history of changes; their correction requests (GET
// /api/v1/me/correction-requests) and the "request a correction" dialog (POST
// /api/v1/me/correction-requests with an Idempotency-Key), whose refusals are shown next to the
// fields the server names.
import { api, newKey } from '/lib/http.js';
import { date, dateTime, has, t } from '/lib/i18n.js';
import { facts, section, start } from '/lib/page.js';
import { clearErrors, dataTable, dialog, el, empty, field, showProblem, toast } from '/lib/ui.js';

const IDENTITY = ['full_name', 'other_names', 'id_number', 'birth_date', 'sex', 'ethnicity', 'religion', 'nationality', 'birth_place', 'hometown', 'old_id_number', 'status', 'death_date'];
const CORRECTABLE = ['full_name', 'other_names', 'birth_date', 'sex', 'ethnicity', 'religion', 'nationality', 'birth_place', 'hometown', 'old_id_number', 'father_id', 'mother_id', 'spouse_id', 'relation_to_head'];

const units = new Map();
// The name of an administrative unit by its code (GET /api/v1/units/{code}), or the code.
async function unitName(code) {
  if (!code) return '';
  if (!units.has(code))
    units.set(code, api('GET', `/api/v1/units/${encodeURIComponent(code)}`).then((u) => u.name, () => code));
  return units.get(code);
}

const valueOf = (name, v) => {
  if (v === '' || v === null || v === undefined) return '';
  if (name.endsWith('_date') || name === 'from' || name === 'until') return date(v);
  if (name === 'sex' || name === 'status') return has(`value.${name}.${v}`) ? t(`value.${name}.${v}`) : v;
  return v;
};

async function place(r) {
  const [c, p] = await Promise.all([unitName(r.commune), unitName(r.province)]);
  return [r.address, c, p].filter(Boolean).join(', ');
}

function changesText(changes) {
  return Object.entries(changes || {})
    .map(([f, v]) => {
      const label = has(`field.${f}`) ? t(`field.${f}`) : f;
      if (v && typeof v === 'object' && ('from' in v || 'to' in v))
        return t('data.change', { field: label, from: valueOf(f, v.from) || '—', to: valueOf(f, v.to) || '—' });
      return `${label}: ${typeof v === 'object' ? JSON.stringify(v) : v}`;
    })
    .join('; ');
}

async function correctionDialog(person, reload) {
  const key = newKey();
  const fieldSelect = field('corr', {
    name: 'field', label: t('correction.field'), required: true,
    options: [['', t('correction.choose')], ...CORRECTABLE.map((f) => [f, t(`field.${f}`)])],
  });
  const current = el('p', { class: 'hint', id: 'corr-current', 'aria-live': 'polite' });
  fieldSelect.querySelector('select').addEventListener('change', (e) => {
    const v = person?.[e.target.value];
    current.textContent = e.target.value ? t('correction.current', { value: valueOf(e.target.value, v) || '—' }) : '';
  });
  fieldSelect.append(current);
  await dialog({
    title: t('correction.title'),
    content: [
      el('p', {}, t('correction.intro')),
      fieldSelect,
      field('corr', { name: 'proposed_value', label: t('correction.proposed'), required: true, hint: t('correction.proposedHint') }),
      field('corr', { name: 'reason', label: t('correction.reason'), type: 'textarea', required: true }),
      field('corr', { name: 'evidence_ref', label: t('correction.evidence'), hint: t('correction.evidenceHint') }),
    ],
    buttons: [
      { value: 'cancel', label: t('ui.cancel') },
      { value: 'send', label: t('correction.send'), kind: 'primary', submit: true },
    ],
    async onSubmit(form) {
      clearErrors(form);
      const body = {
        field: form.elements.field.value,
        proposed_value: form.elements.proposed_value.value.trim(),
        reason: form.elements.reason.value.trim(),
      };
      const evidence = form.elements.evidence_ref.value.trim();
      if (evidence) body.evidence_ref = evidence;
      try {
        await api('POST', '/api/v1/me/correction-requests', body, { 'Idempotency-Key': key });
      } catch (err) {
        showProblem(form, err);
        return false;
      }
      toast(t('correction.sent'));
      await reload();
      return true;
    },
  });
}

start(async (ctx, main) => {
  const copy = await api('GET', '/api/v1/me/data-export');
  const p = copy.person;
  if (!p) {
    main.append(section('identity', 'data.identity', empty(t('data.noRecord'))));
    return;
  }
  main.append(el('p', { class: 'lead' }, t('data.lead')));

  const identity = section('identity', 'data.identity',
    facts(IDENTITY.map((f) => [t(`field.${f}`), valueOf(f, p[f]), `person-${f}`]), { id: 'identity-facts' }));
  const ask = el('button', { type: 'button', class: 'primary', id: 'request-correction' }, t('correction.open'));
  identity.append(el('p', { class: 'actions' }, ask));
  main.append(identity);

  const hh = copy.household;
  const household = section('household', 'data.household');
  if (hh) {
    household.append(facts([
      [t('data.householdNumber'), hh.number, 'household-number'],
      [t('data.householdPlace'), await place(hh)],
      [t('data.relation'), hh.is_head ? t('data.head') : hh.relation_to_head],
    ]));
    const members = dataTable({
      caption: t('data.members'),
      id: 'members',
      columns: [
        { key: 'full_name', label: t('field.full_name'), sort: (r) => r.full_name },
        { key: 'relation_to_head', label: t('data.relation') },
      ],
      load: async () => ({ items: hh.members || [], next_cursor: null }),
      emptyText: t('data.noMembers'),
    });
    household.append(members.element);
    await members.reload();
  } else household.append(empty(t('data.noHousehold')));
  main.append(household);

  const residences = section('residence', 'data.residence');
  const periods = await Promise.all((copy.residences || []).map(async (r) => ({ ...r, place: await place(r) })));
  const resTable = dataTable({
    caption: t('data.periods'),
    id: 'residences',
    columns: [
      { key: 'kind', label: t('data.kind'), render: (r) => (has(`residence.${r.kind}`) ? t(`residence.${r.kind}`) : r.kind), sort: (r) => r.kind },
      { key: 'place', label: t('data.address') },
      { key: 'from', label: t('data.from'), render: (r) => date(r.from), sort: (r) => r.from || '' },
      { key: 'until', label: t('data.until'), render: (r) => (r.until ? date(r.until) : t('data.now')), sort: (r) => r.until || '9999' },
    ],
    load: async () => ({ items: periods, next_cursor: null }),
    emptyText: t('data.noResidence'),
  });
  residences.append(resTable.element);
  await resTable.reload();
  main.append(residences);

  const history = section('history', 'data.history');
  const histTable = dataTable({
    caption: { text: t('data.history'), hidden: true },
    id: 'history-table',
    columns: [
      { key: 'at', label: t('data.when'), render: (r) => dateTime(r.at), sort: (r) => r.at },
      { key: 'kind', label: t('data.change.kind'), render: (r) => (has(`history.${r.kind}`) ? t(`history.${r.kind}`) : r.kind), sort: (r) => r.kind },
      { key: 'changes', label: t('data.changes'), render: (r) => changesText(r.changes) },
      { key: 'reason', label: t('data.reason'), render: (r) => [r.reason, r.legal_basis].filter(Boolean).join(' — ') },
    ],
    load: async () => ({ items: [...(copy.history || [])].reverse(), next_cursor: null }),
    emptyText: t('data.noHistory'),
  });
  history.append(histTable.element);
  await histTable.reload();
  main.append(history);

  const requests = section('corrections', 'data.corrections');
  const reqTable = dataTable({
    caption: { text: t('data.corrections'), hidden: true },
    id: 'correction-table',
    columns: [
      { key: 'created_at', label: t('data.when'), render: (r) => dateTime(r.created_at), sort: (r) => r.created_at },
      { key: 'field', label: t('correction.field'), render: (r) => t(`field.${r.field}`) },
      { key: 'proposed_value', label: t('correction.proposed') },
      { key: 'status', label: t('data.status'), render: (r) => t(`correction.status.${r.status}`), sort: (r) => r.status },
    ],
    load: (cursor) => api('GET', `/api/v1/me/correction-requests?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
    emptyText: t('data.noCorrections'),
  });
  requests.append(reqTable.element);
  main.append(requests);
  await reqTable.reload();
  ask.addEventListener('click', () => correctionDialog(p, () => reqTable.reload()));
});
