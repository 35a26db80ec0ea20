/* What changed between two versions of the article, line by line per field. */
import { api } from '/shared/static/api.js';
import { $all, clear, h } from '/shared/static/dom.js';
import { humanize, plural, str } from '/shared/static/format.js';
import { reportError } from '/shared/static/toast.js';
import { q } from '../format.js';
import { API } from '../labels.js';
import { els, state } from './form.js';

const DIFF_FIELDS = { answer: 'Answer', title: 'Title', questions: 'Questions', tags: 'Tags', category: 'Category', status: 'Status' };
// The Chinese version's fields (zh.title, ...): named in both languages, their lines marked as Chinese.
const ZH_FIELDS = { 'zh.title': ['标题', 'Title in Chinese'], 'zh.answer': ['回答', 'Answer in Chinese'], 'zh.questions': ['问题', 'Questions in Chinese'] };
const OP_CLASS = { '+': 'diff-add', '-': 'diff-del', ' ': 'diff-same' };
const OP_LABEL = { '+': 'added', '-': 'removed', ' ': 'unchanged' };

function unmarkDiffed() {
  $all('.version.is-diffed', els.history).forEach(function (li) {
    li.classList.remove('is-diffed');
  });
}

export function hideDiff() {
  els.diffPanel.hidden = true;
  clear(els.diff);
  state.diffVersion = null;
  unmarkDiffed();
}

function isChange(line) {
  return line.op === '+' || line.op === '-';
}

function fieldName(field) {
  const zh = ZH_FIELDS[field];
  if (zh) return h('h3', { class: 'diff-field-name' }, [h('span', { lang: 'zh-Hans', text: zh[0] }), ' ' + zh[1]]);
  return h('h3', { class: 'diff-field-name', text: DIFF_FIELDS[field] || humanize(field) });
}

function fieldBlock(fd, tally) {
  const lines = h('div', { class: 'diff-lines', role: 'list' });
  const lang = ZH_FIELDS[fd.field] ? 'zh-Hans' : null;
  (fd.lines || []).forEach(function (line) {
    const op = isChange(line) ? line.op : ' ';
    if (op !== ' ') tally[op]++;
    lines.appendChild(h('div', { class: 'diff-line ' + OP_CLASS[op], role: 'listitem' }, [
      h('span', { class: 'diff-op', 'aria-label': OP_LABEL[op], text: op }),
      h('span', { class: 'diff-text', lang: lang, text: str(line.text) || '\u00a0' }),
    ]));
  });
  return h('div', { class: 'diff-field', 'data-field': str(fd.field) }, [fieldName(fd.field), lines]);
}

function renderDiff(from, to, fields) {
  clear(els.diff);
  els.diffTitle.textContent = 'Changes from v' + from + ' to v' + to;
  const tally = { '+': 0, '-': 0 };
  const changed = fields.filter(function (fd) {
    return (fd.lines || []).some(isChange);
  });
  if (!changed.length) els.diff.appendChild(h('p', { class: 'diff-none', text: 'No differences between these versions.' }));
  changed.forEach(function (fd) {
    els.diff.appendChild(fieldBlock(fd, tally));
  });
  if (changed.length) {
    els.diff.insertBefore(h('p', { class: 'diff-stats' }, [
      h('span', { class: 'diff-stat-add', text: '+' + tally['+'] }),
      ' ',
      h('span', { class: 'diff-stat-del', text: '\u2212' + tally['-'] }),
      ' lines in ' + plural(changed.length, 'field'),
    ]), els.diff.firstChild);
  }
  els.diffPanel.hidden = false;
  els.diffPanel.scrollIntoView({ block: 'nearest' });
}

export async function showDiff(from, to, li) {
  const token = state.token;
  try {
    const data = await api('GET', API + '/articles/' + q(state.slug) + '/diff?from=' + q(from) + '&to=' + q(to));
    if (token !== state.token) return;
    state.diffVersion = to;
    unmarkDiffed();
    if (li) li.classList.add('is-diffed');
    renderDiff(from, to, Array.isArray(data.diff) ? data.diff : []);
  } catch (err) {
    reportError(err);
  }
}

export function wireDiff() {
  document.getElementById('diff-close').addEventListener('click', hideDiff);
}
