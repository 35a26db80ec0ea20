/* The conversation in the panel: messages placed by id, pending and failed sends, quick replies. */
'use strict';

// A block, not a function: its names stay out of the page's globals (a classic script in strict mode).
{
  const parts = (window.deskbotWidgetParts = window.deskbotWidgetParts || {});

  const { appendRichText, el, formatTime } = parts.dom;
  const { localize } = parts.i18n;
  const { MAX_LEN, newClientId, state } = parts.state;
  const { flushOutbox } = parts.transport;
  const { hideTyping, rememberAgent, stopCustomerTyping } = parts.typing;
  const { isNearBottom, scrollToBottom, setUnread, ui, unreadCount, updateEmpty } = parts.ui;

  const SENDERS = ['customer', 'bot', 'agent', 'system'];
  const byId = new Map(); // id -> element
  const byClientId = new Map(); // client_id -> element (customer messages we created)

  function makeMessageElement(sender, text) {
    const node = el('div', { className: 'dsk-msg dsk-from-' + sender });
    node._dsk = { sender: sender, buttons: [] };
    if (sender === 'agent') {
      node._dsk.senderEl = el('div', { className: 'dsk-sender' });
      node.appendChild(node._dsk.senderEl);
    }
    const textEl = el('div', { className: 'dsk-text' });
    appendRichText(textEl, text);
    node.appendChild(textEl);
    node._dsk.meta = el('div', { className: 'dsk-meta' });
    node.appendChild(node._dsk.meta);
    return node;
  }

  /** Under a message: a status from the catalogue (labelKey, e.g. 'sending'), then the time. */
  function setMeta(node, labelKey, iso) {
    const meta = node._dsk.meta;
    meta.textContent = '';
    const time = formatTime(iso);
    if (labelKey) meta.appendChild(localize(el('span'), { text: labelKey }));
    if (time) {
      const t = el('time', { text: time });
      if (iso) t.setAttribute('datetime', iso);
      if (labelKey) meta.appendChild(document.createTextNode(' \u00B7 '));
      meta.appendChild(t);
    }
  }

  // Place a server message by id: before the first shown message with a larger id, or before
  // the customer's still-pending messages (which the server has not numbered yet).
  function insertById(node, id) {
    const list = ui.messages;
    let before = null;
    for (const c of list.children) {
      if (!c._dsk) continue;
      const later = c._dsk.id != null && id != null && c._dsk.id > id;
      if (later || (c.classList.contains('dsk-pending') && c._dsk.id == null)) {
        before = c;
        break;
      }
    }
    list.insertBefore(node, before);
  }

  function normalizeId(v) {
    if (typeof v === 'number' && isFinite(v)) return v;
    if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
    return null;
  }

  function registerId(node, id) {
    if (id == null) return;
    node._dsk.id = id;
    node.setAttribute('data-id', String(id));
    byId.set(id, node);
    if (id > state.maxId) state.maxId = id;
  }

  function confirmPending(node, msg, id) {
    node.classList.remove('dsk-pending');
    node.classList.remove('dsk-failed');
    const cid = node._dsk.clientId;
    if (cid) state.pending.delete(cid);
    registerId(node, id);
    const retry = node.querySelector('.dsk-retry');
    if (retry) retry.remove();
    setMeta(node, '', msg.at || new Date().toISOString());
    if (typeof msg.text === 'string' && msg.text !== node._dsk.text) {
      appendRichText(node.querySelector('.dsk-text'), msg.text);
      node._dsk.text = msg.text;
    }
  }

  function messageNode(sender, msg, id, cid) {
    const node = makeMessageElement(sender, typeof msg.text === 'string' ? msg.text : '');
    node._dsk.text = msg.text;
    if (cid) {
      node._dsk.clientId = cid;
      node.setAttribute('data-client-id', cid);
      byClientId.set(cid, node);
    }
    if (sender === 'agent') {
      const name = typeof msg.agent_name === 'string' && msg.agent_name.trim() ? msg.agent_name.trim() : null;
      if (name) {
        rememberAgent(name);
        node._dsk.senderEl.textContent = name;
      } else localize(node._dsk.senderEl, { text: 'support_agent' });
    }
    node._dsk.buttons = Array.isArray(msg.buttons) ? msg.buttons.filter((b) => b && typeof b.title === 'string' && b.title) : [];
    registerId(node, id);
    setMeta(node, '', msg.at);
    return node;
  }

  /**
   * Render one server message. live=false for history (no unread count, no typing changes).
   * Returns true if something new was shown.
   */
  function handleMessage(msg, live) {
    if (!msg || typeof msg !== 'object') return false;
    const sender = SENDERS.indexOf(msg.sender) >= 0 ? msg.sender : 'system';
    const id = normalizeId(msg.id);
    if (id != null && byId.has(id)) return false; // already shown
    const cid = typeof msg.client_id === 'string' && msg.client_id ? msg.client_id : null;
    if (sender === 'customer' && cid && byClientId.has(cid)) {
      const node = byClientId.get(cid);
      if (node._dsk.id == null) {
        confirmPending(node, msg, id);
        refreshQuickReplies();
      }
      return false;
    }
    const wasNearBottom = isNearBottom();
    insertById(messageNode(sender, msg, id, cid), id);
    updateEmpty();
    refreshQuickReplies();
    if (live && (sender === 'bot' || sender === 'agent')) {
      hideTyping();
      if (!state.isOpen) setUnread(unreadCount() + 1);
    }
    if (wasNearBottom || sender === 'customer') scrollToBottom(live);
    else ui.jump.hidden = false;
    return true;
  }

  /** A line from the widget itself: text from the catalogue (key, vars), or as given (text). */
  function addSystemLine(line) {
    const node = makeMessageElement('system', line.text || '');
    if (line.key) localize(node.querySelector('.dsk-text'), { text: line.key }, line.vars);
    node._dsk.local = true;
    ui.messages.appendChild(node);
    updateEmpty();
    scrollToBottom(true);
  }

  function quickReplies(target) {
    const wrap = localize(el('div', { className: 'dsk-quick-replies', role: 'group' }), { 'aria-label': 'suggested_replies' });
    for (const b of target._dsk.buttons) {
      const btn = el('button', { className: 'dsk-quick-reply', type: 'button', text: b.title });
      btn.addEventListener('click', () => {
        wrap.remove();
        target._dsk.buttons = [];
        sendMessage(b.title, typeof b.payload === 'string' ? b.payload : null);
        ui.input.focus();
      });
      wrap.appendChild(btn);
    }
    return wrap;
  }

  // Quick replies belong to the latest bot message, and only until someone answers it.
  function refreshQuickReplies() {
    for (const old of ui.messages.querySelectorAll('.dsk-quick-replies')) old.remove();
    const items = ui.messages.querySelectorAll('.dsk-msg');
    let target = null;
    for (let i = items.length - 1; i >= 0; i--) {
      const d = items[i]._dsk;
      if (!d || d.sender === 'system') continue;
      if (d.sender === 'bot') target = items[i];
      break;
    }
    if (target && target._dsk.buttons.length) target.appendChild(quickReplies(target));
  }

  function clearConversation() {
    for (const node of ui.messages.querySelectorAll('.dsk-msg')) node.remove();
    byId.clear();
    byClientId.clear();
    state.pending.clear();
    state.maxId = 0;
    rememberAgent(null);
    hideTyping();
    setUnread(0);
    updateEmpty();
  }

  // Keep the customer's unsent messages, drop everything that came from the old session.
  function clearConfirmed() {
    for (const n of ui.messages.querySelectorAll('.dsk-msg')) {
      const cid = n._dsk && n._dsk.clientId;
      if (cid && state.pending.has(cid)) continue;
      if (cid) byClientId.delete(cid);
      n.remove();
    }
    byId.clear();
    state.maxId = 0;
    updateEmpty();
  }

  /** The customer's message goes in the panel at once (pending), and out when the transport can. */
  function sendMessage(rawText, payload) {
    const text = String(rawText == null ? '' : rawText).replace(/\s+$/, '').replace(/^\s*\n/, '');
    if (!text.trim()) return null;
    if (text.length > MAX_LEN) {
      addSystemLine({ key: 'too_long', vars: { max: MAX_LEN } });
      return null;
    }
    stopCustomerTyping();
    const clientId = newClientId();
    const node = makeMessageElement('customer', text);
    node.classList.add('dsk-pending');
    node._dsk.clientId = clientId;
    node._dsk.text = text;
    node.setAttribute('data-client-id', clientId);
    setMeta(node, 'sending', null);
    byClientId.set(clientId, node);
    // The language the customer chose goes with each message, so the bot answers in it.
    const language = state.chosenLanguage;
    state.pending.set(clientId, { clientId: clientId, text: text, payload: payload == null ? null : String(payload), language: language, status: 'queued' });
    ui.messages.appendChild(node);
    updateEmpty();
    refreshQuickReplies();
    scrollToBottom(true);
    flushOutbox();
    return clientId;
  }

  /** A send the server refused: say so under the message (reasonKey: 'not_delivered' or 'not_sent_yet'), with Retry. */
  function markFailed(clientId, reasonKey) {
    const p = state.pending.get(clientId);
    const node = byClientId.get(clientId);
    if (!node || node._dsk.id != null) return;
    if (p) p.status = 'failed';
    state.pending.delete(clientId);
    node.classList.remove('dsk-pending');
    node.classList.add('dsk-failed');
    hideTyping();
    const meta = node._dsk.meta;
    meta.textContent = '';
    meta.appendChild(localize(el('span'), { text: reasonKey || 'not_delivered' }));
    const retry = localize(el('button', { className: 'dsk-retry', type: 'button' }), { text: 'retry' });
    retry.addEventListener('click', () => {
      node.remove();
      byClientId.delete(clientId);
      sendMessage(node._dsk.text, p ? p.payload : null);
    });
    meta.appendChild(retry);
  }

  /** Sent over REST without an echo: no longer pending. */
  function markDelivered(clientId) {
    const node = byClientId.get(clientId);
    if (!node) return;
    node.classList.remove('dsk-pending');
    setMeta(node, '', new Date().toISOString());
  }

  parts.messages = { handleMessage, addSystemLine, refreshQuickReplies, clearConversation, clearConfirmed, sendMessage, markFailed, markDelivered };
}
