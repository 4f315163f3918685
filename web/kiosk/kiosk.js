// kiosk.js — the kiosk mode (/kiosk/, model 2): a touch screen at a public-administration
// centre, usable without signing in. The device is a registered kiosk: its credential (given once
// by POST /api/v1/kiosks) is entered on /kiosk/?setup=1 and kept in the browser's storage; it
// goes with every kiosk call as X-Kiosk-Key.
//
// The citizen identifies by the chip of the ID card: the kiosk shell (the program around the
// browser that drives the card reader) receives {type: 'dd-kiosk-chip-wanted'} by postMessage when
// "read the chip" is touched, and answers with postMessage({type: 'dd-kiosk-chip', sod, dg}, the
// page's origin) — EF.SOD and the data groups in base64, as read; the page posts them to
// POST /api/v1/kiosk/sessions, where passive authentication identifies the citizen for a
// session of 5 minutes: "my dossiers" (answering an officer's request for more among them) and
// starting a procedure with the form filled from the register then work without the e-identity
// password, until "finish". Scanning the card's QR
// (ID number|old ID number|full name|date of birth|sex|address|date of issue; a scanner types it
// into the focused field) or an e-identity QR only gives an ID number for the public lookup.
// Queue tickets come from the server (POST /api/v1/kiosk/tickets) and are printed; the other
// screens: look a dossier up by its code (GET /api/v1/dossier-lookup), browse the procedures; a
// level-2 procedure or a kiosk without chip session opens the citizen's page in kiosk mode
// (/services/?kiosk=1) with the e-identity sign-in.
import { api, newKey } from '/lib/http.js';
import { date, lang, t, translate } from '/lib/i18n.js';
import { el, field, showProblem } from '/lib/ui.js';

const main = document.getElementById('main');
const name = (o) => (o ? o[lang] || o.vi : '');
let person = null; // {id_number, full_name} read from a card or e-identity QR
let session = null; // {session, expires_at, person} after the chip identified the citizen
let sessionTimer = 0;

function kioskKey() {
  try {
    return localStorage.getItem('dd-kiosk-key') || '';
  } catch {
    return '';
  }
}

const kioskHeaders = () => ({ 'X-Kiosk-Key': kioskKey(), ...(session ? { 'X-Kiosk-Session': session.session } : {}) });
const kapi = (method, path, body, headers = {}) => api(method, path, body, { ...kioskHeaders(), ...headers });

// Reads a card QR ("id|old|name|dob|sex|address|issued") or a bare 12-digit ID number.
export function readQr(text) {
  const s = text.trim();
  if (/^\d{12}$/.test(s)) return { id_number: s, full_name: '' };
  const f = s.split('|');
  if (f.length >= 6 && /^\d{12}$/.test(f[0])) return { id_number: f[0], full_name: f[2] };
  return null;
}

function screen(titleKey, ...content) {
  const back = el('button', { type: 'button', class: 'secondary', id: 'kiosk-back' }, t('kiosk.back'));
  back.addEventListener('click', home);
  main.replaceChildren(el('h1', { id: 'kiosk-title', tabindex: '-1' }, t(titleKey)), ...content, el('p', {}, back));
  document.getElementById('kiosk-title').focus();
}

function identify() {
  const input = field('qr', { name: 'qr', label: t('kiosk.scanLabel'), hint: t('kiosk.scanHint') });
  const form = el('form', { id: 'identify-form' }, input, el('button', { type: 'submit' }, t('kiosk.identify')));
  const out = el('p', { id: 'identify-result', role: 'status' });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    person = readQr(form.elements.namedItem('qr').value);
    out.textContent = person ? t('kiosk.identified', { name: person.full_name || person.id_number }) : t('kiosk.badQr');
    if (person) setTimeout(home, 800);
  });
  screen('kiosk.identifyTitle', form, out);
  form.elements.namedItem('qr').focus();
}

