/* JSON requests to the gateway: same-origin cookies, the CSRF header on writes, errors as ApiError. */
import { goToLogin } from './page.js';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute('content') || '' : '';
}

function requestInit(method, body, extra) {
  const init = { method: method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (method !== 'GET' && method !== 'HEAD') {
    init.headers['Content-Type'] = 'application/json';
    init.headers['X-CSRF-Token'] = csrfToken();
    init.body = JSON.stringify(body === undefined ? {} : body);
  }
  return extra ? Object.assign(init, extra) : init;
}

function signedOut(response) {
  return response.status === 401 || (response.redirected && /\/console\/login(?:$|[?#])/.test(response.url));
}

async function jsonOf(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch (err) {
    return null;
  }
}

/**
 * JSON request; throws ApiError with the server's message. `extra` adds fetch options (keepalive).
 * Resolves to the parsed body, {} for an empty one (so callers can read fields), null for a 204.
 */
export async function api(method, path, body, extra) {
  let response;
  try {
    response = await fetch(path, requestInit(method, body, extra));
  } catch (err) {
    throw new ApiError(0, 'network', 'Cannot reach the server. Check the connection and try again.');
  }
  if (signedOut(response)) {
    goToLogin();
    throw new ApiError(401, 'not_signed_in', 'Your session has ended. Please sign in again.');
  }
  if (response.status === 204) return null;
  const data = await jsonOf(response);
  if (!response.ok) {
    const message = data && typeof data.message === 'string' && data.message ? data.message : 'The server answered with an error (HTTP ' + response.status + ').';
    throw new ApiError(response.status, (data && data.error) || 'http_' + response.status, message);
  }
  return data || {};
}
