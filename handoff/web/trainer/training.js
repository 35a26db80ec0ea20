/* The retraining progress box: running (with elapsed time), failed, or hidden when idle. */
import { add, byId, clear, h } from '/shared/static/dom.js';
import { cssToken, str } from '/shared/static/format.js';
import { icon } from '/shared/static/icons.js';
import { fmtElapsed } from './format.js';

const progress = byId('retrain-progress');
let tickTimer = 0;

function progressBody(title, text) {
  return h('div', { class: 'progress-body' }, [h('div', { class: 'progress-title', text: title }), h('div', { class: 'progress-text', text: text })]);
}

function paintRunning(t) {
  const elapsed = h('span', { class: 'progress-elapsed' });
  const tick = function () {
    elapsed.textContent = t.started_at ? fmtElapsed(t.started_at) : '';
  };
  tick();
  tickTimer = window.setInterval(tick, 1000);
  add(progress, [
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    progressBody('Training a new model', str(t.progress) || 'Starting\u2026'),
    elapsed,
    h('div', { class: 'progress-stripe', 'aria-hidden': 'true' }),
  ]);
}

export function paintProgress(t) {
  window.clearInterval(tickTimer);
  clear(progress);
  progress.className = 'progress-box progress-' + cssToken(t.state || 'idle');
  progress.setAttribute('data-state', str(t.state || 'idle'));
  if (t.state === 'running') paintRunning(t);
  else if (t.state === 'failed') add(progress, [icon('alert'), progressBody('The last training run failed', str(t.progress) || 'No details.')]);
  progress.hidden = t.state !== 'running' && t.state !== 'failed';
}
