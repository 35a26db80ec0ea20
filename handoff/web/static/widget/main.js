/* The widget: wires the transport (gateway) to the view (page), and is what window.DeskbotWidget calls. */
'use strict';

// A block, not a function: its names stay out of the page's globals (a classic script in strict mode).
{
  const parts = (window.deskbotWidgetParts = window.deskbotWidgetParts || {});

  const { language, languageOf, normalize, setLanguage } = parts.i18n;
  const { addSystemLine, clearConfirmed, clearConversation, handleMessage, markDelivered, markFailed, refreshQuickReplies, sendMessage } = parts.messages;
  const { loadLanguage, loadSession, saveLanguage, saveSession, state, STATUS_OFFLINE } = parts.state;
  const { connect, initTransport, isReady, retryNow, startOver, teardown } = parts.transport;
  const { agentName, expectReply, forgetTyping, hideTyping, SERVER_TYPING_MS, showTyping } = parts.typing;
  const { scrollToBottom, setStatus, ui } = parts.ui;
  const { autoGrow, build, close, open, showLanguage, updateComposer } = parts.view;

  /**
   * The language the widget starts in: the customer's earlier choice, else the shop's (data-language or
   * window.DESKBOT_LANGUAGE), else the page's <html lang>, else the browser's, else English.
   */
  function startingLanguage(config) {
    const chosen = normalize(loadLanguage());
    if (chosen) state.chosenLanguage = chosen;
    const html = document.documentElement;
    return chosen || normalize(config.language()) || normalize(html && html.getAttribute('lang')) || normalize(navigator.language) || null;
  }

  function showIn(code) {
    setLanguage(code, ui.root);
    showLanguage();
  }

  /** A click in the switcher: all the text at once, remembered, and said with every message from now on. */
  function chooseLanguage(code) {
    state.chosenLanguage = code;
    saveLanguage(code);
    showIn(code);
  }

  /**
   * Until the customer chooses, the widget follows the bot: the gateway answers in the language the customer
   * writes, so a customer who writes Chinese on an English page gets the Chinese widget with the Chinese answer.
   */
  function followBot(messages) {
    if (state.chosenLanguage || !Array.isArray(messages)) return;
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i];
      if (!m || m.sender !== 'bot') continue;
      const spoken = languageOf(m.text);
      if (spoken) {
        showIn(spoken);
        return;
      }
    }
  }

  function adoptSession(sid) {
    if (typeof sid !== 'string' || !sid) return;
    if (state.sessionId && sid !== state.sessionId) clearConfirmed(); // old conversation is gone
    state.sessionId = sid;
    saveSession(sid);
  }

  function renderHistory(history) {
    if (!Array.isArray(history)) return;
    for (const m of history) handleMessage(m, false);
    followBot(history);
    // Anything still pending whose echo is in the history is confirmed now; the rest is re-sent.
    refreshQuickReplies();
    scrollToBottom(false);
  }

  function onTyping(frame) {
    if (frame.sender !== 'agent' && frame.sender !== 'bot') return;
    if (!frame.on) return hideTyping();
    const name = frame.sender === 'agent' ? (typeof frame.agent_name === 'string' && frame.agent_name) || agentName() : null;
    showTyping(frame.sender, name, SERVER_TYPING_MS);
  }

  /**
   * The gateway's own words are English: in English they are shown as they are (they can say more, e.g. how long
   * to wait); in another language the widget says it in its own words. fallbackKey: when the gateway said nothing.
   */
  function refusalLine(code, message, fallbackKey) {
    if (language() === 'en' && typeof message === 'string' && message) return { text: message };
    return { key: code === 'rate_limited' ? 'too_fast' : fallbackKey };
  }

  function onErrorFrame(frame) {
    hideTyping();
    // A message the gateway refused (too long, or sent too fast) is marked as not sent, with a Retry button.
    const refused = frame.code === 'invalid_message' || frame.code === 'rate_limited';
    if (refused && typeof frame.client_id === 'string' && frame.client_id) markFailed(frame.client_id, frame.code === 'rate_limited' ? 'not_sent_yet' : 'not_delivered');
    addSystemLine(refusalLine(frame.code, frame.message, 'went_wrong'));
  }

  const transportHooks = {
    status: setStatus,
    welcome: function (frame) {
      adoptSession(frame.session_id);
      renderHistory(frame.history);
    },
    frame: function (frame) {
      if (frame.type === 'message') {
        handleMessage(frame, true);
        followBot([frame]);
      } else if (frame.type === 'typing') onTyping(frame);
      else if (frame.type === 'error') onErrorFrame(frame);
    },
    restResult: function (data, live) {
      if (!data || typeof data !== 'object') return;
      adoptSession(data.session_id);
      if (Array.isArray(data.messages)) for (const m of data.messages) handleMessage(m, live);
      followBot(data.messages);
    },
    delivered: markDelivered,
    failed: function (clientId, refusal) {
      markFailed(clientId, 'not_delivered');
      addSystemLine(refusalLine(refusal.code, refusal.message, 'could_not_send'));
    },
    sending: expectReply,
    lost: forgetTyping,
  };

  function start(title) {
    if (!build(title, chooseLanguage)) {
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
   * config: {base, wsUrl, title(), customerToken(), language(), deferConnect()}. Returns the public API,
   * { start, open, close, send, reset }, once the widget is on the page.
   */
  function createWidget(config) {
    initTransport({ base: config.base, wsUrl: config.wsUrl, customerToken: config.customerToken }, transportHooks);
    state.sessionId = loadSession();
    setLanguage(startingLanguage(config));
    build(config.title(), chooseLanguage);
    watchNetwork();
    if (state.startRequested || !config.deferConnect()) start(config.title());
    return {
      start: () => start(config.title()),
      open: () => {
        if (build(config.title(), chooseLanguage)) open();
      },
      close: close,
      send: (text) => (build(config.title(), chooseLanguage) ? sendMessage(text, null) : null),
      reset: () => reset(config.title()),
    };
  }

  parts.main = { createWidget };
}
