// services.js — "Online public services" (/services/): the catalogue (GET /api/v1/procedures),
// a procedure's form with the register-filled values shown and only the other fields typed
// (GET /api/v1/me/procedures/{code}/form, POST /api/v1/me/dossiers with an Idempotency-Key),
// the citizen's dossiers with their state and deadline (GET /api/v1/me/dossiers), paying a fee
// by VietQR on screen (POST /api/v1/me/payments/{id}/checkouts), answering a request for more
// (the typed fields, and for a procedure with documents a new scan or wallet reference per kind),
// the result in the wallet, a printable receipt, the rating of a decided dossier, and the public
// lookup by code and ID number. A procedure that is not paperless asks, for each required
// document, for a scan (PDF, JPEG or PNG, sent to POST /api/v1/me/uploads before the submission)
// or the reference of a document in the wallet. With ?kiosk=1 (from the kiosk) dossiers are sent as channel
// "kiosk" and the page uses the kiosk's large touch layout.
import { api, apiUpload, newKey } from '/lib/http.js';
import { date, has, lang, money, t } from '/lib/i18n.js';
import { facts, section, showError, start } from '/lib/page.js';
import { clearErrors, el, empty, field, showProblem, toast } from '/lib/ui.js';

const kiosk = new URLSearchParams(location.search).get('kiosk') === '1';
const name = (o) => (o ? o[lang] || o.vi : '');
const statusBadge = (s) => el('span', { class: `badge state-${s}` }, has(`dossier.status.${s}`) ? t(`dossier.status.${s}`) : s);
const deadlineBadge = (s) => el('span', { class: `badge deadline-${s}` }, t(`dossier.deadline.${s}`));

