/* Candidates: what agents taught the bot, grouped by kind, to approve, edit or reject. */
import { api } from '/shared/static/api.js';
import { $all, add, byId, clear, emptyState, h } from '/shared/static/dom.js';
import { cssToken, humanize, isNum, plural, str, timeEl } from '/shared/static/format.js';
import { icon } from '/shared/static/icons.js';
import { reportError, toast } from '/shared/static/toast.js';
import * as Articles from './articles.js';
import { closeEdit, isEditing, openEdit } from './candidate-edit.js';
import { fmtAgo, q } from './format.js';
import { API, KIND_LABELS } from './labels.js';
import { setNavCount } from './router.js';

const root = byId('candidate-groups');
const totalEl = byId('candidates-total');
const state = { token: 0, loaded: false, groups: [] };

export async function load() {
  const token = ++state.token;
  try {
    const data = await api('GET', API + '/candidates?status=pending');
    if (token !== state.token) return;
    state.groups = Array.isArray(data.groups) ? data.groups : [];
    state.loaded = true;
    closeEdit();
    render();
  } catch (err) {
    if (token !== state.token) return;
    reportError(err);
    if (!state.loaded && err.status !== 401) clear(root).appendChild(emptyState('alert', 'The candidates could not be loaded', err.message));
  }
}

function countOf(group) {
  return isNum(group.count) ? group.count : (group.candidates || []).length;
}

function updateCounts() {
  const n = state.groups.reduce(function (sum, g) {
    return sum + countOf(g);
  }, 0);
  totalEl.textContent = String(n);
  setNavCount('nav-candidates-count', n);
}

function render() {
  clear(root);
  const groups = state.groups.filter(function (g) {
    return (g.candidates || []).length > 0;
  });
  if (!groups.length) root.appendChild(emptyState('check', 'Nothing to review', 'When agents teach the bot something new, their proposals show up here.'));
  groups.forEach(function (group) {
    root.appendChild(buildGroup(group));
  });
  updateCounts();
}

function buildGroup(group) {
  const kind = str(group.kind);
  const count = countOf(group);
  const countEl = h('span', { class: 'group-count', title: plural(count, 'proposal'), text: String(count) });
  const list = h('ul', { class: 'candidate-list' });
  const section = h('section', { class: 'candidate-group kind-' + cssToken(kind), 'data-kind': kind }, [
    h('header', { class: 'group-head' }, [
      h('span', { class: 'badge kind-badge kind-badge-' + cssToken(kind), text: KIND_LABELS[kind] || humanize(kind) || 'Other' }),
      h('h2', { class: 'group-label', text: str(group.label) || KIND_LABELS[kind] || humanize(kind) }),
      countEl,
      count > 1 ? actionButton('approve-group-btn', 'Approve every proposal in this group as proposed', 'check', 'Approve all', function (b) { approveGroup(group, b); }) : null,
    ]),
    list,
  ]);
  (group.candidates || []).forEach(function (c) {
    list.appendChild(buildCandidate(c, group));
  });
  group._section = section;
  group._countEl = countEl;
  return section;
}

function targetChip(c) {
  if (!c.target) return null;
  const kind = str(c.kind);
  const label = kind === 'nlu_example' ? 'Intent' : kind === 'new_article' ? 'New slug' : kind === 'wrong_answer' ? 'Not answered with' : 'Article';
  const inner = [icon(kind === 'nlu_example' ? 'tag' : 'book'), h('span', { class: 'chip-key', text: label }), h('span', { class: 'chip-val', text: c.target })];
  if (kind === 'question_variant') {
    return h('a', { class: 'chip chip-target chip-link', href: '#article/' + q(c.target), title: 'Open the article ' + c.target }, inner);
  }
  return h('span', { class: 'chip chip-target', title: label + ': ' + c.target }, inner);
}

const PLACEHOLDER = /\[(?:EMAIL|ORDER|NUMBER|CARD|PHONE|ADDRESS|POSTCODE|NAME)\]/g; // handoff/learning/scrub.py