function lookup() {
  const form = el('form', { id: 'kiosk-lookup' },
    field('kl', { name: 'code', label: t('svc.code'), required: true }),
    field('kl', { name: 'id_number', label: t('svc.idNumber'), required: true, value: person?.id_number || '' }),
    el('button', { type: 'submit' }, t('svc.find')));
  const out = el('div', { id: 'kiosk-lookup-result', role: 'status' });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const q = new URLSearchParams({ code: form.elements.namedItem('code').value.trim(), id_number: form.elements.namedItem('id_number').value.trim() });
    try {
      const r = await api('GET', `/api/v1/dossier-lookup?${q}`);
      out.replaceChildren(el('p', {}, `${name(r.procedure_name)}: `, el('strong', {}, t(`dossier.status.${r.status}`)),
        r.due_day ? ` · ${t('svc.due')}: ${date(r.due_day)}` : ''));
    } catch (err) {
      out.replaceChildren(el('p', { class: 'notice error', role: 'alert' }, err.detail || t('error.generic')));
    }
  });
  screen('svc.lookup', form, out);
}

async function ticket() {
  const out = el('div', { id: 'ticket-host', role: 'status' });
  screen('kiosk.ticketTitle', out);
  let tk;
  try {
    tk = await kapi('POST', '/api/v1/kiosk/tickets', {});
  } catch (err) {
    out.replaceChildren(el('p', { class: 'notice error', role: 'alert', id: 'ticket-error' }, err.status === 401 ? t('kiosk.notRegistered') : err.detail || t('error.generic')));
    return;
  }
  const printB = el('button', { type: 'button', id: 'ticket-print' }, t('kiosk.print'));
  printB.addEventListener('click', () => window.print());
  out.replaceChildren(
    el('div', { class: 'ticket', id: 'ticket' },
      el('p', {}, tk.office_name),
      el('p', {}, t('kiosk.ticketLead')), el('p', { class: 'number', id: 'ticket-number' }, String(tk.number).padStart(3, '0')),
      el('p', { id: 'ticket-ahead' }, t('kiosk.ahead', { n: tk.waiting_before })),
      el('p', {}, new Date(tk.created_at).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB')),
      person ? el('p', {}, person.full_name || person.id_number) : null),
    printB);
}

// --- the chip: the kiosk shell hands over what the reader read ---
function readChip() {
  const out = el('p', { id: 'chip-status', role: 'status' }, t('kiosk.chipWaiting'));
  screen('kiosk.chipTitle', el('p', {}, t('kiosk.chipLead')), out);
  const onMessage = async (e) => {
    if (e.origin !== location.origin || e.data?.type !== 'dd-kiosk-chip') return;
    window.removeEventListener('message', onMessage);
    out.textContent = t('kiosk.chipChecking');
    try {
      const s = await kapi('POST', '/api/v1/kiosk/sessions', { sod: e.data.sod, dg: e.data.dg });
      startSession(s);
      out.textContent = t('kiosk.identified', { name: s.person.full_name });
      setTimeout(home, 800);
    } catch (err) {
      out.replaceChildren(el('span', { class: 'notice error', role: 'alert', id: 'chip-error' },
        err.status === 401 ? t('kiosk.notRegistered') : err.status === 422 ? t('kiosk.chipRefused') : err.detail || t('error.generic')));
    }
  };
  window.addEventListener('message', onMessage);
  window.postMessage({ type: 'dd-kiosk-chip-wanted' }, location.origin);
}

function startSession(s) {
  session = s;
  person = s.person;
  clearTimeout(sessionTimer);
  sessionTimer = setTimeout(endSession, Math.max(0, s.expires_at - Date.now()));
}

async function endSession() {
  clearTimeout(sessionTimer);
  if (session) await kapi('POST', '/api/v1/kiosk/session/finish').catch(() => undefined);
  session = null;
  person = null;
  home();
}

async function mine() {
  const out = el('ul', { class: 'procedures', id: 'kiosk-dossiers' });
  screen('kiosk.mineTitle', out);
  try {
    const r = await kapi('GET', '/api/v1/kiosk/session/dossiers');
    out.replaceChildren(...(r.items.length ? r.items.map((d) => {
      let more = null;
      if (d.status === 'more-info') {
        more = el('button', { type: 'button', id: `kiosk-supplement-${d.code}` }, t('svc.supplement'));
        more.addEventListener('click', () => supplement(d).catch(() => mine()));
      }
      return el('li', { 'data-code': d.code },
        el('h3', {}, `${d.code} · ${name(d.procedure_name)}`),
        el('p', {}, el('strong', {}, t(`dossier.status.${d.status}`)), d.due_day ? ` · ${t('svc.due')}: ${date(d.due_day)}` : ''),
        more ? el('p', { class: 'notice' }, t('svc.asked', { reason: d.reason })) : null, more);
    }) : [el('li', {}, t('kiosk.noDossiers'))]));
  } catch (err) {
    if (err.status === 401) return endSession();
    out.replaceChildren(el('li', { class: 'notice error', role: 'alert' }, err.detail || t('error.generic')));
  }
}

// A typed field of a procedure's form at the kiosk (`value`: what the dossier holds already).
function kioskField(x, value) {
  const type = x.type === 'date' ? 'date' : x.type === 'integer' ? 'number' : 'text';
  const options = x.type === 'choice' ? [['', ''], ...x.choices.map((c) => [c, c])] : undefined;
  return field('kf', { name: x.name, label: name(x.label), type, required: x.required, options, value: value === undefined ? undefined : String(value) });
}

// The typed fields' values of a kiosk form, numbers for integer fields; empty ones left out.
function typedValues(form, typed) {
  const values = {};
  for (const { x } of typed) {
    const v = form.elements.namedItem(x.name)?.value?.trim();
    if (v) values[x.name] = x.type === 'integer' ? Number(v) : v;
  }
  return values;
}

// Shows a problem on a kiosk form, its fields named without the "form." of the API.
function kioskProblem(form, err) {
  if (Array.isArray(err.body?.errors))
    err.body.errors = err.body.errors.map((x) => ({ ...x, field: x.field.replace(/^form\./, '') }));
  showProblem(form, err);
}

// Answering an officer's request for more at the kiosk: the typed fields, with the dossier's
// values, sent again (POST …/supplements); documents are added on the citizen's page or at the
// counter, as the kiosk takes no scans.
async function supplement(d) {
  const proc = await api('GET', `/api/v1/procedures/${encodeURIComponent(d.procedure)}`);
  const typed = proc.form.filter((x) => !x.prefill).map((x) => ({ x, node: kioskField(x, d.form?.[x.name]) }));
  const form = el('form', { id: 'kiosk-supplement', novalidate: true },
    el('p', { class: 'notice', role: 'status' }, t('svc.asked', { reason: d.reason })),
    ...typed.map((y) => y.node),
    proc.paperless ? null : el('p', { class: 'hint' }, t('kiosk.supplementDocuments')),
    el('button', { type: 'submit', id: 'kiosk-supplement-submit' }, t('svc.supplement')));
  const out = el('p', { id: 'kiosk-supplement-result', role: 'status' });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await kapi('POST', `/api/v1/kiosk/session/dossiers/${encodeURIComponent(d.code)}/supplements`, { form: typedValues(form, typed) });
      form.hidden = true;
      out.textContent = t('svc.supplemented');
    } catch (err) {
      if (err.status === 401) return endSession();
      kioskProblem(form, err);
    }
  });
  screen('svc.supplement', form, out);
}

