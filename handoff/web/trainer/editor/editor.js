/* The article editor: a new article (#new-article) or an existing one (#article/<slug>). */
import { api } from '/shared/static/api.js';
import { clear, h } from '/shared/static/dom.js';
import { reportError, toast } from '/shared/static/toast.js';
import { q, slugify } from '../format.js';
import { API } from '../labels.js';
import { activeView, go } from '../router.js';
import { fillCategories, paintChrome } from './chrome.js';
import { hideDiff, wireDiff } from './diff.js';
import { clearChinese, els, f, fill, read, refreshCounts, snapshotOf, state } from './form.js';
import { onRevert } from './history.js';
import { apply, create, revert, update } from './save.js';

const EMPTY = { slug: '', title: '', category: '', tags: [], answer: '', questions: [] };
const HAN = /[\u3400-\u9fff\uf900-\ufaff]/; // Han characters, as knowledge_base/language.py tells Chinese

/** Values for the next new article (an unanswered question, say). */
export function prefill(values) {
  state.pendingPrefill = values;
}

export function openNew() {
  state.token++;
  Object.assign(state, { mode: 'new', slug: null, article: null, history: [], slugTouched: false, busy: false });
  const values = state.pendingPrefill || {};
  state.pendingPrefill = null;
  // An unanswered question in Chinese is a Chinese variant: it goes beside the English ones, not among them.
  const asked = Array.isArray(values.questions) ? values.questions : [];
  const chinese = asked.filter(function (text) {
    return HAN.test(text);
  });
  const english = asked.filter(function (text) {
    return !HAN.test(text);
  });
  const zh = { title: '', answer: '', questions: chinese };
  fill(Object.assign({}, EMPTY, { title: values.title || '', answer: values.answer || '', questions: english, zh: zh }));
  state.snapshot = snapshotOf(EMPTY);
  clear(els.history);
  hideDiff();
  paintChrome();
  refreshCounts();
  fillCategories();
  f.title.focus();
}

function showLoading(slug) {
  state.article = null;
  fill({ slug: slug });
  state.snapshot = snapshotOf(read());
  clear(els.history).appendChild(h('li', { class: 'history-empty', text: 'Loading\u2026' }));
  hideDiff();
  paintChrome();
  els.heading.textContent = 'Loading\u2026';
}

export async function open(slug) {
  const token = ++state.token;
  const same = state.mode === 'edit' && state.slug === slug;
  Object.assign(state, { mode: 'edit', slug: slug, busy: false });
  if (!same) showLoading(slug);
  else hideDiff();
  fillCategories();
  try {
    const data = await api('GET', API + '/articles/' + q(slug));
    if (token !== state.token) return;
    apply(data.article, data.history);
  } catch (err) {
    if (token !== state.token) return;
    reportError(err);
    if (err.status === 404) go('#articles');
  }
}

function wireForm() {
  f.title.addEventListener('input', function () {
    if (state.mode === 'new' && !state.slugTouched) f.slug.value = slugify(f.title.value);
  });
  f.slug.addEventListener('input', function () {
    if (state.mode !== 'new') return;
    state.slugTouched = f.slug.value.trim() !== '';
    const cleaned = f.slug.value.toLowerCase().replace(/\s+/g, '-');
    if (cleaned !== f.slug.value) f.slug.value = cleaned;
  });
  els.form.addEventListener('input', function (event) {
    if (event.target && event.target.removeAttribute) event.target.removeAttribute('aria-invalid');
    refreshCounts();
    paintChrome();
  });
  els.form.addEventListener('submit', function (event) {
    event.preventDefault();
  });
  els.zhClear.addEventListener('click', function () {
    clearChinese();
    [f.zhTitle, f.zhAnswer, f.zhQuestions].forEach(function (field) {
      field.removeAttribute('aria-invalid');
    });
    refreshCounts();
    paintChrome();
    f.zhTitle.focus(); // the button hides itself
    toast(state.mode === 'edit' ? 'Chinese fields emptied: saving removes the Chinese version.' : 'Chinese fields emptied.', 'ok');
  });
}

function wireButtons() {
  document.addEventListener('keydown', function (event) {
    if (activeView() !== 'editor') return;
    if ((event.ctrlKey || event.metaKey) && (event.key === 's' || event.key === 'S')) {
      event.preventDefault();
      if (!els.save.disabled) els.save.click();
    }
  });
  els.save.addEventListener('click', function () {
    if (state.mode === 'new') create('draft');
    else update(state.article ? state.article.status : 'draft', 'Saved');
  });
  els.publish.addEventListener('click', function () {
    if (state.mode === 'new') create('published');
    else update('published', 'Article published');
  });
  els.archive.addEventListener('click', function () {
    if (state.mode === 'edit') update('archived', 'Article archived');
  });
  els.unpublish.addEventListener('click', function () {
    if (state.mode === 'edit') update('draft', 'Moved to drafts');
  });
}

wireForm();
wireButtons();
wireDiff();
onRevert(revert);
