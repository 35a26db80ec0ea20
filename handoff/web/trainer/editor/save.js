/* Writing the article: create, update (or only change the status), revert; conflicts offer a reload. */
import { api } from '/shared/static/api.js';
import { str } from '/shared/static/format.js';
import { reportError, toast } from '/shared/static/toast.js';
import * as Articles from '../articles.js';
import { q } from '../format.js';
import { API } from '../labels.js';
import { go } from '../router.js';
import { paintChrome } from './chrome.js';
import { hideDiff } from './diff.js';
import { clearInvalid, f, fill, hasChinese, isDirty, markApiError, read, refreshCounts, snapshotOf, state } from './form.js';
import { renderHistory } from './history.js';

/** Shows the article as the server has it (and its history, when given). */
export function apply(article, history) {
  if (!article) return;
  state.article = article;
  state.slug = article.slug || state.slug;
  if (Array.isArray(history)) state.history = history;
  fill(article);
  state.snapshot = snapshotOf(read());
  paintChrome();
  refreshCounts();
  renderHistory();
}

function problemsOf(v) {
  const problems = [];
  if (state.mode === 'new') {
    if (!v.slug) problems.push([f.slug, 'Give the article a slug.']);
    else if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(v.slug)) problems.push([f.slug, 'The slug may only have lower-case letters, digits and single dashes between them.']);
  }
  if (!v.title) problems.push([f.title, 'Give the article a title.']);
  if (!v.category) problems.push([f.category, 'Give the article a category.']);
  if (!v.answer.trim()) problems.push([f.answer, 'Write the answer the bot should give.']);
  if (!v.questions.length) problems.push([f.questions, 'Add at least one question, one per line.']);
  if (hasChinese(v)) {
    const leave = ', or leave every Chinese field empty for no Chinese version.';
    if (!v.zh.title) problems.push([f.zhTitle, 'Give the Chinese version a title (标题)' + leave]);
    if (!v.zh.answer.trim()) problems.push([f.zhAnswer, 'Write the Chinese answer (回答)' + leave]);
    if (!v.zh.questions.length) problems.push([f.zhQuestions, 'Add at least one Chinese question (问题)' + leave]);
  }
  return problems;
}

/** Marks the fields that are missing or wrong, and says what the first one needs. */
function validate(v) {
  clearInvalid();
  const problems = problemsOf(v);
  if (!problems.length) return true;
  problems.forEach(function (p) {
    p[0].setAttribute('aria-invalid', 'true');
  });
  problems[0][0].focus();
  toast(problems[0][1], 'warn');
  return false;
}

function handleWriteError(err) {
  if (err.status === 409 || err.code === 'conflict') {
    toast('Someone else changed this article; reload', 'warn', {
      label: 'Reload',
      run: function () {
        if (state.slug) go('#article/' + q(state.slug));
      },
    });
    return;
  }
  if (err.status === 400) markApiError(err.message);
  reportError(err);
}

/** The article as the API takes it; `removable`: an edit sends zh null (removes it) when every Chinese field is empty. */
function contentOf(v, removable) {
  const content = { title: v.title, category: v.category, tags: v.tags, answer: v.answer, questions: v.questions };
  if (hasChinese(v)) content.zh = v.zh;
  else if (removable) content.zh = null;
  return content;
}

export async function create(status) {
  const v = read();
  if (!validate(v)) return;
  state.busy = true;
  paintChrome();
  try {
    const data = await api('POST', API + '/articles', Object.assign({ slug: v.slug }, contentOf(v, false), { status: status }));
    const slug = (data.article && data.article.slug) || v.slug;
    Articles.stale();
    toast(status === 'published' ? 'Article published' : 'Draft saved', 'ok');
    state.snapshot = snapshotOf(read());
    go('#article/' + q(slug));
  } catch (err) {
    state.busy = false;
    paintChrome();
    if (err.status === 409) reportError(err);
    else handleWriteError(err);
  }
}

/** Save edits (PUT) with a status; or, when nothing was edited and the status changes, only the status. */
export async function update(status, okText) {
  const a = state.article;
  if (!a) return;
  const v = read();
  const dirty = isDirty();
  if (dirty && !validate(v)) return;
  const slug = state.slug;
  state.busy = true;
  paintChrome();
  try {
    const data = dirty
      ? await api('PUT', API + '/articles/' + q(slug), Object.assign(contentOf(v, true), { status: status, base_version: a.version }))
      : await api('POST', API + '/articles/' + q(slug) + '/status', { status: status });
    Articles.stale();
    toast(okText, 'ok');
    state.busy = false;
    if (data.article && state.slug === slug) apply(data.article, null);
    refreshHistory(slug);
  } catch (err) {
    state.busy = false;
    paintChrome();
    handleWriteError(err);
  }
}

async function refreshHistory(slug) {
  const token = state.token;
  try {
    const data = await api('GET', API + '/articles/' + q(slug));
    if (token !== state.token || state.slug !== slug) return;
    if (!isDirty()) {
      apply(data.article, data.history);
      return;
    }
    // keep what the trainer is typing; only refresh the history and the server's view of the article
    state.article = data.article || state.article;
    if (Array.isArray(data.history)) state.history = data.history;
    paintChrome();
    renderHistory();
  } catch (err) {
    reportError(err);
  }
}

export async function revert(version, button) {
  const title = state.article ? str(state.article.title) : state.slug;
  if (!window.confirm('Revert \u201c' + title + '\u201d to version ' + version + '?\n\nThis saves a new version with the content of version ' + version + '. Unsaved edits are lost.')) return;
  const slug = state.slug;
  button.disabled = true;
  try {
    const data = await api('POST', API + '/articles/' + q(slug) + '/revert', { version: version });
    Articles.stale();
    toast('Reverted to version ' + version, 'ok');
    hideDiff();
    if (data.article && state.slug === slug) apply(data.article, null);
    refreshHistory(slug);
  } catch (err) {
    button.disabled = false;
    handleWriteError(err);
  }
}
