// http.js — calls to the platform's JSON API from the pages of the frame: the page's language as
// Accept-Language (so the server's problem+json `detail` and `errors[].message` come in it), the
// session's CSRF token on every change, and RFC 9457 problems turned into ApiError (api.js).
import { ApiError } from '/api.js';
import { lang, t } from '/lib/i18n.js';

export { ApiError };

let csrf = '';
// The session's CSRF token (from GET /api/v1/me), sent as X-CSRF-Token on everything but GET.
export function setCsrf(token) {
  csrf = token || '';
}

// Calls the API; resolves to the parsed JSON body (null for 204), throws ApiError otherwise
// (status 0 when the server could not be reached). `headers` adds request headers.
export async function api(method, path, body, headers = {}) {
  const h = { Accept: 'application/json', 'Accept-Language': lang, ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) h['X-CSRF-Token'] = csrf;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, { detail: t('error.network') });
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) throw new ApiError(res.status, data || { detail: t('error.http', { status: res.status }) }, res.headers);
  return data;
}

// Sends a file's bytes as the body (its own type, else application/octet-stream) and resolves to
// the parsed JSON reply, throwing ApiError as api() does.
export async function apiUpload(path, file) {
  const h = { Accept: 'application/json', 'Accept-Language': lang, 'Content-Type': file.type || 'application/octet-stream' };
  if (csrf) h['X-CSRF-Token'] = csrf;
  let res;
  try {
    res = await fetch(path, { method: 'POST', headers: h, body: file, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, { detail: t('error.network') });
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data || { detail: t('error.http', { status: res.status }) }, res.headers);
  return data;
}

// GETs a file (a scan, an export): resolves to its Blob, throwing ApiError as api() does.
export async function apiBlob(path, headers = {}) {
  let res;
  try {
    res = await fetch(path, { headers: { 'Accept-Language': lang, ...headers }, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, { detail: t('error.network') });
  }
  if (!res.ok) {
    const data = await res.json().catch(() => null);
    throw new ApiError(res.status, data || { detail: t('error.http', { status: res.status }) }, res.headers);
  }
  return res.blob();
}

// A key unique to one attempt of a change, for Idempotency-Key.
export const newKey = () => crypto.randomUUID();
