/*!
 * deskbot agent console: login, queue and ticket pages.
 *
 * Plain ES2019, no dependencies, no external resources. The page is picked by <body data-page>.
 * Anything a customer or an agent wrote is only ever rendered with textContent / text nodes,
 * never with innerHTML.
 */
(function () {
  'use strict';

  const PAGE = document.body ? document.body.getAttribute('data-page') : null;
  const API = '/console/api';
  const LOGIN_URL = '/console/login';
  const QUEUE_URL = '/console/';
  const WS_PATH = '/console/ws';

  const BACKOFF_MIN_MS = 1000;
  const BACKOFF_MAX_MS = 15000;
  const STABLE_SOCKET_MS = 5000; // a socket that lived this long resets the back-off
  const QUEUE_POLL_MS = 10000;
  const TICKET_POLL_MS = 5000;
  const TYPING_IDLE_MS = 3000; // our typing: "off" after this much idle time
  const TYPING_MIN_GAP_MS = 1000; // our typing: at most one "on" per second
  const TYPING_REFRESH_MS = 5000; // our typing: repeat "on" while still typing
  const CUSTOMER_TYPING_MAX_MS = 20000; // safety net when an "off" frame never comes
  const TOAST_MS = 7000;

  const REASONS = {
    asked_for_agent: 'Asked for a person',
    bot_failed: 'Bot could not help',
    complaint: 'Complaint',
    vip: 'VIP customer',
    late_order: 'Late order',
    other: 'Other',
  };
  const CHANNELS = { web: 'Web chat', telegram: 'Telegram' };
  const STATUSES = { queued: 'Queued', assigned: 'Assigned', resolved: 'Resolved' };
  const SENDERS = ['customer', 'bot', 'agent', 'system'];

  let leaving = false; // navigating away: no more toasts or requests

  // ================================================================ DOM helpers

  function $(selector, root) {
    return (root || document).querySelector(selector);
  }

  function $all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  /** createElement with props; `text` sets textContent, `on*` adds listeners; children are nodes or strings. */
  function h(tag, props, children) {
    const node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (key) {
        const value = props[key];
        if (value === null || value === undefined || value === false) return;
        if (key === 'class') node.className = value;
        else if (key === 'text') node.textContent = String(value);
        else if (key.slice(0, 2) === 'on' && typeof value === 'function') node.addEventListener(key.slice(2), value);
        else if (value === true) node.setAttribute(key, '');
        else node.setAttribute(key, String(value));
      });
    }
    add(node, children);
    return node;
  }

  function add(node, children) {
    if (children === null || children === undefined) return node;
    (Array.isArray(children) ? children : [children]).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
    });
    return node;
  }

  function clear(node) {
    while (node && node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  const ICONS = {
    globe: ['c12 12 10', 'M2 12h20', 'M12 2a15.3 15.3 0 0 1 4 10 15.3 15.3 0 0 1-4 10 15.3 15.3 0 0 1-4-10 15.3 15.3 0 0 1 4-10z'],
    send: ['M22 2 11 13', 'M22 2 15 22 11 13 2 9 22 2z'],
    clock: ['c12 12 10', 'M12 6v6l4 2'],
    alert: ['c12 12 10', 'M12 8v4', 'M12 16h.01'],
    info: ['c12 12 10', 'M12 16v-4', 'M12 8h.01'],
    check: ['M20 6 9 17l-5-5'],
    checkCircle: ['M22 11.08V12a10 10 0 1 1-5.93-9.14', 'M22 4 12 14.01l-3-3'],
    lock: ['M5 11h14v10H5z', 'M7 11V7a5 5 0 0 1 10 0v4'],
    x: ['M18 6 6 18', 'M6 6l12 12'],
    inbox: ['M22 12h-6l-2 3h-4l-2-3H2', 'M5.45 5.11 2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.45-6.89A2 2 0 0 0 16.76 4H7.24a2 2 0 0 0-1.79 1.11z'],
    arrowDown: ['M12 5v14', 'M19 12l-7 7-7-7'],
    plus: ['M12 5v14', 'M5 12h14'],
    open: ['M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6', 'M15 3h6v6', 'M10 14 21 3'],
  };

  /** A stroked 24x24 icon built with createElementNS (static shapes only). */
  function icon(name, cls) {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('fill', 'none');
    svg.setAttribute('stroke', 'currentColor');
    svg.setAttribute('stroke-width', '2');
    svg.setAttribute('stroke-linecap', 'round');
    svg.setAttribute('stroke-linejoin', 'round');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'icon' + (cls ? ' ' + cls : ''));
    if (name === 'telegram') {
      const p = document.createElementNS(SVG_NS, 'path');
      p.setAttribute('d', 'M21.5 4.5 2.9 11.7c-.9.4-.9 1.1 0 1.4l4.6 1.4 1.8 5.4c.2.6.6.7 1.1.3l2.6-2.2 4.8 3.5c.6.4 1.1.2 1.3-.6L22.5 5.8c.3-1.1-.3-1.6-1-1.3zM9 14.3l9.3-6.2');
      svg.appendChild(p);
      return svg;
    }
    (ICONS[name] || []).forEach(function (shape) {
      let node;
      if (shape.charAt(0) === 'c') {
        const parts = shape.slice(1).split(' ');
        node = document.createElementNS(SVG_NS, 'circle');
        node.setAttribute('cx', parts[0]);
        node.setAttribute('cy', parts[1]);
        node.setAttribute('r', parts[2]);
      } else {
        node = document.createElementNS(SVG_NS, 'path');
        node.setAttribute('d', shape);
      }
      svg.appendChild(node);
    });
    return svg;
  }

  function initials(name) {
    const words = String(name || '').trim().split(/\s+/).filter(Boolean);
    if (!words.length) return '?';
    const first = Array.from(words[0])[0] || '';
    const last = words.length > 1 ? Array.from(words[words.length - 1])[0] || '' : '';
    return (first + last).toUpperCase();
  }

  function avatar(name, cls) {
    return h('span', { class: 'avatar' + (cls ? ' ' + cls : ''), 'aria-hidden': 'true', text: initials(name) });
  }

  // ================================================================ formatting

  function str(value) {
    return value === null || value === undefined ? '' : String(value);
  }

  function parseTime(iso) {
    if (!iso) return null;
    const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso));
    if (dateOnly) return new Date(+dateOnly[1], +dateOnly[2] - 1, +dateOnly[3]).getTime();
    const t = Date.parse(iso);
    return isNaN(t) ? null : t;
  }

  function sameDay(a, b) {
    return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  }

  function fmtClock(iso) {
    const t = parseTime(iso);
    if (t === null) return '';
    const d = new Date(t);
    const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    if (sameDay(d, new Date())) return time;
    return d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ', ' + time;
  }

  function fmtDate(iso) {
    const t = parseTime(iso);
    if (t === null) return str(iso);
    const d = new Date(t);
    const opts = { month: 'short', day: 'numeric' };
    if (d.getFullYear() !== new Date().getFullYear()) opts.year = 'numeric';
    return d.toLocaleDateString([], opts);
  }

  function fmtFull(iso) {
    const t = parseTime(iso);
    return t === null ? '' : new Date(t).toLocaleString();
  }

  function timeEl(iso, text, cls) {
    return h('time', { class: cls || null, datetime: str(iso) || null, title: fmtFull(iso) || null, text: text });
  }

  /** "3 min", "1 h 5 min", "2 d 4 h"; under a minute is "< 1 min". */
  function fmtWait(seconds) {
    const s = Math.max(0, Math.floor(seconds || 0));
    if (s < 60) return '< 1 min';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' min';
    const hours = Math.floor(m / 60);
    if (hours < 24) return hours + ' h' + (m % 60 ? ' ' + (m % 60) + ' min' : '');
    const days = Math.floor(hours / 24);
    return days + ' d' + (hours % 24 ? ' ' + (hours % 24) + ' h' : '');
  }

  function pad2(n) {
    return n < 10 ? '0' + n : String(n);
  }

  /** Countdown text: "4:05" under an hour, otherwise "1 h 20 min". */
  function fmtCountdown(seconds) {
    const s = Math.floor(Math.abs(seconds));
    if (s < 3600) return Math.floor(s / 60) + ':' + pad2(s % 60);
    return fmtWait(s);
  }

  function reasonLabel(reason) {
    if (!reason) return REASONS.other;
    return REASONS[reason] || humanize(reason);
  }

  function humanize(code) {
    const text = str(code).replace(/[_-]+/g, ' ').trim();
    return text ? text.charAt(0).toUpperCase() + text.slice(1) : '';
  }

  function cssToken(value) {
    return str(value).toLowerCase().replace(/[^a-z0-9_-]/g, '');
  }

  function reasonBadge(reason) {
    const key = REASONS[reason] ? reason : 'other';
    return h('span', { class: 'badge reason-badge reason-' + key, 'data-reason': str(reason) || 'other' }, [
      h('span', { class: 'dot', 'aria-hidden': 'true' }),
      reasonLabel(reason),
    ]);
  }

  function tierBadge(tier) {
    if (!tier) return null;
    return h('span', { class: 'badge tier tier-' + cssToken(tier), title: humanize(tier) + ' tier', text: tier });
  }

  function channelTag(channel) {
    const label = CHANNELS[channel] || humanize(channel) || 'Unknown channel';
    return h('span', { class: 'channel', title: label }, [icon(channel === 'telegram' ? 'telegram' : 'globe'), h('span', { class: 'channel-label', text: label })]);
  }

  function cssEscape(value) {
    return window.CSS && typeof window.CSS.escape === 'function' ? window.CSS.escape(value) : String(value).replace(/[^a-zA-Z0-9_-]/g, '');
  }

  function firstName(name) {
    const words = str(name).trim().split(/\s+/).filter(Boolean);
    return words.length ? words[0] : '';
  }

  // ================================================================ toasts

  function toast(message, kind) {
    if (leaving) return;
    const type = kind || 'error';
    let region = document.getElementById('toasts');
    if (!region) {
      region = h('div', { id: 'toasts', class: 'toasts', 'aria-live': 'assertive' });
      document.body.appendChild(region);
    }
    while (region.children.length >= 4) region.removeChild(region.firstChild);
    const node = h('div', { class: 'toast toast-' + type, role: type === 'error' ? 'alert' : 'status' });
    const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss' }, icon('x'));
    add(node, [icon(type === 'ok' ? 'checkCircle' : 'alert'), h('div', { class: 'toast-msg', text: message }), close]);
    const timer = window.setTimeout(function () {
      node.remove();
    }, TOAST_MS);
    close.addEventListener('click', function () {
      window.clearTimeout(timer);
      node.remove();
    });
    region.appendChild(node);
  }

  function reportError(error) {
    if (!error || error.status === 401 || leaving) return;
    toast(error.message || 'Something went wrong.', 'error');
  }

  // ================================================================ API

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') || '' : '';
  }

  function goToLogin() {
    if (leaving) return;
    leaving = true;
    window.location.assign(LOGIN_URL);
  }

  function navigate(url) {
    leaving = true;
    window.location.assign(url);
  }

  /** JSON request; non-GET requests carry the CSRF header. Throws ApiError with the server's message. */
  async function api(method, path, body, extra) {
    const init = { method: method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (method !== 'GET' && method !== 'HEAD') {
      init.headers['Content-Type'] = 'application/json';
      init.headers['X-CSRF-Token'] = csrfToken();
      init.body = JSON.stringify(body === undefined ? {} : body);
    }
    if (extra) Object.assign(init, extra);
    let response;
    try {
      response = await fetch(path, init);
    } catch (err) {
      throw new ApiError(0, 'network', 'Cannot reach the server. Check the connection and try again.');
    }
    if (response.status === 401 || (response.redirected && /\/console\/login(?:$|[?#])/.test(response.url))) {
      goToLogin();
      throw new ApiError(401, 'not_signed_in', 'Your session has ended. Please sign in again.');
    }
    if (response.status === 204) return null;
    let data = null;
    const text = await response.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (err) {
        data = null;
      }
    }
    if (!response.ok) {
      const message = data && typeof data.message === 'string' && data.message ? data.message : 'The server answered with an error (HTTP ' + response.status + ').';
      throw new ApiError(response.status, (data && data.error) || 'http_' + response.status, message);
    }
    return data;
  }

  // ================================================================ shared chrome (sidebar, socket)

  const session = { me: null };

  function paintUser() {
    const nameEl = document.getElementById('user-name');
    const roleEl = document.getElementById('user-role');
    const avatarEl = document.getElementById('user-avatar');
    if (session.me) {
      if (nameEl && session.me.display_name) nameEl.textContent = session.me.display_name;
      if (roleEl && session.me.role) roleEl.textContent = session.me.role;
    }
    if (avatarEl && nameEl) avatarEl.textContent = initials(nameEl.textContent);
  }

  async function loadMe() {
    try {
      session.me = await api('GET', API + '/me');
    } catch (err) {
      reportError(err);
    }
    paintUser();
    return session.me;
  }

  function initChrome() {
    paintUser();
    const logout = document.getElementById('logout-btn');
    if (logout) {
      logout.addEventListener('click', async function () {
        logout.disabled = true;
        try {
          await api('POST', '/console/logout', {});
        } catch (err) {
          if (err.status === 401) return; // already signed out: api() is on its way to the login page
        }
        navigate(LOGIN_URL);
      });
    }
  }

  function setConnState(state) {
    const node = document.getElementById('conn-status');
    if (!node) return;
    node.setAttribute('data-state', state);
    const label = $('.conn-label', node);
    const text = state === 'live' ? 'Live updates on' : state === 'down' ? 'Reconnecting\u2026 (polling)' : state === 'off' ? 'Not connected' : 'Connecting\u2026';
    if (label) label.textContent = text;
  }

  /**
   * The console websocket: subscribe after open, reconnect with back-off (1 s doubling to 15 s).
   * handlers: frame(f), up(isReconnect), down().
   */
  function liveSocket(ticketId, handlers) {
    let ws = null;
    let delay = BACKOFF_MIN_MS;
    let timer = 0;
    let openedAt = 0;
    let everOpened = false;
    let stopped = false;

    function url() {
      return (window.location.protocol === 'https:' ? 'wss://' : 'ws://') + window.location.host + WS_PATH;
    }

    function connect() {
      timer = 0;
      if (stopped) return;
      try {
        ws = new WebSocket(url());
      } catch (err) {
        ws = null;
        handlers.down();
        retry();
        return;
      }
      const socket = ws;
      socket.onopen = function () {
        openedAt = Date.now();
        try {
          socket.send(JSON.stringify({ type: 'subscribe', ticket_id: ticketId }));
        } catch (err) {
          /* the close handler reconnects */
        }
        setConnState('live');
        const again = everOpened;
        everOpened = true;
        handlers.up(again);
      };
      socket.onmessage = function (event) {
        let frame = null;
        try {
          frame = JSON.parse(event.data);
        } catch (err) {
          return;
        }
        if (frame && typeof frame.type === 'string') handlers.frame(frame);
      };
      socket.onerror = function () {
        /* followed by close */
      };
      socket.onclose = function () {
        if (ws === socket) ws = null;
        if (stopped) return;
        if (openedAt && Date.now() - openedAt >= STABLE_SOCKET_MS) delay = BACKOFF_MIN_MS;
        openedAt = 0;
        setConnState('down');
        handlers.down();
        retry();
      };
    }

    function retry() {
      if (stopped || timer) return;
      timer = window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, BACKOFF_MAX_MS);
    }

    window.addEventListener('pagehide', function () {
      stopped = true;
      window.clearTimeout(timer);
      if (ws) ws.close();
    });
    connect();
    return {
      isOpen: function () {
        return !!ws && ws.readyState === 1;
      },
    };
  }

  /** Runs fn every `ms` while started; start() is idempotent. */
  function poller(fn, ms) {
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
  function coalesced(fn) {
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

  function isMine(ticket) {
    return !!(ticket && session.me && agentIdOf(ticket) === session.me.id);
  }

  function agentIdOf(ticket) {
    if (!ticket) return null;
    if (ticket.agent && ticket.agent.id !== undefined && ticket.agent.id !== null) return ticket.agent.id;
    if (ticket.agent_id !== undefined) return ticket.agent_id;
    return null;
  }

  // ================================================================ login page

  function initLogin() {
    const form = document.getElementById('login-form');
    const user = document.getElementById('username');
    const pass = document.getElementById('password');
    const submit = document.getElementById('login-submit');
    const error = document.getElementById('login-error');
    if (!form) return;
    if (error && error.textContent.trim() === '') error.textContent = '';
    if (error && error.textContent) {
      (user && !user.value ? user : pass).focus();
    }
    form.addEventListener('submit', function (event) {
      if (!user.value.trim() || !pass.value) {
        event.preventDefault();
        if (error) error.textContent = 'Enter your username and password.';
        (user.value.trim() ? pass : user).focus();
        return;
      }
      // Let the normal form post happen; just prevent a double submit.
      window.setTimeout(function () {
        submit.disabled = true;
        submit.textContent = 'Signing in\u2026';
      }, 0);
    });
    window.addEventListener('pageshow', function () {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    });
  }

  // ================================================================ queue page

  function initQueue() {
    initChrome();
    const rows = document.getElementById('queue-rows');
    const countEl = document.getElementById('queue-count');
    const navCount = document.getElementById('nav-queue-count');
    const summaryEl = document.getElementById('queue-summary');
    const agentsEl = document.getElementById('agents-online');
    const updatedEl = document.getElementById('queue-updated');
    const refreshBtn = document.getElementById('queue-refresh');

    const state = { tickets: [], fetchedAt: 0, loaded: false, failing: false, live: new Map() };

    const refresh = coalesced(async function () {
      try {
        const data = await api('GET', API + '/queue');
        state.tickets = data && Array.isArray(data.tickets) ? data.tickets : [];
        state.fetchedAt = performance.now();
        state.loaded = true;
        state.failing = false;
        if (agentsEl) agentsEl.textContent = String(data && typeof data.agents_online === 'number' ? data.agents_online : 0);
        render();
        if (updatedEl) updatedEl.textContent = 'Updated ' + new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
      } catch (err) {
        if (!state.failing) reportError(err);
        state.failing = true;
        if (!state.loaded && err.status !== 401) {
          clear(rows).appendChild(h('tr', { class: 'queue-empty' }, h('td', { colspan: '6' }, [
            h('span', { class: 'empty-title', text: 'The queue could not be loaded' }),
            h('span', { text: err.message }),
          ])));
        }
      }
    });

    let soon = 0;
    function refreshSoon() {
      window.clearTimeout(soon);
      soon = window.setTimeout(refresh, 120);
    }

    function render() {
      const focused = document.activeElement && rows.contains(document.activeElement) ? document.activeElement : null;
      const focusKey = focused ? focusKeyOf(focused) : null;
      state.live.clear();
      const fragment = document.createDocumentFragment();
      state.tickets.forEach(function (ticket) {
        fragment.appendChild(buildRow(ticket));
      });
      if (!state.tickets.length) {
        fragment.appendChild(h('tr', { class: 'queue-empty' }, h('td', { colspan: '6' }, [
          h('span', { class: 'empty-art' }, icon('check')),
          h('span', { class: 'empty-title', text: 'No one is waiting' }),
          h('span', { text: 'New conversations the bot hands over will appear here automatically.' }),
        ])));
      }
      clear(rows).appendChild(fragment);
      if (focusKey) {
        const again = rows.querySelector('tr[data-ticket-id="' + cssEscape(focusKey.id) + '"] ' + focusKey.sel);
        if (again) again.focus();
      }
      const waiting = state.tickets.filter(function (t) {
        return t.status === 'queued';
      }).length;
      const mine = state.tickets.filter(isMine).length;
      countEl.textContent = String(state.tickets.length);
      if (navCount) {
        navCount.textContent = String(waiting);
        navCount.hidden = waiting === 0;
      }
      const parts = [waiting + ' waiting'];
      if (mine) parts.push(mine + ' with you');
      const others = state.tickets.length - waiting - mine;
      if (others > 0) parts.push(others + ' with colleagues');
      summaryEl.textContent = parts.join(' \u00b7 ');
      document.title = (waiting ? '(' + waiting + ') ' : '') + 'Queue \u00b7 deskbot agent console';
      tick();
    }

    function focusKeyOf(node) {
      const row = node.closest('tr[data-ticket-id]');
      if (!row) return null;
      const sel = node.classList.contains('claim-btn') ? '.claim-btn' : node.classList.contains('open-link') ? '.open-link' : null;
      return sel ? { id: row.getAttribute('data-ticket-id'), sel: sel } : null;
    }

    function buildRow(ticket) {
      const mine = isMine(ticket);
      const id = str(ticket.id);
      const row = h('tr', {
        class: 'queue-row' + (mine ? ' is-mine' : ''),
        'data-ticket-id': id,
        'data-status': str(ticket.status),
      });

      const anonymous = !ticket.customer_name;
      const preview = str(ticket.preview).replace(/\s+/g, ' ').trim();
      const wait = h('span', { class: 'wait' });
      const sla = h('span', { class: 'sla' });

      let agentCell;
      if (ticket.agent) {
        const name = mine ? 'You' : str(ticket.agent.display_name) || 'Agent';
        agentCell = h('div', { class: 'agent-cell', title: mine ? 'Assigned to you' : 'Assigned to ' + name }, [avatar(ticket.agent.display_name), h('span', { class: 'agent-name', text: name })]);
      } else if (ticket.status === 'assigned') {
        agentCell = h('span', { class: 'unassigned', text: 'Assigned' });
      } else {
        agentCell = h('span', { class: 'unassigned', text: 'Unassigned' });
      }

      let action;
      if (ticket.status === 'queued') {
        action = h('button', {
          type: 'button',
          class: 'btn btn-sm btn-primary claim-btn',
          'aria-label': 'Claim ticket ' + id + (anonymous ? '' : ' from ' + ticket.customer_name),
          onclick: function (event) {
            claim(ticket.id, event.currentTarget);
          },
        }, 'Claim');
      } else if (mine) {
        action = h('a', { class: 'btn btn-sm open-link', href: '/console/tickets/' + encodeURIComponent(id) }, [icon('open'), 'Open']);
      } else {
        action = null; // the agent column already says who has it
      }

      add(row, [
        h('td', { class: 'col-reason' }, h('div', { class: 'reason-cell' }, [
          reasonBadge(ticket.reason),
          h('span', { class: 'prio', title: 'Priority ' + str(ticket.priority), text: '#' + id + ' \u00b7 priority ' + str(ticket.priority) }),
        ])),
        h('td', { class: 'col-main' }, [
          h('div', { class: 'cust-line' }, [
            h('span', { class: 'cust-name' + (anonymous ? ' is-anon' : ''), text: anonymous ? 'Anonymous visitor' : ticket.customer_name }),
            tierBadge(ticket.customer_tier),
            channelTag(ticket.channel),
          ]),
          h('span', { class: 'preview' + (preview ? '' : ' is-empty'), title: preview || null, text: preview || 'No message yet' }),
        ]),
        h('td', { class: 'col-wait' }, wait),
        h('td', { class: 'col-sla' }, sla),
        h('td', { class: 'col-agent' }, agentCell),
        h('td', { class: 'col-action' }, action),
      ]);
      state.live.set(id, { ticket: ticket, row: row, wait: wait, sla: sla });
      return row;
    }

    function tick() {
      const elapsed = state.fetchedAt ? (performance.now() - state.fetchedAt) / 1000 : 0;
      const now = Date.now();
      state.live.forEach(function (entry) {
        const t = entry.ticket;
        const waited = typeof t.waiting_seconds === 'number' ? t.waiting_seconds + elapsed : (now - (parseTime(t.created_at) || now)) / 1000;
        entry.wait.textContent = fmtWait(waited);
        entry.wait.title = t.created_at ? 'Since ' + fmtFull(t.created_at) : '';
        const due = parseTime(t.sla_due_at);
        if (due === null) {
          if (entry.slaText !== 'none') {
            entry.slaText = 'none';
            clear(entry.sla);
            entry.sla.className = 'sla sla-none';
            entry.sla.textContent = '\u2014';
            entry.sla.title = 'No SLA';
            entry.row.classList.remove('is-overdue');
          }
          return;
        }
        const left = (due - now) / 1000;
        const overdue = left < 0;
        const text = overdue ? 'Overdue ' + fmtCountdown(left) : fmtCountdown(left) + ' left';
        const cls = 'sla ' + (overdue ? 'sla-overdue' : left <= 120 ? 'sla-warn' : 'sla-ok');
        if (entry.slaText === text && entry.sla.className === cls) return;
        entry.slaText = text;
        if (entry.sla.className !== cls || !entry.slaLabel) {
          clear(entry.sla);
          entry.sla.className = cls;
          entry.slaLabel = document.createTextNode('');
          add(entry.sla, [icon(overdue ? 'alert' : 'clock'), entry.slaLabel]);
        }
        entry.slaLabel.nodeValue = text;
        entry.sla.title = 'Reply due ' + fmtFull(t.sla_due_at);
        entry.row.classList.toggle('is-overdue', overdue && t.status === 'queued');
      });
    }

    async function claim(id, button) {
      button.disabled = true;
      button.textContent = 'Claiming\u2026';
      try {
        await api('POST', API + '/tickets/' + encodeURIComponent(id) + '/claim', {});
        navigate('/console/tickets/' + encodeURIComponent(id));
      } catch (err) {
        if (err.status === 401) return;
        toast(err.message, err.status === 409 ? 'warn' : 'error');
        button.disabled = false;
        button.textContent = 'Claim';
        refresh();
      }
    }

    const polling = poller(refresh, QUEUE_POLL_MS);
    refreshBtn.addEventListener('click', function () {
      refresh();
    });
    window.setInterval(tick, 1000);

    loadMe().then(function () {
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

  // ================================================================ ticket page

  function initTicket() {
    initChrome();
    const fromBody = parseInt(document.body.getAttribute('data-ticket-id'), 10);
    const fromPath = /\/tickets\/(\d+)/.exec(window.location.pathname);
    const ticketId = !isNaN(fromBody) ? fromBody : fromPath ? parseInt(fromPath[1], 10) : null;
    const base = API + '/tickets/' + encodeURIComponent(str(ticketId));

    const els = {
      num: document.getElementById('ticket-num'),
      customerName: document.getElementById('ticket-customer'),
      status: document.getElementById('ticket-status'),
      meta: document.getElementById('ticket-meta'),
      banner: document.getElementById('ticket-banner'),
      transcript: document.getElementById('transcript'),
      transcriptEmpty: document.getElementById('transcript-empty'),
      jump: document.getElementById('jump-latest'),
      typing: document.getElementById('customer-typing'),
      typingText: document.getElementById('customer-typing-text'),
      replyForm: document.getElementById('reply-form'),
      reply: document.getElementById('reply-input'),
      send: document.getElementById('reply-send'),
      canned: document.getElementById('canned'),
      kbForm: document.getElementById('kb-search-form'),
      kbInput: document.getElementById('kb-search'),
      kbCaption: document.getElementById('kb-caption'),
      kbList: document.getElementById('kb-suggestions'),
      context: document.getElementById('context-body'),
      profile: document.getElementById('customer-profile'),
      orders: document.getElementById('customer-orders'),
      ordersCount: document.getElementById('customer-orders-count'),
      convs: document.getElementById('customer-conversations'),
      notes: document.getElementById('notes'),
      notesCount: document.getElementById('notes-count'),
      noteForm: document.getElementById('note-form'),
      noteInput: document.getElementById('note-input'),
      noteAdd: document.getElementById('note-add'),
      resolveForm: document.getElementById('resolve-form'),
      resolution: document.getElementById('resolution-input'),
      resolutionError: document.getElementById('resolution-error'),
      resolve: document.getElementById('resolve-handback'),
      release: document.getElementById('release-btn'),
      transferSelect: document.getElementById('transfer-agent'),
      transfer: document.getElementById('transfer-btn'),
    };

    const st = {
      ticket: null,
      customer: null,
      loaded: false,
      missing: false,
      handedBack: false,
      canReply: false,
      busy: false, // a release/transfer/resolve request is under way
      sending: false,
      seen: new Set(),
      notesSeen: new Set(),
      noteCount: 0,
      latestCustomerText: '',
      latestCustomerId: null,
      kbSeq: 0,
      kbManual: '',
      canned: [],
      agents: [],
      typingOn: false,
      typingLastOn: 0,
      typingIdle: 0,
      typingDefer: 0,
      customerTypingTimer: 0,
    };

    if (ticketId === null) {
      showBanner('error', 'This address does not name a ticket.', true);
      return;
    }
    els.num.textContent = 'Ticket #' + ticketId;
    document.title = 'Ticket #' + ticketId + ' \u00b7 deskbot agent console';

    // ---------------------------------------------------------- header, status, lock

    function customerFirstName() {
      return customerDisplayName() === 'Anonymous visitor' ? '' : firstName(customerDisplayName());
    }

    function customerDisplayName() {
      if (st.customer && st.customer.name) return st.customer.name;
      if (st.ticket && st.ticket.customer_name) return st.ticket.customer_name;
      return 'Anonymous visitor';
    }

    function renderHeader() {
      const t = st.ticket;
      if (!t) return;
      els.customerName.textContent = customerDisplayName();
      document.title = 'Ticket #' + ticketId + ' \u00b7 ' + customerDisplayName() + ' \u00b7 deskbot agent console';
      clear(els.meta);
      const bits = [reasonBadge(t.reason), channelTag(t.channel)];
      if (t.customer_tier) bits.push(tierBadge(t.customer_tier));
      if (t.created_at) bits.push(h('span', null, ['Opened ', timeEl(t.created_at, fmtClock(t.created_at))]));
      if (typeof t.priority === 'number') bits.push(h('span', { text: 'Priority ' + t.priority }));
      if (t.agent && t.agent.display_name) {
        const verb = t.status === 'assigned' ? 'Assigned to ' : 'Handled by ';
        bits.push(h('span', { text: verb + (isMine(t) ? 'you' : t.agent.display_name) }));
      }
      add(els.meta, bits);
    }

    function renderStatus() {
      const t = st.ticket;
      const status = t ? str(t.status) : '';
      els.status.textContent = STATUSES[status] || humanize(status) || 'Unknown';
      els.status.className = 'badge status-badge status-' + (cssToken(status) || 'unknown');
      els.status.setAttribute('data-status', status);
    }

    /** Decides whether this agent may act on the ticket and says why not. */
    function applyLock() {
      const t = st.ticket;
      let can = false;
      let banner = null;
      if (st.missing) {
        can = false;
      } else if (!t) {
        can = false;
      } else if (st.handedBack) {
        banner = ['ok', 'Handed back to the bot.'];
      } else if (t.status === 'resolved') {
        banner = ['info', 'This ticket is resolved' + (t.resolution ? ': ' + t.resolution : '.')];
      } else if (t.status === 'assigned') {
        const mine = isMine(t) || !session.me;
        const admin = session.me && session.me.role === 'admin';
        if (mine) can = true;
        else if (admin) {
          can = true;
          banner = ['warn', 'Assigned to ' + (t.agent ? str(t.agent.display_name) : 'another agent') + '. You can still act on it as an admin.'];
        } else {
          banner = ['warn', 'This ticket is now assigned to ' + (t.agent && t.agent.display_name ? t.agent.display_name : 'another agent') + '. You can no longer reply.'];
        }
      } else if (t.status === 'queued') {
        banner = ['warn', 'This ticket is back in the queue and nobody is replying. Claim it to reply.', 'claim'];
      } else {
        banner = ['info', 'This ticket is ' + humanize(t.status).toLowerCase() + '. Replying is off.'];
      }
      st.canReply = can;
      if (banner) showBanner(banner[0], banner[1], st.handedBack || t.status === 'resolved', banner[2]);
      else if (!st.missing) hideBanner();

      const off = !can || st.busy;
      els.reply.disabled = off;
      els.send.disabled = off || st.sending;
      els.resolution.disabled = off;
      els.resolve.disabled = off;
      els.release.disabled = off;
      els.transferSelect.disabled = off || !st.agents.length;
      els.transfer.disabled = off;
      $all('.canned-insert, .kb-insert').forEach(function (b) {
        b.disabled = !can;
      });
      els.reply.placeholder = can ? 'Write a reply to ' + (customerFirstName() || 'the customer') : 'Replying is off for this ticket';
      if (!can) setTyping(false);
    }

    function showBanner(kind, text, withQueueLink, action) {
      const b = els.banner;
      clear(b);
      b.className = 'banner banner-' + kind;
      const iconName = kind === 'ok' ? 'checkCircle' : kind === 'error' ? 'alert' : kind === 'warn' ? 'lock' : 'info';
      add(b, [icon(iconName), h('span', { class: 'banner-text', id: 'ticket-banner-text', text: text })]);
      if (action === 'claim') {
        add(b, h('button', { type: 'button', class: 'btn btn-sm btn-primary', id: 'reclaim-btn', onclick: reclaim }, 'Claim'));
      }
      if (withQueueLink || action === 'claim') add(b, h('a', { href: QUEUE_URL, id: 'back-to-queue', text: 'Back to the queue' }));
      b.hidden = false;
    }

    function hideBanner() {
      els.banner.hidden = true;
      clear(els.banner);
    }

    async function reclaim(event) {
      const button = event.currentTarget;
      button.disabled = true;
      try {
        const data = await api('POST', base + '/claim', {});
        if (data && data.ticket) updateTicket(data.ticket);
        else await refreshTicket();
      } catch (err) {
        reportError(err);
        button.disabled = false;
        refreshTicket();
      }
    }

    function updateTicket(partial) {
      if (!partial) return;
      const before = st.ticket;
      const next = Object.assign({}, before || {}, partial);
      if (partial.agent === undefined && partial.agent_id !== undefined && before && agentIdOf(before) !== partial.agent_id) {
        next.agent = partial.agent_id === null ? null : { id: partial.agent_id, display_name: agentName(partial.agent_id) };
      }
      if (!partial.context && before && before.context) next.context = before.context;
      st.ticket = next;
      renderStatus();
      renderHeader();
      applyLock();
    }

    function agentName(id) {
      if (session.me && session.me.id === id) return session.me.display_name;
      const found = st.agents.filter(function (a) {
        return a.id === id;
      })[0];
      return found ? found.display_name : 'another agent';
    }

    // ---------------------------------------------------------- transcript

    function nearBottom() {
      const t = els.transcript;
      return t.scrollHeight - t.scrollTop - t.clientHeight < 80;
    }

    function scrollToBottom() {
      els.transcript.scrollTop = els.transcript.scrollHeight;
      els.jump.hidden = true;
    }

    function senderOf(m) {
      return SENDERS.indexOf(m.sender) >= 0 ? m.sender : 'system';
    }

    function whoLabel(m) {
      const sender = senderOf(m);
      if (sender === 'customer') return customerDisplayName() === 'Anonymous visitor' ? 'Customer' : customerDisplayName();
      if (sender === 'bot') return 'Bot';
      if (sender === 'agent') {
        const name = str(m.agent_name) || 'Agent';
        return session.me && name === session.me.display_name ? name + ' (you)' : name;
      }
      return 'System';
    }

    function renderMessage(m) {
      const sender = senderOf(m);
      const node = h('div', { class: 'msg msg-' + sender, 'data-id': m.id === null || m.id === undefined ? null : str(m.id), 'data-sender': sender });
      node._msg = m;
      const meta = h('div', { class: 'msg-meta' }, sender === 'system' ? [timeEl(m.at, fmtClock(m.at))] : [h('span', { class: 'msg-who', text: whoLabel(m) }), timeEl(m.at, fmtClock(m.at))]);
      if (sender !== 'system') node.appendChild(meta);
      if (m.text !== null && m.text !== undefined && m.text !== '') node.appendChild(h('div', { class: 'msg-text', text: m.text }));
      if (Array.isArray(m.buttons) && m.buttons.length) {
        const chips = h('div', { class: 'msg-chips', 'aria-label': 'Buttons the customer saw' });
        m.buttons.forEach(function (b) {
          const title = b && (b.title || b.payload);
          if (title) chips.appendChild(h('span', { class: 'msg-chip', title: str(b.payload) || null, text: title }));
        });
        node.appendChild(chips);
      }
      if (sender === 'system') node.appendChild(meta);
      return node;
    }

    function continues(prev, m) {
      if (!prev || !prev._msg) return false;
      const p = prev._msg;
      if (senderOf(p) !== senderOf(m) || senderOf(m) === 'system') return false;
      if (senderOf(m) === 'agent' && str(p.agent_name) !== str(m.agent_name)) return false;
      const a = parseTime(p.at);
      const b = parseTime(m.at);
      return a !== null && b !== null && b - a >= 0 && b - a < 3 * 60 * 1000;
    }

    /** Adds a message unless it is already shown; keeps numeric ids in order. Returns true when added. */
    function addMessage(m, opts) {
      if (!m || typeof m !== 'object') return false;
      const key = m.id === null || m.id === undefined ? null : str(m.id);
      if (key !== null) {
        if (st.seen.has(key)) return false;
        st.seen.add(key);
      }
      if (els.transcriptEmpty && els.transcriptEmpty.parentNode) els.transcriptEmpty.remove();
      const stick = (opts && opts.scroll) || nearBottom();
      const node = renderMessage(m);
      let before = null;
      if (typeof m.id === 'number') {
        const existing = $all('.msg', els.transcript);
        for (let i = existing.length - 1; i >= 0; i--) {
          const other = existing[i]._msg;
          if (other && typeof other.id === 'number' && other.id > m.id) before = existing[i];
          else break;
        }
      }
      const prev = before ? before.previousElementSibling : els.transcript.lastElementChild;
      if (continues(prev, m)) node.classList.add('msg-cont');
      els.transcript.insertBefore(node, before);
      if (!before && senderOf(m) === 'customer' && m.text) {
        st.latestCustomerText = m.text;
        st.latestCustomerId = key;
      }
      if (stick) scrollToBottom();
      else if (!(opts && opts.initial)) els.jump.hidden = false;
      return true;
    }

    function addMessages(list, opts) {
      let newCustomer = false;
      (Array.isArray(list) ? list : []).forEach(function (m) {
        if (addMessage(m, opts) && m && m.sender === 'customer') newCustomer = true;
      });
      return newCustomer;
    }

    let pinned = true; // the view follows new messages while the agent is at the bottom
    els.transcript.addEventListener('scroll', function () {
      pinned = nearBottom();
      if (pinned) els.jump.hidden = true;
    });
    if (typeof window.ResizeObserver === 'function') {
      // A banner or a taller reply box shrinks the transcript: keep the newest message in view.
      new window.ResizeObserver(function () {
        if (pinned) els.transcript.scrollTop = els.transcript.scrollHeight;
      }).observe(els.transcript);
    }
    els.jump.addEventListener('click', function () {
      scrollToBottom();
      els.reply.focus();
    });

    // ---------------------------------------------------------- customer typing indicator

    function showCustomerTyping(on) {
      window.clearTimeout(st.customerTypingTimer);
      els.typing.hidden = !on;
      if (on) {
        els.typingText.textContent = (customerFirstName() || 'The customer') + ' is typing\u2026';
        st.customerTypingTimer = window.setTimeout(function () {
          els.typing.hidden = true;
        }, CUSTOMER_TYPING_MAX_MS);
      }
    }

    // ---------------------------------------------------------- context & customer panels

    function kvList(pairs, cls) {
      const dl = h('dl', { class: 'kv' + (cls ? ' ' + cls : '') });
      pairs.forEach(function (pair) {
        if (pair[1] === null || pair[1] === undefined || pair[1] === '') return;
        add(dl, [h('dt', { text: pair[0] }), h('dd', null, pair[1])]);
      });
      return dl;
    }

    function slotValue(value) {
      if (value === null || value === undefined) return '\u2014';
      if (typeof value === 'string') return value;
      try {
        return JSON.stringify(value);
      } catch (err) {
        return String(value);
      }
    }

    function renderContext() {
      const t = st.ticket || {};
      const c = t.context && typeof t.context === 'object' ? t.context : {};
      const box = clear(els.context);
      const reason = c.reason || t.reason;
      add(box, h('div', { class: 'ctx-reason' }, reasonBadge(REASONS[reason] ? reason : t.reason)));
      if (reason && !REASONS[reason]) add(box, h('p', { class: 'muted', text: humanize(reason) }));

      add(box, h('h3', { text: 'Summary' }));
      add(box, c.summary ? h('p', { class: 'summary', id: 'context-summary', text: c.summary }) : h('p', { class: 'panel-empty', text: 'No summary.' }));

      add(box, h('h3', { text: 'Recent intents' }));
      const intents = Array.isArray(c.intents) ? c.intents : [];
      if (intents.length) {
        const list = h('ul', { class: 'chips', id: 'context-intents' });
        intents.forEach(function (name) {
          list.appendChild(h('li', { class: 'chip chip-mono', text: str(name) }));
        });
        add(box, list);
      } else add(box, h('p', { class: 'panel-empty', text: 'None recorded.' }));

      add(box, h('h3', { text: 'Slots' }));
      const slots = c.slots && typeof c.slots === 'object' ? Object.keys(c.slots) : [];
      if (slots.length) {
        add(box, kvList(slots.map(function (k) {
          return [k, slotValue(c.slots[k])];
        }), 'kv-mono'));
      } else add(box, h('p', { class: 'panel-empty', text: 'No slots filled.' }));

      add(box, h('h3', { text: 'What the bot tried' }));
      const tried = Array.isArray(c.bot_tried) ? c.bot_tried : [];
      if (tried.length) {
        const list = h('ol', { class: 'tried', id: 'context-bot-tried' });
        tried.forEach(function (text) {
          list.appendChild(h('li', { text: str(text) }));
        });
        add(box, list);
      } else add(box, h('p', { class: 'panel-empty', text: 'Nothing recorded.' }));
    }

    function renderCustomer() {
      const c = st.customer;
      const box = clear(els.profile);
      clear(els.orders);
      clear(els.convs);
      if (!c) {
        add(box, [
          h('div', { class: 'cust-head' }, [
            avatar(st.ticket && st.ticket.customer_name ? st.ticket.customer_name : '?'),
            h('div', null, [
              h('div', { class: 'cust-head-name' }, h('span', { text: st.ticket && st.ticket.customer_name ? st.ticket.customer_name : 'Anonymous visitor' })),
              h('div', { class: 'cust-head-sub', text: 'Not signed in: no customer record is linked.' }),
            ]),
          ]),
        ]);
        els.ordersCount.textContent = '';
        els.orders.appendChild(h('li', { class: 'list-empty', text: 'No orders to show.' }));
        els.convs.appendChild(h('li', { class: 'list-empty', text: 'No earlier conversations.' }));
        return;
      }
      const nameLine = h('div', { class: 'cust-head-name' }, [h('span', { text: str(c.name) || 'Unnamed customer' }), tierBadge(c.tier)]);
      add(box, h('div', { class: 'cust-head' }, [avatar(c.name), h('div', { class: 'title-stack' }, [nameLine, c.email ? h('div', { class: 'cust-head-sub', text: c.email }) : null])]));
      let tags = null;
      if (Array.isArray(c.tags) && c.tags.length) {
        tags = h('ul', { class: 'chips' });
        c.tags.forEach(function (tag) {
          tags.appendChild(h('li', { class: 'chip', text: str(tag) }));
        });
      }
      add(box, kvList([
        ['Email', c.email ? str(c.email) : null],
        ['Phone', c.phone ? str(c.phone) : null],
        ['Address', c.address ? str(c.address) : null],
        ['Tier', c.tier ? humanize(c.tier) : null],
        ['Tags', tags],
      ]));

      const orders = Array.isArray(c.orders) ? c.orders : [];
      els.ordersCount.textContent = orders.length ? '(' + orders.length + ')' : '';
      if (!orders.length) els.orders.appendChild(h('li', { class: 'list-empty', text: 'No orders.' }));
      const today = new Date();
      today.setHours(0, 0, 0, 0);
      orders.forEach(function (o) {
        const promised = parseTime(o.promised_date);
        const late = promised !== null && promised < today.getTime() && !/^(delivered|cancell?ed|returned|refunded)$/.test(str(o.status));
        const lines = [
          h('div', { class: 'order-top' }, [
            h('span', { class: 'order-num', text: str(o.number) }),
            h('span', { class: 'badge ostatus ostatus-' + cssToken(o.status), text: humanize(o.status) || 'Unknown' }),
          ]),
          h('div', { class: 'order-line' }, [
            o.placed_at ? h('span', null, ['Placed ', timeEl(o.placed_at, fmtDate(o.placed_at))]) : null,
            o.total ? h('span', { class: 'order-total', text: str(o.total) }) : null,
          ]),
        ];
        if (o.carrier || o.tracking_number) {
          lines.push(h('div', { class: 'order-line' }, [
            o.carrier ? h('span', { text: str(o.carrier) }) : null,
            o.tracking_number ? h('span', { class: 'chip-mono', text: str(o.tracking_number) }) : null,
          ]));
        }
        if (o.promised_date) {
          lines.push(h('div', { class: 'order-line' + (late ? ' order-late' : '') }, [
            h('span', null, [late ? 'Late: promised ' : 'Promised ', timeEl(o.promised_date, fmtDate(o.promised_date))]),
          ]));
        }
        els.orders.appendChild(h('li', { class: 'order' + (late ? ' is-late' : ''), 'data-order': str(o.number) }, lines));
      });

      const convs = Array.isArray(c.conversations) ? c.conversations : [];
      if (!convs.length) els.convs.appendChild(h('li', { class: 'list-empty', text: 'No earlier conversations.' }));
      convs.forEach(function (cv) {
        const csat = typeof cv.csat === 'number' ? cv.csat : null;
        els.convs.appendChild(h('li', { 'data-conversation': str(cv.id) }, [
          channelTag(cv.channel),
          h('span', { class: 'conv-date' }, timeEl(cv.started_at, cv.started_at ? fmtDate(cv.started_at) : 'Unknown date')),
          csat === null
            ? h('span', { class: 'csat csat-none', text: 'No rating' })
            : h('span', { class: 'csat ' + (csat >= 4 ? 'csat-good' : csat <= 2 ? 'csat-bad' : ''), title: 'Customer satisfaction', text: 'CSAT ' + csat + '/5' }),
        ]));
      });
    }

    // ---------------------------------------------------------- notes

    function renderNote(n) {
      return h('li', { class: 'note', 'data-id': n.id === null || n.id === undefined ? null : str(n.id) }, [
        h('div', { class: 'note-meta' }, [h('span', { class: 'note-author', text: str(n.author) || 'Agent' }), timeEl(n.at, fmtClock(n.at))]),
        h('div', { class: 'note-text', text: str(n.text) }),
      ]);
    }

    function addNote(n) {
      if (!n || typeof n !== 'object') return;
      const key = n.id === null || n.id === undefined ? null : str(n.id);
      if (key !== null) {
        if (st.notesSeen.has(key)) return;
        st.notesSeen.add(key);
      }
      const empty = $('.list-empty', els.notes);
      if (empty) empty.remove();
      els.notes.appendChild(renderNote(n));
      st.noteCount += 1;
      els.notesCount.textContent = String(st.noteCount);
    }

    function addNotes(list) {
      (Array.isArray(list) ? list : []).forEach(addNote);
      if (!els.notes.children.length) els.notes.appendChild(h('li', { class: 'list-empty', text: 'No notes yet.' }));
    }

    els.noteForm.addEventListener('submit', async function (event) {
      event.preventDefault();
      const text = els.noteInput.value.trim();
      if (!text) {
        els.noteInput.focus();
        toast('Write the note first.', 'warn');
        return;
      }
      els.noteAdd.disabled = true;
      try {
        const data = await api('POST', base + '/notes', { text: text });
        if (data && data.note) addNote(data.note);
        else addNote({ id: null, author: session.me ? session.me.display_name : 'You', text: text, at: new Date().toISOString() });
        if (els.noteInput.value.trim() === text) els.noteInput.value = '';
      } catch (err) {
        reportError(err);
      } finally {
        els.noteAdd.disabled = false;
      }
    });
    els.noteInput.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        els.noteForm.requestSubmit ? els.noteForm.requestSubmit() : els.noteAdd.click();
      }
    });

    // ---------------------------------------------------------- composer

    function autosize() {
      const r = els.reply;
      r.style.height = 'auto';
      r.style.height = Math.min(r.scrollHeight + 2, 220) + 'px';
    }

    /** Appends text to the reply box (a blank line apart when it already has text). */
    function insertIntoReply(text) {
      if (!st.canReply) return;
      const current = els.reply.value.replace(/\s+$/, '');
      els.reply.value = current ? current + '\n\n' + text : text;
      autosize();
      els.reply.focus();
      const end = els.reply.value.length;
      try {
        els.reply.setSelectionRange(end, end);
      } catch (err) {
        /* not focusable */
      }
      noteTyping();
    }

    function postTyping(on, keepalive) {
      if (leaving && !keepalive) return;
      api('POST', base + '/typing', { on: on }, keepalive ? { keepalive: true } : null).catch(function () {
        /* typing is best effort */
      });
    }

    function sendTypingOn() {
      st.typingOn = true;
      st.typingLastOn = Date.now();
      postTyping(true);
    }

    /** on: tell the customer we type (at most once a second, repeated every 5 s); off after 3 s idle. */
    function setTyping(on) {
      window.clearTimeout(st.typingIdle);
      if (!on) {
        window.clearTimeout(st.typingDefer);
        st.typingDefer = 0;
        if (st.typingOn) {
          st.typingOn = false;
          postTyping(false);
        }
        return;
      }
      const now = Date.now();
      if ((!st.typingOn || now - st.typingLastOn >= TYPING_REFRESH_MS) && !st.typingDefer) {
        const wait = st.typingLastOn + TYPING_MIN_GAP_MS - now;
        if (wait <= 0) sendTypingOn();
        else {
          st.typingDefer = window.setTimeout(function () {
            st.typingDefer = 0;
            if (st.canReply && els.reply.value.trim()) sendTypingOn();
          }, wait);
        }
      }
      st.typingIdle = window.setTimeout(function () {
        setTyping(false);
      }, TYPING_IDLE_MS);
    }

    function noteTyping() {
      if (!st.canReply) return;
      setTyping(!!els.reply.value.trim());
    }

    els.reply.addEventListener('input', function () {
      autosize();
      noteTyping();
    });
    els.reply.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.isComposing) {
        event.preventDefault();
        sendReply();
      }
    });
    els.replyForm.addEventListener('submit', function (event) {
      event.preventDefault();
      sendReply();
    });

    async function sendReply() {
      if (!st.canReply || st.sending) return;
      const text = els.reply.value.trim();
      if (!text) {
        els.reply.focus();
        return;
      }
      st.sending = true;
      els.send.disabled = true;
      setTyping(false);
      try {
        const data = await api('POST', base + '/messages', { text: text });
        if (data && data.message) addMessage(data.message, { scroll: true });
        if (els.reply.value.trim() === text) els.reply.value = '';
        autosize();
      } catch (err) {
        reportError(err);
        if (err.status === 409 || err.status === 403) refreshTicket();
      } finally {
        st.sending = false;
        els.send.disabled = !st.canReply || st.busy;
        if (st.canReply) els.reply.focus();
      }
    }

    window.addEventListener('pagehide', function () {
      if (st.typingOn) {
        st.typingOn = false;
        postTyping(false, true);
      }
    });

    // ---------------------------------------------------------- canned responses

    async function loadCanned() {
      try {
        const data = await api('GET', API + '/canned');
        st.canned = data && Array.isArray(data.responses) ? data.responses : [];
      } catch (err) {
        reportError(err);
        st.canned = [];
      }
      $all('li:not(.canned-label)', els.canned).forEach(function (li) {
        li.remove();
      });
      if (!st.canned.length) {
        els.canned.appendChild(h('li', { class: 'canned-empty', text: 'No canned responses' }));
        return;
      }
      st.canned.forEach(function (r) {
        const text = str(r.text);
        els.canned.appendChild(h('li', null, h('button', {
          type: 'button',
          class: 'canned-insert',
          'data-id': str(r.id),
          title: text.length > 240 ? text.slice(0, 240) + '\u2026' : text,
          disabled: !st.canReply,
          onclick: function () {
            insertIntoReply(fillCanned(text));
          },
        }, str(r.title) || str(r.id))));
      });
    }

    function fillCanned(text) {
      return text.replace(/\{first_name\}/g, customerFirstName() || 'there');
    }

    // ---------------------------------------------------------- knowledge base

    function kbCaption(text, query, resetLabel) {
      clear(els.kbCaption);
      add(els.kbCaption, [h('span', { class: 'kb-caption-text', title: query || null }, [text, query ? h('q', { text: query.length > 80 ? query.slice(0, 80) + '\u2026' : query }) : null])]);
      if (resetLabel) {
        add(els.kbCaption, h('button', {
          type: 'button',
          class: 'btn-link kb-reset',
          onclick: function () {
            els.kbInput.value = '';
            st.kbManual = '';
            kbSuggest();
          },
        }, resetLabel));
      }
    }

    async function kbLoad(query, manual) {
      const seq = ++st.kbSeq;
      if (!query) {
        kbCaption('Suggestions appear when the customer writes something.');
        clear(els.kbList);
        return;
      }
      kbCaption(manual ? 'Results for ' : 'For the latest message: ', query, manual ? 'Back to suggestions' : null);
      els.kbList.setAttribute('aria-busy', 'true');
      let hits;
      try {
        const data = await api('GET', API + '/kb/suggest?q=' + encodeURIComponent(query.slice(0, 500)));
        hits = data && Array.isArray(data.hits) ? data.hits : [];
      } catch (err) {
        if (seq === st.kbSeq) {
          els.kbList.removeAttribute('aria-busy');
          reportError(err);
        }
        return;
      }
      if (seq !== st.kbSeq) return; // a newer query won
      els.kbList.removeAttribute('aria-busy');
      clear(els.kbList);
      if (!hits.length) {
        els.kbList.appendChild(h('li', { class: 'list-empty', text: 'No matching articles.' }));
        return;
      }
      hits.forEach(function (hit) {
        const score = typeof hit.score === 'number' ? hit.score : null;
        const answer = str(hit.answer);
        els.kbList.appendChild(h('li', { class: 'kb-hit', 'data-slug': str(hit.slug) }, [
          h('div', { class: 'kb-hit-top' }, [
            h('span', { class: 'kb-title', text: str(hit.title) || str(hit.slug) }),
            score === null ? null : h('span', { class: 'kb-score' + (score >= 0.6 ? ' is-strong' : ''), title: 'Match score', text: score.toFixed(2) }),
          ]),
          h('p', { class: 'kb-answer', title: answer.length > 400 ? answer.slice(0, 400) + '\u2026' : answer, text: answer }),
          h('div', { class: 'kb-foot' }, [
            h('span', { class: 'kb-slug', text: str(hit.slug) }),
            h('button', {
              type: 'button',
              class: 'btn btn-sm kb-insert',
              disabled: !st.canReply,
              'aria-label': 'Insert the answer from ' + (str(hit.title) || str(hit.slug)),
              onclick: function () {
                insertIntoReply(answer);
              },
            }, [icon('plus'), 'Insert']),
          ]),
        ]));
      });
    }

    function kbSuggest() {
      if (st.kbManual) return;
      kbLoad(st.latestCustomerText, false);
    }

    els.kbForm.addEventListener('submit', function (event) {
      event.preventDefault();
      const q = els.kbInput.value.trim();
      st.kbManual = q;
      if (q) kbLoad(q, true);
      else kbSuggest();
    });
    els.kbInput.addEventListener('search', function () {
      if (!els.kbInput.value.trim() && st.kbManual) {
        st.kbManual = '';
        kbSuggest();
      }
    });

    // ---------------------------------------------------------- actions

    async function loadAgents() {
      try {
        const data = await api('GET', API + '/agents');
        const list = data && Array.isArray(data.agents) ? data.agents : [];
        st.agents = list.filter(function (a) {
          return !session.me || a.id !== session.me.id;
        });
      } catch (err) {
        reportError(err);
        st.agents = [];
      }
      st.agents.sort(function (a, b) {
        return (b.online ? 1 : 0) - (a.online ? 1 : 0) || str(a.display_name).localeCompare(str(b.display_name));
      });
      const select = els.transferSelect;
      while (select.options.length > 1) select.remove(1);
      st.agents.forEach(function (a) {
        const option = h('option', { value: str(a.id) });
        option.textContent = str(a.display_name) + (a.online ? '' : ' (offline)');
        select.appendChild(option);
      });
      select.options[0].textContent = st.agents.length ? 'Transfer to\u2026' : 'No other agents';
      applyLock();
    }

    async function doAction(button, label, path, body) {
      if (st.busy) return;
      st.busy = true;
      const original = button.textContent;
      applyLock();
      button.textContent = label;
      setTyping(false);
      try {
        const data = await api('POST', base + path, body);
        return data || {};
      } catch (err) {
        reportError(err);
        button.textContent = original;
        st.busy = false;
        refreshTicket();
        applyLock();
        return null;
      }
    }

    els.release.addEventListener('click', async function () {
      const data = await doAction(els.release, 'Releasing\u2026', '/release', {});
      if (data) navigate(QUEUE_URL);
    });

    els.transfer.addEventListener('click', async function () {
      const value = els.transferSelect.value;
      if (!value) {
        toast('Choose the colleague to transfer the ticket to.', 'warn');
        els.transferSelect.focus();
        return;
      }
      const id = Number(value);
      const data = await doAction(els.transfer, 'Transferring\u2026', '/transfer', { agent_id: isNaN(id) ? value : id });
      if (data) navigate(QUEUE_URL);
    });

    els.resolveForm.addEventListener('submit', async function (event) {
      event.preventDefault();
      if (!st.canReply) return;
      const resolution = els.resolution.value.trim();
      if (!resolution) {
        els.resolutionError.textContent = 'Describe how it was resolved before handing back to the bot.';
        els.resolutionError.hidden = false;
        els.resolution.setAttribute('aria-invalid', 'true');
        els.resolution.focus();
        return;
      }
      const button = els.resolve;
      const label = $('span', button);
      if (st.busy) return;
      st.busy = true;
      applyLock();
      if (label) label.textContent = 'Handing back\u2026';
      setTyping(false);
      try {
        const data = await api('POST', base + '/resolve', Object.assign({ resolution: resolution, hand_back: true }, teachPayload()));
        st.handedBack = true;
        st.busy = false;
        updateTicket(Object.assign({}, data && data.ticket ? data.ticket : { status: 'resolved' }, { resolution: resolution }));
        if (label) label.textContent = 'Handed back to the bot';
        const link = document.getElementById('back-to-queue');
        if (link) link.focus();
      } catch (err) {
        st.busy = false;
        if (label) label.textContent = 'Resolve & hand back to bot';
        reportError(err);
        applyLock();
        refreshTicket();
      }
    });
    els.resolution.addEventListener('input', function () {
      if (!els.resolutionError.hidden && els.resolution.value.trim()) {
        els.resolutionError.hidden = true;
        els.resolution.removeAttribute('aria-invalid');
      }
    });

    // ---------------------------------------------------------- loading & live updates

    async function loadTicket() {
      let data;
      try {
        data = await api('GET', base);
      } catch (err) {
        if (err.status === 401) return;
        if (!st.loaded) {
          if (err.status === 404) {
            st.missing = true;
            showBanner('error', err.message || 'This ticket does not exist.', true);
            const body = $('.ticket-body');
            if (body) body.classList.add('is-missing');
            setConnState('off');
            els.customerName.textContent = 'Not found';
            els.status.textContent = 'Not found';
            if (els.transcriptEmpty) els.transcriptEmpty.textContent = 'Nothing to show.';
            applyLock();
          } else {
            reportError(err);
            if (els.transcriptEmpty) els.transcriptEmpty.textContent = 'The conversation could not be loaded. Retrying\u2026';
          }
        }
        throw err;
      }
      if (!data || !data.ticket) return;
      const first = !st.loaded;
      st.loaded = true;
      if (first) {
        st.customer = data.customer || null;
        st.ticket = data.ticket;
        if (st.ticket.resolution && els.resolution) els.resolution.value = str(st.ticket.resolution);
        renderStatus();
        renderHeader();
        renderContext();
        renderCustomer();
        addNotes(st.customer && st.customer.notes);
        addMessages(data.transcript, { initial: true });
        if (!$('.msg', els.transcript) && els.transcriptEmpty) els.transcriptEmpty.textContent = 'No messages yet.';
        scrollToBottom();
        applyLock();
        kbSuggest();
      } else {
        if (data.customer) {
          const hadNotes = st.customer && st.customer.notes;
          st.customer = data.customer;
          if (!hadNotes) renderCustomer();
          addNotes(data.customer.notes);
        }
        const context = data.ticket.context;
        updateTicket(data.ticket);
        if (context) renderContext();
        if (addMessages(data.transcript)) kbSuggest();
      }
    }

    const refreshTicket = coalesced(function () {
      return loadTicket().catch(function () {
        /* reported inside */
      });
    });

    function onFrame(frame) {
      if (frame.type === 'message') {
        if (Number(frame.ticket_id) !== ticketId || !frame.message) return;
        const m = frame.message;
        if (addMessage(m) && m.sender === 'customer') {
          showCustomerTyping(false);
          kbSuggest();
        }
      } else if (frame.type === 'typing') {
        if (Number(frame.ticket_id) !== ticketId) return;
        if (frame.sender === undefined || frame.sender === 'customer') showCustomerTyping(!!frame.on);
      } else if (frame.type === 'ticket') {
        if (frame.ticket && typeof frame.ticket === 'object') {
          if (Number(frame.ticket.id) === ticketId) updateTicket(frame.ticket);
        } else if (Number(frame.ticket_id) === ticketId) {
          // A bare event ({ticket_id, status, agent_id}): apply what it says, then fetch the details.
          const partial = {};
          if (frame.status) partial.status = frame.status;
          if (frame.agent_id !== undefined) partial.agent_id = frame.agent_id;
          updateTicket(partial);
          refreshTicket();
        }
      } else if (frame.type === 'queue_changed') {
        refreshTicket();
      }
    }

    const polling = poller(refreshTicket, TICKET_POLL_MS);

    loadMe().then(async function () {
      loadCanned();
      loadAgents();
      try {
        await loadTicket();
      } catch (err) {
        if (err.status !== 404 && err.status !== 401) polling.start();
      }
      if (st.missing) return;
      liveSocket(ticketId, {
        frame: onFrame,
        up: function (again) {
          polling.stop();
          if (again || !st.loaded) refreshTicket();
        },
        down: function () {
          polling.start();
        },
      });
    });
  }

  // ================================================================ start

  function start() {
    try {
      if (PAGE === 'login') initLogin();
      else if (PAGE === 'queue') initQueue();
      else if (PAGE === 'ticket') initTicket();
    } catch (err) {
      // Keep a broken page visible instead of blank; show what went wrong.
      toast('The console failed to start: ' + (err && err.message ? err.message : String(err)));
      throw err;
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();


/* Teach the bot while resolving: what the agent's answer should become (see handoff/learning). */
var INTENTS = ['ask_faq', 'order_status', 'list_orders', 'change_email', 'change_phone', 'change_address',
  'complain', 'request_human', 'out_of_scope', 'greet', 'goodbye', 'thank'];

function teachPayload() {
  var kind = document.getElementById('learn-kind');
  if (!kind || kind.value === 'nothing') return {};
  var value = function (id) { var el = document.getElementById(id); return el ? el.value.trim() : ''; };
  var isArticle = kind.value === 'new_article';
  return { learn: { kind: kind.value, question: value('learn-question'), answer: isArticle ? value('learn-answer') || null : null, target: isArticle ? null : value('learn-target') || null } };
}

(function setUpTeaching() {
  var kind = document.getElementById('learn-kind');
  if (!kind) return;
  var fields = document.getElementById('learn-fields');
  var answerRow = document.getElementById('learn-answer-row');
  var targetRow = document.getElementById('learn-target-row');
  var targets = document.getElementById('learn-targets');
  // "Can I talk to a person?" is how the chat got here, not the question the bot should learn.
  var ASKED_FOR_PERSON = /\b(person|human|agent|someone|somebody|representative|operator)\b/i;
  function lastText(selector, skipRequests) {
    var all = document.querySelectorAll(selector);
    for (var i = all.length - 1; i >= 0; i--) {
      var text = (all[i].textContent || '').trim();
      if (!text || text.charAt(0) === '/') continue;
      if (skipRequests && ASKED_FOR_PERSON.test(text) && text.split(/\s+/).length < 12) continue;
      return text;
    }
    return '';
  }
  function fillTargets(values) {
    while (targets.firstChild) targets.removeChild(targets.firstChild);
    values.forEach(function (v) { var o = document.createElement('option'); o.value = v; targets.appendChild(o); });
  }
  kind.addEventListener('change', function () {
    var k = kind.value;
    fields.hidden = k === 'nothing';
    answerRow.hidden = k !== 'new_article';
    targetRow.hidden = k === 'new_article';
    var question = document.getElementById('learn-question');
    var answer = document.getElementById('learn-answer');
    if (!question.value) question.value = lastText('#transcript .msg-customer .msg-text', true);
    if (!answer.value) answer.value = lastText('#transcript .msg-agent .msg-text');
    if (k === 'nlu_example') fillTargets(INTENTS);
    if (k === 'question_variant') {
      fetch('/console/api/kb/suggest?q=' + encodeURIComponent(question.value), { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : { hits: [] }; })
        .then(function (data) {
          var slugs = (data.hits || []).map(function (h) { return h.slug; });
          fillTargets(slugs);
          var target = document.getElementById('learn-target');
          if (!target.value && slugs.length) target.value = slugs[0];
        })
        .catch(function () { fillTargets([]); });
    }
  });
})();
