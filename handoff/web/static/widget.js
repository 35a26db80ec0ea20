/*!
 * deskbot web chat widget
 *
 * Embed with one tag:
 *   <script src="/static/widget.js" data-deskbot-url="" defer></script>
 *
 * data-deskbot-url   gateway base URL ("" or absent = the origin this script was loaded from)
 * data-customer-token  optional signed-in customer token (window.DESKBOT_CUSTOMER_TOKEN wins)
 * data-title         optional panel title (or window.DESKBOT_TITLE); without one, "Customer support" in the widget's language
 * data-language      optional language the widget starts in, "en" or "zh" (window.DESKBOT_LANGUAGE wins; "zh-CN",
 *                    "zh-TW" and the like count as "zh"). Without it: the page's <html lang>, else the browser's
 *                    language, else English. A language the customer picks in the widget's header (EN / 中文) wins
 *                    over all of these, is remembered in this browser, and goes with their messages so the bot
 *                    answers in it.
 *
 * window.DESKBOT_DEFER_CONNECT = true  -> do not connect until DeskbotWidget.start() is called.
 *
 * API: window.DeskbotWidget = { start(), open(), close(), send(text), reset() }
 *
 * This file only reads the tag's settings and loads the widget from beside it: widget.css and the
 * parts in widget/ (i18n = the widget's words in English and Chinese, state, dom, transport = the gateway
 * connection, ui/typing/messages/view = the page, main = the wiring). They are classic scripts, not ES modules, because a module from another
 * origin needs CORS headers and shops load this from the gateway's origin, not their own.
 * Calls to DeskbotWidget made before the parts have loaded are queued and replayed.
 * Message content is only ever rendered with textContent / text nodes.
 */
'use strict';

// A block, not a function: its names stay out of the page's globals (a classic script in strict mode).
{
  const alreadyLoaded = !!(window.DeskbotWidget && window.DeskbotWidget.__deskbot);

  // In dependency order: each part uses only the ones before it.
  const PARTS = ['i18n', 'state', 'dom', 'transport', 'ui', 'typing', 'messages', 'view', 'main'];

  function findScript() {
    const all = document.querySelectorAll('script[src]');
    for (let i = all.length - 1; i >= 0; i--) {
      if (/widget\.js(?:[?#]|$)/.test(all[i].src)) return all[i];
    }
    return null;
  }

  const script = document.currentScript || findScript();

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
  // The stylesheet and the parts live beside this script (the gateway's /static/).
  const HERE = script && script.src ? new URL('.', script.src).href : BASE + '/static/';

  const config = {
    base: BASE,
    wsUrl: BASE.replace(/^http(s?):/i, 'ws$1:') + '/ws/chat',
    title: function () {
      return (typeof window.DESKBOT_TITLE === 'string' && window.DESKBOT_TITLE) || attr('data-title') || null;
    },
    language: function () {
      return (typeof window.DESKBOT_LANGUAGE === 'string' && window.DESKBOT_LANGUAGE) || attr('data-language') || null;
    },
    customerToken: function () {
      if (typeof window.DESKBOT_CUSTOMER_TOKEN !== 'undefined') {
        const t = window.DESKBOT_CUSTOMER_TOKEN;
        return typeof t === 'string' && t ? t : null;
      }
      return attr('data-customer-token') || null;
    },
    deferConnect: function () {
      return window.DESKBOT_DEFER_CONNECT === true;
    },
  };

  let widget = null;
  const queued = [];

  function later(name) {
    return function () {
      if (widget) return widget[name].apply(null, arguments);
      queued.push([name, arguments]);
      return undefined;
    };
  }

  function installApi() {
    window.DeskbotWidget = {
      __deskbot: true,
      start: later('start'),
      open: later('open'),
      close: later('close'),
      send: later('send'),
      reset: later('reset'),
    };
  }

  function head() {
    return document.head || document.documentElement;
  }

  // Resolves when the stylesheet has loaded (or failed), so the widget never shows unstyled.
  function loadStylesheet() {
    return new Promise(function (resolve) {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = HERE + 'widget.css';
      link.className = 'dsk-style';
      link.setAttribute('data-deskbot', '');
      link.onload = link.onerror = resolve;
      head().appendChild(link);
    });
  }

  function loadPart(name) {
    return new Promise(function (resolve, reject) {
      const part = document.createElement('script');
      part.src = HERE + 'widget/' + name + '.js';
      part.async = false; // run in the order they were added
      part.onload = resolve;
      part.onerror = function () {
        reject(new Error('deskbot widget: could not load ' + part.src));
      };
      head().appendChild(part);
    });
  }

  function domReady() {
    return new Promise(function (resolve) {
      if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', resolve, { once: true });
      else resolve();
    });
  }

  function load() {
    installApi();
    Promise.all([loadStylesheet(), domReady()].concat(PARTS.map(loadPart)))
      .then(function () {
        widget = window.deskbotWidgetParts.main.createWidget(config);
        queued.splice(0).forEach(function (call) {
          widget[call[0]].apply(null, call[1]);
        });
      })
      .catch(function (err) {
        if (window.console) window.console.error(err.message);
      });
  }

  if (!alreadyLoaded) load();
}
