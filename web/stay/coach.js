// coach.js — a coach operator's passenger manifest (/stay/coach.html, an establishment's staff):
// create a trip (POST /api/v1/stays/trips: plate, route, departure typed dd/mm/yyyy HH:MM in
// Vietnam's time), pick one of the operator's trips (GET /api/v1/stays/trips), scan each
// passenger's card (or type the ID number) with their seat (POST …/trips/{id}/passengers), and
// record the departure after a confirmation (POST …/trips/{id}/departure), which freezes the
// manifest. The server's refusals appear next to the fields they name.
import { api } from '/lib/http.js';
import { dateTime, number, parseDateTime, t } from '/lib/i18n.js';
import { section, showError, start } from '/lib/page.js';
import { clearErrors, confirmAction, el, empty, fieldError, toast } from '/lib/ui.js';
import { documentOf, fieldAt, guestOf, showStayProblem } from '/stay/stay.js';

const PASSENGER_NAMES = { qr: 'scan', chip: 'scan', id_number: 'scan' };

function tripForm() {
  return el('form', { id: 'new-trip', novalidate: true },
    fieldAt('plate', { name: 'plate', label: t('coach.plate'), required: true }),
    fieldAt('route', { name: 'route', label: t('coach.route'), required: true }),
    fieldAt('departs', { name: 'departs_at', label: t('coach.departs'), required: true, hint: t('coach.departsHint') }),
    el('button', { type: 'submit', class: 'primary' }, t('coach.create')));
}

function boardForm() {
  const f = el('form', { id: 'board', novalidate: true },
    fieldAt('scan', { name: 'scan', label: t('coach.scan') }),
    fieldAt('seat', { name: 'seat', label: t('coach.seat') }),
    el('button', { type: 'submit', class: 'primary' }, t('coach.board')));
  f.elements.scan.setAttribute('spellcheck', 'false');
  f.elements.seat.setAttribute('maxlength', '10');
  return f;
}

// The manifest's table: seat, name, document, verified.
function manifestTable(list) {
  const head = ['coach.seat', 'stay.name', 'stay.document', 'coach.verified'];
  const rows = list.map((p) => el('tr', {},
    ...[p.seat || '—', p.full_name || '—', documentOf(p), p.verified ? t('coach.yes') : t('coach.no')]
      .map((v, i) => el('td', { 'data-label': t(head[i]) }, v))));
  if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: head.length, class: 'empty' }, t('coach.noPassengers'))));
  return el('table', { class: 'list data', id: 'manifest' },
    el('caption', { class: 'sr-only' }, t('coach.manifest')),
    el('thead', {}, el('tr', {}, ...head.map((k) => el('th', { scope: 'col' }, t(k))))),
    el('tbody', {}, ...rows));
}

start(async (ctx, main) => {
  const establishment = el('p', { class: 'lead', id: 'establishment' });
  const create = tripForm();
  const board = boardForm();
  const pick = fieldAt('trip', { name: 'trip', label: t('coach.pick'), options: [] });
  const select = pick.querySelector('select');
  const state = el('p', { id: 'trip-state', 'aria-live': 'polite' });
  const depart = el('button', { type: 'button', id: 'depart', class: 'secondary' }, t('coach.depart'));
  const manifest = el('div', { id: 'manifest-host' });
  const none = empty(t('coach.noTrips'));
  const trip = () => select.value;

  async function loadTrip() {
    if (!trip()) {
      for (const x of [pick, board, depart, state, manifest]) x.hidden = true;
      none.hidden = false;
      return;
    }
    none.hidden = true;
    for (const x of [pick, state, manifest]) x.hidden = false;
    const tr = await api('GET', `/api/v1/stays/trips/${encodeURIComponent(trip())}`);
    state.textContent = tr.frozen ? t('coach.frozen') : t('coach.open', { n: number(tr.passengers) });
    board.hidden = tr.frozen;
    depart.hidden = tr.frozen;
    manifest.replaceChildren(manifestTable(tr.manifest || []));
  }

  async function loadTrips(chosen) {
    const page = await api('GET', '/api/v1/stays/trips?limit=100');
    select.replaceChildren(...page.items.map((x) =>
      el('option', { value: x.id }, `${x.plate} — ${x.route} — ${dateTime(x.departs_at)}`)));
    if (chosen) select.value = String(chosen);
    await loadTrip();
  }

  create.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(create);
    const v = (name) => create.elements.namedItem(name).value.trim();
    const departs = parseDateTime(v('departs_at'));
    if (!departs) {
      fieldError(create, 'departs_at', t('coach.badDeparts'));
      create.elements.namedItem('departs_at').focus();
      return;
    }
    try {
      const tr = await api('POST', '/api/v1/stays/trips', { plate: v('plate'), route: v('route'), departs_at: departs });
      toast(t('coach.created', { plate: tr.plate }));
      create.reset();
      await loadTrips(tr.id);
      board.elements.scan.focus();
    } catch (err) {
      showStayProblem(create, err);
    }
  });

  board.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(board);
    const g = guestOf(board.elements.scan.value);
    if (g === null || g.passport) {
      fieldError(board, 'scan', t('coach.unreadable'));
      board.elements.scan.focus();
      return;
    }
    const seat = board.elements.seat.value.trim();
    if (seat) g.seat = seat;
    try {
      const p = await api('POST', `/api/v1/stays/trips/${encodeURIComponent(trip())}/passengers`, g);
      toast(t('coach.added', { who: p.full_name || p.id_number || '' }));
      board.reset();
      board.elements.scan.focus();
      await loadTrip();
    } catch (err) {
      showStayProblem(board, err, PASSENGER_NAMES);
    }
  });

  depart.addEventListener('click', async () => {
    if (!(await confirmAction(t('coach.departTitle'), t('coach.departText'), t('coach.departConfirm')))) return;
    try {
      await api('POST', `/api/v1/stays/trips/${encodeURIComponent(trip())}/departure`, {});
      toast(t('coach.departed'));
      await loadTrip();
      state.focus();
    } catch (err) {
      toast(err.detail || t('error.generic'), 'error');
    }
  });
  select.addEventListener('change', () => loadTrip().catch(showError));
  state.setAttribute('tabindex', '-1');

  await loadTrip(); // no trip chosen yet: only the empty state shows
  main.append(establishment,
    section('trip-new', 'coach.newTrip', create),
    section('trips', 'coach.trips', none, pick, state, board, el('p', { class: 'actions' }, depart), manifest));
  try {
    const est = await api('GET', '/api/v1/stays/establishment');
    establishment.textContent = est.name;
    await loadTrips();
  } catch (err) {
    showError(err);
  }
});
