/* Canned responses in the customer's language: one click puts the text, with the customer's first name, into the reply box. */
import { api } from '/shared/static/api.js';
import { $all, h } from '/shared/static/dom.js';
import { str } from '/shared/static/format.js';
import { reportError } from '/shared/static/toast.js';
import { API } from '../session.js';
import { els, st } from './context.js';
import { insertIntoReply } from './composer.js';
import { customerFirstName } from './header.js';

const canned = { language: null, noFirstName: 'there', seq: 0 };

function fillCanned(text) {
  const name = customerFirstName() || canned.noFirstName;
  return text.replace(/\{first_name\}/g, function () {
    return name;
  });
}

function cannedButton(r) {
  const text = str(r.text);
  return h('li', null, h('button', {
    type: 'button',
    class: 'canned-insert',
    'data-id': str(r.id),
    lang: canned.language,
    title: text.length > 240 ? text.slice(0, 240) + '\u2026' : text,
    disabled: !st.canReply,
    onclick: function () {
      insertIntoReply(fillCanned(text));
    },
  }, str(r.title) || str(r.id)));
}

/** The canned responses in the ticket's language; again only when that language changed. */
export async function loadCanned() {
  const language = (st.ticket && st.ticket.language) || 'en';
  if (language === canned.language) return;
  canned.language = language;
  const seq = ++canned.seq;
  let responses = [];
  try {
    const data = await api('GET', API + '/canned?language=' + encodeURIComponent(language));
    responses = data && Array.isArray(data.responses) ? data.responses : [];
    if (data && data.no_first_name) canned.noFirstName = str(data.no_first_name);
  } catch (err) {
    canned.language = null; // try again with the next ticket update
    reportError(err);
  }
  if (seq !== canned.seq) return; // a newer language won
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
