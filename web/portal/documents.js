// documents.js — "My documents" (/portal/documents.html), the citizen's e-document wallet: the
// documents issued to them (GET /api/v1/me/wallet/documents: title, issuer, state, dates and the
// claims in clear), each one's printable copy (…/documents/{id}/rendering, opened in a new tab),
// a presentation of the claims they tick (POST …/documents/{id}/presentations: a short-lived link
// to the public verify page and its QR code, with the time it ends and "revoke"), and their
// presentations with "revoke" for the active ones (GET /api/v1/me/wallet/presentations, POST
// …/presentations/{id}/revocations). The verify page itself (/wallet/verify.html) is public and
// stays outside the frame.
import { api } from '/lib/http.js';
import { date, dateTime, has, t } from '/lib/i18n.js';
import { facts, section, showError, start } from '/lib/page.js';
import { clearErrors, dataTable, el, empty, field, showProblem, toast } from '/lib/ui.js';

// The API's times are seconds since 1970.
const at = (s) => (s ? new Date(s * 1000).toISOString() : '');
const claimName = (k) => (has(`wallet.claim.${k}`) ? t(`wallet.claim.${k}`) : k);
const stateBadge = (prefix, s) => el('span', { class: `badge state-${s}` }, has(`${prefix}.${s}`) ? t(`${prefix}.${s}`) : s);

// A claim's value as text: register-style dates as dd/mm/yyyy, objects as JSON.
function claimValue(v) {
  if (typeof v === 'string') return /^\d{4}-\d{2}-\d{2}$/.test(v) ? date(v) : v;
  return JSON.stringify(v);
}

const TTLS = [[600, 'wallet.ttl.10m'], [3600, 'wallet.ttl.1h'], [86400, 'wallet.ttl.24h']];

// The card of one document: its facts, its claims as ticks, the ttl, "create link", "print".
function documentCard(doc, onPresent) {
  const prefix = `doc-${doc.id}`;
  const rows = Object.entries(doc.claims || {}).map(([k, v], i) => {
    const id = `${prefix}-c${i}`;
    return el('tr', {},
      el('td', {}, el('input', { type: 'checkbox', id, name: 'claim', value: k, disabled: doc.state !== 'valid' })),
      el('th', { scope: 'row' }, el('label', { for: id }, claimName(k))),
      el('td', { class: 'claim-value' }, claimValue(v)));
  });
  const table = el('table', { class: 'claims', id: `${prefix}-claims` },
    el('caption', {}, t('wallet.claims')),
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col' }, el('span', { class: 'sr-only' }, t('wallet.pick'))),
      el('th', { scope: 'col' }, t('wallet.claim')),
      el('th', { scope: 'col' }, t('wallet.value')))),
    el('tbody', {}, ...rows));
  const form = el('form', { class: 'present', novalidate: true, 'aria-label': t('wallet.presentLabel', { title: doc.title }) },
    el('p', { class: 'hint' }, t('wallet.pickHint')),
    el('div', { class: 'field', 'data-field': 'claims' }, table, el('p', { class: 'field-error', id: `${prefix}-claims-error`, hidden: true })),
    field(prefix, { name: 'ttl_seconds', label: t('wallet.ttl'), options: TTLS.map(([s, k]) => [String(s), t(k)]) }),
    el('p', { class: 'actions' },
      doc.state === 'valid' ? el('button', { type: 'submit', class: 'primary', id: `${prefix}-present` }, t('wallet.present')) : null,
      el('a', { class: 'button secondary', href: `/api/v1/me/wallet/documents/${encodeURIComponent(doc.id)}/rendering`,
        target: '_blank', rel: 'noopener', id: `${prefix}-print` }, t('wallet.print'))));
  // The line under the claims says when none is ticked (checked here, before sending).
  const first = form.querySelector('input[name="claim"]');
  if (first) first.setAttribute('aria-describedby', `${prefix}-claims-error`);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const claims = [...form.querySelectorAll('input[name="claim"]:checked')].map((i) => i.value);
    if (!claims.length) {
      const box = form.querySelector(`#${CSS.escape(prefix)}-claims-error`);
      box.textContent = t('wallet.pickOne');
      box.hidden = false;
      first?.setAttribute('aria-invalid', 'true');
      first?.focus();
      return;
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const p = await api('POST', `/api/v1/me/wallet/documents/${encodeURIComponent(doc.id)}/presentations`,
        { claims, ttl_seconds: Number(form.elements.ttl_seconds.value) });
      await onPresent(p, doc);
    } catch (err) {
      showProblem(form, err);
    } finally {
      button.disabled = false;
    }
  });
  return el('li', { class: 'card doc', 'data-doc': doc.id },
    el('h3', { class: 'card-title' }, doc.title, ' ', stateBadge('wallet.state', doc.state)),
    facts([
      [t('wallet.issuer'), doc.issuer_name || doc.issuer],
      [t('wallet.issued'), date(at(doc.issued_at))],
      [t('wallet.validUntil'), doc.expires_at ? date(at(doc.expires_at)) : t('wallet.noEnd')],
      [t('wallet.reference'), el('code', {}, doc.id)],
    ], { class: 'facts compact' }),
    form);
}

