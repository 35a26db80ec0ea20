/* Live updates: the console websocket with back-off, and polling while it is down. */
import { $ } from '/shared/static/dom.js';

const WS_PATH = '/console/ws';
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 15000;
const STABLE_SOCKET_MS = 5000; // a socket that lived this long resets the back-off
const CONN_LABELS = { live: 'Live updates on', down: 'Reconnecting\u2026 (polling)', off: 'Not connected' };

export function setConnState(state) {
  const node = document.getElementById('conn-status');
  if (!node) return;
  node.setAttribute('data-state', state);
  const label = $('.conn-label', node);
  if (label) label.textContent = CONN_LABELS[state] || 'Connecting\u2026';
}

function socketUrl() {
  return (window.location.protocol === 'https:' ? 'wss://' : 'ws://') + window.location.host + WS_PATH;
}

function parseFrame(event) {
  try {
    const frame = JSON.parse(event.data);
    return frame && typeof frame.type === 'string' ? frame : null;
  } catch (err) {
    return null;
  }
}

/**
 * The console websocket: subscribe after open, reconnect with back-off (1 s doubling to 15 s).
 * handlers: frame(f), up(isReconnect), down().
 */
export function liveSocket(ticketId, handlers) {
  const s = { ws: null, delay: BACKOFF_MIN_MS, timer: 0, openedAt: 0, everOpened: false, stopped: false };

  function retry() {
    if (s.stopped || s.timer) return;
    s.timer = window.setTimeout(connect, s.delay);
    s.delay = Math.min(s.delay * 2, BACKOFF_MAX_MS);
  }

  function opened(socket) {
    s.openedAt = Date.now();
    try {
      socket.send(JSON.stringify({ type: 'subscribe', ticket_id: ticketId }));
    } catch (err) {
      /* the close handler reconnects */
    }
    setConnState('live');
    const again = s.everOpened;
    s.everOpened = true;
    handlers.up(again);
  }

  function closed(socket) {
    if (s.ws === socket) s.ws = null;
    if (s.stopped) return;
    if (s.openedAt && Date.now() - s.openedAt >= STABLE_SOCKET_MS) s.delay = BACKOFF_MIN_MS;
    s.openedAt = 0;
    setConnState('down');
    handlers.down();
    retry();
  }

  function connect() {
    s.timer = 0;
    if (s.stopped) return;
    let socket;
    try {
      socket = s.ws = new WebSocket(socketUrl());
    } catch (err) {
      s.ws = null;
      handlers.down();
      retry();
      return;
    }
    socket.onopen = function () { opened(socket); };
    socket.onmessage = function (event) {
      const frame = parseFrame(event);
      if (frame) handlers.frame(frame);
    };
    socket.onerror = function () { /* followed by close */ };
    socket.onclose = function () { closed(socket); };
  }

  window.addEventListener('pagehide', function () {
    s.stopped = true;
    window.clearTimeout(s.timer);
    if (s.ws) s.ws.close();
  });
  connect();
  return {
    isOpen: function () {
      return !!s.ws && s.ws.readyState === 1;
    },
  };
}

/** Runs fn every `ms` while started; start() is idempotent. */
export function poller(fn, ms) {
  let id = 0;
  return {
    start: function () {
      if (!id) id = window.setInterval(fn, ms);
    },
    stop: function () {
      if (id) window.clearInterval(id);
      id = 0;
    },
  };
}

/** Wraps an async loader so overlapping calls collapse into one extra run. */
export function coalesced(fn) {
  let running = false;
  let again = false;
  return async function run() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await fn();
    } finally {
      running = false;
      if (again) {
        again = false;
        run();
      }
    }
  };
}
