// police.js — the police console for stays: the daily list of a commune (or the officer's own),
// by day, late notifications only if asked, in pages; a person's stays; the watch-list alerts;
// the establishments that notified nothing today. Every read that shows people sends the purpose
// typed at the top, which the server writes into each person's access log.
import { api, el, say, when } from '/api.js';
import { getWithPurpose, stayRow, vi, whoAmI } from '/stay/stay.js';

const $ = (id) => document.getElementById(id);
let next = null;

const purpose = () => $('purpose').value.trim();

function query(cursor) {
  const q = new URLSearchParams({ limit: '100' });
  if ($('commune').value.trim()) q.set('commune', $('commune').value.trim());
  if ($('day').value) q.set('day', $('day').value);
  if ($('late').checked) q.set('late', 'true');
  if (cursor) q.set('cursor', cursor);
  return `/api/v1/stays/police/stays?${q}`;
}

async function loadDaily(cursor) {
  try {
    const page = await getWithPurpose(query(cursor), purpose());
    const rows = page.items.map((s) => stayRow(s, [el('td', {}, s.establishment_name || '')]));
    const body = $('stays').tBodies[0];
    if (cursor) body.append(...rows);
    else body.replaceChildren(...rows);
    next = page.next_cursor;
    $('more-row').hidden = !next;
    say($('error'), '');
    say($('notice'), vi ? `${body.rows.length} lượt lưu trú.` : `${body.rows.length} stays.`, 'ok');
  } catch (e) {
    say($('error'), e.detail);
  }
}

async function loadPerson(ev) {
  ev.preventDefault();
  const key = $('key').value.trim();
  try {
    const page = await getWithPurpose(`/api/v1/stays/police/people/${encodeURIComponent(key)}/stays?limit=100`, purpose());
    $('person-stays').tBodies[0].replaceChildren(...page.items.map((s) => stayRow(s, [el('td', {}, s.establishment_name || '')])));
    say($('notice'), vi ? `${page.items.length} lượt lưu trú của ${key}.` : `${page.items.length} stays of ${key}.`, 'ok');
  } catch (e) {
    say($('error'), e.detail);
  }
}

async function loadAlerts() {
  try {
    const page = await api('GET', '/api/v1/stays/police/alerts');
    $('alerts').replaceChildren(
      ...page.items.map((a) =>
        el('li', { 'data-alert': a.id }, `${when(a.created_at)} — ${a.full_name} (${a.id_number || a.passport_number}) — ${a.establishment_name}, ${vi ? 'phòng' : 'room'} ${a.room || '—'} — ${a.reason}`),
      ),
    );
  } catch (e) {
    say($('error'), e.detail);
  }
}

async function loadMissing() {
  try {
    const q = $('commune').value.trim() ? `?commune=${encodeURIComponent($('commune').value.trim())}` : '';
    const r = await api('GET', `/api/v1/stays/police/missing${q}`);
    $('missing').replaceChildren(...r.items.map((e) => el('li', { 'data-establishment': e.id }, `${e.name} — ${e.address}`)));
  } catch (e) {
    say($('error'), e.detail);
  }
}

async function start() {
  const me = await whoAmI();
  if (me === null) return;
  $('officer').textContent = me.account?.display_name || '';
  $('daily').addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadDaily(null);
  });
  $('more').addEventListener('click', () => loadDaily(next));
  $('person').addEventListener('submit', loadPerson);
  $('load-alerts').addEventListener('click', loadAlerts);
  $('load-missing').addEventListener('click', loadMissing);
  $('main').setAttribute('aria-busy', 'false');
}

start();
