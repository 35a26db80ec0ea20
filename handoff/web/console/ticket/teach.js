/* Teach the bot while resolving: what the agent's answer should become (see handoff/learning). */
import { byId } from '/shared/static/dom.js';

const INTENTS = ['ask_faq', 'order_status', 'list_orders', 'change_email', 'change_phone', 'change_address',
  'complain', 'request_human', 'out_of_scope', 'greet', 'goodbye', 'thank'];
// "Can I talk to a person?" is how the chat got here, not the question the bot should learn.
const ASKED_FOR_PERSON = /\b(person|human|agent|someone|somebody|representative|operator)\b/i;

/** The `learn` part of the resolve request ({} when there is nothing to learn). */
export function teachPayload() {
  const kind = byId('learn-kind');
  if (!kind || kind.value === 'nothing') return {};
  const value = function (id) {
    const el = byId(id);
    return el ? el.value.trim() : '';
  };
  const isArticle = kind.value === 'new_article';
  return { learn: { kind: kind.value, question: value('learn-question'), answer: isArticle ? value('learn-answer') || null : null, target: isArticle ? null : value('learn-target') || null } };
}

/** The newest message's text (skipping short requests for a person, when asked). */
function lastText(selector, skipRequests) {
  const all = document.querySelectorAll(selector);
  for (let i = all.length - 1; i >= 0; i--) {
    const text = (all[i].textContent || '').trim();
    if (!text || text.charAt(0) === '/') continue;
    if (skipRequests && ASKED_FOR_PERSON.test(text) && text.split(/\s+/).length < 12) continue;
    return text;
  }
  return '';
}

function fillTargets(values) {
  const targets = byId('learn-targets');
  while (targets.firstChild) targets.removeChild(targets.firstChild);
  values.forEach(function (v) {
    const o = document.createElement('option');
    o.value = v;
    targets.appendChild(o);
  });
}

/** Offers the articles that match the question, and picks the best one when none is chosen. */
function suggestArticles(question) {
  fetch('/console/api/kb/suggest?q=' + encodeURIComponent(question), { credentials: 'same-origin' })
    .then(function (r) { return r.ok ? r.json() : { hits: [] }; })
    .then(function (data) {
      const slugs = (data.hits || []).map(function (hit) { return hit.slug; });
      fillTargets(slugs);
      const target = byId('learn-target');
      if (!target.value && slugs.length) target.value = slugs[0];
    })
    .catch(function () { fillTargets([]); });
}

function kindChanged(k) {
  byId('learn-fields').hidden = k === 'nothing';
  byId('learn-answer-row').hidden = k !== 'new_article';
  byId('learn-target-row').hidden = k === 'new_article';
  const question = byId('learn-question');
  const answer = byId('learn-answer');
  if (!question.value) question.value = lastText('#transcript .msg-customer .msg-text', true);
  if (!answer.value) answer.value = lastText('#transcript .msg-agent .msg-text');
  if (k === 'nlu_example') fillTargets(INTENTS);
  if (k === 'question_variant') suggestArticles(question.value);
}

export function wireTeaching() {
  const kind = byId('learn-kind');
  if (!kind) return;
  kind.addEventListener('change', function () {
    kindChanged(kind.value);
  });
}
