/* The widget: wires the transport (gateway) to the view (page), and is what window.DeskbotWidget calls. */
'use strict';

// A block, not a function: its names stay out of the page's globals (a classic script in strict mode).
{
  const parts = (window.deskbotWidgetParts = window.deskbotWidgetParts || {});

  const { addSystemLine, clearConfirmed, clearConversation, handleMessage, markDelivered, markFailed, refreshQuickReplies, sendMessage } = parts.messages;
  const { loadSession, saveSession, state, STATUS_OFFLINE } = parts.state;
  const { connect, initTransport, isReady, retryNow, startOver, teardown } = parts.transport;
  const { agentName, expectReply, forgetTyping, hideTyping, SERVER_TYPING_MS, showTyping } = parts.typing;
  const { scrollToBottom, setStatus, ui } = parts.ui;
  const { autoGrow, build, close, open, updateComposer } = parts.view;

  function adoptSession(sid) {
    if (typeof sid !== 'string' || !sid) return;
    if (state.sessionId && sid !== state.sessionId) clearConfirmed(); // old conversation is gone
    state.sessionId = sid;
    saveSession(sid);
  }

  function renderHistory(history) {
    if (!Array.isArray(history)) return;
    for (const m of history) handleMessage(m, false);
    // Anything still pending whose echo is in the history is confirmed now; the rest is re-sent.
    refreshQuickReplies();
    scrollToBottom(false);
  }

  function onTyping(frame) {
    if (frame.sender !== 'agent' && frame.sender !== 'bot') return;
    if (!frame.on) return hideTyping();
    const who = frame.sender === 'agent' ? (typeof frame.agent_name === 'string' && frame.agent_name) || agentName() || 'Agent' : 'Bot';
    showTyping(who, SERVER_TYPING_MS);
  }

  function onErrorFrame(frame) {
    const text = typeof frame.message === 'string' && frame.message ? frame.message : 'Something went wrong.';
    hideTyping();
    // A message the gateway refused (too long, or sent too fast) is marked as not sent, with a Retry button.
    const refused = frame.code === 'invalid_message' || frame.code === 'rate_limited';
    if (refused && typeof frame.client_id === 'string' && frame.client_id) markFailed(frame.client_id, frame.code === 'rate_limited' ? 'Not sent yet.' : 'Not delivered.');
    addSystemLine(text);
  }

  const transportHooks = {
    status: setStatus,
    welcome: function (frame) {
      adoptSession(frame.session_id);
      renderHistory(frame.history);
    },
    frame: function (frame) {
      if (frame.type === 'message') handleMessage(frame, true);
      else if (frame.type === 'typing') onTyping(frame);
      else if (frame.type === 'error') onErrorFrame(frame);
    },
    restResult: function (data, live) {
      if (!data || typeof data !== 'object') return;
      adoptSession(data.session_id);
      if (Array.isArray(data.messages)) for (const m of data.messages) handleMessage(m, live);
    },
    delivered: markDelivered,
    failed: function (clientId, text) {
      markFailed(clientId, 'Not delivered.');
      addSystemLine(text);
    },
    sending: expectReply,
    lost: forgetTyping,
  };

  function start(title) {
    if (!build(title)) {
      state.startRequested = true;
      return;
    }
    if (state.started) return;
    state.started = true;
    state.sessionId = loadSession();
    startOver();
    connect();
  }

  function reset(title) {
    teardown();
    forgetTyping();
    saveSession(null);
    state.sessionId = null;
    startOver();
    if (state.built) {
      clearConversation();
      ui.input.value = '';
      autoGrow();
      updateComposer();
    }
    setStatus(STATUS_OFFLINE);
    if (state.started) connect();
    else start(title);
  }

  function watchNetwork() {
    window.addEventListener('online', retryNow);
    window.addEventListener('offline', () => {
      if (state.started && !isReady()) setStatus(STATUS_OFFLINE);
    });
  }

  /**
   * config: {base, wsUrl, title(), customerToken(), deferConnect()}. Returns the public API,
   * { start, open, close, send, reset }, once the widget is on the page.
   */
  function createWidget(config) {
    initTransport({ base: config.base, wsUrl: config.wsUrl, customerToken: config.customerToken }, transportHooks);
    state.sessionId = loadSession();
    build(config.title());
    watchNetwork();
    if (state.startRequested || !config.deferConnect()) start(config.title());
    return {
      start: () => start(config.title()),
      open: () => {
        if (build(config.title())) open();
      },
      close: close,
      send: (text) => (build(config.title()) ? sendMessage(text, null) : null),
      reset: () => reset(config.title()),
    };
  }

  parts.main = { createWidget };
}
