// checkin.js — the reception desk's check-in screen. One input takes what a 2D scanner types
// (the card's QR text, then Enter), an ID number typed by hand, or "P:NAT:NUMBER" for a passport
// (which opens the passport fields). Enter reports the stay; the input is cleared and focused
// again for the next guest. The list below shows the guests present, each with a check-out
// button. Esc clears the form. Everything works with the keyboard alone.
import { api, el, say } from '/api.js';
import { guestOf, stayRow, vi, whoAmI } from '/stay/stay.js';

const $ = (id) => document.getElementById(id);
const scan = $('scan');
const passport = $('passport');

function text(viText, enText) {
  return vi ? viText : enText;
}

async function loadGuests() {
  const page = await api('GET', '/api/v1/stays/guests?limit=500');
  const body = $('guests').tBodies[0];
  body.replaceChildren(
    ...page.items.map((s) =>
      stayRow(s, [
        el('td', {}, el('button', { type: 'button', class: 'secondary', 'data-checkout': s.id }, text('Trả phòng', 'Check out'))),
      ]),
    ),
  );
}

function clearForm() {
  $('checkin').reset();
  passport.hidden = true;
  scan.focus();
}

function guestBody() {
  const g = guestOf(scan.value);
  if (g === null) return null;
  if (g.passport) {
    g.passport.full_name = $('pp-name').value.trim();
    g.passport.sex = $('pp-sex').value;
    g.passport.birth_date = $('pp-birth').value;
    g.expected_departure = $('pp-until').value;
  } else if (g.id_number && $('name').value.trim()) {
    g.full_name = $('name').value.trim();
  }
  const room = $('room').value.trim();
  if (room) g.room = room;
  return g;
}

async function submit(ev) {
  ev.preventDefault();
  const g = guestOf(scan.value);
  if (g?.passport && passport.hidden) {
    passport.hidden = false;
    $('pp-name').focus();
    return;
  }
  const body = guestBody();
  if (body === null) {
    say($('error'), text('Không đọc được mã QR, số định danh hay hộ chiếu.', 'Not a QR text, an ID number or a passport line.'));
    scan.focus();
    return;
  }
  try {
    const r = await api('POST', '/api/v1/stays/checkins', body);
    const s = r.stay;
    const parts = [`${text('Đã báo lưu trú', 'Reported')}: ${s.full_name || s.id_number || s.passport_number}`];
    if (s.room) parts.push(`${text('phòng', 'room')} ${s.room}`);
    if (!s.verified) parts.push(text('chưa xác minh', 'unverified'));
    if (s.late) parts.push(text('báo muộn', 'late'));
    if (r.covered) parts.push(text('đã có thông báo người thân', 'covered by a relative notice'));
    say($('error'), '');
    say($('notice'), parts.join(' — '), 'ok');
    clearForm();
    await loadGuests();
  } catch (e) {
    say($('notice'), '');
    say($('error'), e.detail);
    scan.select();
  }
}

async function checkout(ev) {
  const id = ev.target.closest('button[data-checkout]')?.dataset.checkout;
  if (!id) return;
  try {
    const r = await api('POST', '/api/v1/stays/checkouts', { stay_id: Number(id) });
    say($('notice'), `${text('Đã trả phòng', 'Checked out')}: ${r.stay.full_name || r.stay.id_number}`, 'ok');
    await loadGuests();
    scan.focus();
  } catch (e) {
    say($('error'), e.detail);
  }
}

async function start() {
  if ((await whoAmI()) === null) return;
  try {
    const est = await api('GET', '/api/v1/stays/establishment');
    $('establishment').textContent = est.name;
    await loadGuests();
  } catch (e) {
    say($('error'), e.detail);
  }
  $('checkin').addEventListener('submit', submit);
  $('guests').addEventListener('click', checkout);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') clearForm();
  });
  $('main').setAttribute('aria-busy', 'false');
}

start();
