/* A model's card and table row: its figures against the baseline it was trained over. */
import { h } from '/shared/static/dom.js';
import { humanize, isNum, str, timeEl } from '/shared/static/format.js';
import { icon } from '/shared/static/icons.js';
import { fmtAgo, fmtPct } from './format.js';
import { statusBadge } from './labels.js';

const FIGURES = [
  ['nlu_accuracy', 'NLU accuracy'],
  ['nlu_macro_f1', 'NLU macro F1'],
  ['story_accuracy', 'Story accuracy'],
];

function faint() {
  return h('span', { class: 'faint', text: '\u2014' });
}

function delta(value, base) {
  if (!isNum(value) || !isNum(base)) return null;
  const d = value - base;
  const pts = d * 100;
  const flat = Math.abs(pts) < 0.05;
  const cls = flat ? 'delta-flat' : d > 0 ? 'delta-up' : 'delta-down';
  const text = flat ? '\u00b10.0 pt' : (d > 0 ? '+' : '\u2212') + Math.abs(pts).toFixed(1) + ' pt';
  return h('span', { class: 'delta ' + cls, title: 'Change against the baseline: ' + text, text: text });
}

function figureKeys(figs) {
  const keys = FIGURES.slice();
  Object.keys(figs).forEach(function (k) {
    if (!keys.some(function (p) { return p[0] === k; })) keys.push([k, humanize(k)]);
  });
  return keys;
}

function figuresTable(m) {
  const figs = m.figures || {};
  const base = m.baseline || null;
  return h('table', { class: 'fig-table' }, [
    h('thead', null, h('tr', null, [
      h('th', { scope: 'col', text: 'Figure' }),
      h('th', { scope: 'col', class: 'num', text: 'This model' }),
      h('th', { scope: 'col', class: 'num', text: 'Baseline' }),
      h('th', { scope: 'col', class: 'num', text: 'Change' }),
    ])),
    h('tbody', null, figureKeys(figs).map(function (pair) {
      const v = figs[pair[0]];
      const b = base ? base[pair[0]] : null;
      return h('tr', { 'data-figure': pair[0] }, [
        h('th', { scope: 'row', text: pair[1] }),
        h('td', { class: 'num fig-value', text: fmtPct(v) }),
        h('td', { class: 'num fig-base', text: base ? fmtPct(b) : '\u2014' }),
        h('td', { class: 'num' }, delta(v, b) || faint()),
      ]);
    })),
  ]);
}

const VERDICT_CLASS = { fixed: 'delta-up', 'still wrong': 'delta-down', broken: 'delta-down', 'already right': 'delta-flat', unknown: 'delta-flat' };

/** What the retrain did for each taught question: how the bot read it before, and after the gate's verdict. */
function taughtTable(m) {
  const rows = Array.isArray(m.taught) ? m.taught : [];
  if (!rows.length) return null;
  return h('table', { class: 'fig-table taught-table' }, [
    h('caption', { class: 'taught-caption', text: 'Taught questions (NLU lessons)' }),
    h('thead', null, h('tr', null, [
      h('th', { scope: 'col', text: 'Question' }),
      h('th', { scope: 'col', text: 'Taught as' }),
      h('th', { scope: 'col', text: 'Before' }),
      h('th', { scope: 'col', text: 'After' }),
      h('th', { scope: 'col', text: 'Result' }),
    ])),
    h('tbody', null, rows.map(function (r) {
      return h('tr', { 'data-verdict': str(r.verdict), 'data-lesson': str(r.id) }, [
        h('th', { scope: 'row' }, [h('q', { text: str(r.text) }), r.automatic ? h('span', { class: 'faint', text: ' (added automatically)' }) : null]),
        h('td', { class: 'mono', text: str(r.intent) }),
        h('td', { class: 'mono', text: str(r.before) || '\u2014' }),
        h('td', { class: 'mono', text: str(r.after) || '\u2014' }),
        h('td', null, h('span', { class: 'delta ' + (VERDICT_CLASS[r.verdict] || 'delta-flat'), text: str(r.verdict) })),
      ]);
    })),
  ]);
}

function fact(label, content) {
  return h('div', null, [h('dt', { text: label }), h('dd', null, content)]);
}

export function modelCard(m, heading, cls) {
  return h('section', { class: 'model-card ' + (cls || ''), 'data-id': str(m.id) }, [
    h('div', { class: 'model-card-head' }, [
      h('div', { class: 'model-card-title' }, [
        h('span', { class: 'model-card-kicker', text: heading }),
        h('div', { class: 'model-card-name' }, [h('span', { class: 'model-id', text: '#' + str(m.id) }), h('span', { class: 'mono model-file', text: str(m.file) })]),
      ]),
      statusBadge(m.status),
    ]),
    h('dl', { class: 'model-facts' }, [
      fact('Trained', m.created_at ? timeEl(m.created_at, fmtAgo(m.created_at)) : '\u2014'),
      fact('Activated', m.activated_at ? timeEl(m.activated_at, fmtAgo(m.activated_at)) : '\u2014'),
      h('div', null, [h('dt', { text: 'By' }), h('dd', { text: str(m.actor) || '\u2014' })]),
    ]),
    m.note ? h('p', { class: 'model-note', text: m.note }) : null,
    figuresTable(m),
    m.baseline ? null : h('p', { class: 'fig-caption', text: 'No baseline: nothing was active when this model was trained.' }),
    taughtTable(m),
  ]);
}

function figureCell(m, key) {
  const v = m.figures ? m.figures[key] : null;
  const b = m.baseline ? m.baseline[key] : null;
  return h('td', { class: 'num col-fig' }, [h('span', { class: 'fig-value', text: fmtPct(v) }), delta(v, b)]);
}

/** onRollBack(model, button) is offered for retired models. */
export function modelRow(m, active, onRollBack) {
  const isActive = m.status === 'active' || (active && active.id === m.id);
  let action = null;
  if (m.status === 'retired') {
    action = h('button', { type: 'button', class: 'btn btn-sm activate-btn', title: 'Make this model active again' }, [icon('rotate'), h('span', { class: 'btn-text', text: 'Roll back' })]);
    action.addEventListener('click', function () {
      onRollBack(m, action);
    });
  }
  return h('tr', { class: 'model-row' + (isActive ? ' is-active' : ''), 'data-id': str(m.id), 'data-status': str(m.status) }, [
    h('td', { class: 'col-model' }, [
      h('div', { class: 'model-line' }, [h('span', { class: 'model-id', text: '#' + str(m.id) }), h('span', { class: 'mono model-file', title: str(m.file), text: str(m.file) })]),
      h('div', { class: 'row-sub' }, [m.created_at ? timeEl(m.created_at, 'Trained ' + fmtAgo(m.created_at)) : null, m.actor ? ' by ' + m.actor : null]),
    ]),
    h('td', { class: 'col-mstatus' }, statusBadge(m.status)),
    figureCell(m, 'nlu_accuracy'),
    figureCell(m, 'nlu_macro_f1'),
    figureCell(m, 'story_accuracy'),
    h('td', { class: 'col-note' }, m.note ? h('span', { class: 'model-note-cell', title: m.note, text: m.note }) : faint()),
    h('td', { class: 'col-maction' }, action),
  ]);
}