async function revoke(p) {
  await api('POST', `/api/v1/me/wallet/presentations/${encodeURIComponent(p.id)}/revocations`, {});
  toast(t('wallet.revoked'));
}

start(async (ctx, main) => {
  main.append(el('p', { class: 'lead' }, t('wallet.lead')),
    el('p', {}, t('wallet.verifyText'), ' ', el('a', { href: '/wallet/verify.html', id: 'verify-link' }, t('wallet.verifyLink'))));
  const titles = new Map();

  // The link just made: shown until revoked or replaced.
  const share = el('section', { id: 'share', 'aria-labelledby': 'share-title', hidden: true });
  async function showShare(p, doc) {
    const svg = new DOMParser().parseFromString(p.qr_svg, 'image/svg+xml').documentElement;
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', t('wallet.qr'));
    const rev = el('button', { type: 'button', class: 'danger', id: 'share-revoke' }, t('wallet.revoke'));
    rev.addEventListener('click', async () => {
      rev.disabled = true;
      try {
        await revoke(p);
        share.hidden = true;
        await presentations.reload();
        document.getElementById('presentations-title').focus();
      } catch (err) {
        rev.disabled = false;
        showError(err);
      }
    });
    share.replaceChildren(
      el('h2', { id: 'share-title', tabindex: '-1' }, t('wallet.shareTitle')),
      el('p', {}, t('wallet.shareText', { title: doc.title })),
      facts([
        [t('wallet.shown'), p.claims.map(claimName).join(', '), 'share-claims'],
        [t('wallet.until'), dateTime(at(p.expires_at)), 'share-until'],
      ]),
      el('figure', { class: 'qr', id: 'share-qr' }, svg),
      el('p', {}, el('a', { href: p.url, id: 'share-link', target: '_blank', rel: 'noopener' }, p.url)),
      el('p', { class: 'actions' }, rev));
    share.hidden = false;
    share.querySelector('#share-title').focus();
    await presentations.reload();
  }

  const list = el('ul', { class: 'cards', id: 'doc-list' });
  const more = el('button', { type: 'button', class: 'secondary more', hidden: true }, t('ui.more'));
  let cursor = null;
  async function load(next) {
    const page = await api('GET', `/api/v1/me/wallet/documents?limit=50${next ? `&cursor=${encodeURIComponent(next)}` : ''}`);
    if (!next) list.replaceChildren();
    for (const d of page.items) {
      titles.set(d.id, d.title);
      list.append(documentCard(d, showShare));
    }
    if (!list.children.length) list.append(el('li', {}, empty(t('wallet.none'))));
    cursor = page.next_cursor;
    more.hidden = !cursor;
  }
  more.addEventListener('click', () => load(cursor).catch(showError));

  const presentations = dataTable({
    caption: { text: t('wallet.presentations'), hidden: true },
    id: 'presentation-table',
    columns: [
      { key: 'created_at', label: t('wallet.created'), render: (r) => dateTime(at(r.created_at)), sort: (r) => r.created_at },
      { key: 'document', label: t('wallet.document'), render: (r) => titles.get(r.document) || r.document },
      { key: 'claims', label: t('wallet.shown'), render: (r) => r.claims.map(claimName).join(', ') },
      { key: 'expires_at', label: t('wallet.until'), render: (r) => dateTime(at(r.expires_at)), sort: (r) => r.expires_at },
      { key: 'state', label: t('wallet.linkState'), render: (r) => stateBadge('wallet.linkState', r.state), sort: (r) => r.state },
      { key: 'actions', label: t('wallet.actions'), render: (r) => {
        if (r.state !== 'active') return '';
        const b = el('button', { type: 'button', class: 'secondary', 'data-revoke': r.id,
          'aria-label': t('wallet.revokeLabel', { title: titles.get(r.document) || r.document, until: dateTime(at(r.expires_at)) }) }, t('wallet.revoke'));
        b.addEventListener('click', async () => {
          b.disabled = true;
          try {
            await revoke(r);
            if (document.querySelector('#share-link')?.getAttribute('href') === r.url) share.hidden = true;
            await presentations.reload();
            document.getElementById('presentations-title').focus();
          } catch (err) {
            b.disabled = false;
            showError(err);
          }
        });
        return b;
      } },
    ],
    load: (next) => api('GET', `/api/v1/me/wallet/presentations?limit=100${next ? `&cursor=${encodeURIComponent(next)}` : ''}`),
    emptyText: t('wallet.noPresentations'),
  });

  main.append(share,
    section('documents', 'wallet.documents', list, more),
    section('presentations', 'wallet.presentations', el('p', {}, t('wallet.presentationsText')), presentations.element));
  await load(null);
  await presentations.reload();
});
