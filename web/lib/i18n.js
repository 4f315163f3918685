// i18n.js — the language of the pages built on the shared frame (lib/shell.js): Vietnamese by
// default, English when the person chose it (the language switch stores the choice in
// localStorage; ?lang=vi|en in the address wins and is stored). Every string comes from the
// dictionaries in /i18n/vi.js and /i18n/en.js through t(); the HTML marks what to fill with a
// data-i18n attribute naming the key (text) and data-i18n-attr as "attr:key;attr:key" (attributes). Dates, times,
// numbers and money follow the language's conventions: dd/mm/yyyy, 1.000.000 ₫ in Vietnamese.
import en from '/i18n/en.js';
import vi from '/i18n/vi.js';

const dictionaries = { vi, en };
const KEY = 'dd-lang';

function chosen() {
  const asked = new URLSearchParams(location.search).get('lang');
  if (asked === 'vi' || asked === 'en') {
    try {
      localStorage.setItem(KEY, asked);
    } catch {
      /* storage refused: the choice lasts for this page */
    }
    return asked;
  }
  try {
    const kept = localStorage.getItem(KEY);
    if (kept === 'vi' || kept === 'en') return kept;
  } catch {
    /* storage refused */
  }
  return 'vi';
}

export const lang = chosen();
document.documentElement.lang = lang;
const words = dictionaries[lang];

// The text of `key` in the page's language, with {name} replaced by params.name. A key missing
// from the English dictionary falls back to the Vietnamese one; a key missing everywhere is shown
// as itself, so that a gap is seen, never a blank.
export function t(key, params = {}) {
  const text = words[key] ?? vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (params[name] === undefined ? m : String(params[name])));
}

// Whether the dictionary has the key (for optional phrasings such as problem types).
export const has = (key) => key in words || key in vi;

// Stores another language and reloads the page in it.
export function switchLanguage(to) {
  try {
    localStorage.setItem(KEY, to);
  } catch {
    /* storage refused: the address carries it */
  }
  const u = new URL(location.href);
  u.searchParams.set('lang', to);
  location.assign(u.href);
}

// Fills the marked elements under `root` with their text.
export function translate(root = document) {
  for (const e of root.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const e of root.querySelectorAll('[data-i18n-attr]'))
    for (const pair of e.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) e.setAttribute(attr, t(key));
    }
  if (root === document && document.body.dataset.title) document.title = `${t(document.body.dataset.title)} — dinhdanh`;
}

const locale = lang === 'en' ? 'en-GB' : 'vi-VN';
const TZ = 'Asia/Ho_Chi_Minh';
const dateFmt = new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: TZ });
const timeFmt = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: TZ });
const numberFmt = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'vi-VN');

const pad = (n) => String(n).padStart(2, '0');

// A calendar date "YYYY-MM-DD" (or a partial "YYYY", "YYYY-MM", as the register may hold) as
// dd/mm/yyyy, mm/yyyy or yyyy; a full ISO time as its day in Vietnam; '' for none.
export function date(value) {
  if (!value) return '';
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(value);
  if (m) return m[3] ? `${m[3]}/${m[2]}/${m[1]}` : m[2] ? `${m[2]}/${m[1]}` : m[1];
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const parts = Object.fromEntries(dateFmt.formatToParts(d).map((p) => [p.type, p.value]));
  return `${pad(parts.day)}/${pad(parts.month)}/${parts.year}`;
}

// An ISO time as "dd/mm/yyyy HH:MM" in Vietnam's time zone.
export function dateTime(value) {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return `${date(value)} ${timeFmt.format(d)}`;
}

// 1000000 → "1.000.000" (Vietnamese) or "1,000,000" (English).
// The calendar day in Vietnam (UTC+7 all year) of a moment, as YYYY-MM-DD: the day the
// server's figures count it in. From 00:00 to 07:00 there it is already a day after UTC's.
export const vietnamDay = (d = new Date()) => new Date(d.getTime() + 7 * 3600000).toISOString().slice(0, 10);
export const number = (n) => numberFmt.format(n);

// 1000000 → "1.000.000 ₫": đồng have no minor unit.
export const money = (n) => `${numberFmt.format(Math.round(n))} ₫`;

// A day typed dd/mm/yyyy (as the pages ask in both languages) as "YYYY-MM-DD"; '' for an empty
// text; null when it is not a day of the calendar (31/02/2026).
export function parseDate(text) {
  const v = String(text ?? '').trim();
  if (!v) return '';
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  if (!m) return null;
  const iso = `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso ? iso : null;
}

// A time typed "dd/mm/yyyy HH:MM" in Vietnam's time zone as ISO text with its offset
// ("YYYY-MM-DDTHH:MM:00+07:00"); '' for an empty text; null when it is not one.
export function parseDateTime(text) {
  const v = String(text ?? '').trim();
  if (!v) return '';
  const m = /^(\S+)\s+(\d{1,2}):(\d{2})$/.exec(v);
  const day = m ? parseDate(m[1]) : null;
  if (!day || Number(m[2]) > 23 || Number(m[3]) > 59) return null;
  return `${day}T${m[2].padStart(2, '0')}:${m[3]}:00+07:00`;
}
