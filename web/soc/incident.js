// incident.js — one incident (/soc/incident.html?id=N): its facts, its timeline, a form to add a
// note (POST …/notes), the containment and breach buttons (actions.js), and, once marked as a
// personal-data breach, the 72-hour deadline and the notification draft in the reader's language.
import { api } from '/lib/http.js';
import { dateTime, lang, t } from '/lib/i18n.js';
import { facts, section, start } from '/lib/page.js';
import { clearErrors, el, field, fieldError, showProblem } from '/lib/ui.js';
import { actionButtons } from '/soc/actions.js';
import { severity } from '/soc/common.js';

function timeline(inc) {
  return el('ol', { id: 'timeline', class: 'timeline' }, ...inc.timeline.map((s) =>
    el('li', {}, el('time', { datetime: s.at }, dateTime(s.at)), ' · ', el('strong', {}, s.kind), ' · ', s.text, ' · ', s.actor)));
}

start(async (_ctx, main) => {
  const id = new URLSearchParams(location.search).get('id');
  let inc = await api('GET', `/api/v1/soc/incidents/${encodeURIComponent(id)}`);
  const head = el('div', { id: 'incident-facts' });
  const steps = el('div');
  const paint = () => {
    head.replaceChildren(el('h3', { id: 'incident-name' }, `#${inc.id} ${inc.title}`), facts([
      [t('soc.severity'), severity(inc.severity), 'severity'],
      [t('soc.status'), inc.status, 'status'],
      [t('soc.assignee'), inc.assignee, 'assignee'],
      [t('soc.notifyBy'), inc.notify_by ? dateTime(inc.notify_by) : '', 'notify-by'],
    ]));
    steps.replaceChildren(timeline(inc));
  };
  paint();
  const form = el('form', { id: 'note-form', novalidate: true },
    field('note', { name: 'text', label: t('soc.note'), required: true }),
    el('button', { type: 'submit', class: 'primary' }, t('soc.addNote')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const text = form.elements.text.value.trim();
    if (!text) return fieldError(form, 'text', t('soc.needNote'));
    try {
      inc = await api('POST', `/api/v1/soc/incidents/${inc.id}/notes`, { text });
      form.reset();
      paint();
    } catch (err) {
      showProblem(form, err);
    }
  });
  const acts = el('div');
  const breach = el('div');
  const paintSteps = async () => {
    acts.replaceChildren(await actionButtons(inc, (after) => {
      inc = after;
      paint();
      paintSteps();
    }));
    if (inc.breach) {
      const d = await api('GET', `/api/v1/soc/incidents/${inc.id}/breach-notification`);
      breach.replaceChildren(section('breach', 'soc.breach', el('pre', { id: 'draft', class: 'draft', lang }, lang === 'en' ? d.en : d.vi)));
    }
  };
  await paintSteps();
  main.append(section('incident', 'page.soc.incident', head), section('actions', 'soc.act.heading', acts),
    section('steps', 'soc.timeline', steps, form), breach);
});
