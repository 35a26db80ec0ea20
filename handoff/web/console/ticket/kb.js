/* Knowledge-base suggestions for the customer's latest message, or for the agent's own search. */
import { api } from '/shared/static/api.js';
import { add, clear, h } from '/shared/static/dom.js';
import { str } from '/shared/static/format.js';
import { icon } from '/shared/static/icons.js';
import { reportError } from '/shared/static/toast.js';
import { API } from '../session.js';
import { els, st } from './context.js';
import { insertIntoReply } from './composer.js';

const kb = { seq: 0, manual: '' };

function shorten(text, max) {
  return text.length > max ? text.slice(0, max) + '\u2026' : text;
}

function caption(text, query, resetLabel) {
  clear(els.kbCaption);
  add(els.kbCaption, [h('span', { class: 'kb-caption-text', title: query || null }, [text, query ? h('q', { text: shorten(query, 80) }) : null])]);
  if (resetLabel) {
    add(els.kbCaption, h('button', {
      type: 'button',
      class: 'btn-link kb-reset',
      onclick: function () {
        els.kbInput.value = '';
        kb.manual = '';
        kbSuggest();
      },
    }, resetLabel));
  }
}

function hitItem(hit, language) {
  const score = typeof hit.score === 'number' ? hit.score : null;
  const answer = str(hit.answer);
  const title = str(hit.title) || str(hit.slug);
  return h('li', { class: 'kb-hit', 'data-slug': str(hit.slug) }, [
    h('div', { class: 'kb-hit-top' }, [
      h('span', { class: 'kb-title', lang: language, text: title }),
      score === null ? null : h('span', { class: 'kb-score' + (score >= 0.6 ? ' is-strong' : ''), title: 'Match score', text: score.toFixed(2) }),
    ]),
    h('p', { class: 'kb-answer', lang: language, title: shorten(answer, 400), text: answer }),
    h('div', { class: 'kb-foot' }, [
      h('span', { class: 'kb-slug', text: str(hit.slug) }),
      h('button', {
        type: 'button',
        class: 'btn btn-sm kb-insert',
        disabled: !st.canReply,
        'aria-label': 'Insert the answer from ' + title,
        onclick: function () {
          insertIntoReply(answer);
        },
      }, [icon('plus'), 'Insert']),
    ]),
  ]);
}

function renderHits(hits, language) {
  els.kbList.removeAttribute('aria-busy');
  clear(els.kbList);
  if (!hits.length) {
    els.kbList.appendChild(h('li', { class: 'list-empty', text: 'No matching articles.' }));
    return;
  }
  hits.forEach(function (hit) {
    els.kbList.appendChild(hitItem(hit, language));
  });
}

async function kbLoad(query, manual) {
  const seq = ++kb.seq;
  if (!query) {
    caption('Suggestions appear when the customer writes something.');
    clear(els.kbList);
    return;
  }
  caption(manual ? 'Results for ' : 'For the latest message: ', query, manual ? 'Back to suggestions' : null);
  els.kbList.setAttribute('aria-busy', 'true');
  // In the customer's language: a Chinese question finds the articles' Chinese titles and answers.
  const language = (st.ticket && st.ticket.language) || 'en';
  let hits;
  try {
    const data = await api('GET', API + '/kb/suggest?q=' + encodeURIComponent(query.slice(0, 500)) + '&language=' + encodeURIComponent(language));
    hits = data && Array.isArray(data.hits) ? data.hits : [];
  } catch (err) {
    if (seq === kb.seq) {
      els.kbList.removeAttribute('aria-busy');
      reportError(err);
    }
    return;
  }
  if (seq === kb.seq) renderHits(hits, language); // else a newer query won
}

/** Suggestions for the customer's latest message, unless the agent searched for something. */
export function kbSuggest() {
  if (kb.manual) return;
  kbLoad(st.latestCustomerText, false);
}

export function wireKnowledgeBase() {
  els.kbForm.addEventListener('submit', function (event) {
    event.preventDefault();
    const q = els.kbInput.value.trim();
    kb.manual = q;
    if (q) kbLoad(q, true);
    else kbSuggest();
  });
  els.kbInput.addEventListener('search', function () {
    if (!els.kbInput.value.trim() && kb.manual) {
      kb.manual = '';
      kbSuggest();
    }
  });
}
