// ui.js — the design system's behaviour (styles in /ui.css): elements, toasts, dialogs, forms
// that show the server's problem+json next to the fields it names, tables with sorting and
// paging, empty and loading states. Every text comes from the caller or from i18n.js.
import { t } from '/lib/i18n.js';

// Creates an element: el('td', {class: 'x'}, 'text', child…). `on*` attributes that are
// functions become listeners.
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === undefined || v === null) continue;
    if (typeof v === 'function' && k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

// --- toasts ------------------------------------------------------------------------------------

let toastRegion;
// Shows a short message at the bottom of the screen, said by screen readers (a polite status, or
// an alert for errors), gone after a few seconds or when its close button is pressed.
export function toast(text, kind = 'ok') {
  if (!toastRegion) {
    toastRegion = el('div', { class: 'toasts', 'aria-live': 'polite', 'aria-relevant': 'additions' });
    document.body.append(toastRegion);
  }
  const close = el('button', { type: 'button', class: 'toast-close', 'aria-label': t('ui.close') }, '×');
  const item = el('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, el('span', {}, text), close);
  close.addEventListener('click', () => item.remove());
  toastRegion.append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 10000 : 6000);
  return item;
}

// --- dialogs -----------------------------------------------------------------------------------

// Opens a modal <dialog> with a title, content (nodes) and buttons; resolves to the value of the
// button pressed, or null when it was closed (Escape, the close button). The focus moves into the
// dialog and back to where it was after. A button {value, label, kind, submit: true} submits the
// dialog's form: `onSubmit(form)` may refuse by returning false (after showing errors).
export function dialog({ title, content = [], buttons = [], onSubmit }) {
  return new Promise((resolve) => {
    const back = document.activeElement;
    const id = `dlg-${Math.random().toString(36).slice(2)}`;
    const form = el('form', { method: 'dialog', novalidate: true });
    const d = el(
      'dialog',
      { class: 'dialog', 'aria-labelledby': `${id}-t` },
      form,
    );
    form.append(
      el('div', { class: 'dialog-head' },
        el('h2', { id: `${id}-t` }, title),
        el('button', { type: 'button', class: 'toast-close', 'aria-label': t('ui.close'), onclick: () => d.close('') }, '×')),
      el('div', { class: 'dialog-body' }, ...content),
      el('p', { class: 'actions' }, ...buttons.map((b) =>
        el('button', { type: b.submit ? 'submit' : 'button', value: b.value, class: b.kind || 'secondary', 'data-value': b.value,
          onclick: b.submit ? undefined : () => d.close(b.value) }, b.label))),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const button = e.submitter;
      if (onSubmit) {
        form.setAttribute('aria-busy', 'true');
        for (const b of form.querySelectorAll('button')) b.disabled = true;
        let ok = false;
        try {
          ok = await onSubmit(form);
        } finally {
          form.removeAttribute('aria-busy');
          for (const b of form.querySelectorAll('button')) b.disabled = false;
        }
        if (ok === false) return;
      }
      d.close(button?.value || 'ok');
    });
    d.addEventListener('close', () => {
      d.remove();
      if (back && back.focus) back.focus();
      resolve(d.returnValue || null);
    });
    document.body.append(d);
    d.showModal();
    const first = d.querySelector('input, select, textarea') || d.querySelector('.actions button');
    first?.focus();
  });
}

// Asks to confirm an action; resolves true or false.
export async function confirmAction(title, text, confirmLabel, danger = false) {
  const v = await dialog({
    title,
    content: [el('p', {}, text)],
    buttons: [
      { value: 'no', label: t('ui.cancel') },
      { value: 'yes', label: confirmLabel, kind: danger ? 'danger' : 'primary' },
    ],
  });
  return v === 'yes';
}

// --- forms -------------------------------------------------------------------------------------

