/* Leaving the page: once a navigation starts, no more toasts or requests. */

export const LOGIN_URL = '/console/login';
export const LOGOUT_URL = '/console/logout';

let leaving = false;

export function isLeaving() {
  return leaving;
}

export function navigate(url) {
  leaving = true;
  window.location.assign(url);
}

export function goToLogin() {
  if (!leaving) navigate(LOGIN_URL);
}
