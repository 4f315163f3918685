// checkin.js — the reception desk's check-in screen (/stay/checkin.html, an establishment's staff).
// One input takes what a 2D scanner types (the card's QR text, then Enter), an ID number typed by
// hand, or "P:NAT:NUMBER" for a passport (which opens the passport fields). Enter reports the stay
// (POST /api/v1/stays/checkins); the result is said in a toast, the form is cleared and the focus
// returns to the scan box for the next guest. The server's refusals appear next to the fields
// they name, or at the top of the form, and the scan box's text is selected for a new scan. The
// table below lists the guests present (GET /api/v1/stays/guests), each with a check-out button
// (POST /api/v1/stays/checkouts). Esc clears the form. Everything works with the keyboard alone.
import { api } from '/lib/http.js';
import { parseDate, t } from '/lib/i18n.js';
import { section, showError, start } from '/lib/page.js';
import { clearErrors, dataTable, el, fieldError, toast } from '/lib/ui.js';
import { cursorQuery, fieldAt, guestOf, showStayProblem, stayColumns } from '/stay/stay.js';

// The API's fields → the form's controls.
const NAMES = {
  qr: 'scan', chip: 'scan', id_number: 'scan', passport: 'scan', 'passport.number': 'scan',
  'passport.nationality': 'scan',
};

function form() {
  const f = el('form', { id: 'checkin', novalidate: true },
    fieldAt('scan', { name: 'scan', label: t('checkin.scan'), hint: t('checkin.scanHint') }),
    fieldAt('room', { name: 'room', label: t('stay.room') }),
    fieldAt('name', { name: 'full_name', label: t('checkin.name'), hint: t('checkin.nameHint') }),
    el('fieldset', { id: 'passport', hidden: true },
      el('legend', {}, t('checkin.foreign')),
      fieldAt('pp-name', { name: 'passport.full_name', label: t('checkin.ppName') }),
      fieldAt('pp-sex', { name: 'passport.sex', label: t('checkin.ppSex'), options: [['male', t('value.sex.male')], ['female', t('value.sex.female')]] }),
      fieldAt('pp-birth', { name: 'passport.birth_date', label: t('checkin.ppBirth'), hint: t('stay.dateHint') }),
      fieldAt('pp-until', { name: 'expected_departure', label: t('checkin.ppUntil'), hint: t('stay.dateHint') })),
    el('button', { type: 'submit', class: 'primary' }, t('checkin.submit')));
  const scan = f.elements.scan;
  scan.setAttribute('autocapitalize', 'none');
  scan.setAttribute('spellcheck', 'false');
  return f;
}

// The body of the check-in, or null after marking what is wrong.
function body(f) {
  const g = guestOf(f.elements.scan.value);
  if (g === null) {
    fieldError(f, 'scan', t('checkin.unreadable'));
    return null;
  }
  const value = (name) => f.elements.namedItem(name).value.trim();
  if (g.passport) {
    for (const name of ['passport.birth_date', 'expected_departure']) {
      if (parseDate(value(name)) === null) {
        fieldError(f, name, t('stay.badDate'));
        return null;
      }
    }
    g.passport.full_name = value('passport.full_name');
    g.passport.sex = value('passport.sex');
    const birth = parseDate(value('passport.birth_date'));
    const until = parseDate(value('expected_departure'));
    if (birth) g.passport.birth_date = birth;
    if (until) g.expected_departure = until;
  } else if (g.id_number && value('full_name')) {
    g.full_name = value('full_name');
  }
  if (value('room')) g.room = value('room');
  return g;
}

// The sentence saying what the server recorded.
function said(r) {
  const s = r.stay || {};
  const parts = [t('checkin.done', { who: s.full_name || s.id_number || s.passport_number || '' })];
  if (s.room) parts.push(t('checkin.inRoom', { room: s.room }));
  if (r.stay && !s.verified) parts.push(t('stay.unverified'));
  if (s.late) parts.push(t('stay.late'));
  if (r.covered) parts.push(t('checkin.covered'));
  return parts.join(' — ');
}

start(async (ctx, main) => {
  const establishment = el('p', { class: 'lead', id: 'establishment' });
  main.append(establishment);
  const f = form();
  const scan = f.elements.scan;
  const passport = f.querySelector('#passport');
  const clear = () => {
    f.reset();
    clearErrors(f);
    passport.hidden = true;
    scan.focus();
  };

  const guests = dataTable({
    caption: { text: t('checkin.present'), hidden: true },
    id: 'guests',
    columns: stayColumns([{
      key: 'action', label: t('checkin.action'),
      render: (s) => el('button', { type: 'button', class: 'secondary', 'data-checkout': s.id,
        'aria-label': t('checkin.checkoutOf', { who: s.full_name || s.id_number || s.passport_number || '' }) }, t('checkin.checkout')),
    }]),
    load: (cursor) => api('GET', `/api/v1/stays/guests?limit=100${cursorQuery(cursor)}`),
    emptyText: t('checkin.noGuests'),
  });

  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(f);
    const g = guestOf(scan.value);
    if (g?.passport && passport.hidden) {
      passport.hidden = false;
      f.elements.namedItem('passport.full_name').focus();
      return;
    }
    const b = body(f);
    if (b === null) {
      f.querySelector('[aria-invalid="true"]')?.focus();
      if (document.activeElement === scan) scan.select();
      return;
    }
    try {
      const r = await api('POST', '/api/v1/stays/checkins', b);
      toast(said(r));
      clear();
      await guests.reload();
    } catch (err) {
      showStayProblem(f, err, NAMES);
      if (!f.querySelector('[aria-invalid="true"]') || scan.getAttribute('aria-invalid')) {
        scan.focus();
        scan.select();
      }
    }
  });

  guests.element.addEventListener('click', async (e) => {
    const id = e.target.closest('button[data-checkout]')?.dataset.checkout;
    if (!id) return;
    try {
      const r = await api('POST', '/api/v1/stays/checkouts', { stay_id: Number(id) });
      toast(t('checkin.checkedOut', { who: r.stay.full_name || r.stay.id_number || r.stay.passport_number || '' }));
      await guests.reload();
    } catch (err) {
      toast(err.detail || t('error.generic'), 'error');
    }
    scan.focus();
  });

  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !e.defaultPrevented && !document.querySelector('dialog[open]')) clear();
  });

  main.append(section('desk', 'checkin.title', f), section('present', 'checkin.present', guests.element));
  scan.focus();
  try {
    const est = await api('GET', '/api/v1/stays/establishment');
    establishment.textContent = est.name;
    await guests.reload();
  } catch (err) {
    showError(err);
  }
  scan.focus();
});
