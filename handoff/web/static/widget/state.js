/* What the widget knows about the conversation, shared by the transport and the view (no DOM here). */
'use strict';

// A block, not a function: its names stay out of the page's globals (a classic script in strict mode).
{
  const parts = (window.deskbotWidgetParts = window.deskbotWidgetParts || {});

  const SESSION_KEY = 'deskbot.session';
  const LANGUAGE_KEY = 'deskbot.language'; // the language the customer chose in the switcher
  const MAX_LEN = 2000;
  // Connection states; the words shown for them are in i18n.js (status_<state>).
  const STATUS_ONLINE = 'online';
  const STATUS_RECONNECTING = 'reconnecting';
  const STATUS_OFFLINE = 'offline';

  const state = {
    built: false,
    started: false,
    startRequested: false,
    isOpen: false,
    sessionId: null,
    maxId: 0, // the highest message id shown: the transport asks only for newer ones
    // client_id -> {clientId, text, payload, status: queued|sent|failed}: the customer's unconfirmed messages
    pending: new Map(),
    status: STATUS_OFFLINE,
    // The customer's own choice in the switcher ('en' | 'zh'), or null: every message then says it, so the
    // bot answers in it (a new conversation after a reset too). The UI's language itself is i18n.language().
    chosenLanguage: null,
  };

  function loadSession() {
    try {
      return window.localStorage.getItem(SESSION_KEY) || null;
    } catch (e) {
      return null;
    }
  }

  function saveSession(id) {
    try {
      if (id) window.localStorage.setItem(SESSION_KEY, id);
      else window.localStorage.removeItem(SESSION_KEY);
    } catch (e) {
      /* storage unavailable: the session just won't survive a reload */
    }
  }

  function loadLanguage() {
    try {
      return window.localStorage.getItem(LANGUAGE_KEY) || null;
    } catch (e) {
      return null;
    }
  }

  function saveLanguage(code) {
    try {
      window.localStorage.setItem(LANGUAGE_KEY, code);
    } catch (e) {
      /* storage unavailable: the choice lasts until the page is left */
    }
  }

  function newClientId() {
    const c = window.crypto;
    if (c && typeof c.randomUUID === 'function') {
      try {
        return c.randomUUID();
      } catch (e) {
        /* insecure context in some browsers */
      }
    }
    const bytes = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(bytes);
    else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  parts.state = { SESSION_KEY, LANGUAGE_KEY, MAX_LEN, STATUS_ONLINE, STATUS_RECONNECTING, STATUS_OFFLINE, state, loadSession, saveSession, loadLanguage, saveLanguage, newClientId };
}
