/* The article's versions, newest first, each with its changes and a way back to it. */
import { add, clear, h } from '/shared/static/dom.js';
import { isNum, plural, str, timeEl } from '/shared/static/format.js';
import { icon } from '/shared/static/icons.js';
import { fmtAgo } from '../format.js';
import { showDiff } from './diff.js';
import { els, state } from './form.js';

let revertTo = function () {};

/** handler(version, button) runs when the trainer asks to revert to a version. */
export function onRevert(handler) {
  revertTo = handler;
}

function quietButton(cls, title, iconName, text, onclick) {
  const button = h('button', { type: 'button', class: 'btn btn-sm btn-quiet ' + cls, title: title }, [icon(iconName), h('span', { text: text })]);
  button.addEventListener('click', function () {
    onclick(button);
  });
  return button;
}

function versionActions(v, prev, isCurrent, li) {
  const actions = h('div', { class: 'version-actions' });
  if (prev !== null) {
    actions.appendChild(quietButton('diff-btn', 'Show what changed from version ' + prev + ' to ' + v, 'diff', 'Changes', function () {
      showDiff(prev, v, li);
    }));
  }
  if (!isCurrent) {
    actions.appendChild(quietButton('revert-btn', 'Make version ' + v + ' the current content', 'undo', 'Revert', function (button) {
      revertTo(v, button);
    }));
  }
  return actions.childNodes.length ? actions : null;
}

function versionItem(entry, prev, current) {
  const v = entry.version;
  const isCurrent = v === current;
  const li = h('li', { class: 'version' + (isCurrent ? ' is-current' : '') + (state.diffVersion === v ? ' is-diffed' : ''), 'data-version': str(v) });
  return add(li, [
    h('span', { class: 'version-dot', 'aria-hidden': 'true' }),
    h('div', { class: 'version-main' }, [
      h('div', { class: 'version-top' }, [
        h('span', { class: 'version-num', text: 'v' + str(v) }),
        isCurrent ? h('span', { class: 'badge badge-sm current-badge', text: 'current' }) : null,
        h('span', { class: 'head-spacer' }),
        entry.at ? timeEl(entry.at, fmtAgo(entry.at), 'version-at') : null,
      ]),
      h('div', { class: 'version-summary', text: str(entry.summary) || 'Changed' }),
      entry.actor ? h('div', { class: 'version-by', text: 'by ' + entry.actor }) : null,
      versionActions(v, prev, isCurrent, li),
    ]),
  ]);
}

export function renderHistory() {
  clear(els.history);
  const list = state.history;
  els.historyCount.textContent = list.length ? plural(list.length, 'version') : '';
  if (!list.length) {
    els.history.appendChild(h('li', { class: 'history-empty', text: 'No history yet.' }));
    return;
  }
  const current = state.article ? state.article.version : list[0].version;
  list.forEach(function (entry, i) {
    const v = entry.version;
    const prev = list[i + 1] ? list[i + 1].version : isNum(v) && v > 1 ? v - 1 : null;
    els.history.appendChild(versionItem(entry, prev, current));
  });
}
