/* Toasts: short messages in the corner; errors are alerts, the rest status messages. */
import { add, byId, h } from './dom.js';
import { icon } from './icons.js';
import { isLeaving } from './page.js';

const TOAST_MS = { ok: 3500, warn: 7000, error: 8000 };
const ACTION_TOAST_MS = 15000; // long enough to reach the button
const MAX_SHOWN = 4;

function region() {
  let node = byId('toasts');
  if (!node) {
    node = h('div', { id: 'toasts', class: 'toasts', 'aria-live': 'assertive' });
    document.body.appendChild(node);
  }
  return node;
}

function actionButton(action, dismiss) {
  if (!action) return null;
  return h('button', {
    type: 'button',
    class: 'toast-action',
    text: action.label,
    onclick: function () {
      dismiss();
      action.run();
    },
  });
}

/** kind: error (default) | warn | ok. action: optional {label, run}. */
export function toast(message, kind, action) {
  if (isLeaving()) return;
  const type = kind || 'error';
  const box = region();
  while (box.children.length >= MAX_SHOWN) box.removeChild(box.firstChild);
  const node = h('div', { class: 'toast toast-' + type, role: type === 'error' ? 'alert' : 'status' });
  const timer = window.setTimeout(dismiss, action ? ACTION_TOAST_MS : TOAST_MS[type] || 6000);
  function dismiss() {
    window.clearTimeout(timer);
    node.remove();
  }
  const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss', onclick: dismiss }, icon('x'));
  add(node, [icon(type === 'ok' ? 'checkCircle' : 'alert'), h('div', { class: 'toast-msg', text: message }), actionButton(action, dismiss), close]);
  box.appendChild(node);
}

/** A failed request as a toast; a 401 is silent because the page is on its way to the login. */
export function reportError(error) {
  if (!error || error.status === 401 || isLeaving()) return;
  toast(error.message || 'Something went wrong.', 'error');
}
