// dossiers.js — the officer console for dossiers (/officer/dossiers.html): the dossiers of the
// officer's area (GET /api/v1/dossiers, filtered by status and deadline; each applicant listed
// is written to their access log with the purpose stated here), one dossier with its form, its
// documents (a scan is downloaded with GET /api/v1/dossiers/{code}/documents/{n}, written to the
// applicant's access log too; a wallet document is named), parts and history
// (GET /api/v1/dossiers/{code}), and the step actions — accept, ask for more, refuse,
// next step, approve — with a note (POST /api/v1/dossiers/{code}/actions). The on-time rate of
// the area comes from GET /api/v1/services/statistics. The queue of an office: the tickets its
// kiosks gave today that still wait (GET /api/v1/service-tickets) and "call the next"
// (POST /api/v1/service-tickets/next); a province-wide officer names the office's commune code.
import { api, apiBlob, newKey } from '/lib/http.js';
import { date, dateTime, has, lang, t } from '/lib/i18n.js';
import { facts, section, showError, start } from '/lib/page.js';
import { clearErrors, el, empty, field, showProblem, toast } from '/lib/ui.js';

// X-Purpose is percent-encoded UTF-8 (a header carries Latin-1 only).
const PURPOSE = { 'X-Purpose': encodeURIComponent('Giải quyết thủ tục hành chính') };
const name = (o) => (o ? o[lang] || o.vi : '');
const statusText = (s) => (has(`dossier.status.${s}`) ? t(`dossier.status.${s}`) : s);
const badge = (cls, text) => el('span', { class: `badge ${cls}` }, text);
const STATUSES = ['submitted', 'received', 'more-info', 'processing', 'awaiting-payment', 'approved', 'refused'];
const DEADLINES = ['on-track', 'due-soon', 'overdue'];

// Which actions a dossier in this state and step takes.
function actionsFor(d) {
  if (d.parts?.length) return [];
  if (d.status === 'submitted') return ['accept', 'ask-more', 'refuse'];
  if (d.status === 'received' || d.status === 'processing')
    return d.step < d.step_count - 1 ? ['advance', 'refuse'] : ['approve', 'refuse'];
  return [];
}

const EXTENSIONS = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' };

// The dossier's documents, each with its kind's name from the procedure and, for a scan, a
// download button; `names` maps kind to name ({} when the catalogue could not be read).
function documentList(code, docs, names) {
  const items = docs.map((doc, n) => {
    const label = `${n + 1}. ${names[doc.kind] || doc.kind}`;
    if (!Number.isInteger(doc.upload))
      return el('li', {}, `${label} · ${t('off.walletDocument', { id: doc.wallet_document ?? '' })}`);
    const b = el('button', { type: 'button', class: 'link', id: `doc-${n}` }, t('off.download'));
    b.addEventListener('click', async () => {
      try {
        const blob = await apiBlob(`/api/v1/dossiers/${code}/documents/${n}`, PURPOSE);
        const a = el('a', { href: URL.createObjectURL(blob), download: `${code}-${n + 1}.${EXTENSIONS[blob.type] || 'bin'}` });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 60000);
      } catch (err) {
        showError(err);
      }
    });
    return el('li', {}, `${label} · `, b);
  });
  return el('ul', { id: 'dossier-documents' }, ...items);
}

