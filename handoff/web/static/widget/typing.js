/* Typing: "Bot/Alex is typing…" (i18n.js) in the panel, and the customer's own typing sent to the agent. */
'use strict';

// A block, not a function: its names stay out of the page's globals (a classic script in strict mode).
{
  const parts = (window.deskbotWidgetParts = window.deskbotWidgetParts || {});

  const { localize } = parts.i18n;
  const { sendTyping } = parts.transport;
  const { isNearBottom, scrollToBottom, ui } = parts.ui;

  const LOCAL_TYPING_MS = 15000; // our own "bot is typing" after the customer sends
  const SERVER_TYPING_MS = 30000; // safety net if a typing:on is never followed by off
  const TYPING_IDLE_MS = 3000; // customer typing: send "off" after this idle time

  let typingTimer = 0;
  const out = { on: false, timer: 0 };
  let lastAgentName = null;

  function rememberAgent(name) {
    lastAgentName = name;
  }

  function agentName() {
    return lastAgentName;
  }

  /** "Bot is typing…", or the agent's ("Alex is typing…"; without a name, "Agent is typing…"). */
  function showTyping(sender, name, ms) {
    if (!ui.typing) return;
    if (sender !== 'agent') localize(ui.typingText, { text: 'typing_bot' });
    else if (name) localize(ui.typingText, { text: 'typing_agent' }, { name: name });
    else localize(ui.typingText, { text: 'typing_agent_unnamed' });
    const wasNearBottom = isNearBottom();
    ui.typing.hidden = false;
    if (wasNearBottom) scrollToBottom(false);
    clearTimeout(typingTimer);
    typingTimer = window.setTimeout(hideTyping, ms);
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    if (ui.typing) ui.typing.hidden = true;
  }

  /** Who answers next: the agent if a human has taken over, otherwise the bot. */
  function expectReply() {
    const items = ui.messages.querySelectorAll('.dsk-from-agent, .dsk-from-bot');
    const last = items.length ? items[items.length - 1] : null;
    if (last && last._dsk.sender === 'agent') showTyping('agent', lastAgentName, LOCAL_TYPING_MS);
    else showTyping('bot', null, LOCAL_TYPING_MS);
  }

  function noteCustomerTyping() {
    if (!out.on) {
      out.on = true;
      sendTyping(true);
    }
    clearTimeout(out.timer);
    out.timer = window.setTimeout(stopCustomerTyping, TYPING_IDLE_MS);
  }

  function stopCustomerTyping() {
    clearTimeout(out.timer);
    if (out.on) {
      out.on = false;
      sendTyping(false);
    }
  }

  /** The socket went away: the server forgot our typing state, and no one types to us now. */
  function forgetTyping() {
    hideTyping();
    out.on = false;
    clearTimeout(out.timer);
  }

  parts.typing = { SERVER_TYPING_MS, rememberAgent, agentName, showTyping, hideTyping, expectReply, noteCustomerTyping, stopCustomerTyping, forgetTyping };
}
