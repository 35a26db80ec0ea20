/* Teach the bot while resolving: what the agent's answer should become (see handoff/learning). */
import { byId } from '/shared/static/dom.js';
import { base } from './context.js';

const INTENTS = ['ask_faq', 'order_status', 'list_orders', 'change_email', 'change_phone', 'change_address',
  'complain', 'request_human', 'out_of_scope', 'greet', 'goodbye', 'thank'];
// "Can I talk to a person?" is how the chat got here, not the question the bot should learn.
const ASKED_FOR_PERSON = /\b(person|human|agent|someone|somebody|representative|operator)\b/i;
// In Chinese ("我想找人工客服", "转人工"): no spaces between words, so a short request is counted in characters.
const ASKED_FOR_PERSON_ZH = /人工|真人|转接|客服人员|工作人员|找人/;

function asksForPerson(text) {
  if (ASKED_FOR_PERSON_ZH.test(text) && text.length <= 16) return true;
  return ASKED_FOR_PERSON.test(text) && text.split(/\s+/).length < 12;
}

/** The `learn` part of the resolve request ({} when there is nothing to learn). */
export function teachPayload() {
  const kind = byId('learn-kind');
  if (!kind || kind.value === 'nothing') return {};
  const value = function (id) {
    const el = byId(id);
    return el ? el.value.trim() : '';
  };
  const isArticle = kind.value === 'new_article';
  const hasTarget = !isArticle && kind.value !== 'no_answer';
  return { learn: { kind: kind.value, question: value('learn-question'), answer: isArticle ? value('learn-answer') || null : null, target: hasTarget ? value('learn-target') || null : null } };
}

/** The newest message's text (skipping short requests for a person, when asked). */
function lastText(selector, skipRequests) {
  const all = document.querySelectorAll(selector);
  for (let i = all.length - 1; i >= 0; i--) {
    const text = (all[i].textContent || '').trim();
    if (!text || text.charAt(0) === '/') continue;
    if (skipRequests && asksForPerson(text)) continue;
    return text;
  }
  return '';
}

/** Datalist options: a value each, with a label when there is one ({ value, label }). */
function fillTargets(options) {
  const targets = byId('learn-targets');
  while (targets.firstChild) targets.removeChild(targets.firstChild);
  options.forEach(function (option) {
    const o = document.createElement('option');
    o.value = typeof option === 'string' ? option : option.value;
    if (option.label) o.label = option.label;
    targets.appendChild(o);
  });
}

const pick = { seq: 0, auto: true }; // auto: the target is ours to replace, the agent has not typed one

function explain(text) {
  const why = byId('learn-target-why');
  why.textContent = text;
  why.hidden = !text;
}

/**
 * Ranks the articles by the agent's replies in this ticket and the question (handoff/learning/lesson_suggestion.py)
 * and picks the first: the article the bot answered with, which the customer did not accept, comes last.
 */
function suggestArticles(question, wrongAnswer) {
  const seq = ++pick.seq;
  const url = base + '/lesson-suggestion?q=' + encodeURIComponent(question.slice(0, 500));
  fetch(url, { credentials: 'same-origin' })
    .then(function (r) { return r.ok ? r.json() : { articles: [] }; })
    .then(function (data) {
      if (seq !== pick.seq) return; // a newer question won
      const articles = data.articles || [];
      fillTargets(articles.map(function (a) {
        return { value: a.slug, label: a.title + (a.answered_by_bot ? ' (the bot already answered with this)' : ' \u00b7 ' + a.score.toFixed(2)) };
      }));
      const question = byId('learn-question');
      if (!question.value && data.question) question.value = data.question;
      const target = byId('learn-target');
      const rejected = articles.filter(function (a) { return a.answered_by_bot; });
      if (wrongAnswer) {
        // "This answer was wrong": the article the bot answered with is the one to name.
        if (pick.auto && rejected.length) target.value = rejected[0].slug;
        explain(rejected.length ? 'The bot answered with \u201c' + rejected[0].title + '\u201d.' : 'Name the article the bot answered with.');
        return;
      }
      const best = articles[0];
      if (pick.auto && best && !best.answered_by_bot) {
        target.value = best.slug;
        target.setAttribute('data-suggested', best.slug);
      }
      explain((best && !best.answered_by_bot ? 'Suggested from your reply: \u201c' + best.title + '\u201d.' : '') +
        (rejected.length ? ' Not \u201c' + rejected[0].title + '\u201d: the bot answered with it and the customer still needed you.' : ''));
    })
    .catch(function () { fillTargets([]); });
}

function kindChanged(k) {
  byId('learn-fields').hidden = k === 'nothing';
  byId('learn-answer-row').hidden = k !== 'new_article';
  byId('learn-target-row').hidden = k === 'new_article' || k === 'no_answer';
  const question = byId('learn-question');
  const answer = byId('learn-answer');
  if (!question.value) question.value = lastText('#transcript .msg-customer .msg-text', true);
  if (!answer.value) answer.value = lastText('#transcript .msg-agent .msg-text');
  explain('');
  if (k === 'nlu_example') fillTargets(INTENTS);
  if (k === 'question_variant' || k === 'wrong_answer') suggestArticles(question.value, k === 'wrong_answer');
}

export function wireTeaching() {
  const kind = byId('learn-kind');
  if (!kind) return;
  kind.addEventListener('change', function () {
    kindChanged(kind.value);
  });
  byId('learn-target').addEventListener('input', function () {
    pick.auto = !byId('learn-target').value; // the agent's own choice is never replaced
  });
  byId('learn-question').addEventListener('change', function () {
    if (kind.value === 'question_variant' || kind.value === 'wrong_answer') {
      suggestArticles(byId('learn-question').value, kind.value === 'wrong_answer');
    }
  });
}
