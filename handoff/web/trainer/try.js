/* Try a question: what the bot would do with it (answer, suggest, or hand over), and why. */
import { api } from '/shared/static/api.js';
import { add, byId, clear, emptyState, h } from '/shared/static/dom.js';
import { isNum, plural, str } from '/shared/static/format.js';
import { icon } from '/shared/static/icons.js';
import { reportError } from '/shared/static/toast.js';
import { fmtScore, q } from './format.js';
import { API } from './labels.js';
import { buildHit } from './try-hits.js';
import { buildNegativeActions, buildSteps } from './try-steps.js';

const input = byId('try-input');
const button = byId('try-btn');
const verdictEl = byId('try-verdict');
const results = byId('try-results');
const state = { token: 0 };
const VERDICTS = {
  answer: { label: 'Answer', icon: 'checkCircle' },
  suggest: { label: 'Suggestions', icon: 'lightbulb' },
  none: { label: 'No answer', icon: 'xCircle' },
};

export function enter() {
  window.setTimeout(function () {
    input.focus();
  }, 0);
}

async function run() {
  const text = input.value.trim();
  if (!text) {
    input.focus();
    return;
  }
  const token = ++state.token;
  button.disabled = true;
  results.classList.add('is-loading');
  try {
    const data = await api('GET', API + '/try?q=' + q(text));
    if (token === state.token) render(text, data);
  } catch (err) {
    if (token === state.token) reportError(err);
  } finally {
    if (token === state.token) {
      button.disabled = false;
      results.classList.remove('is-loading');
    }
  }
}

/** Lower-case words only, so that a normaliser that just drops punctuation or case is not shown as a correction. */
function wordsOf(text) {
  return str(text).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

function titleOf(slug, hits) {
  const hit = hits.find(function (x) { return x.slug === slug; });
  return hit ? str(hit.title) || slug : slug;
}

/** What the customer got in the chat (the verdict is read from the bot's real replies). */
function explanation(data, hits) {
  if (data.verdict === 'answer') return ['The bot answers with ', h('strong', { text: titleOf(str(data.answered), hits) }), '.'];
  const suggested = Array.isArray(data.suggested) ? data.suggested : [];
  if (data.verdict === 'suggest') return ['The bot is not sure enough to answer, so it offers ' + (suggested.length === 1 ? 'this article' : 'these articles') + ' as suggestions: ' + suggested.map(function (slug) { return titleOf(slug, hits); }).join(', ') + '.'];
  const said = Array.isArray(data.replies) && data.replies.length ? data.replies[0] : null;
  return said ? ['The bot does not answer from the knowledge base. It says: ', h('q', { text: str(said) })] : ['The bot does not answer from the knowledge base.'];
}

function thresholdList(answerT, suggestT) {
  if (answerT === null && suggestT === null) return null;
  return h('dl', { class: 'verdict-thresholds' }, [
    suggestT !== null ? h('div', null, [h('dt', { text: 'Suggest from' }), h('dd', { text: fmtScore(suggestT) })]) : null,
    answerT !== null ? h('div', null, [h('dt', { text: 'Answer from' }), h('dd', { text: fmtScore(answerT) })]) : null,
  ]);
}

function renderVerdict(asked, data, verdict, hits, thresholds) {
  const normalised = str(data.normalised).trim();
  clear(verdictEl);
  verdictEl.className = 'verdict verdict-' + verdict;
  verdictEl.setAttribute('data-verdict', verdict);
  add(verdictEl, [
    h('span', { class: 'verdict-icon' }, icon(VERDICTS[verdict].icon)),
    h('div', { class: 'verdict-body' }, [
      h('div', { class: 'verdict-label', text: VERDICTS[verdict].label }),
      h('div', { class: 'verdict-text' }, explanation(data, hits)),
      normalised && wordsOf(normalised) !== wordsOf(asked)
        ? h('div', { class: 'verdict-query' }, ['Understood as ', h('q', { class: 'normalised', text: normalised }), ' after typo correction'])
        : null,
    ]),
    thresholdList(thresholds.answer, thresholds.suggest),
  ]);
  verdictEl.hidden = false;
}

function render(asked, data) {
  const verdict = VERDICTS[data.verdict] ? data.verdict : 'none';
  const hits = Array.isArray(data.hits) ? data.hits : [];
  const th = data.thresholds || {};
  const thresholds = { answer: isNum(th.answer_threshold) ? th.answer_threshold : null, suggest: isNum(th.suggest_threshold) ? th.suggest_threshold : null };
  renderVerdict(asked, data, verdict, hits, thresholds);
  clear(results);
  add(results, [buildSteps(data), buildNegativeActions(asked, data, run)]);
  if (!hits.length) {
    results.appendChild(emptyState('help', 'No article came close', 'Write an article for this question, or add it as a question to an existing one.'));
    return;
  }
  const list = h('ol', { class: 'hit-list' });
  hits.forEach(function (hit, i) {
    list.appendChild(buildHit(hit, i, thresholds.answer, thresholds.suggest, verdict !== 'none'));
  });
  add(results, [h('h2', { class: 'section-title', text: plural(hits.length, 'article') + ' found' }), list]);
}

byId('try-form').addEventListener('submit', function (event) {
  event.preventDefault();
  run();
});