async function drawQr(text, label) {
  const { qrcode } = await import('/vendor/qrcode-generator/qrcode.mjs');
  qrcode.stringToBytes = (s) => Array.from(new TextEncoder().encode(s));
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  let d = '';
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + 4} ${r + 4}h1v1h-1z`;
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${n + 8} ${n + 8}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('shape-rendering', 'crispEdges');
  const bg = document.createElementNS(NS, 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', '#fff');
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', d);
  svg.append(bg, path);
  return svg;
}

// The inputs of a procedure's typed fields ([name, label, type, options]).
function typedField(f, value) {
  const type = f.type === 'date' ? 'date' : f.type === 'integer' ? 'number' : 'text';
  const options = f.type === 'choice' ? [['', ''], ...f.choices.map((c) => [c, c])] : undefined;
  return field('f', { name: f.name, label: name(f.label), type, required: f.required, options, value });
}

function readTyped(form, fields) {
  const out = {};
  for (const f of fields) {
    const v = form.elements.namedItem(f.name)?.value?.trim();
    if (v) out[f.name] = f.type === 'integer' ? Number(v) : v;
  }
  return out;
}

// A fieldset per document the procedure asks for: a scan to upload, or a wallet reference. The
// inputs' ids start with `prefix`; their names are file-<kind> and doc-<kind>.
function documentFields(proc, prefix) {
  const docs = proc.documents.map((d) => el('fieldset', { class: 'document', 'data-kind': d.kind },
    el('legend', {}, name(d.name)),
    field(prefix, { name: `file-${d.kind}`, label: t('svc.scan'), type: 'file', hint: t('svc.scanHint') }),
    field(prefix, { name: `doc-${d.kind}`, label: t('svc.walletRef') })));
  for (const input of docs.map((d) => d.querySelector('input[type=file]'))) input.accept = '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png';
  return docs;
}

// The documents of a submission or a supplement: each kind's chosen scan, uploaded first (once
// per file), else its wallet reference; with `given` (a supplement) the kinds left empty are left
// out. A refused upload is shown next to its file input.
async function readDocuments(form, proc, uploaded, { given = false } = {}) {
  const out = [];
  for (const d of proc.documents) {
    const file = form.elements.namedItem(`file-${d.kind}`).files[0];
    const ref = form.elements.namedItem(`doc-${d.kind}`).value.trim();
    if (given && !file && !ref) continue;
    if (file) {
      if (!uploaded.has(file)) {
        try {
          uploaded.set(file, (await apiUpload('/api/v1/me/uploads', file)).id);
        } catch (err) {
          err.body = { ...err.body, errors: [{ field: `file-${d.kind}`, message: err.body?.detail || err.message }] };
          throw err;
        }
      }
      out.push({ kind: d.kind, upload: uploaded.get(file) });
    } else {
      out.push({ kind: d.kind, wallet_document: ref });
    }
  }
  return out;
}

// Problems name fields "form.x": show them next to input "x".
function showFormProblem(form, err) {
  if (Array.isArray(err.body?.errors))
    err.body.errors = err.body.errors.map((e) => ({ ...e, field: e.field.replace(/^form\./, '') }));
  showProblem(form, err);
}

start(async (ctx, main) => {
  if (kiosk) document.body.classList.add('kiosk');
  const catalogue = (await api('GET', '/api/v1/procedures')).items;
  const applyHost = el('div', { id: 'apply-host' });
  const mineHost = el('div', { id: 'mine-host' });
  const receipt = el('section', { class: 'receipt', id: 'receipt', 'aria-hidden': 'true' });

  // --- the catalogue ---
  const list = el('ul', { class: 'procedures', id: 'procedures' });
  for (const p of catalogue) {
    const go = el('button', { type: 'button', 'data-procedure': p.code, 'aria-label': t('svc.startLabel', { name: name(p.name) }) }, t('svc.start'));
    go.addEventListener('click', () => openForm(p).catch(showError));
    list.append(el('li', { 'data-code': p.code },
      el('h3', {}, name(p.name)),
      el('p', { class: 'muted small' }, `${p.code} · ${name(p.agency)} · ${t('svc.days', { n: p.processing_days })} · `,
        p.fee ? `${t('svc.fee')}: ${money(kiosk ? p.fee : p.online_fee)}` : t('svc.free'), ' ',
        p.paperless ? el('span', { class: 'badge' }, t('svc.paperless')) : null, ' ',
        p.bundle ? el('span', { class: 'badge' }, t('svc.bundle')) : null),
      go));
  }

  // --- one procedure's form ---
  async function openForm(p) {
    const f = await api('GET', `/api/v1/me/procedures/${p.code}/form`);
    const proc = await api('GET', `/api/v1/procedures/${p.code}`);
    const typed = f.form.filter((x) => !x.prefill);
    const known = f.form.filter((x) => x.prefill).map((x) => [name(x.label), f.values[x.name]]);
    const docs = documentFields(proc, 'd');
    const uploaded = new Map(); // file → upload id, so that a second attempt does not send it again
    const form = el('form', { id: 'apply-form', novalidate: true },
      el('h3', {}, name(proc.name)),
      f.level_ok ? null : el('p', { class: 'notice error', role: 'alert' }, t('svc.level2')),
      known.length ? el('div', {}, el('h4', {}, t('svc.fromRegister')), facts(known, { id: 'prefilled' })) : null,
      ...typed.map((x) => typedField(x)),
      docs.length ? el('fieldset', {}, el('legend', {}, t('svc.documents')), ...docs) : null,
      el('p', {}, proc.fee ? `${t('svc.fee')}: ${money(kiosk ? proc.fee : proc.online_fee)}` : t('svc.free')),
      el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'apply-submit' }, t('svc.submit'))));
    const key = newKey();
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const body = { procedure: p.code, form: readTyped(form, typed), channel: kiosk ? 'kiosk' : 'online' };
      try {
        if (proc.documents.length) body.documents = await readDocuments(form, proc, uploaded);
        const d = await api('POST', '/api/v1/me/dossiers', body, { 'Idempotency-Key': key });
        toast(t('svc.submitted', { code: d.code }));
        applyHost.replaceChildren();
        await loadMine();
        document.getElementById(`dossier-${d.code}`)?.focus();
      } catch (err) {
        showFormProblem(form, err);
      }
    });
    applyHost.replaceChildren(section('apply', 'svc.apply', form));
    document.getElementById('apply-title').focus();
  }

  // --- my dossiers ---
  function printReceipt(d) {
    receipt.replaceChildren(el('h2', {}, t('svc.receiptTitle')),
      facts([[t('svc.code'), d.code], [t('svc.procedure'), `${d.procedure} ${name(d.procedure_name)}`],
        [t('off.applicant'), `${d.applicant_name} (${d.applicant_id})`], [t('svc.status'), t(`dossier.status.${d.status}`)],
        [t('svc.due'), d.due_day ? date(d.due_day) : ''], [t('svc.fee'), money(d.fee)]]));
    document.body.classList.add('printing-receipt');
    window.print();
    document.body.classList.remove('printing-receipt');
  }

  async function pay(d, host) {
    const r = await api('POST', `/api/v1/me/payments/${d.payment_id}/checkouts`, { method: 'vietqr' });
    const svg = await drawQr(r.vietqr, t('svc.pay'));
    host.replaceChildren(el('figure', { class: 'qr', id: `qr-${d.code}` }, svg),
      el('p', { id: `qr-text-${d.code}` }, t('svc.payLead', { ref: r.transfer_description, amount: money(d.fee) })));
  }

  function rateForm(d) {
    const form = el('form', { class: 'inline-form', id: `rate-${d.code}` },
      field(`rate-${d.code}`, { name: 'score', label: t('svc.score'), options: [['5', '5'], ['4', '4'], ['3', '3'], ['2', '2'], ['1', '1']] }),
      field(`rate-${d.code}`, { name: 'comment', label: t('svc.comment') }),
      el('button', { type: 'submit' }, t('svc.rate')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const comment = form.elements.namedItem('comment').value.trim();
        await api('POST', `/api/v1/me/dossiers/${d.code}/ratings`, { score: Number(form.elements.namedItem('score').value), ...(comment ? { comment } : {}) });
        toast(t('svc.rated'));
        await loadMine();
      } catch (err) {
        showProblem(form, err);
      }
    });
    return form;
  }

  async function supplementForm(d) {
    const proc = await api('GET', `/api/v1/procedures/${d.procedure}`);
    const typed = proc.form.filter((x) => !x.prefill);
    const docs = proc.paperless ? [] : documentFields(proc, `s-${d.code}`);
    const uploaded = new Map();
    const form = el('form', { id: `supplement-${d.code}`, novalidate: true },
      el('p', { class: 'notice', role: 'status' }, t('svc.asked', { reason: d.reason })),
      ...typed.map((x) => typedField(x, d.form[x.name])),
      docs.length ? el('fieldset', {}, el('legend', {}, t('svc.supplementDocuments')), ...docs) : null,
      el('button', { type: 'submit' }, t('svc.supplement')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      try {
        const body = { form: readTyped(form, typed) };
        if (docs.length) {
          const documents = await readDocuments(form, proc, uploaded, { given: true });
          if (documents.length) body.documents = documents;
        }
        await api('POST', `/api/v1/me/dossiers/${d.code}/supplements`, body);
        toast(t('svc.supplemented'));
        await loadMine();
      } catch (err) {
        showFormProblem(form, err);
      }
    });
    return form;
  }

  async function card(d) {
    const extra = el('div', { class: 'dossier-extra' });
    const buttons = el('div', { class: 'dossier-actions' });
    if (d.status === 'awaiting-payment') {
      const b = el('button', { type: 'button', id: `pay-${d.code}` }, t('svc.pay'));
      b.addEventListener('click', () => pay(d, extra).catch(showError));
      buttons.append(b);
    }
    if (d.result_doc) buttons.append(el('a', { class: 'button secondary', href: '/portal/documents.html', id: `result-${d.code}` }, t('svc.result')));
    const print = el('button', { type: 'button', class: 'secondary' }, t('svc.receipt'));
    print.addEventListener('click', () => printReceipt(d));
    buttons.append(print);
    if (d.status === 'more-info') extra.append(await supplementForm(d));
    if ((d.status === 'approved' || d.status === 'refused') && !d.rating) extra.append(rateForm(d));
    const parts = d.parts?.length
      ? el('div', {}, el('h4', {}, t('svc.parts')), el('ul', {}, ...d.parts.map((p) => el('li', { 'data-part': p.procedure }, `${name(p.procedure_name)}: `, statusBadge(p.status)))))
      : null;
    return el('li', { id: `dossier-${d.code}`, tabindex: '-1', 'data-status': d.status },
      el('h3', {}, `${d.code} — ${name(d.procedure_name)}`),
      el('p', {}, statusBadge(d.status), ' ', deadlineBadge(d.deadline), d.due_day ? ` ${t('svc.due')}: ${date(d.due_day)}` : ''),
      d.reason && d.status === 'refused' ? el('p', {}, d.reason) : null,
      parts, buttons, extra);
  }

  async function loadMine() {
    const page = await api('GET', '/api/v1/me/dossiers?limit=50');
    const full = await Promise.all(page.items.map((d) => api('GET', `/api/v1/me/dossiers/${d.code}`)));
    const ul = el('ul', { class: 'procedures', id: 'my-dossiers' }, ...(await Promise.all(full.map(card))));
    mineHost.replaceChildren(section('mine', 'svc.mine', full.length ? ul : empty(t('svc.none'))));
  }

  // --- public lookup ---
  const lookupForm = el('form', { id: 'lookup-form', novalidate: true },
    el('p', { class: 'lead' }, t('svc.lookupLead')),
    field('lk', { name: 'code', label: t('svc.code'), required: true }),
    field('lk', { name: 'id_number', label: t('svc.idNumber'), required: true, value: ctx.me?.account?.id_number || '' }),
    el('button', { type: 'submit' }, t('svc.find')));
  const lookupOut = el('div', { id: 'lookup-result', role: 'status' });
  lookupForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(lookupForm);
    const q = new URLSearchParams({ code: lookupForm.elements.namedItem('code').value.trim(), id_number: lookupForm.elements.namedItem('id_number').value.trim() });
    try {
      const r = await api('GET', `/api/v1/dossier-lookup?${q}`);
      lookupOut.replaceChildren(facts([[t('svc.procedure'), name(r.procedure_name)], [t('svc.status'), t(`dossier.status.${r.status}`)],
        [t('svc.due'), r.due_day ? date(r.due_day) : '']]));
    } catch (err) {
      showProblem(lookupForm, err);
    }
  });

  main.append(mineHost, applyHost,
    section('catalogue', 'svc.catalogue', el('p', { class: 'lead' }, t('svc.catalogueLead')), list),
    section('lookup', 'svc.lookup', lookupForm, lookupOut), receipt);
  await loadMine();
  const ask = new URLSearchParams(location.search).get('procedure');
  const wanted = catalogue.find((p) => p.code === ask);
  if (wanted) await openForm(wanted);
});
