/* The widget's elements, and the small view operations every part of it uses. */
'use strict';

// A block, not a function: its names stay out of the page's globals (a classic script in strict mode).
{
  const parts = (window.deskbotWidgetParts = window.deskbotWidgetParts || {});

  const { localize } = parts.i18n;
  const { state, STATUS_OFFLINE, STATUS_ONLINE } = parts.state;

  const ui = {}; // filled by view.js build()

  function isNearBottom(slack) {
    const m = ui.messages;
    if (!m) return true;
    return m.scrollHeight - m.scrollTop - m.clientHeight < (slack || 80);
  }

  function scrollToBottom(smooth) {
    const m = ui.messages;
    if (!m) return;
    if (smooth && m.scrollTo) m.scrollTo({ top: m.scrollHeight, behavior: 'smooth' });
    else {
      const prev = m.style.scrollBehavior;
      m.style.scrollBehavior = 'auto';
      m.scrollTop = m.scrollHeight;
      m.style.scrollBehavior = prev;
    }
    ui.jump.hidden = true;
  }

  /** The greeting ("Hi there!") shows only while there are no messages. */
  function updateEmpty() {
    ui.empty.hidden = !!ui.messages.querySelector('.dsk-msg');
  }

  let unread = 0;

  function unreadCount() {
    return unread;
  }

  /** The launcher's badge: replies that came while the panel was closed. */
  function setUnread(n) {
    unread = n;
    if (!ui.badge) return;
    ui.badge.hidden = n <= 0;
    ui.badge.textContent = n > 9 ? '9+' : String(n);
  }

  function setStatus(s) {
    state.status = s;
    if (!ui.status) return;
    localize(ui.status, { text: 'status_' + s });
    ui.statusLine.setAttribute('data-state', s === STATUS_ONLINE ? 'online' : s === STATUS_OFFLINE ? 'offline' : 'reconnecting');
  }

  parts.ui = { ui, isNearBottom, scrollToBottom, updateEmpty, unreadCount, setUnread, setStatus };
}