// A labelled field: {name, label, type, hint, required, options: [[value, label]…], value}.
// Returns the .field wrapper; its control has id `${prefix}-${name}`.
export function field(prefix, f) {
  const id = `${prefix}-${f.name}`;
  const hintId = `${id}-hint`;
  const errId = `${id}-error`;
  let control;
  const common = { id, name: f.name, 'aria-describedby': `${f.hint ? hintId + ' ' : ''}${errId}`, required: f.required };
  if (f.options) {
    control = el('select', common, ...f.options.map(([v, l]) => el('option', { value: v }, l)));
  } else if (f.type === 'textarea') {
    control = el('textarea', { ...common, rows: 3 });
  } else {
    control = el('input', { ...common, type: f.type || 'text', autocomplete: f.autocomplete || 'off' });
  }
  if (f.value !== undefined) control.value = f.value;
  return el('div', { class: 'field' },
    el('label', { for: id }, f.label, f.required ? el('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    control,
    f.hint ? el('p', { class: 'hint', id: hintId }, f.hint) : null,
    el('p', { class: 'field-error', id: errId, hidden: true }));
}

// Clears the errors shown in a form.
export function clearErrors(form) {
  for (const e of form.querySelectorAll('.field-error')) {
    e.hidden = true;
    e.textContent = '';
  }
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
  form.querySelector('.form-error')?.remove();
}

// Marks one field wrong with a message.
export function fieldError(form, name, message) {
  const c = form.elements.namedItem(name);
  if (!c) return false;
  c.setAttribute('aria-invalid', 'true');
  const e = form.querySelector(`#${CSS.escape(c.id)}-error`);
  if (e) {
    e.textContent = message;
    e.hidden = false;
  }
  return true;
}

// Shows an ApiError in a form: each `errors[]` member of a validation problem next to its field
// (the server's own message, in the page's language), the rest — and the problem's detail — in
// an alert at the top of the form. Focuses the first field at fault, or the alert.
export function showProblem(form, err) {
  clearErrors(form);
  const errors = Array.isArray(err.body?.errors) ? err.body.errors : [];
  const unplaced = [];
  for (const e of errors) if (!fieldError(form, e.field, e.message || e.code)) unplaced.push(e.message || e.code);
  const box = el('div', { class: 'notice error form-error', role: 'alert', tabindex: '-1' },
    el('p', {}, err.detail || t('error.generic')),
    unplaced.length ? el('ul', {}, ...unplaced.map((m) => el('li', {}, m))) : null);
  (form.querySelector('.dialog-body') || form).prepend(box);
  const first = form.querySelector('[aria-invalid="true"]');
  (first || box).focus();
}

// --- states ------------------------------------------------------------------------------------

// An empty state: a sentence saying there is nothing yet, and what would put something here.
export const empty = (text) => el('p', { class: 'empty' }, text);

// A loading state for a container; returns a function that removes it.
export function loading(container) {
  container.setAttribute('aria-busy', 'true');
  const spin = el('p', { class: 'loading', role: 'status' }, t('ui.loading'));
  container.append(spin);
  return () => {
    spin.remove();
    container.removeAttribute('aria-busy');
  };
}

// --- tables ------------------------------------------------------------------------------------

// A table of rows with columns [{key, label, render?(row) → node|string, sort?(row) → value}],
// sortable by each column that has `sort` (a button in the header; aria-sort says the order), and
// paged: `load(cursor)` resolves to {items, next_cursor}; "more" fetches the next page. `filter`
// (optional, changeable with .refilter()) hides rows that do not pass. Returns {element, reload,
// refilter, rows()}.
export function dataTable({ caption, columns, load, filter, emptyText, id }) {
  let rows = [];
  let next = null;
  let sortKey = null;
  let sortDir = 1;
  let currentFilter = filter || (() => true);
  const tbody = el('tbody');
  const headers = columns.map((c) => {
    const th = el('th', { scope: 'col' });
    if (c.sort) {
      const b = el('button', { type: 'button', class: 'sort' }, c.label);
      b.addEventListener('click', () => {
        sortDir = sortKey === c.key ? -sortDir : 1;
        sortKey = c.key;
        paint();
      });
      th.append(b);
    } else th.append(c.label);
    return th;
  });
  const table = el('table', { class: 'list data', id },
    el('caption', { class: caption.hidden ? 'sr-only' : '' }, caption.text || caption),
    el('thead', {}, el('tr', {}, ...headers)), tbody);
  const status = el('p', { class: 'table-status', role: 'status' });
  const more = el('button', { type: 'button', class: 'secondary more', hidden: true }, t('ui.more'));
  const wrap = el('div', { class: 'table-wrap' }, table, status, more);

  function paint() {
    headers.forEach((th, i) => {
      const c = columns[i];
      if (c.sort) th.setAttribute('aria-sort', sortKey === c.key ? (sortDir > 0 ? 'ascending' : 'descending') : 'none');
    });
    let shown = rows.filter(currentFilter);
    if (sortKey) {
      const col = columns.find((c) => c.key === sortKey);
      shown = [...shown].sort((a, b) => {
        const x = col.sort(a);
        const y = col.sort(b);
        return (x < y ? -1 : x > y ? 1 : 0) * sortDir;
      });
    }
    tbody.replaceChildren(
      ...shown.map((r) =>
        el('tr', {}, ...columns.map((c) => el('td', { 'data-label': c.label }, c.render ? c.render(r) : r[c.key] ?? '')))),
    );
    if (!shown.length) tbody.append(el('tr', {}, el('td', { colspan: columns.length, class: 'empty' }, emptyText)));
    status.textContent = rows.length ? t('ui.shown', { shown: shown.length, loaded: rows.length }) : '';
    more.hidden = !next;
  }

  async function page(cursor) {
    const done = loading(wrap);
    more.disabled = true;
    try {
      const r = await load(cursor);
      rows = cursor ? rows.concat(r.items) : r.items;
      next = r.next_cursor;
      paint();
    } finally {
      more.disabled = false;
      done();
    }
  }
  more.addEventListener('click', () => page(next));
  return {
    element: wrap,
    reload: () => page(null),
    refilter(f) {
      currentFilter = f;
      paint();
    },
    rows: () => rows,
  };
}