start(async (ctx, main) => {
  const filters = el('form', { class: 'filters', id: 'dossier-filters' },
    field('flt', { name: 'status', label: t('off.filterStatus'), options: [['', t('off.all')], ...STATUSES.map((s) => [s, statusText(s)])] }),
    field('flt', { name: 'deadline', label: t('off.filterDeadline'), options: [['', t('off.all')], ...DEADLINES.map((s) => [s, t(`dossier.deadline.${s}`)])] }));
  const table = el('table', { id: 'dossiers' });
  const detail = el('div', { id: 'dossier-detail' });
  const rate = el('p', { id: 'on-time-rate', role: 'status' });

  async function loadList() {
    const q = new URLSearchParams({ limit: '100' });
    for (const k of ['status', 'deadline']) {
      const v = filters.elements.namedItem(k).value;
      if (v) q.set(k, v);
    }
    const page = await api('GET', `/api/v1/dossiers?${q}`, undefined, PURPOSE);
    const rows = page.items.map((d) => {
      const open = el('button', { type: 'button', class: 'link', 'data-open': d.code }, t('off.open'));
      open.addEventListener('click', () => openDossier(d.code).catch(showError));
      return el('tr', { 'data-code': d.code },
        el('td', {}, d.code), el('td', {}, name(d.procedure_name)), el('td', {}, d.applicant_name),
        el('td', {}, badge(`state-${d.status}`, statusText(d.status))),
        el('td', {}, badge(`deadline-${d.deadline}`, t(`dossier.deadline.${d.deadline}`)), d.due_day ? ` ${date(d.due_day)}` : ''),
        el('td', {}, open));
    });
    table.replaceChildren(
      el('thead', {}, el('tr', {}, ...[t('svc.code'), t('svc.procedure'), t('off.applicant'), t('svc.status'), t('svc.due'), t('svc.actions')].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 6 }, empty(t('svc.none'))))])));
  }

  async function loadRate() {
    try {
      const s = await api('GET', '/api/v1/services/statistics');
      rate.textContent = t('off.onTimeRate', { rate: `${Math.round(s.on_time_rate * 100)}%` });
    } catch {
      rate.textContent = '';
    }
  }

  async function openDossier(code) {
    const d = await api('GET', `/api/v1/dossiers/${code}`, undefined, PURPOSE);
    const names = {};
    if (d.documents?.length) {
      try {
        const proc = await api('GET', `/api/v1/procedures/${d.procedure}`);
        for (const k of proc.documents || []) names[k.kind] = name(k.name);
      } catch {
        /* the kinds' codes are shown instead */
      }
    }
    const form = el('form', { id: 'action-form', novalidate: true },
      field('act', { name: 'note', label: t('off.note'), type: 'textarea' }),
      el('div', { class: 'actions' }));
    for (const action of actionsFor(d)) {
      const b = el('button', { type: 'button', 'data-action': action, class: action === 'refuse' ? 'danger' : '' }, t(`off.${action}`));
      b.addEventListener('click', async () => {
        clearErrors(form);
        const note = form.elements.namedItem('note').value.trim();
        try {
          const r = await api('POST', `/api/v1/dossiers/${code}/actions`, note ? { action, note } : { action }, { 'Idempotency-Key': newKey() });
          toast(t('off.done', { code, status: statusText(r.status) }));
          await Promise.all([loadList(), openDossier(code), loadRate()]);
        } catch (err) {
          showProblem(form, err);
        }
      });
      form.querySelector('.actions').append(b);
    }
    const step = d.step_count ? t('off.step', { n: d.step + 1, of: d.step_count, name: d.step_name }) : '';
    detail.replaceChildren(el('section', { id: 'detail', 'aria-labelledby': 'detail-title' },
      el('h2', { id: 'detail-title', tabindex: '-1' }, t('off.detail', { code })),
      facts([[t('svc.procedure'), `${d.procedure} ${name(d.procedure_name)}`], [t('off.applicant'), `${d.applicant_name} (${d.applicant_id})`],
        [t('svc.status'), statusText(d.status)], ['', step], [t('svc.due'), d.due_day ? date(d.due_day) : '']]),
      el('h3', {}, t('off.form')), facts(Object.entries(d.form).map(([k, v]) => [k, String(v)]), { id: 'dossier-form' }),
      d.documents?.length ? el('h3', {}, t('off.documents')) : null,
      d.documents?.length ? documentList(code, d.documents, names) : null,
      d.parts?.length ? el('ul', {}, ...d.parts.map((p) => el('li', {}, `${p.code} ${name(p.procedure_name)}: ${statusText(p.status)}`))) : null,
      el('h3', {}, t('off.log')),
      el('ol', { id: 'dossier-log' }, ...d.log.map((l) => el('li', {}, `${dateTime(l.at)} · ${l.action} · ${statusText(l.status)}${l.note ? ` · ${l.note}` : ''}`))),
      actionsFor(d).length ? form : null));
    document.getElementById('detail-title').focus();
  }

  // --- the queue of an office ---
  const queueForm = el('form', { id: 'queue-form', novalidate: true },
    field('q', { name: 'commune', label: t('off.queueOffice'), hint: t('off.queueOfficeHint'), value: localStorage.getItem('dd-queue-office') || '' }),
    el('button', { type: 'submit', id: 'queue-next' }, t('off.queueNext')));
  const called = el('p', { id: 'queue-called', role: 'status' });
  const waiting = el('p', { id: 'queue-waiting' });
  const office = () => queueForm.elements.namedItem('commune').value.trim();
  async function loadQueue() {
    const q = new URLSearchParams({ status: 'waiting', limit: '500' });
    if (office()) q.set('commune', office());
    try {
      const r = await api('GET', `/api/v1/service-tickets?${q}`);
      waiting.textContent = t('off.queueWaiting', { n: r.items.length, numbers: r.items.slice(0, 10).map((x) => String(x.number).padStart(3, '0')).join(', ') });
    } catch {
      waiting.textContent = '';
    }
  }
  queueForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(queueForm);
    try {
      localStorage.setItem('dd-queue-office', office());
    } catch {
      /* storage refused: typed again next time */
    }
    try {
      const tk = await api('POST', '/api/v1/service-tickets/next', office() ? { commune: office() } : {});
      called.textContent = t('off.queueCalled', { number: String(tk.number).padStart(3, '0') });
    } catch (err) {
      if (err.status === 404) called.textContent = t('off.queueEmpty');
      else showProblem(queueForm, err);
    }
    await loadQueue();
  });

  filters.addEventListener('change', () => loadList().catch(showError));
  main.append(section('dossier-list', 'off.list', rate, filters, table), detail,
    section('queue', 'off.queue', queueForm, called, waiting));
  await Promise.all([loadList(), loadRate(), loadQueue()]);
});
