// coach.js — a coach operator's manifest page: create a trip, pick it, scan each passenger's card
// (or type the ID number) with their seat, and record the departure, which freezes the manifest.
import { api, el, say, when } from '/api.js';
import { guestOf, vi, whoAmI } from '/stay/stay.js';

const $ = (id) => document.getElementById(id);

async function loadTrips(select) {
  const page = await api('GET', '/api/v1/stays/trips?limit=100');
  $('trip').replaceChildren(
    ...page.items.map((t) => el('option', { value: t.id }, `${t.plate} — ${t.route} — ${when(t.departs_at)}`)),
  );
  if (select) $('trip').value = String(select);
  await loadTrip();
}

async function loadTrip() {
  const id = $('trip').value;
  if (!id) return;
  const t = await api('GET', `/api/v1/stays/trips/${id}`);
  $('trip-state').textContent = t.frozen
    ? vi ? 'Đã khởi hành: danh sách đã khoá.' : 'Departed: the manifest is frozen.'
    : vi ? `Chưa khởi hành — ${t.passengers} hành khách.` : `Not departed — ${t.passengers} passengers.`;
  $('board').hidden = t.frozen;
  $('depart').hidden = t.frozen;
  $('manifest').tBodies[0].replaceChildren(
    ...t.manifest.map((p) =>
      el('tr', {}, el('td', {}, p.seat || '—'), el('td', {}, p.full_name || '—'), el('td', {}, p.id_number || `${p.nationality} ${p.passport_number}`), el('td', {}, p.verified ? '✓' : vi ? 'chưa' : 'no')),
    ),
  );
}

async function createTrip(ev) {
  ev.preventDefault();
  try {
    const local = $('departs').value; // YYYY-MM-DDTHH:MM, Vietnam's time
    const t = await api('POST', '/api/v1/stays/trips', { plate: $('plate').value.trim(), route: $('route').value.trim(), departs_at: `${local}:00+07:00` });
    say($('notice'), vi ? `Đã tạo chuyến ${t.plate}.` : `Trip ${t.plate} created.`, 'ok');
    await loadTrips(t.id);
    $('scan').focus();
  } catch (e) {
    say($('error'), e.detail);
  }
}

async function board(ev) {
  ev.preventDefault();
  const g = guestOf($('scan').value);
  if (g === null || g.passport) {
    say($('error'), vi ? 'Không đọc được mã QR hay số định danh.' : 'Not a QR text or an ID number.');
    return;
  }
  if ($('seat').value.trim()) g.seat = $('seat').value.trim();
  try {
    const p = await api('POST', `/api/v1/stays/trips/${$('trip').value}/passengers`, g);
    say($('error'), '');
    say($('notice'), `${vi ? 'Đã thêm' : 'Added'}: ${p.full_name || p.id_number}`, 'ok');
    $('board').reset();
    $('scan').focus();
    await loadTrip();
  } catch (e) {
    say($('error'), e.detail);
  }
}

async function depart() {
  try {
    await api('POST', `/api/v1/stays/trips/${$('trip').value}/departure`, {});
    say($('notice'), vi ? 'Đã ghi nhận khởi hành.' : 'Departure recorded.', 'ok');
    await loadTrip();
  } catch (e) {
    say($('error'), e.detail);
  }
}

async function start() {
  if ((await whoAmI()) === null) return;
  try {
    const est = await api('GET', '/api/v1/stays/establishment');
    $('establishment').textContent = est.name;
    await loadTrips();
  } catch (e) {
    say($('error'), e.detail);
  }
  $('new-trip').addEventListener('submit', createTrip);
  $('trip').addEventListener('change', loadTrip);
  $('board').addEventListener('submit', board);
  $('depart').addEventListener('click', depart);
  $('main').setAttribute('aria-busy', 'false');
}

start();
