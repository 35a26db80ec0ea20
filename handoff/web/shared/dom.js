/*
 * DOM helpers for both consoles. Anything a customer, an agent or a trainer wrote is only ever
 * rendered with textContent / text nodes (h's `text`), never with innerHTML.
 */
import { icon } from './icons.js';

export function $(selector, root) {
  return (root || document).querySelector(selector);
}

export function $all(selector, root) {
  return Array.prototype.slice.call((root || document).querySelectorAll(selector));
}

export function byId(id) {
  return document.getElementById(id);
}

function setProp(node, key, value) {
  if (value === null || value === undefined || value === false) return;
  if (key === 'class') node.className = value;
  else if (key === 'text') node.textContent = String(value);
  else if (key === 'value') node.value = String(value); // the live value, for inputs as well as options
  else if (key.slice(0, 2) === 'on' && typeof value === 'function') node.addEventListener(key.slice(2), value);
  else if (value === true) node.setAttribute(key, '');
  else node.setAttribute(key, String(value));
}

/** createElement with props; `text` sets textContent, `on*` adds listeners; children are nodes or strings. */
export function h(tag, props, children) {
  const node = document.createElement(tag);
  if (props) {
    Object.keys(props).forEach(function (key) {
      setProp(node, key, props[key]);
    });
  }
  add(node, children);
  return node;
}

export function add(node, children) {
  if (children === null || children === undefined) return node;
  (Array.isArray(children) ? children : [children]).forEach(function (child) {
    if (child === null || child === undefined || child === false) return;
    node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  });
  return node;
}

export function clear(node) {
  while (node && node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** The "nothing here" block: an icon, a title and an optional line of text. */
export function emptyState(iconName, title, text) {
  return h('div', { class: 'empty' }, [
    h('span', { class: 'empty-art' }, icon(iconName)),
    h('span', { class: 'empty-title', text: title }),
    text ? h('span', { class: 'empty-text', text: text }) : null,
  ]);
}

/** Disables a button while its request runs; `text` replaces its .btn-text label. */
export function setBusy(button, busy, text) {
  if (!button) return;
  button.disabled = !!busy;
  button.setAttribute('aria-busy', busy ? 'true' : 'false');
  const label = $('.btn-text', button);
  if (label && text !== undefined) label.textContent = text;
}
