// lgsp.js — the data-sharing gateway's console (docs/LGSP.md): usage and the exchange log, seen
// whole by the LGSP administrator or narrowed to one subsystem as a provider (its services) or a
// consumer (its calls); members and subsystems, suspension and reinstatement; services; rights,
// granted with a reason and an end and revoked with a reason. It stands in the web frame
// (web/lib/shell.js: sign-in, header, language); its texts are in web/i18n/*.js under `lgsp.`.
// Every call goes through the administration API with the officer's session.
import { api } from '/lib/http.js';
import { dateTime, t, translate } from '/lib/i18n.js';
import { start } from '/lib/page.js';
import { el } from '/lib/ui.js';

// Shows `text` in a live region (hidden when empty).
function say(region, text, kind = 'error') {
  region.textContent = text || '';
  region.hidden = !text;
  region.className = `notice ${text ? kind : ''}`.trim();
}

const $ = (id) => document.getElementById(id);
const value = (id) => $(id).value.trim();
let logNext = null;

function filter() {
  const q = new URLSearchParams();
  const sub = value('view-subsystem');
  const kind = $('view-kind').value;
  if (kind !== 'all' && sub) q.set(kind, sub);
  return q;
}

async function guarded(run) {
  try {
    await run();
    say($('error'), '');
  } catch (e) {
    say($('error'), e.detail);
  }
}

async function loadUsage() {
  const u = await api('GET', `/api/v1/lgsp/usage?${filter()}`);
  $('usage').tBodies[0].replaceChildren(
    ...u.items.map((x) =>
      el('tr', { 'data-usage': `${x.consumer} ${x.service}` },
        el('td', {}, x.consumer), el('td', {}, x.service), el('td', {}, String(x.calls)),
        el('td', {}, String(x.errors)), el('td', {}, String(x.refused)), el('td', {}, x.mean_ms.toFixed(2)),
        el('td', {}, x.alerting ? t('lgsp.spike') : '')),
    ),
  );
}

async function loadLog(cursor) {
  const q = filter();
  q.set('limit', '50');
  if (cursor) q.set('cursor', cursor);
  const page = await api('GET', `/api/v1/lgsp/log?${q}`);
  const rows = page.items.map((x) =>
    el('tr', { 'data-seq': x.seq },
      el('td', {}, String(x.seq)), el('td', {}, dateTime(x.at)), el('td', {}, x.consumer || '—'), el('td', {}, x.service),
      el('td', {}, `${x.method} ${x.path}`), el('td', {}, String(x.status)), el('td', {}, x.outcome), el('td', {}, String(x.duration_us))),
  );
  if (cursor) $('log').tBodies[0].append(...rows);
  else $('log').tBodies[0].replaceChildren(...rows);
  logNext = page.next_cursor;
  $('log-more-row').hidden = !logNext;
}

async function loadMembers() {
  const m = await api('GET', '/api/v1/lgsp/members?limit=500');
  $('members').replaceChildren(...m.items.map((x) => el('li', { 'data-member': x.code }, `${x.code} — ${x.name}`)));
  const s = await api('GET', '/api/v1/lgsp/subsystems?limit=500');
  $('subsystems').tBodies[0].replaceChildren(
    ...s.items.map((x) =>
      el('tr', { 'data-subsystem': x.id }, el('td', {}, x.id), el('td', {}, x.client_id || '—'),
        el('td', {}, x.suspended ? `${t('lgsp.suspended')}: ${x.suspend_reason}` : t('lgsp.active')))),
  );
}

async function loadServices() {
  const s = await api('GET', '/api/v1/lgsp/services?limit=500');
  $('services').tBodies[0].replaceChildren(
    ...s.items.map((x) =>
      el('tr', { 'data-service': x.id }, el('td', {}, `${x.id} — ${x.name}`), el('td', {}, x.upstream_url),
        el('td', {}, x.legal_basis), el('td', {}, x.consent_item || '—'), el('td', {}, String(x.quota_per_day || '—')),
        el('td', {}, String(x.rate_per_second || '—')))),
  );
}

