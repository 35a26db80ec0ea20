/* The sidebar both consoles share: who is signed in, and the log-out button. */
import { api } from './api.js';
import { byId } from './dom.js';
import { initials } from './format.js';
import { LOGIN_URL, LOGOUT_URL, navigate } from './page.js';
import { reportError } from './toast.js';

/** Shows the signed-in user's name, role and initials (the page renders the name first). */
export function paintUser(me) {
  const nameEl = byId('user-name');
  const roleEl = byId('user-role');
  const avatarEl = byId('user-avatar');
  if (me) {
    if (nameEl && me.display_name) nameEl.textContent = me.display_name;
    if (roleEl && me.role) roleEl.textContent = me.role;
  }
  if (avatarEl && nameEl) avatarEl.textContent = initials(nameEl.textContent);
}

/** GET the signed-in user from `url` and paint it; null when that fails. */
export async function loadMe(url) {
  paintUser(null);
  let me = null;
  try {
    me = await api('GET', url);
  } catch (err) {
    reportError(err);
  }
  paintUser(me);
  return me;
}

export function initLogout() {
  const logout = byId('logout-btn');
  if (!logout) return;
  logout.addEventListener('click', async function () {
    logout.disabled = true;
    try {
      await api('POST', LOGOUT_URL, {});
    } catch (err) {
      if (err.status === 401) return; // already signed out: api() is on its way to the login page
    }
    navigate(LOGIN_URL);
  });
}
