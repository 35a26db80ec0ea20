/* Canned responses: one click puts the text, with the customer's first name, into the reply box. */
import { api } from '/shared/static/api.js';
import { $all, h } from '/shared/static/dom.js';
import { str } from '/shared/static/format.js';
import { reportError } from '/shared/static/toast.js';
import { API } from '../session.js';
import { els, st } from './context.js';
import { insertIntoReply } from './composer.js';
import { customerFirstName } from './header.js';

function fillCanned(text) {
  return text.replace(/\{first_name\}/g, customerFirstName() || 'there');
}

function cannedButton(r) {
  const text = str(r.text);
  return h('li', null, h('button', {
    type: 'button',
    class: 'canned-insert',
    'data-id': str(r.id),
    title: text.length > 240 ? text.slice(0, 240) + '\u2026' : text,
    disabled: !st.canReply,
    onclick: function () {
      insertIntoReply(fillCanned(text));
    },
  }, str(r.title) || str(r.id)));
}

export async function loadCanned() {
  let responses = [];
  try {
    const data = await api('GET', API + '/canned');
    responses = data && Array.isArray(data.responses) ? data.responses : [];
  } catch (err) {
    reportError(err);
  }
  $all('li:not(.canned-label)', els.canned).forEach(function (li) {
    li.remove();
  });
  if (!responses.length) {
    els.canned.appendChild(h('li', { class: 'canned-empty', text: 'No canned responses' }));
    return;
  }
  responses.forEach(function (r) {
    els.canned.appendChild(cannedButton(r));
  });
}
