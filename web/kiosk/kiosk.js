// kiosk.js — the kiosk mode (/kiosk/, model 2): a touch screen at a public-administration
// centre, usable without signing in. The citizen identifies by scanning the QR code of the chip
// ID card (its text: ID number|old ID number|full name|date of birth|sex|address|date of issue;
// a scanner types it into the focused field) or the e-identity QR holding the ID number; then:
// look a dossier up by its code (GET /api/v1/dossier-lookup), take a queue ticket and print it,
// browse the procedures, or start one — which signs in with the e-identity and opens the
// citizen's page in kiosk mode (/services/?kiosk=1), where the form comes filled from the
// register, the fee is paid by VietQR on screen, the receipt is printed and the service rated.
import { api } from '/lib/http.js';
import { date, lang, t, translate } from '/lib/i18n.js';
import { el, field } from '/lib/ui.js';

const main = document.getElementById('main');
const name = (o) => (o ? o[lang] || o.vi : '');
let person = null; // {id_number, full_name} read from a card or e-identity QR

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

function ticket() {
  const today = new Date().toISOString().slice(0, 10);
  let n = 1;
  try {
    const kept = JSON.parse(localStorage.getItem('dd-kiosk-ticket') || '{}');
    n = kept.day === today ? kept.n + 1 : 1;
    localStorage.setItem('dd-kiosk-ticket', JSON.stringify({ day: today, n }));
  } catch {
    /* storage refused: every ticket is number 1 until it works */
  }
  const printB = el('button', { type: 'button', id: 'ticket-print' }, t('kiosk.print'));
  printB.addEventListener('click', () => window.print());
  screen('kiosk.ticketTitle',
    el('div', { class: 'ticket', id: 'ticket' },
      el('p', {}, t('kiosk.ticketLead')), el('p', { class: 'number', id: 'ticket-number' }, String(n).padStart(3, '0')),
      el('p', {}, new Date().toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB')),
      person ? el('p', {}, person.full_name || person.id_number) : null),
    printB);
}

async function procedures() {
  const items = (await api('GET', '/api/v1/procedures')).items;
  screen('svc.catalogue', el('ul', { class: 'procedures', id: 'kiosk-procedures' },
    ...items.map((p) => el('li', {}, el('h3', {}, name(p.name)),
      el('a', { class: 'button', href: `/services/?kiosk=1&procedure=${encodeURIComponent(p.code)}` }, t('svc.start'))))));
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
      b('kiosk.identifyTitle', identify, 'kiosk-identify'),
      b('svc.lookup', lookup, 'kiosk-lookup-open'),
      b('kiosk.ticketTitle', ticket, 'kiosk-ticket'),
      b('svc.catalogue', procedures, 'kiosk-procedures-open'),
      el('a', { class: 'button', href: '/services/?kiosk=1', id: 'kiosk-mine' }, t('kiosk.mine'))));
  document.body.dataset.ready = 'true';
}

translate();
home();
