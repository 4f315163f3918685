// stay.js — what the stays screens (checkin, coach, police) share on top of the frame: how a
// scanned or typed line becomes a guest (a card's QR text, an ID number, or a passport line
// "P:NAT:NUMBER"), a labelled field with a chosen id (so that the desk's controls keep short ids
// such as #scan that its keyboard flow moves between), the server's field names mapped onto the
// form's controls before its problem is shown next to them, and the columns of a stay in a table.
import { dateTime, t } from '/lib/i18n.js';
import { field, showProblem } from '/lib/ui.js';

// The guest in a scanned or typed line: {qr}, {id_number}, or {passport: {number, nationality}}
// (the passport's other fields come from the form); null when it is none of them.
export function guestOf(line) {
  const s = line.trim();
  if (s.includes('|')) return { qr: s };
  if (/^(\d{12}|\d{9})$/.test(s)) return { id_number: s };
  const p = /^P:([A-Z]{3}):([A-Z0-9]{5,20})$/i.exec(s);
  if (p) return { passport: { nationality: p[1].toUpperCase(), number: p[2].toUpperCase() } };
  return null;
}

// ui.js's field() (label, control, hint, error line tied by aria-describedby) whose control has
// the id `id` instead of prefix-name; its hint and error lines follow (`id`-hint, `id`-error).
export function fieldAt(id, f) {
  const wrap = field('x', f);
  const control = wrap.querySelector('input, select, textarea');
  const old = control.id;
  control.id = id;
  wrap.querySelector('label').htmlFor = id;
  for (const suffix of ['hint', 'error']) {
    const line = wrap.querySelector(`#${CSS.escape(`${old}-${suffix}`)}`);
    if (line) line.id = `${id}-${suffix}`;
  }
  control.setAttribute('aria-describedby', control.getAttribute('aria-describedby').replaceAll(old, id));
  return wrap;
}

// Shows an ApiError in `form` (ui.js showProblem) after renaming each of its errors' fields by
// `names` (the API's field → the form control's name); a field not in `names` keeps its name.
export function showStayProblem(form, err, names = {}) {
  const errors = Array.isArray(err.body?.errors) ? err.body.errors : [];
  const mapped = errors.map((e) => ({ ...e, field: names[e.field] ?? e.field }));
  showProblem(form, { detail: err.detail, body: { ...err.body, errors: mapped } });
}

// A stay's guest document: the ID number, or the passport's nationality and number.
export const documentOf = (s) => s.id_number || `${s.nationality || ''} ${s.passport_number || ''}`.trim();

// A stay's notes: unverified, late, checked out.
export function notesOf(s) {
  const notes = [];
  if (!s.verified) notes.push(t('stay.unverified'));
  if (s.late) notes.push(t('stay.late'));
  if (s.departed_at) notes.push(t('stay.departed'));
  return notes.join(', ');
}

// The columns of a stay in a dataTable (room, name, document, arrival, notes), then `extra`.
export function stayColumns(extra = []) {
  return [
    { key: 'room', label: t('stay.room'), render: (s) => s.room || '—', sort: (s) => s.room || '' },
    { key: 'full_name', label: t('stay.name'), render: (s) => s.full_name || '—', sort: (s) => s.full_name || '' },
    { key: 'document', label: t('stay.document'), render: documentOf },
    { key: 'arrived_at', label: t('stay.arrived'), render: (s) => dateTime(s.arrived_at), sort: (s) => s.arrived_at },
    { key: 'notes', label: t('stay.notes'), render: notesOf },
    ...extra,
  ];
}

// The `cursor` query member of a list's next page, or ''.
export const cursorQuery = (cursor) => (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
