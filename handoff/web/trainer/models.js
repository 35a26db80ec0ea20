/* Models: the active one, the latest run, every model trained, retraining and rolling back. */
import { api } from '/shared/static/api.js';
import { $, byId, clear, emptyState, h, setBusy } from '/shared/static/dom.js';
import { parseTime, str } from '/shared/static/format.js';
import { isLeaving } from '/shared/static/page.js';
import { reportError, toast } from '/shared/static/toast.js';
import { q } from './format.js';
import { API } from './labels.js';
import { modelCard, modelRow } from './model-card.js';
import { paintProgress } from './training.js';

const TRAINING_POLL_MS = 2000;
const current = byId('models-current');
const rows = byId('models-rows');
const retrainBtn = byId('retrain-btn');
const navDot = byId('nav-models-training');
const state = { token: 0, data: null, pollTimer: 0, wasRunning: false, loaded: false };

function msgRow(text) {
  return h('tr', { class: 'table-msg' }, h('td', { colspan: '7', text: text }));
}

export async function load() {
  const token = ++state.token;
  try {
    const data = await api('GET', API + '/models');
    if (token !== state.token) return;
    state.data = data;
    state.loaded = true;
    render();
    applyTraining(data.training);
  } catch (err) {
    if (token !== state.token) return;
    reportError(err);
    if (!state.loaded && err.status !== 401) clear(rows).appendChild(msgRow('The models could not be loaded. ' + err.message));
    if (state.wasRunning) schedulePoll();
  }
}

function schedulePoll() {
  window.clearTimeout(state.pollTimer);
  if (isLeaving()) return;
  state.pollTimer = window.setTimeout(load, TRAINING_POLL_MS);
}

function trainingEnded(t) {
  window.clearTimeout(state.pollTimer);
  if (!state.wasRunning) return;
  if (t.state === 'failed') toast('Training failed' + (t.progress ? ': ' + t.progress : ''), 'error');
  else toast('Training finished' + (t.progress ? ': ' + t.progress : ''), 'ok');
}

function applyTraining(training) {
  const t = training || { state: 'idle' };
  const running = t.state === 'running';
  navDot.hidden = !running;
  if (running) schedulePoll();
  else trainingEnded(t);
  state.wasRunning = running;
  retrainBtn.disabled = running;
  $('.btn-text', retrainBtn).textContent = running ? 'Training\u2026' : 'Retrain now';
  paintProgress(t);
}

function createdAt(m) {
  return parseTime(m.created_at) || 0;
}

/** The newest run, when it is not the active one (for example rejected by the quality gate). */
function latestRun(models, active) {
  const newest = models.slice().sort(function (a, b) {
    return createdAt(b) - createdAt(a);
  })[0];
  if (!newest || (active && (newest.id === active.id || createdAt(newest) <= createdAt(active)))) return null;
  return newest;
}

function renderCards(models, active) {
  clear(current);
  if (active) current.appendChild(modelCard(active, 'Active model', 'is-active'));
  else current.appendChild(h('section', { class: 'model-card model-card-empty' }, emptyState('box', 'No model is active', 'Retrain to build the first model.')));
  const newest = latestRun(models, active);
  if (newest) current.appendChild(modelCard(newest, newest.status === 'rejected' ? 'Latest run, not activated' : 'Latest run', 'is-latest'));
}

function render() {
  const data = state.data || {};
  const models = Array.isArray(data.models) ? data.models : [];
  const active = data.active || null;
  renderCards(models, active);
  clear(rows);
  if (!models.length) rows.appendChild(msgRow('No models have been trained yet.'));
  models.forEach(function (m) {
    rows.appendChild(modelRow(m, active, activate));
  });
}

async function activate(m, button) {
  if (!window.confirm('Roll back to model #' + m.id + ' (' + str(m.file) + ')?\n\nThe bot switches to it right away; the current model is retired.')) return;
  setBusy(button, true);
  try {
    await api('POST', API + '/models/' + q(m.id) + '/activate', {});
    toast('Model #' + m.id + ' is now active', 'ok');
    load();
  } catch (err) {
    setBusy(button, false);
    reportError(err);
  }
}

retrainBtn.addEventListener('click', async function () {
  retrainBtn.disabled = true;
  try {
    const data = await api('POST', API + '/models/retrain', {});
    const training = data.training || { state: 'running', progress: 'Starting\u2026' };
    state.wasRunning = false;
    applyTraining(training);
    if (training.state !== 'running') load();
  } catch (err) {
    retrainBtn.disabled = false;
    reportError(err);
    load();
  }
});
