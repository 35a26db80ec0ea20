/* Unanswered questions, grouped by similarity, most frequent first; each can start a new article. */
import { api } from '/shared/static/api.js';
import { byId, clear, emptyState, h } from '/shared/static/dom.js';
import { isNum, str, timeEl } from '/shared/static/format.js';
import { icon } from '/shared/static/icons.js';
import { reportError } from '/shared/static/toast.js';
import * as Editor from './editor/editor.js';
import { fmtAgo } from './format.js';
import { API } from './labels.js';
import { go, setNavCount } from './router.js';

const root = byId('unanswered-clusters');
const totalEl = byId('unanswered-total');
const state = { token: 0, loaded: false, clusters: [] };
const SHOWN = 4; // examples shown before "Show more"
const VERDICT_ORDER = { open: 0, suggestions: 1, partly_fixed: 2, fixed: 3 };

/** What the bot does with these questions now: fixed by teaching, half-way, or still open. */
function verdictBadge(cluster) {
  const titles = Array.isArray(cluster.answered_with) ? cluster.answered_with.map(str) : [];
  const text = {
    fixed: 'Fixed: now answered with ' + titles.join(', '),
    partly_fixed: 'Partly fixed: some answered with ' + titles.join(', '),
    suggestions: 'Suggestions only',
    open: 'Still unanswered',
  }[cluster.verdict];
  if (!text) return null;
  const routed = (Array.isArray(cluster.checked) ? cluster.checked : []).filter(function (c) { return c.routed_away; });
  const suffix = routed.length ? ' (the intent model reads it as ' + str(routed[0].intent) + ': teach it as ask_faq and retrain)' : '';
  return h('span', { class: 'badge verdict-badge verdict-' + cluster.verdict, title: 'What the bot does with these questions now', text: text + suffix });
}

export async function load() {
  const token = ++state.token;
  try {
    const data = await api('GET', API + '/unanswered');
    if (token !== state.token) return;
    // Still open first, most frequent first; what teaching fixed goes last (handoff/learning/unanswered.py).
    state.clusters = (Array.isArray(data.clusters) ? data.clusters : []).slice().sort(function (a, b) {
      return (VERDICT_ORDER[a.verdict] || 0) - (VERDICT_ORDER[b.verdict] || 0) || (b.count || 0) - (a.count || 0);
    });
    state.loaded = true;
    render();
  } catch (err) {
    if (token !== state.token) return;
    reportError(err);
    if (!state.loaded && err.status !== 401) clear(root).appendChild(emptyState('alert', 'The unanswered questions could not be loaded', err.message));
  }
}

function render() {
  clear(root);
  totalEl.textContent = String(state.clusters.length);
  setNavCount('nav-unanswered-count', state.clusters.length);
  if (!state.clusters.length) {
    root.appendChild(emptyState('check', 'No unanswered questions', 'Questions the bot could not answer will be grouped here.'));
    return;
  }
  const list = h('ol', { class: 'cluster-list' });
  state.clusters.forEach(function (cluster) {
    list.appendChild(buildCluster(cluster));
  });
  root.appendChild(list);
}

function moreButton(exList, hidden) {
  if (hidden <= 0) return null;
  const more = h('button', { type: 'button', class: 'btn-link more-btn', 'aria-expanded': 'false', text: 'Show ' + hidden + ' more' });
  more.addEventListener('click', function () {
    const open = exList.classList.toggle('is-open');
    more.setAttribute('aria-expanded', open ? 'true' : 'false');
    more.textContent = open ? 'Show fewer' : 'Show ' + hidden + ' more';
  });
  return more;
}

function buildCluster(cluster) {
  const examples = Array.isArray(cluster.examples) ? cluster.examples : [];
  const count = isNum(cluster.count) ? cluster.count : examples.length;
  const exList = h('ul', { class: 'cluster-examples' });
  examples.forEach(function (text, i) {
    exList.appendChild(h('li', { class: 'cluster-example' + (i >= SHOWN ? ' is-extra' : '') }, h('q', { text: str(text) })));
  });
  const make = h('button', { type: 'button', class: 'btn btn-sm make-article-btn', disabled: !examples.length }, [icon('plus'), h('span', { text: 'Write an article' })]);
  make.addEventListener('click', function () {
    Editor.prefill({ questions: examples.slice(0, 1).map(str) });
    go('#new-article');
  });
  return h('li', { class: 'cluster' + (cluster.verdict === 'fixed' ? ' is-fixed' : ''), 'data-verdict': str(cluster.verdict) }, [
    h('div', { class: 'cluster-tally' }, [
      h('span', { class: 'cluster-count', text: String(count) }),
      h('span', { class: 'cluster-unit', text: count === 1 ? 'time' : 'times' }),
    ]),
    h('div', { class: 'cluster-body' }, [
      exList,
      h('div', { class: 'cluster-meta' }, [
        verdictBadge(cluster),
        moreButton(exList, examples.length - SHOWN),
        cluster.last_at ? h('span', { class: 'meta-item' }, [icon('clock'), 'Last asked ', timeEl(cluster.last_at, fmtAgo(cluster.last_at))]) : null,
      ]),
    ]),
    h('div', { class: 'cluster-actions' }, make),
  ]);
}

byId('unanswered-refresh').addEventListener('click', load);
