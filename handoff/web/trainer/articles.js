/* The articles list (filtered by status, text and whether it has Chinese), and the slug and category suggestions it keeps. */
import { api } from '/shared/static/api.js';
import { byId, clear, emptyState, h } from '/shared/static/dom.js';
import { cssToken, humanize, plural, str, timeEl } from '/shared/static/format.js';
import { reportError } from '/shared/static/toast.js';
import { fmtAgo, q } from './format.js';
import { API, STATUS_LABELS, statusBadge } from './labels.js';
import { go } from './router.js';

const rows = byId('articles-rows');
const filter = byId('article-status-filter');
const langFilter = byId('article-lang-filter');
const missingEl = byId('articles-missing-zh');
const search = byId('article-search');
const totalEl = byId('articles-total');
const state = { token: 0, loaded: false, articles: [], all: null, isStale: true };

function msgRow(content) {
  return h('tr', { class: 'table-msg' }, h('td', { colspan: '7' }, content));
}

export async function load() {
  const token = ++state.token;
  const status = filter.value || 'all';
  if (!state.loaded) clear(rows).appendChild(msgRow('Loading articles\u2026'));
  try {
    const data = await api('GET', API + '/articles?status=' + q(status));
    if (token !== state.token) return;
    state.articles = Array.isArray(data.articles) ? data.articles : [];
    if (status === 'all') {
      state.all = state.articles;
      state.isStale = false;
    }
    state.loaded = true;
    render();
  } catch (err) {
    if (token !== state.token) return;
    reportError(err);
    if (err.status !== 401) clear(rows).appendChild(msgRow('The articles could not be loaded. ' + err.message));
  }
}

/** Fetch every article for the slug and category suggestions, without touching the table. */
export async function fetchQuiet() {
  if (state.all && !state.isStale) return state.all;
  try {
    const data = await api('GET', API + '/articles?status=all');
    state.all = Array.isArray(data.articles) ? data.articles : [];
    state.isStale = false;
  } catch (err) {
    /* suggestions only */
  }
  return state.all || [];
}

export function slugs() {
  return (state.all || []).map(function (a) {
    return str(a.slug);
  });
}

export function categories() {
  const seen = {};
  (state.all || []).forEach(function (a) {
    if (a.category) seen[a.category] = true;
  });
  return Object.keys(seen).sort();
}

/** An article changed: the suggestions are fetched again next time. */
export function stale() {
  state.isStale = true;
}

/** Whether the article has a Chinese version (the list names each article's languages). */
export function hasChinese(a) {
  return Array.isArray(a.languages) && a.languages.indexOf('zh') !== -1;
}

function emptyRow(needle) {
  if (!needle && langFilter.value === 'missing' && state.articles.length) {
    return msgRow(emptyState('book', 'Every article here has a Chinese version', null));
  }
  const what = filter.value && filter.value !== 'all' ? (STATUS_LABELS[filter.value] || filter.value).toLowerCase() + ' articles' : 'articles';
  const which = langFilter.value === 'missing' ? ' without Chinese' : langFilter.value === 'present' ? ' with Chinese' : '';
  const title = needle ? 'No ' + what + which + ' match \u201c' + search.value.trim() + '\u201d' : 'No ' + what + which + ' yet';
  return msgRow(emptyState('book', title, needle || which ? null : 'Create one with New article, or from an unanswered question.'));
}

function matchesLanguage(a) {
  if (langFilter.value === 'missing') return !hasChinese(a);
  if (langFilter.value === 'present') return hasChinese(a);
  return true;
}

/** How many of the articles of this status lack Chinese: in the head, and in the filter's options. */
function paintMissing() {
  const missing = state.articles.filter(function (a) {
    return !hasChinese(a);
  }).length;
  missingEl.hidden = false;
  missingEl.classList.toggle('is-none', missing === 0);
  const text = missing ? plural(missing, 'article') + ' without Chinese' : 'All have Chinese';
  if (missingEl.textContent !== text) missingEl.textContent = text; // announced (aria-live) only when it changes
  langFilter.options[1].textContent = 'No Chinese (' + missing + ')';
  langFilter.options[2].textContent = 'Has Chinese (' + (state.articles.length - missing) + ')';
}

function render() {
  const needle = search.value.trim().toLowerCase();
  const shown = state.articles.filter(function (a) {
    if (!matchesLanguage(a)) return false;
    if (!needle) return true;
    return [a.title, a.slug, a.category].some(function (v) {
      return str(v).toLowerCase().indexOf(needle) !== -1;
    });
  });
  totalEl.textContent = String(shown.length);
  paintMissing();
  clear(rows);
  if (!shown.length) rows.appendChild(emptyRow(needle));
  shown.forEach(function (a) {
    rows.appendChild(buildRow(a));
  });
}

function faint() {
  return h('span', { class: 'faint', text: '\u2014' });
}

function originCell(origin) {
  const text = origin === 'files' ? 'Files' : origin === 'console' ? 'Console' : humanize(origin) || '\u2014';
  const title = origin === 'files' ? 'Loaded from the knowledge-base files' : 'Created in the trainer console';
  return h('td', { class: 'col-origin' }, h('span', { class: 'origin origin-' + cssToken(origin), title: title, text: text }));
}

function languageCell(a) {
  const badge = hasChinese(a)
    ? h('span', { class: 'badge badge-sm lang-badge lang-zh', lang: 'zh-Hans', title: 'Has a Chinese version', text: '中文' })
    : h('span', { class: 'badge badge-sm lang-badge lang-missing', title: 'Chinese-speaking customers get the English text', text: 'No Chinese' });
  return h('td', { class: 'col-lang' }, badge);
}

function buildRow(a) {
  const href = '#article/' + q(a.slug);
  const languages = Array.isArray(a.languages) ? a.languages.join(' ') : 'en';
  const row = h('tr', { class: 'article-row', 'data-slug': str(a.slug), 'data-status': str(a.status), 'data-languages': languages }, [
    h('td', { class: 'col-title' }, [
      h('a', { class: 'row-link', href: href, text: str(a.title) || str(a.slug) }),
      h('span', { class: 'row-slug', text: str(a.slug) }),
    ]),
    h('td', { class: 'col-category' }, a.category ? h('span', { class: 'chip', text: a.category }) : faint()),
    languageCell(a),
    h('td', { class: 'col-status' }, statusBadge(a.status)),
    h('td', { class: 'col-version num', text: a.version !== undefined && a.version !== null ? 'v' + a.version : '\u2014' }),
    originCell(a.origin),
    h('td', { class: 'col-updated' }, a.updated_at ? timeEl(a.updated_at, fmtAgo(a.updated_at)) : faint()),
  ]);
  row.addEventListener('click', function (event) {
    if (event.target.closest('a')) return;
    go(href);
  });
  return row;
}

filter.addEventListener('change', load);
langFilter.addEventListener('change', function () {
  if (state.loaded) render();
});
search.addEventListener('input', function () {
  if (state.loaded) render();
});
byId('new-article-btn').addEventListener('click', function () {
  go('#new-article');
});
