/* The widget on the page: launcher, panel (header with the language switcher, conversation, composer), opening and closing. */
'use strict';

// A block, not a function: its names stay out of the page's globals (a classic script in strict mode).
{
  const parts = (window.deskbotWidgetParts = window.deskbotWidgetParts || {});

  const { el, icon, ICON_CHAT, ICON_CLOSE, ICON_DOWN, ICON_SEND } = parts.dom;
  const { language, LANGUAGES, localize } = parts.i18n;
  const { sendMessage } = parts.messages;
  const { MAX_LEN, state } = parts.state;
  const { panelOpened, stopPolling } = parts.transport;
  const { noteCustomerTyping, stopCustomerTyping } = parts.typing;
  const { isNearBottom, scrollToBottom, setStatus, setUnread, ui } = parts.ui;

  const TITLE_ID = 'dsk-title';
  const INPUT_MAX_PX = 112; // ~4 lines

  function buildLauncher() {
    ui.badge = el('span', { className: 'dsk-badge', 'aria-hidden': 'true', hidden: true });
    ui.launcher = el(
      'button',
      { id: 'dsk-launcher', className: 'dsk-launcher', type: 'button', 'aria-controls': 'dsk-panel', 'aria-expanded': 'false' },
      [icon(ICON_CHAT, 28, 'dsk-ico-chat'), icon(ICON_CLOSE, 26, 'dsk-ico-close'), ui.badge]
    );
    localize(ui.launcher, { 'aria-label': 'open_chat' });
  }

  /**
   * "EN | 中文": one toggle button per language (aria-pressed on the one shown), each written in its own
   * language and marked with its lang, so a screen reader reads "中文" as Chinese on an English page.
   */
  function buildLanguageSwitch() {
    ui.languageButtons = {};
    const buttons = Object.keys(LANGUAGES).map((code) => {
      const spoken = LANGUAGES[code];
      const btn = el('button', { className: 'dsk-lang-option', type: 'button', lang: spoken.tag, 'data-language': code, 'aria-pressed': 'false', text: spoken.short });
      // Named by what it shows ("EN", so voice control finds it); the tooltip spells it out.
      if (spoken.name !== spoken.short) btn.setAttribute('title', spoken.name);
      ui.languageButtons[code] = btn;
      return btn;
    });
    ui.languageSwitch = localize(el('div', { id: 'dsk-language', className: 'dsk-lang', role: 'group' }, buttons), { 'aria-label': 'language' });
    return ui.languageSwitch;
  }

  /** The switcher shows which language the widget is in. */
  function showLanguage() {
    if (!ui.languageButtons) return;
    const now = language();
    for (const code of Object.keys(ui.languageButtons)) ui.languageButtons[code].setAttribute('aria-pressed', code === now ? 'true' : 'false');
  }

  function buildHeader(title) {
    ui.status = el('span', { id: 'dsk-status', className: 'dsk-status' });
    ui.statusLine = el('div', { className: 'dsk-statusline', 'data-state': 'offline' }, [el('span', { className: 'dsk-dot', 'aria-hidden': 'true' }), ui.status]);
    setStatus(state.status);
    ui.closeBtn = localize(el('button', { className: 'dsk-close', type: 'button' }, [icon(ICON_CLOSE, 22)]), { 'aria-label': 'close_chat' });
    // A title the shop set is its own; without one, "Customer support" in the widget's language.
    const heading = el('h2', { id: TITLE_ID, className: 'dsk-title' });
    if (title) heading.textContent = title;
    else localize(heading, { text: 'title' });
    return el('div', { className: 'dsk-header' }, [
      el('div', { className: 'dsk-avatar', 'aria-hidden': 'true' }, [icon(ICON_CHAT, 22)]),
      // The switcher on the status's line, so the title keeps the header's width.
      el('div', { className: 'dsk-heading' }, [heading, el('div', { className: 'dsk-subline' }, [ui.statusLine, buildLanguageSwitch()])]),
      ui.closeBtn,
    ]);
  }

  function buildBody() {
    ui.messages = el('div', { id: 'dsk-messages', className: 'dsk-messages', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', tabindex: '0' });
    localize(ui.messages, { 'aria-label': 'conversation' });
    ui.empty = el('div', { className: 'dsk-empty' }, [
      localize(el('span', { className: 'dsk-empty-title' }), { text: 'greeting_title' }),
      localize(el('span', { className: 'dsk-empty-text' }), { text: 'greeting_text' }),
    ]);
    ui.messages.appendChild(ui.empty);
    ui.typingText = localize(el('span', { className: 'dsk-typing-text' }), { text: 'typing_bot' });
    ui.typing = el('div', { id: 'dsk-typing', className: 'dsk-typing', hidden: true, 'aria-live': 'polite' }, [
      el('span', { className: 'dsk-dots', 'aria-hidden': 'true' }, [el('i'), el('i'), el('i')]),
      ui.typingText,
    ]);
    ui.jump = localize(el('button', { className: 'dsk-jump', type: 'button', hidden: true }, [icon(ICON_DOWN, 20)]), { 'aria-label': 'scroll_to_latest' });
    return el('div', { className: 'dsk-body' }, [ui.messages, ui.typing, ui.jump]);
  }

  function buildComposer() {
    ui.input = el('textarea', { id: 'dsk-input', className: 'dsk-input', rows: '1', maxlength: String(MAX_LEN), autocomplete: 'off', enterkeyhint: 'send' });
    localize(ui.input, { placeholder: 'placeholder', 'aria-label': 'message' });
    ui.send = localize(el('button', { id: 'dsk-send', className: 'dsk-send', type: 'submit', disabled: true }, [icon(ICON_SEND, 22)]), { 'aria-label': 'send' });
    ui.form = el('form', { className: 'dsk-composer', novalidate: true }, [ui.input, ui.send]);
    ui.count = el('span', { className: 'dsk-count', 'aria-live': 'polite' });
    const foot = el('div', { className: 'dsk-foot' }, [localize(el('span', { className: 'dsk-hint' }), { text: 'hint' }), ui.count]);
    return [ui.form, foot];
  }

  function isMobile() {
    return window.matchMedia && window.matchMedia('(max-width: 600px)').matches;
  }

  // On phones the on-screen keyboard shrinks the visual viewport; keep the composer visible.
  function fitToVisualViewport() {
    if (!ui.panel) return;
    const vv = window.visualViewport;
    if (!state.isOpen || !vv || !isMobile()) {
      ui.panel.style.height = '';
      ui.panel.style.top = '';
      return;
    }
    ui.panel.style.height = vv.height + 'px';
    ui.panel.style.top = vv.offsetTop + 'px';
    if (isNearBottom(160)) scrollToBottom(false);
  }

  function autoGrow() {
    const ta = ui.input;
    ta.style.height = 'auto';
    ta.style.height = Math.min(Math.max(ta.scrollHeight + 3, 46), INPUT_MAX_PX) + 'px';
    ta.style.overflowY = ta.scrollHeight + 3 > INPUT_MAX_PX ? 'auto' : 'hidden';
  }

  /** Send is on when there is text; near the limit a counter shows. */
  function updateComposer() {
    const len = ui.input.value.length;
    ui.send.disabled = !ui.input.value.trim();
    if (len >= MAX_LEN - 200) {
      ui.count.textContent = len + ' / ' + MAX_LEN;
      if (len >= MAX_LEN) ui.count.setAttribute('data-warn', '');
      else ui.count.removeAttribute('data-warn');
    } else {
      ui.count.textContent = '';
      ui.count.removeAttribute('data-warn');
    }
  }

  function submitInput() {
    const text = ui.input.value;
    if (!text.trim()) return;
    if (sendMessage(text, null)) {
      ui.input.value = '';
      autoGrow();
      updateComposer();
    }
  }

  function wirePanel() {
    ui.launcher.addEventListener('click', () => (state.isOpen ? close() : open()));
    ui.closeBtn.addEventListener('click', () => close());
    ui.panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        close();
      }
    });
    ui.messages.addEventListener('scroll', () => {
      ui.jump.hidden = isNearBottom();
    });
    ui.jump.addEventListener('click', () => scrollToBottom(true));
    if (window.visualViewport) {
      window.visualViewport.addEventListener('resize', fitToVisualViewport);
      window.visualViewport.addEventListener('scroll', fitToVisualViewport);
    }
  }

  function wireComposer() {
    ui.form.addEventListener('submit', (e) => {
      e.preventDefault();
      submitInput();
    });
    ui.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        submitInput();
      }
    });
    ui.input.addEventListener('input', () => {
      autoGrow();
      updateComposer();
      if (ui.input.value.trim()) noteCustomerTyping();
      else stopCustomerTyping();
    });
  }

  /** Puts the widget on the page once there is a body; false until then. chooseLanguage(code): a switcher click. */
  function build(title, chooseLanguage) {
    if (state.built) return true;
    if (!document.body) return false;
    state.built = true;
    buildLauncher();
    ui.panel = el('div', { id: 'dsk-panel', className: 'dsk-panel', role: 'dialog', 'aria-labelledby': TITLE_ID, hidden: true }, [buildHeader(title), buildBody(), ...buildComposer()]);
    ui.root = el('div', { id: 'dsk-root', className: 'dsk-root' }, [ui.panel, ui.launcher]);
    ui.root.setAttribute('lang', LANGUAGES[language()].tag);
    showLanguage();
    document.body.appendChild(ui.root);
    wirePanel();
    wireComposer();
    for (const code of Object.keys(ui.languageButtons)) ui.languageButtons[code].addEventListener('click', () => chooseLanguage(code));
    return true;
  }

  function open() {
    if (!state.built) return;
    if (state.isOpen) {
      ui.input.focus();
      return;
    }
    state.isOpen = true;
    ui.panel.hidden = false;
    ui.launcher.setAttribute('aria-expanded', 'true');
    if (isMobile()) document.documentElement.classList.add('dsk-lock');
    setUnread(0);
    fitToVisualViewport();
    scrollToBottom(false);
    panelOpened();
    // On phones, focusing the input would pop the keyboard up uninvited: focus the close button.
    if (isMobile()) ui.closeBtn.focus({ preventScroll: true });
    else ui.input.focus({ preventScroll: true });
  }

  function close() {
    if (!state.built || !state.isOpen) return;
    state.isOpen = false;
    ui.panel.hidden = true;
    ui.launcher.setAttribute('aria-expanded', 'false');
    document.documentElement.classList.remove('dsk-lock');
    stopCustomerTyping();
    stopPolling();
    fitToVisualViewport();
    ui.launcher.focus();
  }

  parts.view = { autoGrow, updateComposer, build, open, close, showLanguage };
}
