/* The queue page: tickets waiting for a person, live over the websocket, polled while it is down. */
import { api } from '/shared/static/api.js';
import { initLogout } from '/shared/static/chrome.js';
import { clear, h } from '/shared/static/dom.js';
import { navigate } from '/shared/static/page.js';
import { reportError, toast } from '/shared/static/toast.js';
import { cssEscape } from './format.js';
import { coalesced, liveSocket, poller } from './live.js';
import { tickRows } from './queue/clock.js';
import { buildRow, messageRow, noOneWaitingRow } from './queue/rows.js';
import { API, isMine, loadSession } from './session.js';
import { startPage } from './start.js';

const QUEUE_POLL_MS = 10000;
const els = {
  rows: document.getElementById('queue-rows'),
  count: document.getElementById('queue-count'),
  navCount: document.getElementById('nav-queue-count'),
  summary: document.getElementById('queue-summary'),
  agents: document.getElementById('agents-online'),
  updated: document.getElementById('queue-updated'),
  refresh: document.getElementById('queue-refresh'),
};
const state = { tickets: [], fetchedAt: 0, loaded: false, failing: false, live: new Map() };

const refresh = coalesced(async function () {
  try {
    const data = await api('GET', API + '/queue');
    state.tickets = data && Array.isArray(data.tickets) ? data.tickets : [];
    state.fetchedAt = performance.now();
    state.loaded = true;
    state.failing = false;
    if (els.agents) els.agents.textContent = String(data && typeof data.agents_online === 'number' ? data.agents_online : 0);
    render();
    if (els.updated) els.updated.textContent = 'Updated ' + new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  } catch (err) {
    if (!state.failing) reportError(err);
    state.failing = true;
    if (!state.loaded && err.status !== 401) {
      clear(els.rows).appendChild(messageRow([h('span', { class: 'empty-title', text: 'The queue could not be loaded' }), h('span', { text: err.message })]));
    }
  }
});

let soon = 0;
function refreshSoon() {
  window.clearTimeout(soon);
  soon = window.setTimeout(refresh, 120);
}

/** Which control had the focus, so a re-render can give it back. */
function focusKeyOf(node) {
  const row = node && node.closest('tr[data-ticket-id]');
  if (!row) return null;
  const sel = node.classList.contains('claim-btn') ? '.claim-btn' : node.classList.contains('open-link') ? '.open-link' : null;
  return sel ? { id: row.getAttribute('data-ticket-id'), sel: sel } : null;
}

function renderRows() {
  const focused = document.activeElement && els.rows.contains(document.activeElement) ? document.activeElement : null;
  const focusKey = focused ? focusKeyOf(focused) : null;
  state.live.clear();
  const fragment = document.createDocumentFragment();
  state.tickets.forEach(function (ticket) {
    const entry = buildRow(ticket, claim);
    state.live.set(String(ticket.id), entry);
    fragment.appendChild(entry.row);
  });
  if (!state.tickets.length) fragment.appendChild(noOneWaitingRow());
  clear(els.rows).appendChild(fragment);
  if (focusKey) {
    const again = els.rows.querySelector('tr[data-ticket-id="' + cssEscape(focusKey.id) + '"] ' + focusKey.sel);
    if (again) again.focus();
  }
}

function renderSummary() {
  const waiting = state.tickets.filter(function (t) {
    return t.status === 'queued';
  }).length;
  const mine = state.tickets.filter(isMine).length;
  els.count.textContent = String(state.tickets.length);
  if (els.navCount) {
    els.navCount.textContent = String(waiting);
    els.navCount.hidden = waiting === 0;
  }
  const parts = [waiting + ' waiting'];
  if (mine) parts.push(mine + ' with you');
  const others = state.tickets.length - waiting - mine;
  if (others > 0) parts.push(others + ' with colleagues');
  els.summary.textContent = parts.join(' \u00b7 ');
  document.title = (waiting ? '(' + waiting + ') ' : '') + 'Queue \u00b7 deskbot agent console';
}

function render() {
  renderRows();
  renderSummary();
  tick();
}

function tick() {
  tickRows(state.live, state.fetchedAt ? (performance.now() - state.fetchedAt) / 1000 : 0);
}

async function claim(id, button) {
  button.disabled = true;
  button.textContent = 'Claiming\u2026';
  try {
    await api('POST', API + '/tickets/' + encodeURIComponent(id) + '/claim', {});
    navigate('/console/tickets/' + encodeURIComponent(id));
  } catch (err) {
    if (err.status === 401) return;
    // 404: it was in the queue a moment ago, so someone else took it (their tickets look like no ticket).
    if (err.status === 404) toast('Someone else just took that ticket.', 'warn');
    else toast(err.message, err.status === 409 ? 'warn' : 'error');
    button.disabled = false;
    button.textContent = 'Claim';
    refresh();
  }
}

function init() {
  initLogout();
  const polling = poller(refresh, QUEUE_POLL_MS);
  els.refresh.addEventListener('click', function () {
    refresh();
  });
  window.setInterval(tick, 1000);
  loadSession().then(function () {
    refresh();
    liveSocket(null, {
      frame: function (frame) {
        if (frame.type === 'queue_changed' || frame.type === 'ticket') refreshSoon();
      },
      up: function (again) {
        polling.stop();
        if (again) refresh();
      },
      down: function () {
        polling.start();
      },
    });
  });
}

startPage(init);
