/*
 * The trainer console is one page; the tab is picked by location.hash:
 * #candidates (default), #unanswered, #articles, #article/<slug>, #new-article, #try, #models.
 */
import { $all, byId } from '/shared/static/dom.js';

const APP_TITLE = 'deskbot trainer console';
const VIEW_TITLES = {
  candidates: 'Candidates',
  unanswered: 'Unanswered questions',
  articles: 'Articles',
  editor: 'Article',
  try: 'Try a question',
  models: 'Models',
};
const NAV_FOR_VIEW = {
  candidates: 'nav-candidates',
  unanswered: 'nav-unanswered',
  articles: 'nav-articles',
  editor: 'nav-articles',
  try: 'nav-try',
  models: 'nav-models',
};

let currentView = null;
let enterView = function () {};

export function activeView() {
  return currentView;
}

export function setTitle(text) {
  document.title = (text ? text + ' \u00b7 ' : '') + APP_TITLE;
}

/** The sidebar's count next to a tab; hidden at zero. */
export function setNavCount(id, n) {
  const el = byId(id);
  if (!el) return;
  el.textContent = String(n);
  el.hidden = !n;
}

function parseHash() {
  const raw = window.location.hash.replace(/^#\/?/, '');
  if (raw.indexOf('article/') === 0) {
    let slug = raw.slice('article/'.length);
    try {
      slug = decodeURIComponent(slug);
    } catch (err) {
      /* keep it raw */
    }
    return slug ? { view: 'editor', arg: slug } : { view: 'articles', arg: null };
  }
  if (raw === 'new-article') return { view: 'editor', arg: null };
  if (VIEW_TITLES[raw] && raw !== 'editor') return { view: raw, arg: null };
  return { view: 'candidates', arg: null };
}

function showView(view) {
  $all('.view').forEach(function (section) {
    section.hidden = section.getAttribute('data-view') !== view;
  });
  $all('.nav-item').forEach(function (link) {
    const active = link.id === NAV_FOR_VIEW[view];
    link.classList.toggle('is-active', active);
    if (active) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  });
  if (currentView !== view) {
    const main = byId('main');
    if (main) main.scrollTop = 0;
  }
  currentView = view;
  setTitle(VIEW_TITLES[view]);
}

function route() {
  const target = parseHash();
  showView(target.view);
  enterView(target.view, target.arg);
}

/** Shows the view for `hash` (again, when it is already the current one). */
export function go(hash) {
  if (window.location.hash === hash) route();
  else window.location.hash = hash;
}

/** enter(view, arg) loads a view's data each time it is shown. */
export function startRouter(enter) {
  enterView = enter;
  window.addEventListener('hashchange', route);
  route();
}
