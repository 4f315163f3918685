// api.js — what the login and account pages share: the page's language (from <html lang>), calls
// to the JSON API that send that language as Accept-Language and the session's CSRF token on every
// change, RFC 9457 problems turned into an ApiError carrying the server's `detail`, messages
// shown in live regions so that screen readers announce them, and dates in Vietnam's time zone.

export const lang = document.documentElement.lang === 'en' ? 'en' : 'vi';
// Where this language's pages live: / for Vietnamese, /en/ for English.
export const base = lang === 'en' ? '/en/' : '/';

const networkText = {
  vi: 'Không kết nối được máy chủ. Hãy kiểm tra mạng rồi thử lại.',
  en: 'The server could not be reached. Check the connection and try again.',
}[lang];

// A refusal from the API: status, the problem type's slug ("invalid-credentials"), the server's
// detail (already in the page's language), the whole body, and for 429 the seconds to wait.
export class ApiError extends Error {
  constructor(status, body, headers) {
    super(body.detail || body.title || `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.type = String(body.type || '').replace(/^urn:dinhdanh:problem:/, '');
    this.detail = this.message;
    const header = Number(headers?.get('Retry-After'));
    const ms = Number(body.retry_after_ms);
    this.retryAfter = header > 0 ? header : ms > 0 ? Math.ceil(ms / 1000) : 0;
  }
}

let csrf = '';
// The session's CSRF token, sent as X-CSRF-Token on everything but GET.
export function setCsrf(token) {
  csrf = token || '';
}

// Calls the API; resolves to the parsed JSON body (null for 204), throws ApiError otherwise
// (status 0 when the server could not be reached).
export async function api(method, path, body) {
  const headers = { Accept: 'application/json', 'Accept-Language': lang };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, { detail: networkText });
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) throw new ApiError(res.status, data || {}, res.headers);
  return data;
}

// Shows `text` in a live region (role="alert" or role="status" in the page); an empty text hides
// it. The text is cleared first so that the same message said twice is announced twice.
export function say(region, text, kind = 'error') {
  const turn = (region.sayTurn = (region.sayTurn || 0) + 1);
  region.textContent = '';
  region.hidden = !text;
  region.classList.toggle('error', kind === 'error');
  region.classList.toggle('ok', kind === 'ok');
  if (text)
    setTimeout(() => {
      if (region.sayTurn === turn) region.textContent = text;
    }, 30);
}

const dateFormat = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'vi-VN', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Asia/Ho_Chi_Minh',
});

// "29/11/2026 14:21" for an ISO time; '' for none.
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateFormat.format(d);
}

// Creates an element with text or children: el('td', {class: 'x'}, 'text', child…).
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === undefined || v === null) continue;
    e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
