// actions.js — what an analyst does to an incident from its page, each after a confirmation
// dialog that names the step: containment (lock an e-identity account, end its sessions, suspend
// a gateway consumer: POST …/actions, audited by the server with the analyst as actor) and
// marking the incident as a personal-data breach (POST …/breach), which starts the 72-hour
// clock. The target is filled in from the incident's first alert when it names an account or a
// gateway consumer.
import { api } from '/lib/http.js';
import { t } from '/lib/i18n.js';
import { dialog, el, field, showProblem, toast } from '/lib/ui.js';

const ACTIONS = [
  { action: 'lock-account', target: 'account_id' },
  { action: 'revoke-sessions', target: 'account_id' },
  { action: 'suspend-consumer', target: 'consumer' },
];

// The account id or consumer an alert's key names ("account:7", "lgsp:VN/GOV/…"), if any.
async function guess(inc) {
  const first = inc.alerts?.[0];
  if (!first) return {};
  const a = await api('GET', `/api/v1/soc/alerts/${first}`);
  const m = /^account:(\d+)$/.exec(a.key || '');
  if (m) return { account_id: m[1] };
  return a.key?.startsWith('lgsp:') ? { consumer: a.key.slice(5) } : {};
}

// Opens the confirmation dialog of one step; resolves to the incident after it, or null.
async function confirmStep(inc, { action, target }, known) {
  let after = null;
  const key = `soc.act.${action}`;
  const v = await dialog({
    title: t(`${key}.title`),
    content: [
      el('p', { class: 'notice warn' }, t(`${key}.confirm`)),
      field('act', { name: target, label: t(`soc.act.${target}`), required: true, value: known[target] ?? '',
        type: target === 'account_id' ? 'number' : 'text' }),
      field('act', { name: 'reason', label: t('soc.act.reason'), type: 'textarea', required: true }),
    ],
    buttons: [
      { value: 'no', label: t('ui.cancel') },
      { value: 'yes', label: t(`${key}.button`), kind: 'danger', submit: true },
    ],
    onSubmit: async (form) => {
      const raw = form.elements[target].value.trim();
      const body = { action, reason: form.elements.reason.value.trim() };
      body[target] = target === 'account_id' && /^\d+$/.test(raw) ? Number(raw) : raw;
      try {
        after = await api('POST', `/api/v1/soc/incidents/${inc.id}/actions`, body);
        return true;
      } catch (err) {
        showProblem(form, err);
        return false;
      }
    },
  });
  return v === 'yes' ? after : null;
}

// The breach dialog: what is known now; resolves to the incident after it, or null.
async function confirmBreach(inc) {
  let after = null;
  const v = await dialog({
    title: t('soc.breachMark.title'),
    content: [
      el('p', { class: 'notice warn' }, t('soc.breachMark.confirm')),
      field('br', { name: 'description', label: t('soc.breachMark.description'), type: 'textarea', required: true }),
      field('br', { name: 'categories', label: t('soc.breachMark.categories'), hint: t('soc.breachMark.categoriesHint'), required: true }),
      field('br', { name: 'subjects_estimate', label: t('soc.breachMark.subjects'), type: 'number', required: true }),
      field('br', { name: 'measures', label: t('soc.breachMark.measures'), type: 'textarea' }),
      field('br', { name: 'contact', label: t('soc.breachMark.contact') }),
    ],
    buttons: [
      { value: 'no', label: t('ui.cancel') },
      { value: 'yes', label: t('soc.breachMark.button'), kind: 'danger', submit: true },
    ],
    onSubmit: async (form) => {
      const f = form.elements;
      const n = f.subjects_estimate.value.trim();
      const body = {
        description: f.description.value.trim(),
        categories: f.categories.value.split(',').map((s) => s.trim()).filter(Boolean),
        subjects_estimate: /^\d+$/.test(n) ? Number(n) : n,
      };
      if (f.measures.value.trim()) body.measures = f.measures.value.trim();
      if (f.contact.value.trim()) body.contact = f.contact.value.trim();
      try {
        await api('POST', `/api/v1/soc/incidents/${inc.id}/breach`, body);
        after = await api('GET', `/api/v1/soc/incidents/${inc.id}`);
        return true;
      } catch (err) {
        showProblem(form, err);
        return false;
      }
    },
  });
  return v === 'yes' ? after : null;
}

// The buttons of the incident's steps; `changed(inc)` is called with the incident after one.
export async function actionButtons(inc, changed) {
  const known = await guess(inc).catch(() => ({}));
  const buttons = ACTIONS.map((a) => {
    const b = el('button', { type: 'button', class: 'danger', id: `do-${a.action}` }, t(`soc.act.${a.action}.button`));
    b.addEventListener('click', async () => {
      const after = await confirmStep(inc, a, known);
      if (after) {
        toast(t('soc.act.done'));
        changed(after);
      }
    });
    return b;
  });
  if (!inc.breach) {
    const b = el('button', { type: 'button', class: 'danger', id: 'mark-breach' }, t('soc.breachMark.button'));
    b.addEventListener('click', async () => {
      const after = await confirmBreach(inc);
      if (after) {
        toast(t('soc.breachMark.done'));
        changed(after);
      }
    });
    buttons.push(b);
  }
  return el('p', { class: 'actions', id: 'incident-actions' }, ...buttons);
}
