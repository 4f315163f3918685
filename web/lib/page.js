// page.js — what each page of the frame starts with: boot the shell (sign-in, audience, header),
// then run the page's own code, showing any failure as an alert in <main> (a 401 on the way means
// the session ended: sign in again).
import { ApiError } from '/lib/http.js';
import { t } from '/lib/i18n.js';
import * as oidc from '/lib/oidc.js';
import { boot } from '/lib/shell.js';
import { el } from '/lib/ui.js';

export const main = () => document.getElementById('main');

// Shows an error of the API (its detail) or of the page at the top of <main>.
export function showError(err) {
  if (err instanceof ApiError && err.status === 401) {
    oidc.forget();
    oidc.start(location.pathname + location.search + location.hash);
    return;
  }
  const box = el('p', { class: 'notice error', role: 'alert' }, err?.detail || t('error.generic'));
  main().prepend(box);
  if (!(err instanceof ApiError)) console.error(err);
}

// A section with a heading (h2, focusable for moves after actions) and content.
export function section(id, titleKey, ...content) {
  return el('section', { id, 'aria-labelledby': `${id}-title` },
    el('h2', { id: `${id}-title`, tabindex: '-1' }, t(titleKey)), ...content);
}

// A definition list of [label, value] pairs, skipping empty values.
export function facts(pairs, attrs = {}) {
  const dl = el('dl', { class: 'facts', ...attrs });
  for (const [label, value, id] of pairs) {
    if (value === '' || value === null || value === undefined) continue;
    dl.append(el('dt', {}, label), el('dd', id ? { id } : {}, value));
  }
  return dl;
}

// Runs a page: run(ctx) after the shell has booted.
export async function start(run) {
  let ctx;
  try {
    ctx = await boot();
  } catch (err) {
    showError(err);
    return;
  }
  if (!ctx) return;
  const m = main();
  m.append(el('h1', { class: 'page-title', id: 'page-title', tabindex: '-1' }, t(document.body.dataset.title)));
  try {
    await run(ctx, m);
  } catch (err) {
    showError(err);
  }
  document.body.dataset.ready = 'true';
}
