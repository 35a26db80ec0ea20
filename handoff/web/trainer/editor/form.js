/* The article form: its fields (English and Chinese side by side), what the trainer typed, and whether that
   differs from the saved article. */
import { $, $all, byId } from '/shared/static/dom.js';
import { plural, str } from '/shared/static/format.js';

export const f = {
  slug: byId('article-slug'),
  title: byId('article-title'),
  category: byId('article-category'),
  tags: byId('article-tags'),
  answer: byId('article-answer'),
  questions: byId('article-questions'),
  zhTitle: byId('article-zh-title'),
  zhAnswer: byId('article-zh-answer'),
  zhQuestions: byId('article-zh-questions'),
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
  zhAnswerCount: byId('article-zh-answer-count'),
  zhQuestionsCount: byId('article-zh-questions-count'),
  zhState: byId('article-zh-state'),
  zhClear: byId('article-zh-clear'),
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

const NO_CHINESE = { title: '', answer: '', questions: [] };

export function read() {
  return {
    slug: f.slug.value.trim(),
    title: f.title.value.trim(),
    category: f.category.value.trim(),
    tags: parseTags(f.tags.value),
    answer: f.answer.value.replace(/\s+$/, ''),
    questions: parseQuestions(f.questions.value),
    zh: { title: f.zhTitle.value.trim(), answer: f.zhAnswer.value.replace(/\s+$/, ''), questions: parseQuestions(f.zhQuestions.value) },
  };
}

/** Whether the trainer wrote any of the Chinese version (all its fields empty: the article has none). */
export function hasChinese(v) {
  const zh = v.zh || NO_CHINESE;
  return Boolean(zh.title || zh.answer.trim() || zh.questions.length);
}

export function snapshotOf(v) {
  const zh = v.zh || NO_CHINESE;
  return JSON.stringify([v.title, v.category, v.tags, v.answer, v.questions, zh.title, zh.answer, zh.questions, state.mode === 'new' ? v.slug : '']);
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
  const zh = (article.translations && article.translations.zh) || article.zh || NO_CHINESE;
  f.zhTitle.value = str(zh.title);
  f.zhAnswer.value = str(zh.answer);
  f.zhQuestions.value = (Array.isArray(zh.questions) ? zh.questions : []).join('\n');
  clearInvalid();
}

/** Empties the Chinese fields: saved like that, the article has no Chinese version. */
export function clearChinese() {
  f.zhTitle.value = '';
  f.zhAnswer.value = '';
  f.zhQuestions.value = '';
}

// A field the API names in a 400 ("zh.answer: must be a non-empty text", "questions[2]: ...") → its input.
const API_FIELDS = {
  title: f.title,
  category: f.category,
  tags: f.tags,
  answer: f.answer,
  questions: f.questions,
  slug: f.slug,
  zh: f.zhTitle,
  'zh.title': f.zhTitle,
  'zh.answer': f.zhAnswer,
  'zh.questions': f.zhQuestions,
};

/** Marks the field an API error message names as invalid and focuses it; returns it, or null. */
export function markApiError(message) {
  const match = /^([a-z]+(?:\.[a-z]+)?)(?:\[\d+\])?:/.exec(str(message));
  const field = match ? API_FIELDS[match[1]] : null;
  if (!field) return null;
  clearInvalid();
  field.setAttribute('aria-invalid', 'true');
  field.focus();
  return field;
}

function count(answerField, questionsField, answerCount, questionsCount) {
  const answer = answerField.value.trim();
  answerCount.textContent = answer ? plural(answer.length, 'character') : '';
  const n = parseQuestions(questionsField.value).length;
  questionsCount.textContent = n ? plural(n, 'question') : '';
}

export function refreshCounts() {
  count(f.answer, f.questions, els.answerCount, els.questionsCount);
  count(f.zhAnswer, f.zhQuestions, els.zhAnswerCount, els.zhQuestionsCount);
  const chinese = hasChinese(read());
  els.zhState.hidden = chinese;
  els.zhClear.hidden = !chinese;
}