async function loadRights() {
  const r = await api('GET', '/api/v1/lgsp/rights?limit=500');
  $('rights').tBodies[0].replaceChildren(
    ...r.items.map((x) => {
      const revoke = el('button', { type: 'button', 'data-revoke': x.id }, t('lgsp.revoke'));
      revoke.addEventListener('click', () => revokeRight(x.id));
      const state = x.revoked_at ? `${t('lgsp.revoked')}: ${x.revoke_reason}` : new Date(x.valid_until) < new Date() ? t('lgsp.ended') : t('lgsp.inForce');
      return el('tr', { 'data-right': x.id }, el('td', {}, String(x.id)), el('td', {}, x.consumer), el('td', {}, x.service),
        el('td', {}, x.operation), el('td', {}, x.valid_until.slice(0, 10)), el('td', {}, x.reason), el('td', {}, state),
        el('td', {}, x.revoked_at ? '' : revoke));
    }),
  );
}

async function revokeRight(id) {
  const reason = window.prompt(t('lgsp.revokeWhy'));
  if (!reason) return;
  await guarded(async () => {
    await api('POST', `/api/v1/lgsp/rights/${id}/revocation`, { reason });
    say($('notice'), t('lgsp.rightRevoked', { id }), 'ok');
    await loadRights();
  });
}

function onSubmit(id, run) {
  $(id).addEventListener('submit', (ev) => {
    ev.preventDefault();
    guarded(run);
  });
}

start(async (_ctx, main) => {
  const view = document.getElementById('console').content.cloneNode(true);
  translate(view);
  main.append(view);
  onSubmit('view', async () => {
    await loadUsage();
    await loadLog(null);
  });
  $('log-more').addEventListener('click', () => guarded(() => loadLog(logNext)));
  onSubmit('member-form', async () => {
    await api('POST', '/api/v1/lgsp/members', { code: value('member-code'), name: value('member-name') });
    say($('notice'), t('lgsp.memberAdded'), 'ok');
    await loadMembers();
  });
  onSubmit('subsystem-form', async () => {
    const s = await api('POST', '/api/v1/lgsp/subsystems', { member: value('sub-member'), code: value('sub-code'), client_id: value('sub-client') });
    say($('notice'), t('lgsp.subsystemAdded', { id: s.id }), 'ok');
    await loadMembers();
  });
  const suspension = (path, done) => guarded(async () => {
    await api('POST', path, { consumer: value('suspend-consumer'), reason: value('suspend-reason') });
    say($('notice'), done, 'ok');
    await loadMembers();
  });
  onSubmit('suspend-form', () => suspension('/api/v1/lgsp/suspensions', t('lgsp.subsystemSuspended')));
  $('reinstate').addEventListener('click', () => suspension('/api/v1/lgsp/reinstatements', t('lgsp.subsystemReinstated')));
  onSubmit('service-form', async () => {
    const body = { subsystem: value('svc-subsystem'), code: value('svc-code'), name: value('svc-name'), upstream_url: value('svc-url'),
      legal_basis: value('svc-legal'), quota_per_day: Number(value('svc-quota') || 0) };
    if (value('svc-consent')) body.consent_item = value('svc-consent');
    const s = await api('POST', '/api/v1/lgsp/services', body);
    say($('notice'), t('lgsp.servicePublished', { id: s.id }), 'ok');
    await loadServices();
  });
  onSubmit('right-form', async () => {
    const r = await api('POST', '/api/v1/lgsp/rights', { consumer: value('right-consumer'), service: value('right-service'),
      operation: $('right-op').value, valid_until: value('right-until'), reason: value('right-reason') });
    say($('notice'), t('lgsp.rightGranted', { id: r.id }), 'ok');
    await loadRights();
  });
  await guarded(async () => {
    await Promise.all([loadMembers(), loadServices(), loadRights(), loadUsage(), loadLog(null)]);
  });
});
