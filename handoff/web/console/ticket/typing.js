/* Typing indicators: ours to the customer (throttled), and the customer's to us. */
import { api } from '/shared/static/api.js';
import { isLeaving } from '/shared/static/page.js';
import { base, els, st } from './context.js';
import { customerFirstName } from './header.js';

const TYPING_IDLE_MS = 3000; // our typing: "off" after this much idle time
const TYPING_MIN_GAP_MS = 1000; // our typing: at most one "on" per second
const TYPING_REFRESH_MS = 5000; // our typing: repeat "on" while still typing
const CUSTOMER_TYPING_MAX_MS = 20000; // safety net when an "off" frame never comes

const ours = { on: false, lastOn: 0, idle: 0, defer: 0 };
let customerTimer = 0;

function postTyping(on, keepalive) {
  if (isLeaving() && !keepalive) return;
  api('POST', base + '/typing', { on: on }, keepalive ? { keepalive: true } : null).catch(function () {
    /* typing is best effort */
  });
}

function sendTypingOn() {
  ours.on = true;
  ours.lastOn = Date.now();
  postTyping(true);
}

function typingOff() {
  window.clearTimeout(ours.defer);
  ours.defer = 0;
  if (ours.on) {
    ours.on = false;
    postTyping(false);
  }
}

/** on: tell the customer we type (at most once a second, repeated every 5 s); off after 3 s idle. */
export function setTyping(on) {
  window.clearTimeout(ours.idle);
  if (!on) {
    typingOff();
    return;
  }
  const now = Date.now();
  if ((!ours.on || now - ours.lastOn >= TYPING_REFRESH_MS) && !ours.defer) {
    const wait = ours.lastOn + TYPING_MIN_GAP_MS - now;
    if (wait <= 0) sendTypingOn();
    else {
      ours.defer = window.setTimeout(function () {
        ours.defer = 0;
        if (st.canReply && els.reply.value.trim()) sendTypingOn();
      }, wait);
    }
  }
  ours.idle = window.setTimeout(function () {
    setTyping(false);
  }, TYPING_IDLE_MS);
}

/** Typing follows whether the reply box has text. */
export function noteTyping() {
  if (!st.canReply) return;
  setTyping(!!els.reply.value.trim());
}

export function showCustomerTyping(on) {
  window.clearTimeout(customerTimer);
  els.typing.hidden = !on;
  if (!on) return;
  els.typingText.textContent = (customerFirstName() || 'The customer') + ' is typing\u2026';
  customerTimer = window.setTimeout(function () {
    els.typing.hidden = true;
  }, CUSTOMER_TYPING_MAX_MS);
}

// A closing tab still says "stopped typing", so the customer is not left waiting.
window.addEventListener('pagehide', function () {
  if (ours.on) {
    ours.on = false;
    postTyping(false, true);
  }
});
