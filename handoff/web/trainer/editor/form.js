/* The article form: its fields, what the trainer typed, and whether that differs from the saved article. */
import { $, $all, byId } from '/shared/static/dom.js';
import { plural, str } from '/shared/static/format.js';

export const f = {
  slug: byId('article-slug'),
  title: byId('article-title'),
  category: byId('article-category'),
  tags: byId('article-tags'),
  answer: byId('article-answer'),
  questions: byId('article-questions'),
};

export const els = {
  form: byId('article-form'),
  heading: byId('editor-title'),
  status: byId('editor-status'),
  dirty: byId('editor-dirty'),
  meta: byId('editor-meta'),
  slugHint: byId('article-slug-hint'),
  save: byId('article-save'),
  publish: byId('article-publish'),
  archive: byId('article-archive'),
  unpublish: byId('article-unpublish'),
  history: byId('article-history'),
  historyPanel: byId('history-panel'),
  historyCount: byId('history-count'),
  diffPanel: byId('diff-panel'),
  diffTitle: byId('diff-title'),
  diff: byId('article-diff'),
  answerCount: byId('article-answer-count'),
  questionsCount: byId('article-questions-count'),
  categories: byId('article-category-options'),
  body: $('.editor-body'),
};

// mode: 'new' or 'edit'; token: bumped on every open, so a late answer for another article is dropped.
export const state = { mode: 'new', slug: null, article: null, history: [], snapshot: '', token: 0, slugTouched: false, pendingPrefill: null, busy: false, diffVersion: null };

function parseTags(text) {
  const seen = {};
  return str(text).split(',').map(function (t) {
    return t.trim();
  }).filter(function (t) {
    if (!t || seen[t.toLowerCase()]) return false;
    seen[t.toLowerCase()] = true;
    return true;
  });
}

function parseQuestions(text) {
  return str(text).split(/\r?\n/).map(function (t) {
    return t.trim();
  }).filter(Boolean);
}

export function read() {
  return {
    slug: f.slug.value.trim(),
    title: f.title.value.trim(),
    category: f.category.value.trim(),
    tags: parseTags(f.tags.value),
    answer: f.answer.value.replace(/\s+$/, ''),
    questions: parseQuestions(f.questions.value),
  };
}

export function snapshotOf(v) {
  return JSON.stringify([v.title, v.category, v.tags, v.answer, v.questions, state.mode === 'new' ? v.slug : '']);
}

export function isDirty() {
  return snapshotOf(read()) !== state.snapshot;
}

export function clearInvalid() {
  $all('.field', els.form).forEach(function (el) {
    el.removeAttribute('aria-invalid');
  });
}

export function fill(article) {
  f.slug.value = str(article.slug);
  f.title.value = str(article.title);
  f.category.value = str(article.category);
  f.tags.value = (Array.isArray(article.tags) ? article.tags : []).join(', ');
  f.answer.value = str(article.answer);
  f.questions.value = (Array.isArray(article.questions) ? article.questions : []).join('\n');
  clearInvalid();
}

export function refreshCounts() {
  const answer = f.answer.value.trim();
  els.answerCount.textContent = answer ? plural(answer.length, 'character') : '';
  const n = parseQuestions(f.questions.value).length;
  els.questionsCount.textContent = n ? plural(n, 'question') : '';
}