// A procedure's form at the kiosk: the register's values shown, only the rest typed.
async function apply(code) {
  let f;
  try {
    f = await kapi('GET', `/api/v1/kiosk/session/procedures/${encodeURIComponent(code)}/form`);
  } catch (err) {
    if (err.status === 401) return endSession();
    throw err;
  }
  if (!f.level_ok) {
    location.href = `/services/?kiosk=1&procedure=${encodeURIComponent(code)}`;
    return;
  }
  const filled = el('dl', { id: 'kiosk-filled' });
  const typed = [];
  for (const x of f.form) {
    if (x.prefill) {
      if (f.values[x.name] !== undefined) filled.append(el('dt', {}, name(x.label)), el('dd', {}, String(f.values[x.name])));
    } else {
      typed.push({ x, node: kioskField(x) });
    }
  }
  const form = el('form', { id: 'kiosk-apply', novalidate: true }, filled, ...typed.map((y) => y.node),
    el('button', { type: 'submit', id: 'kiosk-apply-submit' }, t('svc.submit')));
  const out = el('div', { id: 'kiosk-apply-result', role: 'status' });
  const key = newKey();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const d = await kapi('POST', '/api/v1/kiosk/session/dossiers', { procedure: code, form: typedValues(form, typed) }, { 'Idempotency-Key': key });
      const printB = el('button', { type: 'button', id: 'kiosk-receipt-print' }, t('kiosk.print'));
      printB.addEventListener('click', () => window.print());
      form.hidden = true;
      out.replaceChildren(el('div', { class: 'ticket', id: 'kiosk-receipt' },
        el('p', {}, t('kiosk.submitted')), el('p', { class: 'number', id: 'kiosk-dossier-code' }, d.code),
        el('p', {}, name(d.procedure_name))), printB);
    } catch (err) {
      if (err.status === 401) return endSession();
      kioskProblem(form, err);
    }
  });
  screen('svc.apply', form, out);
}

