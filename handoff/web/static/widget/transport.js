/*
 * How the widget talks to the gateway: a WebSocket with back-off reconnects, and a REST fallback
 * (POST to send, polling for replies) after three sockets in a row never opened; while on REST it
 * checks now and then whether the socket works again. No DOM here: what arrives goes to `hooks`.
 */
'use strict';

// A block, not a function: its names stay out of the page's globals (a classic script in strict mode).
{
  const parts = (window.deskbotWidgetParts = window.deskbotWidgetParts || {});

  const { state, STATUS_OFFLINE, STATUS_ONLINE, STATUS_RECONNECTING } = parts.state;

  const BACKOFF_MIN_MS = 500;
  const BACKOFF_MAX_MS = 10000;
  const OPEN_FAILURES_BEFORE_REST = 3;
  const CONNECT_TIMEOUT_MS = 8000; // socket stuck in CONNECTING / no welcome
  const POLL_MS = 2000;
  const WS_PROBE_MS = 60000; // while polling, occasionally check whether the socket works again

  // hooks: status(s), welcome(frame), frame(frame), restResult(data, live), delivered(clientId),
  // failed(clientId, {code, message}), sending(), lost()
  let config = null;
  let hooks = null;
  const t = {
    mode: 'ws', // 'ws' | 'rest'
    ws: null,
    ready: false, // welcome received on the current socket
    openFailures: 0, // consecutive attempts that never opened
    attempt: 0, // back-off exponent
    reconnectTimer: 0,
    connectTimer: 0,
    pollTimer: 0,
    probeTimer: 0,
    restBusy: false,
    restRetryTimer: 0,
    restFailures: 0,
    gen: 0, // bumped by teardown(): stale callbacks compare against it
  };

  /** config: {base, wsUrl, customerToken()}. */
  function initTransport(transportConfig, transportHooks) {
    config = transportConfig;
    hooks = transportHooks;
  }

  function offlineOrReconnecting() {
    return navigator.onLine === false ? STATUS_OFFLINE : STATUS_RECONNECTING;
  }

  function requeueSent() {
    for (const p of state.pending.values()) if (p.status === 'sent') p.status = 'queued';
  }

  // ---------------------------------------------------------------- WebSocket

  /** A pending message as the gateway takes it; with the language the customer chose, if they did. */
  function messageFrame(p) {
    const frame = { type: 'message', client_id: p.clientId, text: p.text, payload: p.payload };
    if (p.language) frame.language = p.language;
    return frame;
  }

  function sendFrame(obj) {
    const ws = t.ws;
    if (t.mode !== 'ws' || !ws || ws.readyState !== 1) return false;
    if (obj.type !== 'hello' && !t.ready) return false;
    try {
      ws.send(JSON.stringify(obj));
      return true;
    } catch (e) {
      return false;
    }
  }

  /** The customer's typing state; only over the socket (REST has no typing). */
  function sendTyping(on) {
    sendFrame({ type: 'typing', on: on });
  }

  function hello() {
    return {
      type: 'hello',
      session_id: state.sessionId || null,
      customer_token: config.customerToken(),
      last_message_id: state.maxId > 0 ? state.maxId : null,
    };
  }

  function watchSocket(sock, gen) {
    let opened = false;
    t.connectTimer = window.setTimeout(() => {
      // Stuck connecting, or opened but no welcome: give up on this socket.
      if (t.ws === sock && !t.ready) {
        try {
          sock.close();
        } catch (e) {
          /* ignore */
        }
        detach(sock, opened);
      }
    }, CONNECT_TIMEOUT_MS);
    sock.onopen = () => {
      if (t.ws !== sock || gen !== t.gen) return;
      opened = true;
      t.openFailures = 0;
      sock.send(JSON.stringify(hello()));
    };
    sock.onmessage = (ev) => {
      if (t.ws !== sock || gen !== t.gen) return;
      let frame;
      try {
        frame = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (frame && typeof frame === 'object') handleFrame(frame);
    };
    sock.onerror = () => { /* a close event follows */ };
    sock.onclose = () => {
      if (t.ws !== sock || gen !== t.gen) return;
      detach(sock, opened);
    };
  }

  function connect() {
    if (!state.started || t.mode !== 'ws') return;
    clearTimeout(t.reconnectTimer);
    if (t.ws) return;
    if (state.status !== STATUS_ONLINE) hooks.status(offlineOrReconnecting());
    let sock;
    try {
      sock = new WebSocket(config.wsUrl);
    } catch (e) {
      onSocketGone(false);
      return;
    }
    t.ws = sock;
    t.ready = false;
    clearTimeout(t.connectTimer);
    watchSocket(sock, t.gen);
  }

  function detach(sock, opened) {
    if (t.ws !== sock) return;
    sock.onopen = sock.onmessage = sock.onclose = sock.onerror = null;
    t.ws = null;
    t.ready = false;
    clearTimeout(t.connectTimer);
    onSocketGone(opened);
  }

  function onSocketGone(opened) {
    hooks.lost();
    // Messages that were sent but never echoed go out again after the next welcome.
    requeueSent();
    if (!opened) t.openFailures += 1;
    if (t.openFailures >= OPEN_FAILURES_BEFORE_REST) {
      enterRestMode();
      return;
    }
    hooks.status(offlineOrReconnecting());
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, t.attempt));
    const delay = Math.min(BACKOFF_MAX_MS, Math.round(base * (0.7 + Math.random() * 0.6)));
    t.attempt += 1;
    clearTimeout(t.reconnectTimer);
    t.reconnectTimer = window.setTimeout(connect, delay);
  }

  function handleFrame(frame) {
    if (frame.type !== 'welcome') {
      hooks.frame(frame);
      return;
    }
    clearTimeout(t.connectTimer);
    t.ready = true;
    t.attempt = 0;
    t.openFailures = 0;
    hooks.status(STATUS_ONLINE);
    hooks.welcome(frame);
    flushOutbox();
  }

  /** Sends the queued messages: over the socket once welcomed, or one by one over REST. */
  function flushOutbox() {
    if (!state.started) return;
    if (t.mode === 'rest') {
      processRestQueue();
      return;
    }
    if (!t.ready || !t.ws) return;
    let sent = false;
    for (const p of state.pending.values()) {
      if (p.status !== 'queued') continue;
      if (!sendFrame(messageFrame(p))) break;
      p.status = 'sent';
      sent = true;
    }
    if (sent) hooks.sending();
  }

  // ---------------------------------------------------------------- REST fallback

  function enterRestMode() {
    t.mode = 'rest';
    t.ws = null;
    t.ready = false;
    clearTimeout(t.reconnectTimer);
    clearTimeout(t.connectTimer);
    hooks.status(STATUS_RECONNECTING);
    requeueSent();
    restPollNow(true); // with no session yet this just reports "online"
    processRestQueue();
    scheduleProbe();
  }

  function api(path, options) {
    const opts = Object.assign({ headers: {} }, options || {});
    opts.headers = Object.assign({ Accept: 'application/json' }, opts.headers);
    if (opts.body && typeof opts.body !== 'string') {
      opts.body = JSON.stringify(opts.body);
      opts.headers['Content-Type'] = 'application/json';
    }
    return window.fetch(config.base + path, opts).then((res) =>
      res
        .json()
        .catch(() => null)
        .then((data) => ({ ok: res.ok, status: res.status, data: data }))
    );
  }

  function restOk() {
    t.restFailures = 0;
    hooks.status(STATUS_ONLINE);
  }

  /** Counts a failed REST call; returns how long to wait before the next try. */
  function restFailed() {
    t.restFailures += 1;
    hooks.status(offlineOrReconnecting());
    return Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, t.restFailures)) * (0.7 + Math.random() * 0.6);
  }

  /** What the gateway said when it refused a message: {code, message}, either may be null. */
  function refusal(data) {
    const out = { code: null, message: null };
    if (data && typeof data === 'object') {
      if (typeof data.error === 'string') out.code = data.error;
      else if (data.error && typeof data.error === 'object') {
        if (typeof data.error.code === 'string') out.code = data.error.code;
        if (typeof data.error.message === 'string') out.message = data.error.message;
      }
      if (typeof data.message === 'string') out.message = data.message;
      else if (!out.message && typeof data.detail === 'string') out.message = data.detail;
    }
    return out;
  }

  function nextQueued() {
    for (const p of state.pending.values()) if (p.status === 'queued') return p;
    return null;
  }

  function restSent(next, res) {
    if (res.ok) {
      restOk();
      hooks.restResult(res.data, true);
      // The echo should have confirmed it; if the server left it out, do not send it twice.
      if (state.pending.has(next.clientId)) {
        state.pending.delete(next.clientId);
        hooks.delivered(next.clientId);
      }
      processRestQueue();
    } else if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
      restOk();
      hooks.failed(next.clientId, refusal(res.data));
      processRestQueue();
    } else {
      t.restRetryTimer = window.setTimeout(processRestQueue, restFailed());
    }
  }

  function processRestQueue() {
    if (t.mode !== 'rest' || t.restBusy || !state.started) return;
    const next = nextQueued();
    if (!next) return;
    const gen = t.gen;
    t.restBusy = true;
    clearTimeout(t.restRetryTimer);
    hooks.sending();
    const body = Object.assign({ session_id: state.sessionId || null, customer_token: config.customerToken() }, messageFrame(next));
    delete body.type;
    api('/api/chat/messages', { method: 'POST', body: body })
      .then((res) => {
        if (gen !== t.gen) return;
        t.restBusy = false;
        restSent(next, res);
      })
      .catch(() => {
        if (gen !== t.gen) return;
        t.restBusy = false;
        t.restRetryTimer = window.setTimeout(processRestQueue, restFailed());
      });
  }

  function stopPolling() {
    clearTimeout(t.pollTimer);
    t.pollTimer = 0;
  }

  /** Fetch new messages now; keep polling every 2 s while the panel is open (once: just this time). */
  function restPollNow(once) {
    if (t.mode !== 'rest' || !state.started) return;
    stopPolling();
    const gen = t.gen;
    const again = (ms) => {
      if (gen !== t.gen || t.mode !== 'rest' || !state.isOpen) return;
      stopPolling();
      t.pollTimer = window.setTimeout(() => restPollNow(), ms);
    };
    if (!state.sessionId) {
      if (t.restFailures === 0 && state.status !== STATUS_ONLINE) hooks.status(STATUS_ONLINE);
      if (!once) again(POLL_MS);
      return;
    }
    const q = '?session_id=' + encodeURIComponent(state.sessionId) + '&after=' + (state.maxId || 0);
    // A signed-in customer's conversation opens only with their token (a header, so it stays out of logs).
    const token = config.customerToken();
    api('/api/chat/history' + q, { method: 'GET', headers: token ? { 'X-Customer-Token': token } : {} })
      .then((res) => {
        if (gen !== t.gen) return;
        if (!res.ok) return again(restFailed());
        restOk();
        hooks.restResult(res.data, state.maxId > 0);
        again(POLL_MS);
      })
      .catch(() => {
        if (gen === t.gen) again(restFailed());
      });
  }

  function backToWebSocket() {
    stopPolling();
    clearTimeout(t.restRetryTimer);
    t.mode = 'ws';
    t.openFailures = 0;
    t.attempt = 0;
    connect();
  }

  function probeOnce(gen) {
    let probe;
    try {
      probe = new WebSocket(config.wsUrl);
    } catch (e) {
      scheduleProbe();
      return;
    }
    let done = false;
    const finish = (ok) => {
      if (done) return;
      done = true;
      try {
        probe.close();
      } catch (e) {
        /* ignore */
      }
      if (gen !== t.gen || t.mode !== 'rest') return;
      if (ok && !t.restBusy) backToWebSocket();
      else scheduleProbe();
    };
    probe.onopen = () => finish(true);
    probe.onerror = probe.onclose = () => finish(false);
    window.setTimeout(() => finish(false), CONNECT_TIMEOUT_MS);
  }

  // While on REST, check now and then whether the WebSocket works again.
  function scheduleProbe() {
    clearTimeout(t.probeTimer);
    const gen = t.gen;
    t.probeTimer = window.setTimeout(() => {
      if (gen === t.gen && t.mode === 'rest') probeOnce(gen);
    }, WS_PROBE_MS);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Back to a fresh WebSocket attempt (on start and after a reset). */
  function startOver() {
    t.mode = 'ws';
    t.openFailures = 0;
    t.attempt = 0;
  }

  /** Stops every socket, request and timer; late answers are ignored. */
  function teardown() {
    t.gen += 1;
    clearTimeout(t.reconnectTimer);
    clearTimeout(t.connectTimer);
    clearTimeout(t.restRetryTimer);
    clearTimeout(t.probeTimer);
    stopPolling();
    t.restBusy = false;
    t.restFailures = 0;
    const ws = t.ws;
    t.ws = null;
    t.ready = false;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close(1000, 'reset');
      } catch (e) {
        /* ignore */
      }
    }
  }

  /** The browser came back online: try again right away. */
  function retryNow() {
    if (!state.started) return;
    if (t.mode === 'ws' && !t.ws) {
      t.attempt = 0;
      connect();
    } else if (t.mode === 'rest') {
      processRestQueue();
      restPollNow();
    }
  }

  /** Whether the socket has said hello back (for the offline status). */
  function isReady() {
    return t.ready;
  }

  /** The panel opened: on REST, fetch what came in while it was closed. */
  function panelOpened() {
    if (t.mode === 'rest') restPollNow();
  }

  parts.transport = { initTransport, sendTyping, connect, flushOutbox, stopPolling, restPollNow, startOver, teardown, retryNow, isReady, panelOpened };
}
