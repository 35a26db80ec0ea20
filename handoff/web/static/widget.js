/*!
 * deskbot web chat widget
 *
 * Embed with one tag:
 *   <script src="/static/widget.js" data-deskbot-url="" defer></script>
 *
 * data-deskbot-url   gateway base URL ("" or absent = the origin this script was loaded from)
 * data-customer-token  optional signed-in customer token (window.DESKBOT_CUSTOMER_TOKEN wins)
 * data-title         optional panel title (or window.DESKBOT_TITLE)
 *
 * window.DESKBOT_DEFER_CONNECT = true  -> do not connect until DeskbotWidget.start() is called.
 *
 * API: window.DeskbotWidget = { start(), open(), close(), send(text), reset() }
 *
 * Plain ES2019, no dependencies, no network resources besides the gateway.
 * Message content is only ever rendered with textContent / text nodes.
 */
(function () {
  'use strict';

  if (window.DeskbotWidget && window.DeskbotWidget.__deskbot) return;

  // ---------------------------------------------------------------- settings
  const MAX_LEN = 2000;
  const SESSION_KEY = 'deskbot.session';
  const LOCAL_TYPING_MS = 15000; // our own "bot is typing" after the customer sends
  const SERVER_TYPING_MS = 30000; // safety net if a typing:on is never followed by off
  const TYPING_IDLE_MS = 3000; // customer typing: send "off" after this idle time
  const BACKOFF_MIN_MS = 500;
  const BACKOFF_MAX_MS = 10000;
  const OPEN_FAILURES_BEFORE_REST = 3;
  const CONNECT_TIMEOUT_MS = 8000; // socket stuck in CONNECTING / no welcome
  const POLL_MS = 2000;
  const WS_PROBE_MS = 60000; // while polling, occasionally check whether the socket works again
  const STATUS_ONLINE = 'online';
  const STATUS_RECONNECTING = 'reconnecting\u2026';
  const STATUS_OFFLINE = 'offline';

  const script =
    document.currentScript ||
    (function () {
      const all = document.querySelectorAll('script[src]');
      for (let i = all.length - 1; i >= 0; i--) {
        if (/widget\.js(?:[?#]|$)/.test(all[i].src)) return all[i];
      }
      return null;
    })();

  function attr(name) {
    return script ? script.getAttribute(name) : null;
  }

  function resolveBase() {
    const configured = (attr('data-deskbot-url') || '').trim();
    try {
      if (configured) {
        const u = new URL(configured, window.location.href);
        return u.origin + u.pathname.replace(/\/+$/, '');
      }
      if (script && script.src) return new URL(script.src, window.location.href).origin;
    } catch (e) {
      /* fall through to the page origin */
    }
    return window.location.origin;
  }

  const BASE = resolveBase();
  const WS_URL = BASE.replace(/^http(s?):/i, 'ws$1:') + '/ws/chat';

  function customerToken() {
    if (typeof window.DESKBOT_CUSTOMER_TOKEN !== 'undefined') {
      const t = window.DESKBOT_CUSTOMER_TOKEN;
      return typeof t === 'string' && t ? t : null;
    }
    const a = attr('data-customer-token');
    return a ? a : null;
  }

  function title() {
    return (typeof window.DESKBOT_TITLE === 'string' && window.DESKBOT_TITLE) || attr('data-title') || 'Customer support';
  }

  // ---------------------------------------------------------------- storage
  function loadSession() {
    try {
      return window.localStorage.getItem(SESSION_KEY) || null;
    } catch (e) {
      return null;
    }
  }
  function saveSession(id) {
    try {
      if (id) window.localStorage.setItem(SESSION_KEY, id);
      else window.localStorage.removeItem(SESSION_KEY);
    } catch (e) {
      /* storage unavailable: the session just won't survive a reload */
    }
  }

  function newClientId() {
    const c = window.crypto;
    if (c && typeof c.randomUUID === 'function') {
      try {
        return c.randomUUID();
      } catch (e) {
        /* insecure context in some browsers */
      }
    }
    const bytes = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(bytes);
    else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  // ---------------------------------------------------------------- state
  const state = {
    built: false,
    started: false,
    isOpen: false,
    sessionId: loadSession(),
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
    gen: 0, // bumped by reset(): stale callbacks compare against it
    maxId: 0,
    byId: new Map(), // id -> element
    byClientId: new Map(), // client_id -> element (customer messages we created)
    pending: new Map(), // client_id -> {clientId, text, payload, el, status: queued|sent|failed}
    unread: 0,
    typingOut: false,
    typingOutTimer: 0,
    typingTimer: 0,
    lastAgentName: null,
    status: STATUS_OFFLINE,
  };

  const ui = {};

  // ---------------------------------------------------------------- DOM helpers
  function el(tag, props, children) {
    const node = document.createElement(tag);
    if (props) {
      for (const key of Object.keys(props)) {
        const v = props[key];
        if (v === null || v === undefined || v === false) continue;
        if (key === 'className') node.className = v;
        else if (key === 'text') node.textContent = v;
        else if (key === 'hidden') node.hidden = true;
        else node.setAttribute(key, v === true ? '' : String(v));
      }
    }
    if (children) for (const c of children) if (c) node.appendChild(c);
    return node;
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  function icon(paths, size, extraClass) {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', String(size));
    svg.setAttribute('height', String(size));
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    if (extraClass) svg.setAttribute('class', extraClass);
    for (const d of paths) {
      const p = document.createElementNS(SVG_NS, 'path');
      p.setAttribute('d', d);
      p.setAttribute('fill', 'none');
      p.setAttribute('stroke', 'currentColor');
      p.setAttribute('stroke-width', '2');
      p.setAttribute('stroke-linecap', 'round');
      p.setAttribute('stroke-linejoin', 'round');
      svg.appendChild(p);
    }
    return svg;
  }
  const ICON_CHAT = ['M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12z', 'M8.5 12h.01', 'M12 12h.01', 'M15.5 12h.01'];
  const ICON_CLOSE = ['M6 6l12 12', 'M18 6L6 18'];
  const ICON_SEND = ['M5 12h13', 'M12 5l7 7-7 7'];
  const ICON_DOWN = ['M6 9l6 6 6-6'];

  // Bare http(s) URLs become links; everything else is a text node.
  const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
  function appendRichText(container, text) {
    container.textContent = '';
    if (!text) return;
    let last = 0;
    URL_RE.lastIndex = 0;
    let m;
    while ((m = URL_RE.exec(text)) !== null) {
      let raw = m[0];
      // Trailing punctuation is almost always sentence punctuation, not part of the URL.
      while (/[.,;:!?)\]}]$/.test(raw)) {
        if (raw.endsWith(')') && (raw.match(/\(/g) || []).length >= (raw.match(/\)/g) || []).length) break;
        raw = raw.slice(0, -1);
      }
      let href = null;
      try {
        const u = new URL(raw);
        if (u.protocol === 'http:' || u.protocol === 'https:') href = u.href;
      } catch (e) {
        href = null;
      }
      if (!href) continue;
      if (m.index > last) container.appendChild(document.createTextNode(text.slice(last, m.index)));
      const a = document.createElement('a');
      a.href = href;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.textContent = raw;
      container.appendChild(a);
      last = m.index + raw.length;
      URL_RE.lastIndex = last;
    }
    if (last < text.length) container.appendChild(document.createTextNode(text.slice(last)));
  }

  function formatTime(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    try {
      return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    } catch (e) {
      return d.toTimeString().slice(0, 5);
    }
  }

  // ---------------------------------------------------------------- CSS
  const CSS = `
#dsk-root{--dsk-accent:#1f6f5c;--dsk-accent-dark:#154f42;--dsk-accent-soft:rgba(31,111,92,.16);--dsk-ink:#1c2430;--dsk-muted:#667085;--dsk-line:#e4e7ec;--dsk-surface:#f7f8fa;--dsk-bot:#ffffff;
  font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif;font-size:15px;line-height:1.45;color:var(--dsk-ink);
  -webkit-font-smoothing:antialiased;-moz-osx-font-smoothing:grayscale;text-align:left;letter-spacing:normal;text-transform:none;font-weight:400}
#dsk-root *,#dsk-root *::before,#dsk-root *::after{box-sizing:border-box}
#dsk-root [hidden]{display:none!important}
#dsk-root button{font:inherit;margin:0;cursor:pointer;-webkit-tap-highlight-color:transparent;text-transform:none;letter-spacing:normal;box-shadow:none}
#dsk-root :focus{outline:none}
#dsk-root :focus-visible{outline:3px solid #f5a524;outline-offset:2px}
#dsk-root .dsk-sr{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}

#dsk-root .dsk-launcher{position:fixed;right:24px;bottom:24px;z-index:2147483000;width:60px;height:60px;border-radius:50%;border:0;padding:0;
  background:linear-gradient(145deg,var(--dsk-accent),var(--dsk-accent-dark));color:#fff;display:flex;align-items:center;justify-content:center;
  box-shadow:0 10px 28px rgba(16,24,40,.28),0 2px 6px rgba(16,24,40,.16);transition:transform .16s ease,box-shadow .16s ease}
#dsk-root .dsk-launcher:hover{transform:translateY(-2px) scale(1.04);box-shadow:0 14px 32px rgba(16,24,40,.32),0 2px 6px rgba(16,24,40,.16)}
#dsk-root .dsk-launcher:active{transform:scale(.97)}
#dsk-root .dsk-launcher .dsk-ico-close{display:none}
#dsk-root .dsk-launcher[aria-expanded="true"] .dsk-ico-chat{display:none}
#dsk-root .dsk-launcher[aria-expanded="true"] .dsk-ico-close{display:block}
#dsk-root .dsk-badge{position:absolute;top:-3px;right:-3px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#d92d20;color:#fff;
  font-size:12px;font-weight:700;line-height:18px;text-align:center;border:2px solid #fff}

#dsk-root .dsk-panel{position:fixed;right:24px;bottom:100px;z-index:2147483001;width:384px;max-width:calc(100vw - 48px);height:640px;max-height:calc(100vh - 124px);
  display:flex;flex-direction:column;overflow:hidden;background:#fff;border-radius:18px;
  box-shadow:0 24px 64px rgba(16,24,40,.24),0 4px 12px rgba(16,24,40,.10);border:1px solid rgba(16,24,40,.06);
  transform-origin:bottom right;animation:dsk-in .2s cubic-bezier(.2,.8,.2,1)}
@keyframes dsk-in{from{opacity:0;transform:translateY(12px) scale(.98)}to{opacity:1;transform:none}}

#dsk-root .dsk-header{flex:none;display:flex;align-items:center;gap:12px;padding:14px 10px 14px 16px;color:#fff;
  background:linear-gradient(135deg,var(--dsk-accent),var(--dsk-accent-dark))}
#dsk-root .dsk-avatar{flex:none;width:42px;height:42px;border-radius:50%;background:rgba(255,255,255,.16);display:flex;align-items:center;justify-content:center;
  box-shadow:inset 0 0 0 1px rgba(255,255,255,.22)}
#dsk-root .dsk-heading{min-width:0;flex:1}
#dsk-root .dsk-title{margin:0;font-size:16px;font-weight:650;line-height:1.25;color:#fff;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#dsk-root .dsk-statusline{display:flex;align-items:center;gap:6px;font-size:13px;line-height:1.3;color:rgba(255,255,255,.88);margin-top:2px}
#dsk-root .dsk-dot{width:8px;height:8px;border-radius:50%;background:#f87171;flex:none;box-shadow:0 0 0 2px rgba(255,255,255,.18)}
#dsk-root .dsk-statusline[data-state="online"] .dsk-dot{background:#4ade80}
#dsk-root .dsk-statusline[data-state="reconnecting"] .dsk-dot{background:#fbbf24;animation:dsk-pulse 1.2s ease-in-out infinite}
@keyframes dsk-pulse{50%{opacity:.35}}
#dsk-root .dsk-close{flex:none;width:44px;height:44px;border:0;border-radius:12px;background:transparent;color:#fff;display:flex;align-items:center;justify-content:center;padding:0}
#dsk-root .dsk-close:hover{background:rgba(255,255,255,.14)}

#dsk-root .dsk-body{position:relative;flex:1;min-height:0;display:flex;flex-direction:column;background:var(--dsk-surface)}
#dsk-root .dsk-messages{flex:1;min-height:0;overflow-y:auto;overscroll-behavior:contain;-webkit-overflow-scrolling:touch;padding:18px 14px 10px;
  display:flex;flex-direction:column;gap:10px;scroll-behavior:smooth}
#dsk-root .dsk-empty{margin:auto 8px;text-align:center;color:var(--dsk-muted);font-size:14px;padding:24px 12px}
#dsk-root .dsk-empty-title{display:block;font-size:17px;font-weight:650;color:var(--dsk-ink);margin-bottom:4px}

#dsk-root .dsk-msg{display:flex;flex-direction:column;align-items:flex-start;max-width:100%;animation:dsk-pop .18s ease-out}
@keyframes dsk-pop{from{opacity:0;transform:translateY(4px)}to{opacity:1;transform:none}}
#dsk-root .dsk-msg.dsk-from-customer{align-items:flex-end}
#dsk-root .dsk-msg.dsk-from-system{align-items:center}
#dsk-root .dsk-sender{font-size:12px;font-weight:600;color:#9a6700;margin:0 0 3px 10px}
#dsk-root .dsk-text{max-width:86%;padding:10px 14px;border-radius:18px 18px 18px 6px;background:var(--dsk-bot);color:var(--dsk-ink);
  white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word;box-shadow:0 1px 2px rgba(16,24,40,.08);border:1px solid #eceef2}
#dsk-root .dsk-text:empty{display:none}
#dsk-root .dsk-text a{color:inherit;text-decoration:underline;text-underline-offset:2px;word-break:break-all}
#dsk-root .dsk-from-customer .dsk-text{background:var(--dsk-accent);color:#fff;border-color:transparent;border-radius:18px 18px 6px 18px}
#dsk-root .dsk-from-agent .dsk-text{background:#fff8eb;border-color:#f5dfb0}
#dsk-root .dsk-from-system .dsk-text{background:transparent;border:0;box-shadow:none;color:var(--dsk-muted);font-size:13px;text-align:center;padding:2px 10px;max-width:94%}
#dsk-root .dsk-meta{font-size:11.5px;color:#98a2b3;margin:3px 8px 0;min-height:1em;display:flex;align-items:center;gap:4px}
#dsk-root .dsk-meta:empty{display:none}
#dsk-root .dsk-pending .dsk-text{opacity:.72}
#dsk-root .dsk-failed .dsk-text{background:#fef3f2;color:#912018;border:1px solid #fda29b}
#dsk-root .dsk-failed .dsk-meta{color:#b42318}
#dsk-root .dsk-retry{border:0;background:none;color:#b42318;font-weight:650;text-decoration:underline;padding:8px 6px;min-height:36px;font-size:13px}

#dsk-root .dsk-quick-replies{display:flex;flex-wrap:wrap;gap:8px;margin-top:10px;max-width:100%}
#dsk-root .dsk-quick-reply{min-height:44px;padding:10px 16px;border-radius:22px;border:1.5px solid var(--dsk-accent);background:#fff;color:var(--dsk-accent);
  font-size:14px;font-weight:600;line-height:1.2;text-align:left;transition:background .12s ease,color .12s ease}
#dsk-root .dsk-quick-reply:hover{background:var(--dsk-accent);color:#fff}
#dsk-root .dsk-quick-reply:active{transform:scale(.98)}

#dsk-root .dsk-typing{flex:none;display:flex;align-items:center;gap:8px;padding:2px 18px 10px;font-size:13px;color:var(--dsk-muted)}
#dsk-root .dsk-dots{display:inline-flex;gap:3px;padding:8px 10px;border-radius:12px;background:#fff;border:1px solid #eceef2}
#dsk-root .dsk-dots i{width:6px;height:6px;border-radius:50%;background:#98a2b3;display:block;animation:dsk-blink 1.2s infinite ease-in-out}
#dsk-root .dsk-dots i:nth-child(2){animation-delay:.15s}
#dsk-root .dsk-dots i:nth-child(3){animation-delay:.3s}
@keyframes dsk-blink{0%,80%,100%{opacity:.3;transform:translateY(0)}40%{opacity:1;transform:translateY(-3px)}}

#dsk-root .dsk-jump{position:absolute;left:50%;bottom:12px;transform:translateX(-50%);width:40px;height:40px;border-radius:50%;border:1px solid var(--dsk-line);
  background:#fff;color:var(--dsk-ink);display:flex;align-items:center;justify-content:center;padding:0;box-shadow:0 4px 12px rgba(16,24,40,.14)}

#dsk-root .dsk-composer{flex:none;display:flex;align-items:flex-end;gap:8px;padding:10px 12px 8px;background:#fff;border-top:1px solid var(--dsk-line);margin:0}
#dsk-root .dsk-input{flex:1;min-width:0;display:block;resize:none;margin:0;border:1.5px solid var(--dsk-line);border-radius:22px;padding:10px 16px;
  font-family:inherit;font-size:16px;line-height:22px;height:46px;min-height:46px;max-height:112px;overflow-y:hidden;color:var(--dsk-ink);background:#fff;
  box-shadow:none;transition:border-color .12s ease,box-shadow .12s ease}
#dsk-root .dsk-input::placeholder{color:#98a2b3}
#dsk-root .dsk-input:focus,#dsk-root .dsk-input:focus-visible{outline:none;border-color:var(--dsk-accent);box-shadow:0 0 0 3px var(--dsk-accent-soft)}
#dsk-root .dsk-send{flex:none;width:46px;height:46px;border-radius:50%;border:0;padding:0;background:var(--dsk-accent);color:#fff;display:flex;align-items:center;justify-content:center;
  transition:background .12s ease,transform .12s ease}
#dsk-root .dsk-send:hover:not(:disabled){background:var(--dsk-accent-dark)}
#dsk-root .dsk-send:active:not(:disabled){transform:scale(.95)}
#dsk-root .dsk-send:disabled{background:#d0d5dd;cursor:default}
#dsk-root .dsk-foot{flex:none;display:flex;justify-content:space-between;gap:8px;padding:0 18px 8px;background:#fff;font-size:11px;color:#98a2b3}
#dsk-root .dsk-count[data-warn]{color:#b42318;font-weight:600}

@media (max-width:600px){
  #dsk-root .dsk-launcher{right:16px;bottom:16px}
  #dsk-root .dsk-panel{top:0;left:0;right:0;bottom:0;width:100%;max-width:none;height:100%;max-height:none;border-radius:0;border:0;animation-name:dsk-in-mobile}
  #dsk-root .dsk-header{padding-top:max(14px,env(safe-area-inset-top));padding-left:max(16px,env(safe-area-inset-left));padding-right:max(10px,env(safe-area-inset-right))}
  #dsk-root .dsk-foot{padding-bottom:max(8px,env(safe-area-inset-bottom))}
  #dsk-root .dsk-text{max-width:88%}
  html.dsk-lock,html.dsk-lock body{overflow:hidden!important}
}
@keyframes dsk-in-mobile{from{opacity:0;transform:translateY(24px)}to{opacity:1;transform:none}}
@media (prefers-reduced-motion:reduce){
  #dsk-root *{animation:none!important;transition:none!important;scroll-behavior:auto!important}
}
`;

  // ---------------------------------------------------------------- build UI
  function build() {
    if (state.built) return true;
    if (!document.body) return false;
    state.built = true;

    const style = el('style', { className: 'dsk-style', 'data-deskbot': '' });
    style.textContent = CSS;
    (document.head || document.documentElement).appendChild(style);

    ui.badge = el('span', { className: 'dsk-badge', 'aria-hidden': 'true', hidden: true });
    ui.launcher = el(
      'button',
      {
        id: 'dsk-launcher',
        className: 'dsk-launcher',
        type: 'button',
        'aria-label': 'Open chat',
        'aria-controls': 'dsk-panel',
        'aria-expanded': 'false',
      },
      [icon(ICON_CHAT, 28, 'dsk-ico-chat'), icon(ICON_CLOSE, 26, 'dsk-ico-close'), ui.badge]
    );

    ui.status = el('span', { id: 'dsk-status', className: 'dsk-status', text: state.status });
    ui.statusLine = el('div', { className: 'dsk-statusline', 'data-state': 'offline' }, [
      el('span', { className: 'dsk-dot', 'aria-hidden': 'true' }),
      ui.status,
    ]);
    ui.closeBtn = el('button', { className: 'dsk-close', type: 'button', 'aria-label': 'Close chat' }, [icon(ICON_CLOSE, 22)]);
    const titleId = 'dsk-title';
    const header = el('div', { className: 'dsk-header' }, [
      el('div', { className: 'dsk-avatar', 'aria-hidden': 'true' }, [icon(ICON_CHAT, 22)]),
      el('div', { className: 'dsk-heading' }, [el('h2', { id: titleId, className: 'dsk-title', text: title() }), ui.statusLine]),
      ui.closeBtn,
    ]);

    ui.messages = el('div', {
      id: 'dsk-messages',
      className: 'dsk-messages',
      role: 'log',
      'aria-live': 'polite',
      'aria-relevant': 'additions',
      'aria-label': 'Conversation',
      tabindex: '0',
    });
    ui.empty = el('div', { className: 'dsk-empty' }, [
      el('span', { className: 'dsk-empty-title', text: 'Hi there!' }),
      document.createTextNode('Ask us about an order, returns, shipping or anything else.'),
    ]);
    ui.messages.appendChild(ui.empty);

    ui.typingText = el('span', { className: 'dsk-typing-text', text: 'Bot is typing\u2026' });
    ui.typing = el('div', { id: 'dsk-typing', className: 'dsk-typing', hidden: true, 'aria-live': 'polite' }, [
      el('span', { className: 'dsk-dots', 'aria-hidden': 'true' }, [el('i'), el('i'), el('i')]),
      ui.typingText,
    ]);
    ui.jump = el('button', { className: 'dsk-jump', type: 'button', 'aria-label': 'Scroll to latest message', hidden: true }, [icon(ICON_DOWN, 20)]);

    ui.input = el('textarea', {
      id: 'dsk-input',
      className: 'dsk-input',
      rows: '1',
      maxlength: String(MAX_LEN),
      placeholder: 'Type your message\u2026',
      'aria-label': 'Message',
      autocomplete: 'off',
      enterkeyhint: 'send',
    });
    ui.send = el('button', { id: 'dsk-send', className: 'dsk-send', type: 'submit', 'aria-label': 'Send message', disabled: true }, [icon(ICON_SEND, 22)]);
    ui.form = el('form', { className: 'dsk-composer', novalidate: true }, [ui.input, ui.send]);
    ui.count = el('span', { className: 'dsk-count', 'aria-live': 'polite' });
    const foot = el('div', { className: 'dsk-foot' }, [
      el('span', { className: 'dsk-hint', text: 'Enter to send \u00B7 Shift+Enter for a new line' }),
      ui.count,
    ]);

    ui.panel = el(
      'div',
      { id: 'dsk-panel', className: 'dsk-panel', role: 'dialog', 'aria-labelledby': titleId, hidden: true },
      [header, el('div', { className: 'dsk-body' }, [ui.messages, ui.typing, ui.jump]), ui.form, foot]
    );

    ui.root = el('div', { id: 'dsk-root', className: 'dsk-root' }, [ui.panel, ui.launcher]);
    document.body.appendChild(ui.root);

    // events
    ui.launcher.addEventListener('click', () => (state.isOpen ? close() : open()));
    ui.closeBtn.addEventListener('click', () => close());
    ui.panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        close();
      }
    });
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
    ui.messages.addEventListener('scroll', () => {
      ui.jump.hidden = isNearBottom();
    });
    ui.jump.addEventListener('click', () => scrollToBottom(true));

    if (window.visualViewport) {
      const vv = window.visualViewport;
      const fit = () => fitToVisualViewport();
      vv.addEventListener('resize', fit);
      vv.addEventListener('scroll', fit);
    }
    window.addEventListener('online', () => {
      if (!state.started) return;
      if (state.mode === 'ws' && !state.ws) {
        state.attempt = 0;
        connect();
      } else if (state.mode === 'rest') {
        processRestQueue();
        restPollNow();
      }
    });
    window.addEventListener('offline', () => {
      if (state.started && !state.ready) setStatus(STATUS_OFFLINE);
    });
    return true;
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
    const max = 112; // ~4 lines
    const h = Math.min(Math.max(ta.scrollHeight + 3, 46), max);
    ta.style.height = h + 'px';
    ta.style.overflowY = ta.scrollHeight + 3 > max ? 'auto' : 'hidden';
  }

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

  // ---------------------------------------------------------------- open / close
  function open() {
    if (!build()) return;
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
    if (state.mode === 'rest') restPollNow();
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

  function setUnread(n) {
    state.unread = n;
    if (!ui.badge) return;
    ui.badge.hidden = n <= 0;
    ui.badge.textContent = n > 9 ? '9+' : String(n);
  }

  // ---------------------------------------------------------------- status
  function setStatus(s) {
    state.status = s;
    if (!ui.status) return;
    ui.status.textContent = s;
    ui.statusLine.setAttribute('data-state', s === STATUS_ONLINE ? 'online' : s === STATUS_OFFLINE ? 'offline' : 'reconnecting');
  }

  // ---------------------------------------------------------------- scrolling
  function isNearBottom(slack) {
    const m = ui.messages;
    if (!m) return true;
    return m.scrollHeight - m.scrollTop - m.clientHeight < (slack || 80);
  }
  function scrollToBottom(smooth) {
    const m = ui.messages;
    if (!m) return;
    if (smooth && m.scrollTo) m.scrollTo({ top: m.scrollHeight, behavior: 'smooth' });
    else {
      const prev = m.style.scrollBehavior;
      m.style.scrollBehavior = 'auto';
      m.scrollTop = m.scrollHeight;
      m.style.scrollBehavior = prev;
    }
    ui.jump.hidden = true;
  }

  // ---------------------------------------------------------------- rendering
  function updateEmpty() {
    ui.empty.hidden = !!ui.messages.querySelector('.dsk-msg');
  }

  function makeMessageElement(sender, text) {
    const node = el('div', { className: 'dsk-msg dsk-from-' + sender });
    node._dsk = { sender: sender, buttons: [] };
    if (sender === 'agent') {
      node._dsk.senderEl = el('div', { className: 'dsk-sender' });
      node.appendChild(node._dsk.senderEl);
    }
    const textEl = el('div', { className: 'dsk-text' });
    appendRichText(textEl, text);
    node.appendChild(textEl);
    node._dsk.meta = el('div', { className: 'dsk-meta' });
    node.appendChild(node._dsk.meta);
    return node;
  }

  function setMeta(node, label, iso) {
    const meta = node._dsk.meta;
    meta.textContent = '';
    const time = formatTime(iso);
    if (label) meta.appendChild(document.createTextNode(label));
    if (time) {
      const t = el('time', { text: time });
      if (iso) t.setAttribute('datetime', iso);
      if (label) meta.appendChild(document.createTextNode(' \u00B7 '));
      meta.appendChild(t);
    }
  }

  // Place a server message by id: before the first shown message with a larger id, or before
  // the customer's still-pending messages (which the server has not numbered yet).
  function insertById(node, id) {
    const list = ui.messages;
    let before = null;
    const children = list.children;
    for (let i = 0; i < children.length; i++) {
      const c = children[i];
      if (!c._dsk) continue;
      if (c._dsk.id != null && id != null && c._dsk.id > id) {
        before = c;
        break;
      }
      if (c.classList.contains('dsk-pending') && c._dsk.id == null) {
        before = c;
        break;
      }
    }
    list.insertBefore(node, before);
  }

  function normalizeId(v) {
    if (typeof v === 'number' && isFinite(v)) return v;
    if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
    return null;
  }

  function registerId(node, id) {
    if (id == null) return;
    node._dsk.id = id;
    node.setAttribute('data-id', String(id));
    state.byId.set(id, node);
    if (id > state.maxId) state.maxId = id;
  }

  function confirmPending(node, msg, id) {
    node.classList.remove('dsk-pending');
    node.classList.remove('dsk-failed');
    const cid = node._dsk.clientId;
    if (cid) state.pending.delete(cid);
    registerId(node, id);
    const retry = node.querySelector('.dsk-retry');
    if (retry) retry.remove();
    setMeta(node, '', msg.at || new Date().toISOString());
    if (typeof msg.text === 'string' && msg.text !== node._dsk.text) {
      appendRichText(node.querySelector('.dsk-text'), msg.text);
      node._dsk.text = msg.text;
    }
  }

  /**
   * Render one server message. live=false for history (no unread count, no typing changes).
   * Returns true if something new was shown.
   */
  function handleMessage(msg, live) {
    if (!msg || typeof msg !== 'object') return false;
    const sender = ['customer', 'bot', 'agent', 'system'].indexOf(msg.sender) >= 0 ? msg.sender : 'system';
    const id = normalizeId(msg.id);
    if (id != null && state.byId.has(id)) return false; // already shown

    const cid = typeof msg.client_id === 'string' && msg.client_id ? msg.client_id : null;
    if (sender === 'customer' && cid && state.byClientId.has(cid)) {
      const node = state.byClientId.get(cid);
      if (node._dsk.id == null) {
        confirmPending(node, msg, id);
        refreshQuickReplies();
        return false;
      }
      return false;
    }

    const wasNearBottom = isNearBottom();
    const node = makeMessageElement(sender, typeof msg.text === 'string' ? msg.text : '');
    node._dsk.text = msg.text;
    if (cid) {
      node._dsk.clientId = cid;
      node.setAttribute('data-client-id', cid);
      state.byClientId.set(cid, node);
    }
    if (sender === 'agent') {
      const name = typeof msg.agent_name === 'string' && msg.agent_name.trim() ? msg.agent_name.trim() : 'Support agent';
      if (msg.agent_name) state.lastAgentName = name;
      node._dsk.senderEl.textContent = name;
    }
    node._dsk.buttons = Array.isArray(msg.buttons)
      ? msg.buttons.filter((b) => b && typeof b.title === 'string' && b.title)
      : [];
    registerId(node, id);
    setMeta(node, '', msg.at);
    insertById(node, id);
    updateEmpty();
    refreshQuickReplies();

    if (live && (sender === 'bot' || sender === 'agent')) {
      hideTyping();
      if (!state.isOpen) setUnread(state.unread + 1);
    }
    if (wasNearBottom || sender === 'customer') scrollToBottom(live);
    else ui.jump.hidden = false;
    return true;
  }

  function addSystemLine(text) {
    if (!build()) return;
    const node = makeMessageElement('system', text);
    node._dsk.local = true;
    ui.messages.appendChild(node);
    updateEmpty();
    scrollToBottom(true);
  }

  // Quick replies belong to the latest bot message, and only until someone answers it.
  function refreshQuickReplies() {
    const old = ui.messages.querySelectorAll('.dsk-quick-replies');
    for (let i = 0; i < old.length; i++) old[i].remove();
    const items = ui.messages.querySelectorAll('.dsk-msg');
    let target = null;
    for (let i = items.length - 1; i >= 0; i--) {
      const d = items[i]._dsk;
      if (!d || d.sender === 'system') continue;
      if (d.sender === 'bot') target = items[i];
      break;
    }
    if (!target || !target._dsk.buttons.length) return;
    const wrap = el('div', { className: 'dsk-quick-replies', role: 'group', 'aria-label': 'Suggested replies' });
    for (const b of target._dsk.buttons) {
      const btn = el('button', { className: 'dsk-quick-reply', type: 'button', text: b.title });
      btn.addEventListener('click', () => {
        wrap.remove();
        target._dsk.buttons = [];
        sendMessage(b.title, typeof b.payload === 'string' ? b.payload : null);
        ui.input.focus();
      });
      wrap.appendChild(btn);
    }
    target.appendChild(wrap);
  }

  function clearConversation() {
    const nodes = ui.messages.querySelectorAll('.dsk-msg');
    for (let i = 0; i < nodes.length; i++) nodes[i].remove();
    state.byId.clear();
    state.byClientId.clear();
    state.pending.clear();
    state.maxId = 0;
    state.lastAgentName = null;
    hideTyping();
    setUnread(0);
    updateEmpty();
  }

  // Keep the customer's unsent messages, drop everything that came from the old session.
  function clearConfirmed() {
    const nodes = ui.messages.querySelectorAll('.dsk-msg');
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      const cid = n._dsk && n._dsk.clientId;
      if (cid && state.pending.has(cid)) continue;
      if (cid) state.byClientId.delete(cid);
      n.remove();
    }
    state.byId.clear();
    state.maxId = 0;
    updateEmpty();
  }

  // ---------------------------------------------------------------- typing indicators
  function showTyping(who, ms) {
    if (!ui.typing) return;
    ui.typingText.textContent = who + ' is typing\u2026';
    const wasNearBottom = isNearBottom();
    ui.typing.hidden = false;
    if (wasNearBottom) scrollToBottom(false);
    clearTimeout(state.typingTimer);
    state.typingTimer = window.setTimeout(hideTyping, ms);
  }
  function hideTyping() {
    clearTimeout(state.typingTimer);
    if (ui.typing) ui.typing.hidden = true;
  }
  function expectReply() {
    // Who answers next: the agent if a human has taken over, otherwise the bot.
    const items = ui.messages.querySelectorAll('.dsk-from-agent, .dsk-from-bot');
    const last = items.length ? items[items.length - 1] : null;
    if (last && last._dsk.sender === 'agent') showTyping(state.lastAgentName || 'Agent', LOCAL_TYPING_MS);
    else showTyping('Bot', LOCAL_TYPING_MS);
  }

  function noteCustomerTyping() {
    if (!state.typingOut) {
      state.typingOut = true;
      sendFrame({ type: 'typing', on: true });
    }
    clearTimeout(state.typingOutTimer);
    state.typingOutTimer = window.setTimeout(stopCustomerTyping, TYPING_IDLE_MS);
  }
  function stopCustomerTyping() {
    clearTimeout(state.typingOutTimer);
    if (state.typingOut) {
      state.typingOut = false;
      sendFrame({ type: 'typing', on: false });
    }
  }

  // ---------------------------------------------------------------- sending
  function submitInput() {
    const text = ui.input.value;
    if (!text.trim()) return;
    if (sendMessage(text, null)) {
      ui.input.value = '';
      autoGrow();
      updateComposer();
    }
  }

  function sendMessage(rawText, payload) {
    if (!build()) return null;
    const text = String(rawText == null ? '' : rawText).replace(/\s+$/, '').replace(/^\s*\n/, '');
    if (!text.trim()) return null;
    if (text.length > MAX_LEN) {
      addSystemLine('That message is too long \u2014 please keep it under ' + MAX_LEN + ' characters.');
      return null;
    }
    stopCustomerTyping();
    const clientId = newClientId();
    const node = makeMessageElement('customer', text);
    node.classList.add('dsk-pending');
    node._dsk.clientId = clientId;
    node._dsk.text = text;
    node.setAttribute('data-client-id', clientId);
    setMeta(node, 'Sending\u2026', null);
    state.byClientId.set(clientId, node);
    state.pending.set(clientId, { clientId: clientId, text: text, payload: payload == null ? null : String(payload), el: node, status: 'queued' });
    ui.messages.appendChild(node);
    updateEmpty();
    refreshQuickReplies();
    scrollToBottom(true);
    flushOutbox();
    return clientId;
  }

  function markFailed(clientId, reason) {
    const p = state.pending.get(clientId);
    const node = p ? p.el : state.byClientId.get(clientId);
    if (!node || node._dsk.id != null) return;
    if (p) p.status = 'failed';
    state.pending.delete(clientId);
    node.classList.remove('dsk-pending');
    node.classList.add('dsk-failed');
    hideTyping();
    const meta = node._dsk.meta;
    meta.textContent = '';
    meta.appendChild(document.createTextNode(reason || 'Not delivered.'));
    const retry = el('button', { className: 'dsk-retry', type: 'button', text: 'Retry' });
    retry.addEventListener('click', () => {
      const text = node._dsk.text;
      const payload = p ? p.payload : null;
      node.remove();
      state.byClientId.delete(clientId);
      sendMessage(text, payload);
    });
    meta.appendChild(retry);
  }

  function flushOutbox() {
    if (!state.started) return;
    if (state.mode === 'rest') {
      processRestQueue();
      return;
    }
    if (!state.ready || !state.ws) return;
    let sent = false;
    for (const p of state.pending.values()) {
      if (p.status !== 'queued') continue;
      if (!sendFrame({ type: 'message', client_id: p.clientId, text: p.text, payload: p.payload })) break;
      p.status = 'sent';
      sent = true;
    }
    if (sent) expectReply();
  }

  function sendFrame(obj) {
    const ws = state.ws;
    if (state.mode !== 'ws' || !ws || ws.readyState !== 1) return false;
    if (obj.type !== 'hello' && !state.ready) return false;
    try {
      ws.send(JSON.stringify(obj));
      return true;
    } catch (e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- WebSocket transport
  function connect() {
    if (!state.started || state.mode !== 'ws') return;
    clearTimeout(state.reconnectTimer);
    if (state.ws) return;
    if (state.status !== STATUS_ONLINE) setStatus(navigator.onLine === false ? STATUS_OFFLINE : STATUS_RECONNECTING);
    let sock;
    try {
      sock = new WebSocket(WS_URL);
    } catch (e) {
      onSocketGone(false);
      return;
    }
    const gen = state.gen;
    let opened = false;
    state.ws = sock;
    state.ready = false;
    clearTimeout(state.connectTimer);
    state.connectTimer = window.setTimeout(() => {
      // Stuck connecting, or opened but no welcome: give up on this socket.
      if (state.ws === sock && !state.ready) {
        try {
          sock.close();
        } catch (e) {
          /* ignore */
        }
        detach(sock, opened);
      }
    }, CONNECT_TIMEOUT_MS);

    sock.onopen = () => {
      if (state.ws !== sock || gen !== state.gen) return;
      opened = true;
      state.openFailures = 0;
      sock.send(
        JSON.stringify({
          type: 'hello',
          session_id: state.sessionId || null,
          customer_token: customerToken(),
          last_message_id: state.maxId > 0 ? state.maxId : null,
        })
      );
    };
    sock.onmessage = (ev) => {
      if (state.ws !== sock || gen !== state.gen) return;
      let frame;
      try {
        frame = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (frame && typeof frame === 'object') handleFrame(frame);
    };
    sock.onerror = () => {
      /* a close event follows */
    };
    sock.onclose = () => {
      if (state.ws !== sock || gen !== state.gen) return;
      detach(sock, opened);
    };
  }

  function detach(sock, opened) {
    if (state.ws !== sock) return;
    sock.onopen = sock.onmessage = sock.onclose = sock.onerror = null;
    state.ws = null;
    state.ready = false;
    clearTimeout(state.connectTimer);
    onSocketGone(opened);
  }

  function onSocketGone(opened) {
    hideTyping();
    state.typingOut = false;
    clearTimeout(state.typingOutTimer);
    // Messages that were sent but never echoed go out again after the next welcome.
    for (const p of state.pending.values()) if (p.status === 'sent') p.status = 'queued';
    if (!opened) state.openFailures += 1;
    if (state.openFailures >= OPEN_FAILURES_BEFORE_REST) {
      enterRestMode();
      return;
    }
    setStatus(navigator.onLine === false ? STATUS_OFFLINE : STATUS_RECONNECTING);
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, state.attempt));
    const delay = Math.min(BACKOFF_MAX_MS, Math.round(base * (0.7 + Math.random() * 0.6)));
    state.attempt += 1;
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = window.setTimeout(connect, delay);
  }

  function handleFrame(frame) {
    switch (frame.type) {
      case 'welcome':
        onWelcome(frame);
        break;
      case 'message':
        handleMessage(frame, true);
        break;
      case 'typing':
        if (frame.sender === 'agent' || frame.sender === 'bot') {
          if (frame.on) {
            const who = frame.sender === 'agent' ? (typeof frame.agent_name === 'string' && frame.agent_name) || state.lastAgentName || 'Agent' : 'Bot';
            showTyping(who, SERVER_TYPING_MS);
          } else hideTyping();
        }
        break;
      case 'error':
        onErrorFrame(frame);
        break;
      default:
        break;
    }
  }

  function onWelcome(frame) {
    clearTimeout(state.connectTimer);
    state.ready = true;
    state.attempt = 0;
    state.openFailures = 0;
    setStatus(STATUS_ONLINE);
    adoptSession(frame.session_id);
    renderHistory(frame.history);
    flushOutbox();
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
    // Anything still pending whose echo is in the history is confirmed now; the rest is re-sent.
    refreshQuickReplies();
    scrollToBottom(false);
  }

  function onErrorFrame(frame) {
    const text = typeof frame.message === 'string' && frame.message ? frame.message : 'Something went wrong.';
    hideTyping();
    if (frame.code === 'invalid_message' && typeof frame.client_id === 'string' && frame.client_id) {
      markFailed(frame.client_id, 'Not delivered.');
    }
    addSystemLine(text);
  }

  // ---------------------------------------------------------------- REST fallback
  function enterRestMode() {
    state.mode = 'rest';
    state.ws = null;
    state.ready = false;
    clearTimeout(state.reconnectTimer);
    clearTimeout(state.connectTimer);
    setStatus(STATUS_RECONNECTING);
    for (const p of state.pending.values()) if (p.status === 'sent') p.status = 'queued';
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
    return window.fetch(BASE + path, opts).then((res) =>
      res
        .json()
        .catch(() => null)
        .then((data) => ({ ok: res.ok, status: res.status, data: data }))
    );
  }

  function restOk() {
    state.restFailures = 0;
    setStatus(STATUS_ONLINE);
  }
  function restFailed() {
    state.restFailures += 1;
    setStatus(navigator.onLine === false ? STATUS_OFFLINE : STATUS_RECONNECTING);
    return Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, state.restFailures)) * (0.7 + Math.random() * 0.6);
  }

  function applyRestResult(data, live) {
    if (!data || typeof data !== 'object') return;
    adoptSession(data.session_id);
    if (Array.isArray(data.messages)) for (const m of data.messages) handleMessage(m, live);
  }

  function errorText(data, fallback) {
    if (data && typeof data === 'object') {
      if (typeof data.message === 'string') return data.message;
      if (data.error && typeof data.error === 'object' && typeof data.error.message === 'string') return data.error.message;
      if (typeof data.error === 'string') return data.error;
      if (typeof data.detail === 'string') return data.detail;
    }
    return fallback;
  }

  function processRestQueue() {
    if (state.mode !== 'rest' || state.restBusy || !state.started) return;
    let next = null;
    for (const p of state.pending.values()) {
      if (p.status === 'queued') {
        next = p;
        break;
      }
    }
    if (!next) return;
    const gen = state.gen;
    state.restBusy = true;
    clearTimeout(state.restRetryTimer);
    expectReply();
    api('/api/chat/messages', {
      method: 'POST',
      body: {
        session_id: state.sessionId || null,
        customer_token: customerToken(),
        client_id: next.clientId,
        text: next.text,
        payload: next.payload,
      },
    })
      .then((res) => {
        if (gen !== state.gen) return;
        state.restBusy = false;
        if (res.ok) {
          restOk();
          applyRestResult(res.data, true);
          // The echo should have confirmed it; if the server left it out, do not send it twice.
          if (state.pending.has(next.clientId)) {
            state.pending.delete(next.clientId);
            next.el.classList.remove('dsk-pending');
            setMeta(next.el, '', new Date().toISOString());
          }
          processRestQueue();
        } else if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
          restOk();
          markFailed(next.clientId, 'Not delivered.');
          addSystemLine(errorText(res.data, 'Your message could not be sent.'));
          processRestQueue();
        } else {
          state.restRetryTimer = window.setTimeout(processRestQueue, restFailed());
        }
      })
      .catch(() => {
        if (gen !== state.gen) return;
        state.restBusy = false;
        state.restRetryTimer = window.setTimeout(processRestQueue, restFailed());
      });
  }

  function stopPolling() {
    clearTimeout(state.pollTimer);
    state.pollTimer = 0;
  }

  // Fetch new messages now; keep polling every 2 s while the panel is open.
  function restPollNow(once) {
    if (state.mode !== 'rest' || !state.started) return;
    stopPolling();
    const gen = state.gen;
    const again = (ms) => {
      if (gen !== state.gen || state.mode !== 'rest' || !state.isOpen) return;
      stopPolling();
      state.pollTimer = window.setTimeout(() => restPollNow(), ms);
    };
    if (!state.sessionId) {
      if (state.restFailures === 0 && state.status !== STATUS_ONLINE) setStatus(STATUS_ONLINE);
      if (!once) again(POLL_MS);
      return;
    }
    const q = '?session_id=' + encodeURIComponent(state.sessionId) + '&after=' + (state.maxId || 0);
    api('/api/chat/history' + q, { method: 'GET' })
      .then((res) => {
        if (gen !== state.gen) return;
        if (res.ok) {
          restOk();
          applyRestResult(res.data, state.maxId > 0);
          again(POLL_MS);
        } else {
          again(restFailed());
        }
      })
      .catch(() => {
        if (gen !== state.gen) return;
        again(restFailed());
      });
  }

  // While on REST, check now and then whether the WebSocket works again.
  function scheduleProbe() {
    clearTimeout(state.probeTimer);
    const gen = state.gen;
    state.probeTimer = window.setTimeout(() => {
      if (gen !== state.gen || state.mode !== 'rest') return;
      let probe;
      try {
        probe = new WebSocket(WS_URL);
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
        if (gen !== state.gen || state.mode !== 'rest') return;
        if (ok && !state.restBusy) {
          stopPolling();
          clearTimeout(state.restRetryTimer);
          state.mode = 'ws';
          state.openFailures = 0;
          state.attempt = 0;
          connect();
        } else scheduleProbe();
      };
      probe.onopen = () => finish(true);
      probe.onerror = probe.onclose = () => finish(false);
      window.setTimeout(() => finish(false), CONNECT_TIMEOUT_MS);
    }, WS_PROBE_MS);
  }

  // ---------------------------------------------------------------- lifecycle
  function start() {
    if (!build()) {
      state.startRequested = true;
      return;
    }
    if (state.started) return;
    state.started = true;
    state.sessionId = loadSession();
    state.mode = 'ws';
    state.openFailures = 0;
    state.attempt = 0;
    connect();
  }

  function teardownTransport() {
    state.gen += 1;
    clearTimeout(state.reconnectTimer);
    clearTimeout(state.connectTimer);
    clearTimeout(state.restRetryTimer);
    clearTimeout(state.probeTimer);
    stopPolling();
    clearTimeout(state.typingOutTimer);
    state.typingOut = false;
    state.restBusy = false;
    const ws = state.ws;
    state.ws = null;
    state.ready = false;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close(1000, 'reset');
      } catch (e) {
        /* ignore */
      }
    }
  }

  function reset() {
    teardownTransport();
    saveSession(null);
    state.sessionId = null;
    state.mode = 'ws';
    state.openFailures = 0;
    state.attempt = 0;
    state.restFailures = 0;
    if (state.built) {
      clearConversation();
      ui.input.value = '';
      autoGrow();
      updateComposer();
    }
    setStatus(STATUS_OFFLINE);
    if (state.started) connect();
    else start();
  }

  function init() {
    build();
    if (state.startRequested || window.DESKBOT_DEFER_CONNECT !== true) start();
  }

  window.DeskbotWidget = {
    __deskbot: true,
    start: start,
    open: open,
    close: close,
    send: (text) => sendMessage(text, null),
    reset: reset,
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init, { once: true });
  else init();
})();