// /kiosk/?setup=1: an officer enters the kiosk's credential once.
function setup() {
  const form = el('form', { id: 'kiosk-setup' },
    field('ks', { name: 'key', label: t('kiosk.keyLabel'), hint: t('kiosk.keyHint'), required: true }),
    el('button', { type: 'submit' }, t('kiosk.keySave')));
  const out = el('p', { id: 'kiosk-setup-result', role: 'status' });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = form.elements.namedItem('key').value.trim();
    if (!/^dk_[0-9a-f]{64}$/.test(v)) {
      out.textContent = t('kiosk.keyBad');
      return;
    }
    try {
      localStorage.setItem('dd-kiosk-key', v);
      out.textContent = t('kiosk.keySaved');
    } catch {
      out.textContent = t('error.generic');
    }
  });
  screen('kiosk.setupTitle', form, out);
}

async function procedures() {
  const items = (await api('GET', '/api/v1/procedures')).items;
  screen('svc.catalogue', el('ul', { class: 'procedures', id: 'kiosk-procedures' },
    ...items.map((p) => {
      if (!session)
        return el('li', {}, el('h3', {}, name(p.name)),
          el('a', { class: 'button', href: `/services/?kiosk=1&procedure=${encodeURIComponent(p.code)}` }, t('svc.start')));
      const go = el('button', { type: 'button', 'data-start': p.code }, t('svc.start'));
      go.addEventListener('click', () => apply(p.code).catch(() => undefined));
      return el('li', {}, el('h3', {}, name(p.name)), go);
    })));
}

function home() {
  const b = (key, fn, id) => {
    const x = el('button', { type: 'button', id }, t(key));
    x.addEventListener('click', () => Promise.resolve(fn()).catch(() => undefined));
    return x;
  };
  main.replaceChildren(
    el('h1', { id: 'kiosk-title', tabindex: '-1' }, person ? t('kiosk.hello', { name: person.full_name || person.id_number }) : t('kiosk.welcome')),
    el('div', { class: 'kiosk-menu' },
      session ? null : b('kiosk.chipTitle', readChip, 'kiosk-chip'),
      session ? null : b('kiosk.identifyTitle', identify, 'kiosk-identify'),
      b('svc.lookup', lookup, 'kiosk-lookup-open'),
      b('kiosk.ticketTitle', ticket, 'kiosk-ticket'),
      b('svc.catalogue', procedures, 'kiosk-procedures-open'),
      session ? b('kiosk.mineTitle', mine, 'kiosk-mine')
        : el('a', { class: 'button', href: '/services/?kiosk=1', id: 'kiosk-mine' }, t('kiosk.mine')),
      session ? b('kiosk.finish', endSession, 'kiosk-finish') : null,
      new URLSearchParams(location.search).has('setup') ? b('kiosk.setupTitle', setup, 'kiosk-setup-open') : null));
  document.body.dataset.ready = 'true';
}

translate();
home();
