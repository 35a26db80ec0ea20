/* One knowledge-base hit in "Try a question": its scores, and a bar against the bot's thresholds. */
import { h } from '/shared/static/dom.js';
import { isNum, str } from '/shared/static/format.js';
import { fmtScore, q } from './format.js';

function pct(v) {
  return Math.max(0, Math.min(1, v)) * 100 + '%';
}

function zoneOf(score, answerT, suggestT) {
  if (isNum(score) && answerT !== null && score >= answerT) return 'answer';
  if (isNum(score) && suggestT !== null && score >= suggestT) return 'suggest';
  return 'none';
}

function thresholdMarks(track, answerT, suggestT) {
  [[suggestT, 'suggest', 'Suggest'], [answerT, 'answer', 'Answer']].forEach(function (t) {
    if (t[0] === null) return;
    const mark = h('span', { class: 'bar-mark mark-' + t[1], title: t[2] + ' threshold ' + fmtScore(t[0]) });
    mark.style.left = pct(t[0]);
    const label = h('span', { class: 'bar-mark-label mark-label-' + t[1], text: t[2] + ' ' + fmtScore(t[0]) });
    label.style.left = pct(t[0]);
    track.appendChild(mark);
    track.appendChild(label);
  });
}

function scoreBar(score, answerT, suggestT) {
  const fill = h('span', { class: 'bar-fill bar-' + zoneOf(score, answerT, suggestT) });
  fill.style.width = pct(isNum(score) ? score : 0);
  const label = 'Score ' + fmtScore(score) + (answerT !== null ? ', answers from ' + fmtScore(answerT) : '') + (suggestT !== null ? ', suggests from ' + fmtScore(suggestT) : '');
  const track = h('div', { class: 'bar-track', role: 'img', 'aria-label': label }, fill);
  thresholdMarks(track, answerT, suggestT);
  return h('div', { class: 'bar' }, track);
}

function figure(label, cls, value) {
  return h('div', null, [h('dt', { text: label }), h('dd', { class: cls, text: fmtScore(value) })]);
}

export function buildHit(hit, i, answerT, suggestT, highlightTop) {
  const slug = str(hit.slug);
  return h('li', { class: 'try-hit' + (i === 0 && highlightTop ? ' is-top' : ''), 'data-slug': slug }, [
    h('div', { class: 'hit-head' }, [
      h('span', { class: 'hit-rank', text: String(i + 1) }),
      h('div', { class: 'hit-titles' }, [
        h('a', { class: 'hit-title', href: '#article/' + q(slug), text: str(hit.title) || slug }),
        h('span', { class: 'hit-slug', text: slug }),
      ]),
      h('div', { class: 'hit-score', title: 'Combined score' }, [h('span', { class: 'hit-score-label', text: 'score' }), h('span', { class: 'hit-score-value', text: fmtScore(hit.score) })]),
    ]),
    scoreBar(hit.score, answerT, suggestT),
    h('dl', { class: 'hit-figures' }, [
      figure('Semantic', 'hit-semantic', hit.semantic),
      figure('Lexical', 'hit-lexical', hit.lexical),
      h('div', { class: 'hit-matched-wrap' }, [h('dt', { text: 'Matched question' }), h('dd', { class: 'hit-matched' }, hit.matched_question ? h('q', { text: hit.matched_question }) : h('span', { class: 'faint', text: '\u2014' }))]),
    ]),
    hit.answer ? h('p', { class: 'hit-answer', text: hit.answer }) : null,
  ]);
}
