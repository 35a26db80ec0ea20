/* The transcript: messages in id order, grouped when one sender writes in quick succession. */
import { $all, h } from '/shared/static/dom.js';
import { parseTime, str, timeEl } from '/shared/static/format.js';
import { fmtClock } from '../format.js';
import { session } from '../session.js';
import { els, st } from './context.js';
import { customerDisplayName, isAnonymous } from './header.js';

const SENDERS = ['customer', 'bot', 'agent', 'system'];
const GROUP_WITHIN_MS = 3 * 60 * 1000;
const seen = new Set();
let pinned = true; // the view follows new messages while the agent is at the bottom

function nearBottom() {
  const t = els.transcript;
  return t.scrollHeight - t.scrollTop - t.clientHeight < 80;
}

export function scrollToBottom() {
  els.transcript.scrollTop = els.transcript.scrollHeight;
  els.jump.hidden = true;
}

function senderOf(m) {
  return SENDERS.indexOf(m.sender) >= 0 ? m.sender : 'system';
}

function whoLabel(m) {
  const sender = senderOf(m);
  if (sender === 'customer') return isAnonymous() ? 'Customer' : customerDisplayName();
  if (sender === 'bot') return 'Bot';
  if (sender === 'agent') {
    const name = str(m.agent_name) || 'Agent';
    return session.me && name === session.me.display_name ? name + ' (you)' : name;
  }
  return 'System';
}

function buttonChips(buttons) {
  const chips = h('div', { class: 'msg-chips', 'aria-label': 'Buttons the customer saw' });
  buttons.forEach(function (b) {
    const title = b && (b.title || b.payload);
    if (title) chips.appendChild(h('span', { class: 'msg-chip', title: str(b.payload) || null, text: title }));
  });
  return chips;
}

function renderMessage(m) {
  const sender = senderOf(m);
  const node = h('div', { class: 'msg msg-' + sender, 'data-id': m.id === null || m.id === undefined ? null : str(m.id), 'data-sender': sender });
  node._msg = m;
  const stamp = timeEl(m.at, fmtClock(m.at));
  const meta = h('div', { class: 'msg-meta' }, sender === 'system' ? [stamp] : [h('span', { class: 'msg-who', text: whoLabel(m) }), stamp]);
  if (sender !== 'system') node.appendChild(meta);
  if (m.text !== null && m.text !== undefined && m.text !== '') node.appendChild(h('div', { class: 'msg-text', text: m.text }));
  if (Array.isArray(m.buttons) && m.buttons.length) node.appendChild(buttonChips(m.buttons));
  if (sender === 'system') node.appendChild(meta);
  return node;
}

/** Whether m continues prev's group (same sender, same agent, within three minutes). */
function continues(prev, m) {
  if (!prev || !prev._msg) return false;
  const p = prev._msg;
  if (senderOf(p) !== senderOf(m) || senderOf(m) === 'system') return false;
  if (senderOf(m) === 'agent' && str(p.agent_name) !== str(m.agent_name)) return false;
  const a = parseTime(p.at);
  const b = parseTime(m.at);
  return a !== null && b !== null && b - a >= 0 && b - a < GROUP_WITHIN_MS;
}

/** The message to insert m before, so numeric ids stay in order (null: at the end). */
function insertionPoint(m) {
  if (typeof m.id !== 'number') return null;
  let before = null;
  const existing = $all('.msg', els.transcript);
  for (let i = existing.length - 1; i >= 0; i--) {
    const other = existing[i]._msg;
    if (other && typeof other.id === 'number' && other.id > m.id) before = existing[i];
    else break;
  }
  return before;
}

/** Adds a message unless it is already shown; keeps numeric ids in order. Returns true when added. */
export function addMessage(m, opts) {
  if (!m || typeof m !== 'object') return false;
  const key = m.id === null || m.id === undefined ? null : str(m.id);
  if (key !== null) {
    if (seen.has(key)) return false;
    seen.add(key);
  }
  if (els.transcriptEmpty && els.transcriptEmpty.parentNode) els.transcriptEmpty.remove();
  const stick = (opts && opts.scroll) || nearBottom();
  const node = renderMessage(m);
  const before = insertionPoint(m);
  const prev = before ? before.previousElementSibling : els.transcript.lastElementChild;
  if (continues(prev, m)) node.classList.add('msg-cont');
  els.transcript.insertBefore(node, before);
  if (!before && senderOf(m) === 'customer' && m.text) st.latestCustomerText = m.text;
  if (stick) scrollToBottom();
  else if (!(opts && opts.initial)) els.jump.hidden = false;
  return true;
}

/** Adds the messages not shown yet; true when one of them is the customer's. */
export function addMessages(list, opts) {
  let newCustomer = false;
  (Array.isArray(list) ? list : []).forEach(function (m) {
    if (addMessage(m, opts) && m && m.sender === 'customer') newCustomer = true;
  });
  return newCustomer;
}

export function wireTranscript() {
  els.transcript.addEventListener('scroll', function () {
    pinned = nearBottom();
    if (pinned) els.jump.hidden = true;
  });
  if (typeof window.ResizeObserver === 'function') {
    // A banner or a taller reply box shrinks the transcript: keep the newest message in view.
    new window.ResizeObserver(function () {
      if (pinned) els.transcript.scrollTop = els.transcript.scrollHeight;
    }).observe(els.transcript);
  }
  els.jump.addEventListener('click', function () {
    scrollToBottom();
    els.reply.focus();
  });
}