/** Text nodes, with each scrubbing placeholder in a <mark> so the trainer sees what will not be stored. */
function withPlaceholders(text) {
  const parts = [];
  let last = 0;
  text.replace(PLACEHOLDER, function (match, at) {
    if (at > last) parts.push(text.slice(last, at));
    parts.push(h('mark', { class: 'placeholder', title: 'Removed personal data: edit it out, or drop it', text: match }));
    last = at + match.length;
    return match;
  });
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** What the customer asked and what the bot said to it, scrubbed, from the conversation the lesson came from. */
function exchangeRows(c) {
  if (!c.asked) return null;
  const answered = Array.isArray(c.bot_answered) ? c.bot_answered : [];
  return h('details', { class: 'cand-exchange', open: true }, [
    h('summary', { text: 'In the conversation' }),
    h('div', { class: 'cand-asked' }, [h('span', { class: 'cand-key', text: 'Customer asked' }), h('q', { class: 'cand-asked-text' }, withPlaceholders(str(c.asked)))]),
    h('div', { class: 'cand-bot' }, [
      h('span', { class: 'cand-key', text: 'Bot answered' }),
      answered.length
        ? h('ul', { class: 'cand-bot-replies' }, answered.map(function (text) { return h('li', { class: 'cand-bot-text' }, withPlaceholders(str(text))); }))
        : h('span', { class: 'cand-bot-none', text: 'Nothing' }),
    ]),
  ]);
}

function placeholderNote(c) {
  const found = Array.isArray(c.placeholders) ? c.placeholders : [];
  if (!found.length) return null;
  const stored = c.question_dropped ? [' \u2014 the question would be stored as ', h('q', { class: 'cand-dropped-text', text: c.question_dropped })] : [];
  return h('p', { class: 'cand-placeholder-note', role: 'note' }, [
    icon('alert'),
    'Placeholders are never stored (' + found.join(', ') + '): edit them out, or drop them',
  ].concat(stored, ['.']));
}

function candidateBody(c, kind) {
  const body = h('div', { class: 'cand-body' });
  if (c.title) add(body, h('div', { class: 'cand-title' }, [h('span', { class: 'cand-key', text: 'Title' }), h('span', { class: 'cand-title-text', text: c.title })]));
  add(body, h('div', { class: 'cand-question' }, [
    h('span', { class: 'cand-key', text: kind === 'nlu_example' ? 'Example' : 'Question' }),
    h('q', { class: 'cand-question-text' }, withPlaceholders(str(c.question))),
  ]));
  if (c.answer) add(body, h('div', { class: 'cand-answer-wrap' }, [h('span', { class: 'cand-key', text: 'Answer' }), h('div', { class: 'cand-answer' }, withPlaceholders(str(c.answer)))]));
  add(body, [placeholderNote(c), exchangeRows(c), h('p', { class: 'cand-error', role: 'alert', hidden: true })]);
  return add(body, h('div', { class: 'cand-meta' }, [
    targetChip(c),
    c.proposed_by ? h('span', { class: 'meta-item' }, [icon('user'), 'Proposed by ', h('strong', { text: c.proposed_by })]) : null,
    c.ticket_id !== null && c.ticket_id !== undefined ? h('span', { class: 'meta-item' }, [icon('ticket'), 'Ticket #' + str(c.ticket_id)]) : null,
    c.created_at ? h('span', { class: 'meta-item' }, [icon('clock'), timeEl(c.created_at, fmtAgo(c.created_at))]) : null,
  ]));
}

function actionButton(cls, title, iconName, label, onclick) {
  const button = h('button', { type: 'button', class: 'btn btn-sm ' + cls, title: title }, [icon(iconName), h('span', { class: 'btn-text', text: label })]);
  button.addEventListener('click', function () {
    onclick(button);
  });
  return button;
}

function buildCandidate(c, group) {
  const kind = str(c.kind || group.kind);
  const item = h('li', { class: 'candidate', 'data-id': str(c.id), 'data-kind': kind });
  const approveThis = function (edits, button) {
    decide(c, group, item, button, '/approve', edits || {}, 'Approved');
  };
  const hasPlaceholders = Array.isArray(c.placeholders) && c.placeholders.length > 0;
  const actions = h('div', { class: 'cand-actions' }, [
    actionButton('btn-primary approve-btn', 'Approve as proposed', 'check', 'Approve', function (b) { approveThis({}, b); }),
    hasPlaceholders ? actionButton('drop-approve-btn', 'Remove the placeholders and the words that lead up to them, then approve', 'check', 'Drop placeholders & approve', function (b) { approveThis({ drop_placeholders: true }, b); }) : null,
    actionButton('edit-btn', 'Edit, then approve', 'edit', 'Edit', function () { openEdit(c, kind, item, approveThis); }),
    actionButton('btn-danger-quiet reject-btn', 'Reject this proposal', 'x', 'Reject', function (b) { reject(c, group, item, b); }),
  ]);
  add(item, [h('div', { class: 'cand-row' }, [candidateBody(c, kind), actions])]);
  return item;
}

function dropGroupIfEmpty(group) {
  if (group.candidates.length) return;
  state.groups = state.groups.filter(function (g) {
    return g !== group;
  });
  if (group._section) group._section.remove();
  if (!state.groups.some(function (g) { return (g.candidates || []).length; })) render();
}

function removeCandidate(c, group, item) {
  if (isEditing(item)) closeEdit();
  group.candidates = (group.candidates || []).filter(function (x) {
    return x !== c;
  });
  group.count = Math.max(0, (isNum(group.count) ? group.count : group.candidates.length + 1) - 1);
  item.classList.add('is-leaving');
  window.setTimeout(function () {
    item.remove();
    dropGroupIfEmpty(group);
  }, 160);
  if (group._countEl) {
    group._countEl.textContent = String(group.count);
    group._countEl.title = plural(group.count, 'proposal');
  }
  updateCounts();
}

/** Approves or rejects (path) with the candidate's buttons off; a stale candidate reloads the list. */
async function decide(c, group, item, button, path, body, okText) {
  const buttons = $all('button', item);
  buttons.forEach(function (b) { b.disabled = true; });
  try {
    const data = await api('POST', API + '/candidates/' + q(c.id) + path, body);
    removeCandidate(c, group, item);
    if (path === '/approve') Articles.stale();
    // The routing check's note ("the bot reads this as …: retrain to fix the routing") must not pass unseen.
    const note = path === '/approve' && data && data.candidate ? data.candidate.note : null;
    toast(note ? okText + ': ' + note : okText, note ? 'warn' : 'ok');
  } catch (err) {
    buttons.forEach(function (b) { b.disabled = false; });
    if (err.status === 404 || err.status === 409) {
      toast(err.message, 'warn');
      load();
      return;
    }
    if (err.status === 400) showError(item, err.message);
    reportError(err);
    if (button) button.focus();
  }
}

function showError(item, message) {
  const el = item.querySelector('.cand-error');
  if (!el) return;
  el.textContent = message || '';
  el.hidden = !message;
  item.classList.toggle('is-refused', !!message);
}

/** One request for the whole group; each refused candidate stays, with the server's reason under it. */
async function approveGroup(group, button) {
  const members = (group.candidates || []).slice();
  const items = members.map(function (c) { return group._section.querySelector('.candidate[data-id="' + cssEscape(str(c.id)) + '"]'); });
  button.disabled = true;
  try {
    const data = await api('POST', API + '/candidates/approve-group', { candidate_ids: members.map(function (c) { return c.id; }) });
    const results = {};
    (data.results || []).forEach(function (r) { results[r.id] = r; });
    let refused = 0;
    members.forEach(function (c, i) {
      const result = results[c.id];
      if (result && result.ok) removeCandidate(c, group, items[i]);
      else {
        refused += 1;
        if (items[i]) showError(items[i], result ? result.message : 'Not approved.');
      }
    });
    Articles.stale();
    toast(plural(data.approved || 0, 'proposal') + ' approved' + (refused ? ', ' + refused + ' refused: see why under each' : ''), refused ? 'warn' : 'ok');
  } catch (err) {
    reportError(err);
  } finally {
    button.disabled = false;
  }
}

function cssEscape(value) {
  return window.CSS && CSS.escape ? CSS.escape(value) : value.replace(/[^\w-]/g, '');
}

function reject(c, group, item, button) {
  const note = window.prompt('Reject this proposal?\nReason (optional):', '');
  if (note !== null) decide(c, group, item, button, '/reject', { note: note.trim() }, 'Rejected');
}

byId('candidates-refresh').addEventListener('click', load);
