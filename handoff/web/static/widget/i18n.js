/*
 * The widget's own words in each language it speaks, and the language they are shown in.
 * Every part takes its text from here (t), and marks the elements whose text or attributes come
 * from here (localize), so switching the language rewrites them all at once. No DOM building here.
 */
'use strict';

// A block, not a function: its names stay out of the page's globals (a classic script in strict mode).
{
  const parts = (window.deskbotWidgetParts = window.deskbotWidgetParts || {});

  const DEFAULT_LANGUAGE = 'en';
  // The code the gateway takes in a message frame's "language" -> the tag for lang="" (fonts, screen readers),
  // and how the language names itself in the switcher.
  const LANGUAGES = {
    en: { tag: 'en', short: 'EN', name: 'English' },
    zh: { tag: 'zh-CN', short: '\u4E2D\u6587', name: '\u4E2D\u6587' },
  };

  const TEXTS = {
    en: {
      title: 'Customer support',
      status_online: 'online',
      status_reconnecting: 'reconnecting\u2026',
      status_offline: 'offline',
      language: 'Language',
      open_chat: 'Open chat',
      close_chat: 'Close chat',
      conversation: 'Conversation',
      greeting_title: 'Hi there!',
      greeting_text: 'Ask us about an order, returns, shipping or anything else.',
      typing_bot: 'Bot is typing\u2026',
      typing_agent: '{name} is typing\u2026',
      typing_agent_unnamed: 'Agent is typing\u2026',
      support_agent: 'Support agent',
      scroll_to_latest: 'Scroll to latest message',
      placeholder: 'Type your message\u2026',
      message: 'Message',
      send: 'Send message',
      hint: 'Enter to send \u00B7 Shift+Enter for a new line',
      suggested_replies: 'Suggested replies',
      too_long: 'That message is too long \u2014 please keep it under {max} characters.',
      sending: 'Sending\u2026',
      not_delivered: 'Not delivered.',
      not_sent_yet: 'Not sent yet.',
      retry: 'Retry',
      could_not_send: 'Your message could not be sent.',
      went_wrong: 'Something went wrong.',
      too_fast: 'You\u2019re sending messages faster than we can read them. Please wait a moment and send it again.',
    },
    zh: {
      title: '\u5728\u7EBF\u5BA2\u670D', // 在线客服
      status_online: '\u5728\u7EBF', // 在线
      status_reconnecting: '\u6B63\u5728\u91CD\u65B0\u8FDE\u63A5\u2026', // 正在重新连接…
      status_offline: '\u79BB\u7EBF', // 离线
      language: '\u8BED\u8A00', // 语言
      open_chat: '\u6253\u5F00\u5BA2\u670D\u804A\u5929', // 打开客服聊天
      close_chat: '\u5173\u95ED\u804A\u5929\u7A97\u53E3', // 关闭聊天窗口
      conversation: '\u5BF9\u8BDD\u8BB0\u5F55', // 对话记录
      greeting_title: '\u60A8\u597D\uFF01', // 您好！
      greeting_text: '\u8BA2\u5355\u3001\u9000\u6362\u8D27\u3001\u914D\u9001\u7B49\u95EE\u9898\uFF0C\u90FD\u53EF\u4EE5\u95EE\u6211\u4EEC\u3002', // 订单、退换货、配送等问题，都可以问我们。
      typing_bot: '\u667A\u80FD\u5BA2\u670D\u6B63\u5728\u8F93\u5165\u2026', // 智能客服正在输入…
      typing_agent: '{name} \u6B63\u5728\u8F93\u5165\u2026', // {name} 正在输入…
      typing_agent_unnamed: '\u5BA2\u670D\u6B63\u5728\u8F93\u5165\u2026', // 客服正在输入…
      support_agent: '\u4EBA\u5DE5\u5BA2\u670D', // 人工客服
      scroll_to_latest: '\u67E5\u770B\u6700\u65B0\u6D88\u606F', // 查看最新消息
      placeholder: '\u8BF7\u8F93\u5165\u60A8\u7684\u95EE\u9898\u2026', // 请输入您的问题…
      message: '\u6D88\u606F', // 消息
      send: '\u53D1\u9001', // 发送
      hint: 'Enter \u53D1\u9001 \u00B7 Shift+Enter \u6362\u884C', // Enter 发送 · Shift+Enter 换行
      suggested_replies: '\u5FEB\u6377\u56DE\u590D', // 快捷回复
      too_long: '\u6D88\u606F\u592A\u957F\u4E86\uFF0C\u8BF7\u63A7\u5236\u5728 {max} \u4E2A\u5B57\u4EE5\u5185\u3002', // 消息太长了，请控制在 {max} 个字以内。
      sending: '\u53D1\u9001\u4E2D\u2026', // 发送中…
      not_delivered: '\u53D1\u9001\u5931\u8D25\u3002', // 发送失败。
      not_sent_yet: '\u6682\u672A\u53D1\u51FA\u3002', // 暂未发出。
      retry: '\u91CD\u8BD5', // 重试
      could_not_send: '\u62B1\u6B49\uFF0C\u60A8\u7684\u6D88\u606F\u6CA1\u80FD\u53D1\u51FA\u53BB\u3002', // 抱歉，您的消息没能发出去。
      went_wrong: '\u51FA\u4E86\u70B9\u95EE\u9898\uFF0C\u8BF7\u7A0D\u540E\u518D\u8BD5\u3002', // 出了点问题，请稍后再试。
      too_fast: '\u60A8\u53D1\u5F97\u6709\u70B9\u5FEB\uFF0C\u8BF7\u7A0D\u7B49\u7247\u523B\u518D\u53D1\u9001\u3002', // 您发得有点快，请稍等片刻再发送。
    },
  };

  let current = DEFAULT_LANGUAGE;

  /** 'zh', 'zh-CN', 'zh-Hant-TW', 'zh_HK' -> 'zh'; 'en-GB' -> 'en'; anything else null. */
  function normalize(value) {
    if (typeof value !== 'string') return null;
    const base = value.trim().toLowerCase().replace(/_/g, '-').split('-')[0];
    return Object.prototype.hasOwnProperty.call(LANGUAGES, base) ? base : null;
  }

  function language() {
    return current;
  }

  /** The text for `key` in the current language, {placeholders} filled from `vars`. */
  function t(key, vars) {
    const own = TEXTS[current] || TEXTS[DEFAULT_LANGUAGE];
    let text = Object.prototype.hasOwnProperty.call(own, key) ? own[key] : TEXTS[DEFAULT_LANGUAGE][key];
    if (typeof text !== 'string') return key;
    if (vars) text = text.replace(/\{(\w+)\}/g, (whole, name) => (vars[name] == null ? whole : String(vars[name])));
    return text;
  }

  // Elements whose words come from the catalogue carry this attribute, and what to write in node._dskText.
  const MARK = 'data-dsk-text';

  function write(node) {
    const spec = node._dskText;
    for (const target of Object.keys(spec.keys)) {
      const text = t(spec.keys[target], spec.vars);
      if (target === 'text') node.textContent = text;
      else node.setAttribute(target, text);
    }
  }

  /**
   * Fills the node's text and/or attributes from the catalogue now and after every language switch:
   * keys = {text: 'retry', 'aria-label': 'send', placeholder: 'placeholder'}. Returns the node.
   */
  function localize(node, keys, vars) {
    node._dskText = { keys: keys, vars: vars || null };
    node.setAttribute(MARK, '');
    write(node);
    return node;
  }

  /** Switches the catalogue and rewrites every localized element under `root` (the widget's root). */
  function setLanguage(code, root) {
    const lang = normalize(code) || DEFAULT_LANGUAGE;
    current = lang;
    if (root) {
      root.setAttribute('lang', LANGUAGES[lang].tag);
      for (const node of root.querySelectorAll('[' + MARK + ']')) if (node._dskText) write(node);
    }
    return lang;
  }

  /** The language the text is written in, as the gateway decides it: Han characters say zh, Latin words en. */
  function languageOf(text) {
    if (typeof text !== 'string') return null;
    if (/[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]/.test(text)) return 'zh';
    return /[A-Za-z]{2,}/.test(text) ? 'en' : null;
  }

  parts.i18n = { DEFAULT_LANGUAGE, LANGUAGES, TEXTS, normalize, language, t, localize, setLanguage, languageOf };
}
