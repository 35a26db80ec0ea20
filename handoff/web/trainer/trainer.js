/*!
 * deskbot trainer console: review what agents taught, edit the knowledge base, try questions, manage models.
 *
 * Plain ES2019, no dependencies, no external resources. One page; the tab is picked by location.hash:
 * #candidates (default), #unanswered, #articles, #article/<slug>, #new-article, #try, #models.
 * Anything a customer, an agent or a trainer wrote is only ever rendered with textContent / text nodes,
 * never with innerHTML.
 */
(function () {
  'use strict';

  const API = '/trainer/api';
  const LOGIN_URL = '/console/login';
  const LOGOUT_URL = '/console/logout';
  const TOAST_MS = { ok: 3500, warn: 7000, error: 8000 };
  const TRAINING_POLL_MS = 2000;
  const APP_TITLE = 'deskbot trainer console';

  const KIND_LABELS = {
    new_article: 'New article',
    question_variant: 'New question for an article',
    nlu_example: 'NLU example',
  };
  const TARGET_LABELS = {
    new_article: 'Slug of the new article',
    question_variant: 'Article',
    nlu_example: 'Intent',
  };
  const STATUS_LABELS = { published: 'Published', draft: 'Draft', archived: 'Archived' };
  const MODEL_STATUS_LABELS = { active: 'Active', candidate: 'Candidate', rejected: 'Rejected', retired: 'Retired' };
  const FIGURES = [
    ['nlu_accuracy', 'NLU accuracy'],
    ['nlu_macro_f1', 'NLU macro F1'],
    ['story_accuracy', 'Story accuracy'],
  ];
  const DIFF_FIELDS = { answer: 'Answer', title: 'Title', questions: 'Questions', tags: 'Tags', category: 'Category', status: 'Status' };
  const VIEW_TITLES = {
    candidates: 'Candidates',
    unanswered: 'Unanswered questions',
    articles: 'Articles',
    editor: 'Article',
    try: 'Try a question',
    models: 'Models',
  };
  const NAV_FOR_VIEW = {
    candidates: 'nav-candidates',
    unanswered: 'nav-unanswered',
    articles: 'nav-articles',
    editor: 'nav-articles',
    try: 'nav-try',
    models: 'nav-models',
  };

  let leaving = false; // navigating away: no more toasts or requests

  // ================================================================ DOM helpers

  function $(selector, root) {
    return (root || document).querySelector(selector);
  }

  function $all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  function byId(id) {
    return document.getElementById(id);
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
        else if (key === 'value') node.value = String(value);
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
    alert: ['c12 12 10', 'M12 8v4', 'M12 16h.01'],
    info: ['c12 12 10', 'M12 16v-4', 'M12 8h.01'],
    check: ['M20 6 9 17l-5-5'],
    checkCircle: ['M22 11.08V12a10 10 0 1 1-5.93-9.14', 'M22 4 12 14.01l-3-3'],
    x: ['M18 6 6 18', 'M6 6l12 12'],
    xCircle: ['c12 12 10', 'M15 9l-6 6', 'M9 9l6 6'],
    edit: ['M12 20h9', 'M16.5 3.5a2.12 2.12 0 0 1 3 3L7 19l-4 1 1-4z'],
    plus: ['M12 5v14', 'M5 12h14'],
    list: ['M8 6h13', 'M8 12h13', 'M8 18h13', 'M3 6h.01', 'M3 12h.01', 'M3 18h.01'],
    diff: ['c18 18 3', 'c6 6 3', 'M13 6h3a2 2 0 0 1 2 2v7', 'M11 18H8a2 2 0 0 1-2-2V9'],
    undo: ['M3 7v6h6', 'M21 17a9 9 0 0 0-15-6.7L3 13'],
    ticket: ['M3 7a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2v3a2 2 0 0 0 0 4v3a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-3a2 2 0 0 0 0-4z'],
    user: ['M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2', 'c12 7 4'],
    clock: ['c12 12 10', 'M12 6v6l4 2'],
    book: ['M4 19.5A2.5 2.5 0 0 1 6.5 17H20', 'M6.5 2H20v20H6.5A2.5 2.5 0 0 1 4 19.5v-15A2.5 2.5 0 0 1 6.5 2z'],
    tag: ['M20.59 13.41l-7.17 7.17a2 2 0 0 1-2.83 0L2 12V2h10l8.59 8.59a2 2 0 0 1 0 2.82z', 'M7 7h.01'],
    message: ['M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z'],
    help: ['c12 12 10', 'M9.09 9a3 3 0 0 1 5.83 1c0 2-3 3-3 3', 'M12 17h.01'],
    lightbulb: ['M9 18h6', 'M10 22h4', 'M12 2a7 7 0 0 0-4 12.7V17h8v-2.3A7 7 0 0 0 12 2z'],
    rotate: ['M1 4v6h6', 'M3.51 15a9 9 0 1 0 2.13-9.36L1 10'],
    box: ['M21 16V8a2 2 0 0 0-1-1.73l-7-4a2 2 0 0 0-2 0l-7 4A2 2 0 0 0 3 8v8a2 2 0 0 0 1 1.73l7 4a2 2 0 0 0 2 0l7-4A2 2 0 0 0 21 16z', 'M3.27 6.96 12 12.01l8.73-5.05', 'M12 22.08V12'],
    inbox: ['M22 12h-6l-2 3h-4l-2-3H2', 'M5.45 5.11 2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.45-6.89A2 2 0 0 0 16.76 4H7.24a2 2 0 0 0-1.79 1.11z'],
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

  function setBusy(button, busy, text) {
    if (!button) return;
    button.disabled = !!busy;
    button.setAttribute('aria-busy', busy ? 'true' : 'false');
    const label = $('.btn-text', button);
    if (label && text !== undefined) label.textContent = text;
  }

  function emptyState(iconName, title, text) {
    return h('div', { class: 'empty' }, [
      h('span', { class: 'empty-art' }, icon(iconName)),
      h('span', { class: 'empty-title', text: title }),
      text ? h('span', { class: 'empty-text', text: text }) : null,
    ]);
  }

  // ================================================================ formatting

  function str(value) {
    return value === null || value === undefined ? '' : String(value);
  }

  function parseTime(iso) {
    if (!iso) return null;
    const t = Date.parse(iso);
    return isNaN(t) ? null : t;
  }

  function fmtFull(iso) {
    const t = parseTime(iso);
    return t === null ? '' : new Date(t).toLocaleString();
  }

  function fmtDate(iso) {
    const t = parseTime(iso);
    if (t === null) return str(iso);
    const d = new Date(t);
    const opts = { month: 'short', day: 'numeric' };
    if (d.getFullYear() !== new Date().getFullYear()) opts.year = 'numeric';
    return d.toLocaleDateString([], opts);
  }

  /** "just now", "5 min ago", "3 h ago", "2 d ago", then a date. */
  function fmtAgo(iso) {
    const t = parseTime(iso);
    if (t === null) return '';
    const s = Math.round((Date.now() - t) / 1000);
    if (s < 45) return 'just now';
    const m = Math.round(s / 60);
    if (m < 60) return m + ' min ago';
    const hrs = Math.round(m / 60);
    if (hrs < 24) return hrs + ' h ago';
    const days = Math.round(hrs / 24);
    if (days < 8) return days + ' d ago';
    return fmtDate(iso);
  }

  function fmtElapsed(iso) {
    const t = parseTime(iso);
    if (t === null) return '';
    const s = Math.max(0, Math.floor((Date.now() - t) / 1000));
    const m = Math.floor(s / 60);
    const sec = s % 60;
    return m + ':' + (sec < 10 ? '0' : '') + sec;
  }

  function timeEl(iso, text, cls) {
    return h('time', { class: cls || null, datetime: str(iso) || null, title: fmtFull(iso) || null, text: text });
  }

  function humanize(code) {
    const text = str(code).replace(/[_-]+/g, ' ').trim();
    return text ? text.charAt(0).toUpperCase() + text.slice(1) : '';
  }

  function cssToken(value) {
    return str(value).toLowerCase().replace(/[^a-z0-9_-]/g, '');
  }

  function plural(n, one, many) {
    return n + ' ' + (n === 1 ? one : many || one + 's');
  }

  function isNum(v) {
    return typeof v === 'number' && isFinite(v);
  }

  function fmtScore(v) {
    return isNum(v) ? v.toFixed(2) : '\u2014';
  }

  function fmtPct(v) {
    return isNum(v) ? (v * 100).toFixed(1) + '%' : '\u2014';
  }

  function slugify(text) {
    return str(text)
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64)
      .replace(/-+$/g, '');
  }

  function statusBadge(status) {
    const key = cssToken(status) || 'unknown';
    return h('span', { class: 'badge status-badge status-' + key, 'data-status': str(status) }, [
      h('span', { class: 'dot', 'aria-hidden': 'true' }),
      STATUS_LABELS[status] || MODEL_STATUS_LABELS[status] || humanize(status) || 'Unknown',
    ]);
  }

  // ================================================================ toasts

  /** kind: error | warn | ok. action: optional {label, run}. */
  function toast(message, kind, action) {
    if (leaving) return;
    const type = kind || 'error';
    let region = byId('toasts');
    if (!region) {
      region = h('div', { id: 'toasts', class: 'toasts', 'aria-live': 'assertive' });
      document.body.appendChild(region);
    }
    while (region.children.length >= 3) region.removeChild(region.firstChild);
    const node = h('div', { class: 'toast toast-' + type, role: type === 'error' ? 'alert' : 'status' });
    const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss' }, icon('x'));
    let actionBtn = null;
    const timer = window.setTimeout(function () {
      node.remove();
    }, action ? 15000 : TOAST_MS[type] || 6000);
    if (action) {
      actionBtn = h('button', {
        type: 'button',
        class: 'toast-action',
        text: action.label,
        onclick: function () {
          window.clearTimeout(timer);
          node.remove();
          action.run();
        },
      });
    }
    add(node, [icon(type === 'ok' ? 'checkCircle' : 'alert'), h('div', { class: 'toast-msg', text: message }), actionBtn, close]);
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

  /** JSON request; non-GET requests carry the CSRF header. Throws ApiError with the server's message. */
  async function api(method, path, body) {
    const init = { method: method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (method !== 'GET' && method !== 'HEAD') {
      init.headers['Content-Type'] = 'application/json';
      init.headers['X-CSRF-Token'] = csrfToken();
      init.body = JSON.stringify(body === undefined ? {} : body);
    }
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
    return data || {};
  }

  function q(value) {
    return encodeURIComponent(str(value));
  }

  // ================================================================ chrome: user, log out, nav counts

  function paintUser(me) {
    const nameEl = byId('user-name');
    const roleEl = byId('user-role');
    const avatarEl = byId('user-avatar');
    if (me) {
      if (nameEl && me.display_name) nameEl.textContent = me.display_name;
      if (roleEl && me.role) roleEl.textContent = me.role;
    }
    if (avatarEl && nameEl) avatarEl.textContent = initials(nameEl.textContent);
  }

  async function loadMe() {
    paintUser(null);
    try {
      paintUser(await api('GET', API + '/me'));
    } catch (err) {
      reportError(err);
    }
  }

  function initChrome() {
    const logout = byId('logout-btn');
    logout.addEventListener('click', async function () {
      logout.disabled = true;
      try {
        await api('POST', LOGOUT_URL, {});
      } catch (err) {
        if (err.status === 401) return; // already signed out: api() is on its way to the login page
      }
      leaving = true;
      window.location.assign(LOGIN_URL);
    });
  }

  function setNavCount(id, n) {
    const el = byId(id);
    if (!el) return;
    el.textContent = String(n);
    el.hidden = !n;
  }

  // ================================================================ router

  let currentView = null;

  function parseHash() {
    let raw = window.location.hash.replace(/^#\/?/, '');
    if (raw.indexOf('article/') === 0) {
      let slug = raw.slice('article/'.length);
      try {
        slug = decodeURIComponent(slug);
      } catch (err) {
        /* keep it raw */
      }
      return slug ? { view: 'editor', arg: slug } : { view: 'articles', arg: null };
    }
    if (raw === 'new-article') return { view: 'editor', arg: null };
    if (VIEW_TITLES[raw] && raw !== 'editor') return { view: raw, arg: null };
    return { view: 'candidates', arg: null };
  }

  function showView(view) {
    $all('.view').forEach(function (section) {
      section.hidden = section.getAttribute('data-view') !== view;
    });
    $all('.nav-item').forEach(function (link) {
      const active = link.id === NAV_FOR_VIEW[view];
      link.classList.toggle('is-active', active);
      if (active) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    });
    if (currentView !== view) {
      const main = byId('main');
      if (main) main.scrollTop = 0;
    }
    currentView = view;
    setTitle(VIEW_TITLES[view]);
  }

  function setTitle(text) {
    document.title = (text ? text + ' \u00b7 ' : '') + APP_TITLE;
  }

  function route() {
    const target = parseHash();
    showView(target.view);
    if (target.view === 'candidates') Candidates.load();
    else if (target.view === 'unanswered') Unanswered.load();
    else if (target.view === 'articles') Articles.load();
    else if (target.view === 'editor') {
      if (target.arg) Editor.open(target.arg);
      else Editor.openNew();
    } else if (target.view === 'try') Try.enter();
    else if (target.view === 'models') Models.load();
  }

  function go(hash) {
    if (window.location.hash === hash) route();
    else window.location.hash = hash;
  }

  // ================================================================ candidates

  const Candidates = (function () {
    const root = byId('candidate-groups');
    const totalEl = byId('candidates-total');
    const state = { token: 0, loaded: false, groups: [], editing: null };

    async function load() {
      const token = ++state.token;
      try {
        const data = await api('GET', API + '/candidates?status=pending');
        if (token !== state.token) return;
        state.groups = Array.isArray(data.groups) ? data.groups : [];
        state.loaded = true;
        state.editing = null;
        render();
      } catch (err) {
        if (token !== state.token) return;
        reportError(err);
        if (!state.loaded && err.status !== 401) {
          clear(root).appendChild(emptyState('alert', 'The candidates could not be loaded', err.message));
        }
      }
    }

    function total() {
      return state.groups.reduce(function (sum, g) {
        return sum + (isNum(g.count) ? g.count : (g.candidates || []).length);
      }, 0);
    }

    function updateCounts() {
      const n = total();
      totalEl.textContent = String(n);
      setNavCount('nav-candidates-count', n);
    }

    function render() {
      clear(root);
      const groups = state.groups.filter(function (g) {
        return (g.candidates || []).length > 0;
      });
      if (!groups.length) {
        root.appendChild(emptyState('check', 'Nothing to review', 'When agents teach the bot something new, their proposals show up here.'));
      }
      groups.forEach(function (group) {
        root.appendChild(buildGroup(group));
      });
      updateCounts();
    }

    function buildGroup(group) {
      const kind = str(group.kind);
      const count = isNum(group.count) ? group.count : (group.candidates || []).length;
      const countEl = h('span', { class: 'group-count', title: plural(count, 'proposal'), text: String(count) });
      const list = h('ul', { class: 'candidate-list' });
      const section = h('section', { class: 'candidate-group kind-' + cssToken(kind), 'data-kind': kind }, [
        h('header', { class: 'group-head' }, [
          h('span', { class: 'badge kind-badge kind-badge-' + cssToken(kind), text: KIND_LABELS[kind] || humanize(kind) || 'Other' }),
          h('h2', { class: 'group-label', text: str(group.label) || KIND_LABELS[kind] || humanize(kind) }),
          countEl,
        ]),
        list,
      ]);
      (group.candidates || []).forEach(function (c) {
        list.appendChild(buildCandidate(c, group));
      });
      group._section = section;
      group._countEl = countEl;
      group._count = count;
      return section;
    }

    function targetChip(c) {
      if (!c.target) return null;
      const kind = str(c.kind);
      const label = kind === 'nlu_example' ? 'Intent' : kind === 'new_article' ? 'New slug' : 'Article';
      const inner = [icon(kind === 'nlu_example' ? 'tag' : 'book'), h('span', { class: 'chip-key', text: label }), h('span', { class: 'chip-val', text: c.target })];
      if (kind === 'question_variant') {
        return h('a', { class: 'chip chip-target chip-link', href: '#article/' + q(c.target), title: 'Open the article ' + c.target }, inner);
      }
      return h('span', { class: 'chip chip-target', title: label + ': ' + c.target }, inner);
    }

    function buildCandidate(c, group) {
      const kind = str(c.kind || group.kind);
      const item = h('li', { class: 'candidate', 'data-id': str(c.id), 'data-kind': kind });

      const body = h('div', { class: 'cand-body' });
      if (c.title) {
        add(body, h('div', { class: 'cand-title' }, [h('span', { class: 'cand-key', text: 'Title' }), h('span', { class: 'cand-title-text', text: c.title })]));
      }
      add(body, h('div', { class: 'cand-question' }, [
        h('span', { class: 'cand-key', text: kind === 'nlu_example' ? 'Example' : 'Question' }),
        h('q', { class: 'cand-question-text', text: str(c.question) }),
      ]));
      if (c.answer) {
        add(body, h('div', { class: 'cand-answer-wrap' }, [
          h('span', { class: 'cand-key', text: 'Answer' }),
          h('div', { class: 'cand-answer', text: c.answer }),
        ]));
      }
      const meta = h('div', { class: 'cand-meta' }, [
        targetChip(c),
        c.proposed_by ? h('span', { class: 'meta-item' }, [icon('user'), 'Proposed by ', h('strong', { text: c.proposed_by })]) : null,
        c.ticket_id !== null && c.ticket_id !== undefined ? h('span', { class: 'meta-item' }, [icon('ticket'), 'Ticket #' + str(c.ticket_id)]) : null,
        c.created_at ? h('span', { class: 'meta-item' }, [icon('clock'), timeEl(c.created_at, fmtAgo(c.created_at))]) : null,
      ]);
      add(body, meta);

      const approveBtn = h('button', { type: 'button', class: 'btn btn-sm btn-primary approve-btn', title: 'Approve as proposed' }, [icon('check'), h('span', { class: 'btn-text', text: 'Approve' })]);
      const editBtn = h('button', { type: 'button', class: 'btn btn-sm edit-btn', title: 'Edit, then approve' }, [icon('edit'), h('span', { class: 'btn-text', text: 'Edit' })]);
      const rejectBtn = h('button', { type: 'button', class: 'btn btn-sm btn-danger-quiet reject-btn', title: 'Reject this proposal' }, [icon('x'), h('span', { class: 'btn-text', text: 'Reject' })]);
      const actions = h('div', { class: 'cand-actions' }, [approveBtn, editBtn, rejectBtn]);

      approveBtn.addEventListener('click', function () {
        approve(c, group, item, {}, approveBtn);
      });
      editBtn.addEventListener('click', function () {
        openEdit(c, group, item);
      });
      rejectBtn.addEventListener('click', function () {
        reject(c, group, item, rejectBtn);
      });

      add(item, [h('div', { class: 'cand-row' }, [body, actions])]);
      return item;
    }

    function closeEdit() {
      if (!state.editing) return;
      const ed = state.editing;
      state.editing = null;
      if (ed.form.parentNode) ed.form.parentNode.removeChild(ed.form);
      ed.item.classList.remove('is-editing');
    }

    function editField(id, label, note, value, multiline, rows, extra) {
      const control = multiline
        ? h('textarea', Object.assign({ class: 'field', id: id, rows: String(rows || 3) }, extra || {}))
        : h('input', Object.assign({ class: 'field', id: id, type: 'text' }, extra || {}));
      control.value = str(value);
      return h('div', { class: 'form-row' + (multiline ? ' span-2' : '') }, [
        h('label', { class: 'field-label', for: id }, [label, note ? h('span', { class: 'label-note', text: note }) : null]),
        control,
      ]);
    }

    function openEdit(c, group, item) {
      closeEdit();
      const kind = str(c.kind || group.kind);
      const isArticle = kind === 'new_article';
      const form = h('form', { class: 'edit-form', novalidate: true, autocomplete: 'off', 'aria-label': 'Edit candidate before approving' });
      const grid = h('div', { class: 'form-grid' });
      const targetNote = kind === 'question_variant' ? 'slug of the article that gets this question' : kind === 'nlu_example' ? 'intent name' : 'optional';
      add(grid, [
        editField('edit-title', 'Article title', isArticle ? null : 'only used for new articles', c.title, false, 0, { maxlength: '300', placeholder: isArticle ? 'Defaults to the question' : null }),
        editField('edit-target', TARGET_LABELS[kind] || 'Target', targetNote, c.target, false, 0, { list: 'edit-target-options', spellcheck: 'false', placeholder: isArticle ? 'Made from the title when empty' : null }),
        editField('edit-question', kind === 'nlu_example' ? 'Example' : 'Question', null, c.question, true, 2),
        editField('edit-answer', 'Answer', isArticle ? null : 'only used for new articles', c.answer, true, isArticle ? 6 : 3),
      ]);
      const options = h('datalist', { id: 'edit-target-options' });
      Articles.slugs().forEach(function (slug) {
        options.appendChild(h('option', { value: slug }));
      });
      const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'edit-approve' }, [icon('check'), h('span', { class: 'btn-text', text: 'Save and approve' })]);
      const cancel = h('button', { type: 'button', class: 'btn', text: 'Cancel' });
      add(form, [
        h('div', { class: 'edit-form-head' }, [icon('edit'), h('span', { text: 'Edit before approving' })]),
        grid,
        options,
        h('div', { class: 'edit-form-bar' }, [h('span', { class: 'hint', text: 'Only the fields you change are sent.' }), h('span', { class: 'head-spacer' }), cancel, save]),
      ]);
      cancel.addEventListener('click', closeEdit);
      form.addEventListener('keydown', function (event) {
        if (event.key === 'Escape') closeEdit();
      });
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        const edits = {};
        [['question', 'edit-question'], ['answer', 'edit-answer'], ['target', 'edit-target'], ['title', 'edit-title']].forEach(function (pair) {
          const el = byId(pair[1]);
          const value = pair[0] === 'answer' || pair[0] === 'question' ? el.value.replace(/\s+$/, '') : el.value.trim();
          if (value !== str(c[pair[0]])) edits[pair[0]] = value === '' && (c[pair[0]] === null || c[pair[0]] === undefined) ? null : value;
        });
        Object.keys(edits).forEach(function (key) {
          if (edits[key] === null) delete edits[key];
        });
        if (edits.question !== undefined && !edits.question.trim()) {
          toast('The question cannot be empty.', 'warn');
          byId('edit-question').focus();
          return;
        }
        approve(c, group, item, edits, save);
      });
      item.classList.add('is-editing');
      item.appendChild(form);
      state.editing = { item: item, form: form, id: c.id };
      const first = byId(isArticle ? 'edit-title' : 'edit-question');
      if (first) first.focus();
      if (!Articles.slugs().length) {
        Articles.fetchQuiet().then(function () {
          if (!options.isConnected) return;
          Articles.slugs().forEach(function (slug) {
            options.appendChild(h('option', { value: slug }));
          });
        });
      }
    }

    function removeCandidate(c, group, item) {
      if (state.editing && state.editing.item === item) closeEdit();
      group.candidates = (group.candidates || []).filter(function (x) {
        return x !== c;
      });
      group.count = Math.max(0, (isNum(group.count) ? group.count : group.candidates.length + 1) - 1);
      item.classList.add('is-leaving');
      window.setTimeout(function () {
        item.remove();
        if (!group.candidates.length) {
          state.groups = state.groups.filter(function (g) {
            return g !== group;
          });
          if (group._section) group._section.remove();
          if (!state.groups.some(function (g) { return (g.candidates || []).length; })) render();
        }
      }, 160);
      if (group._countEl) {
        group._countEl.textContent = String(group.count);
        group._countEl.title = plural(group.count, 'proposal');
      }
      updateCounts();
    }

    async function approve(c, group, item, edits, button) {
      const buttons = $all('button', item);
      buttons.forEach(function (b) {
        b.disabled = true;
      });
      try {
        await api('POST', API + '/candidates/' + q(c.id) + '/approve', edits || {});
        removeCandidate(c, group, item);
        Articles.stale();
        toast('Approved', 'ok');
      } catch (err) {
        buttons.forEach(function (b) {
          b.disabled = false;
        });
        if (err.status === 404 || err.status === 409) {
          toast(err.message, 'warn');
          load();
          return;
        }
        reportError(err);
        if (button) button.focus();
      }
    }

    async function reject(c, group, item, button) {
      const note = window.prompt('Reject this proposal?\nReason (optional):', '');
      if (note === null) return;
      const buttons = $all('button', item);
      buttons.forEach(function (b) {
        b.disabled = true;
      });
      try {
        await api('POST', API + '/candidates/' + q(c.id) + '/reject', { note: note.trim() });
        removeCandidate(c, group, item);
        toast('Rejected', 'ok');
      } catch (err) {
        buttons.forEach(function (b) {
          b.disabled = false;
        });
        if (err.status === 404 || err.status === 409) {
          toast(err.message, 'warn');
          load();
          return;
        }
        reportError(err);
        button.focus();
      }
    }

    byId('candidates-refresh').addEventListener('click', load);

    return { load: load };
  })();

  // ================================================================ unanswered

  const Unanswered = (function () {
    const root = byId('unanswered-clusters');
    const totalEl = byId('unanswered-total');
    const state = { token: 0, loaded: false, clusters: [] };
    const SHOWN = 4;

    async function load() {
      const token = ++state.token;
      try {
        const data = await api('GET', API + '/unanswered');
        if (token !== state.token) return;
        state.clusters = (Array.isArray(data.clusters) ? data.clusters : []).slice().sort(function (a, b) {
          return (b.count || 0) - (a.count || 0);
        });
        state.loaded = true;
        render();
      } catch (err) {
        if (token !== state.token) return;
        reportError(err);
        if (!state.loaded && err.status !== 401) clear(root).appendChild(emptyState('alert', 'The unanswered questions could not be loaded', err.message));
      }
    }

    function render() {
      clear(root);
      totalEl.textContent = String(state.clusters.length);
      setNavCount('nav-unanswered-count', state.clusters.length);
      if (!state.clusters.length) {
        root.appendChild(emptyState('check', 'No unanswered questions', 'Questions the bot could not answer will be grouped here.'));
        return;
      }
      const list = h('ol', { class: 'cluster-list' });
      state.clusters.forEach(function (cluster) {
        list.appendChild(buildCluster(cluster));
      });
      root.appendChild(list);
    }

    function buildCluster(cluster) {
      const examples = Array.isArray(cluster.examples) ? cluster.examples : [];
      const count = isNum(cluster.count) ? cluster.count : examples.length;
      const exList = h('ul', { class: 'cluster-examples' });
      examples.forEach(function (text, i) {
        exList.appendChild(h('li', { class: 'cluster-example' + (i >= SHOWN ? ' is-extra' : '') }, h('q', { text: str(text) })));
      });
      let more = null;
      if (examples.length > SHOWN) {
        more = h('button', { type: 'button', class: 'btn-link more-btn', 'aria-expanded': 'false', text: 'Show ' + (examples.length - SHOWN) + ' more' });
        more.addEventListener('click', function () {
          const open = exList.classList.toggle('is-open');
          more.setAttribute('aria-expanded', open ? 'true' : 'false');
          more.textContent = open ? 'Show fewer' : 'Show ' + (examples.length - SHOWN) + ' more';
        });
      }
      const make = h('button', { type: 'button', class: 'btn btn-sm make-article-btn', disabled: !examples.length }, [icon('plus'), h('span', { text: 'Write an article' })]);
      make.addEventListener('click', function () {
        Editor.prefill({ questions: examples.slice(0, 1).map(str) });
        go('#new-article');
      });
      return h('li', { class: 'cluster' }, [
        h('div', { class: 'cluster-tally' }, [
          h('span', { class: 'cluster-count', text: String(count) }),
          h('span', { class: 'cluster-unit', text: count === 1 ? 'time' : 'times' }),
        ]),
        h('div', { class: 'cluster-body' }, [
          exList,
          h('div', { class: 'cluster-meta' }, [
            more,
            cluster.last_at ? h('span', { class: 'meta-item' }, [icon('clock'), 'Last asked ', timeEl(cluster.last_at, fmtAgo(cluster.last_at))]) : null,
          ]),
        ]),
        h('div', { class: 'cluster-actions' }, make),
      ]);
    }

    byId('unanswered-refresh').addEventListener('click', load);

    return { load: load };
  })();

  // ================================================================ articles list

  const Articles = (function () {
    const rows = byId('articles-rows');
    const filter = byId('article-status-filter');
    const search = byId('article-search');
    const totalEl = byId('articles-total');
    const state = { token: 0, loaded: false, articles: [], all: null, isStale: true };

    async function load() {
      const token = ++state.token;
      const status = filter.value || 'all';
      if (!state.loaded) clear(rows).appendChild(msgRow('Loading articles\u2026'));
      try {
        const data = await api('GET', API + '/articles?status=' + q(status));
        if (token !== state.token) return;
        state.articles = Array.isArray(data.articles) ? data.articles : [];
        if (status === 'all') {
          state.all = state.articles;
          state.isStale = false;
        }
        state.loaded = true;
        render();
      } catch (err) {
        if (token !== state.token) return;
        reportError(err);
        if (err.status !== 401) clear(rows).appendChild(msgRow('The articles could not be loaded. ' + err.message));
      }
    }

    /** Fetch every article for the slug and category suggestions, without touching the table. */
    async function fetchQuiet() {
      if (state.all && !state.isStale) return state.all;
      try {
        const data = await api('GET', API + '/articles?status=all');
        state.all = Array.isArray(data.articles) ? data.articles : [];
        state.isStale = false;
      } catch (err) {
        /* suggestions only */
      }
      return state.all || [];
    }

    function slugs() {
      return (state.all || []).map(function (a) {
        return str(a.slug);
      });
    }

    function categories() {
      const seen = {};
      (state.all || []).forEach(function (a) {
        if (a.category) seen[a.category] = true;
      });
      return Object.keys(seen).sort();
    }

    function msgRow(text) {
      return h('tr', { class: 'table-msg' }, h('td', { colspan: '6', text: text }));
    }

    function render() {
      const needle = search.value.trim().toLowerCase();
      const shown = state.articles.filter(function (a) {
        if (!needle) return true;
        return [a.title, a.slug, a.category].some(function (v) {
          return str(v).toLowerCase().indexOf(needle) !== -1;
        });
      });
      totalEl.textContent = String(shown.length);
      clear(rows);
      if (!shown.length) {
        const what = filter.value && filter.value !== 'all' ? (STATUS_LABELS[filter.value] || filter.value).toLowerCase() + ' articles' : 'articles';
        rows.appendChild(h('tr', { class: 'table-msg' }, h('td', { colspan: '6' }, emptyState('book', needle ? 'No ' + what + ' match \u201c' + search.value.trim() + '\u201d' : 'No ' + what + ' yet', needle ? null : 'Create one with New article, or from an unanswered question.'))));
        return;
      }
      shown.forEach(function (a) {
        rows.appendChild(buildRow(a));
      });
    }

    function buildRow(a) {
      const href = '#article/' + q(a.slug);
      const row = h('tr', { class: 'article-row', 'data-slug': str(a.slug), 'data-status': str(a.status) }, [
        h('td', { class: 'col-title' }, [
          h('a', { class: 'row-link', href: href, text: str(a.title) || str(a.slug) }),
          h('span', { class: 'row-slug', text: str(a.slug) }),
        ]),
        h('td', { class: 'col-category' }, a.category ? h('span', { class: 'chip', text: a.category }) : h('span', { class: 'faint', text: '\u2014' })),
        h('td', { class: 'col-status' }, statusBadge(a.status)),
        h('td', { class: 'col-version num', text: a.version !== undefined && a.version !== null ? 'v' + a.version : '\u2014' }),
        h('td', { class: 'col-origin' }, h('span', { class: 'origin origin-' + cssToken(a.origin), title: a.origin === 'files' ? 'Loaded from the knowledge-base files' : 'Created in the trainer console', text: a.origin === 'files' ? 'Files' : a.origin === 'console' ? 'Console' : humanize(a.origin) || '\u2014' })),
        h('td', { class: 'col-updated' }, a.updated_at ? timeEl(a.updated_at, fmtAgo(a.updated_at)) : h('span', { class: 'faint', text: '\u2014' })),
      ]);
      row.addEventListener('click', function (event) {
        if (event.target.closest('a')) return;
        go(href);
      });
      return row;
    }

    filter.addEventListener('change', load);
    search.addEventListener('input', function () {
      if (state.loaded) render();
    });
    byId('new-article-btn').addEventListener('click', function () {
      go('#new-article');
    });

    return {
      load: load,
      fetchQuiet: fetchQuiet,
      slugs: slugs,
      categories: categories,
      stale: function () {
        state.isStale = true;
      },
    };
  })();

  // ================================================================ article editor

  const Editor = (function () {
    const f = {
      slug: byId('article-slug'),
      title: byId('article-title'),
      category: byId('article-category'),
      tags: byId('article-tags'),
      answer: byId('article-answer'),
      questions: byId('article-questions'),
    };
    const els = {
      heading: byId('editor-title'),
      status: byId('editor-status'),
      dirty: byId('editor-dirty'),
      meta: byId('editor-meta'),
      slugHint: byId('article-slug-hint'),
      save: byId('article-save'),
      publish: byId('article-publish'),
      archive: byId('article-archive'),
      unpublish: byId('article-unpublish'),
      history: byId('article-history'),
      historyPanel: byId('history-panel'),
      historyCount: byId('history-count'),
      diffPanel: byId('diff-panel'),
      diffTitle: byId('diff-title'),
      diff: byId('article-diff'),
      answerCount: byId('article-answer-count'),
      questionsCount: byId('article-questions-count'),
      categories: byId('article-category-options'),
      body: $('.editor-body'),
    };
    const state = { mode: 'new', slug: null, article: null, history: [], snapshot: '', token: 0, slugTouched: false, pendingPrefill: null, busy: false, diffVersion: null };

    function parseTags(text) {
      const seen = {};
      return str(text).split(',').map(function (t) {
        return t.trim();
      }).filter(function (t) {
        if (!t || seen[t.toLowerCase()]) return false;
        seen[t.toLowerCase()] = true;
        return true;
      });
    }

    function parseQuestions(text) {
      return str(text).split(/\r?\n/).map(function (t) {
        return t.trim();
      }).filter(Boolean);
    }

    function read() {
      return {
        slug: f.slug.value.trim(),
        title: f.title.value.trim(),
        category: f.category.value.trim(),
        tags: parseTags(f.tags.value),
        answer: f.answer.value.replace(/\s+$/, ''),
        questions: parseQuestions(f.questions.value),
      };
    }

    function snapshotOf(v) {
      return JSON.stringify([v.title, v.category, v.tags, v.answer, v.questions, state.mode === 'new' ? v.slug : '']);
    }

    function isDirty() {
      return snapshotOf(read()) !== state.snapshot;
    }

    function fill(article) {
      f.slug.value = str(article.slug);
      f.title.value = str(article.title);
      f.category.value = str(article.category);
      f.tags.value = (Array.isArray(article.tags) ? article.tags : []).join(', ');
      f.answer.value = str(article.answer);
      f.questions.value = (Array.isArray(article.questions) ? article.questions : []).join('\n');
      $all('.field', byId('article-form')).forEach(function (el) {
        el.removeAttribute('aria-invalid');
      });
    }

    function refreshCounts() {
      const answer = f.answer.value.trim();
      els.answerCount.textContent = answer ? plural(answer.length, 'character') : '';
      const n = parseQuestions(f.questions.value).length;
      els.questionsCount.textContent = n ? plural(n, 'question') : '';
    }

    function paintChrome() {
      const a = state.article;
      const editing = state.mode === 'edit';
      const dirty = editing ? isDirty() : false;
      els.heading.textContent = editing ? (a && a.title) || state.slug || 'Article' : 'New article';
      setTitle(editing ? ((a && a.title) || state.slug) + ' \u00b7 Articles' : 'New article');
      els.status.hidden = !(editing && a);
      if (editing && a) {
        clear(els.status);
        const badge = statusBadge(a.status);
        els.status.className = badge.className;
        while (badge.firstChild) els.status.appendChild(badge.firstChild);
      }
      els.dirty.hidden = !dirty;

      clear(els.meta);
      if (editing && a) {
        add(els.meta, [
          h('span', { class: 'mono', text: str(a.slug) }),
          h('span', { class: 'sep', 'aria-hidden': 'true', text: '\u00b7' }),
          h('span', { text: 'version ' + str(a.version) }),
          h('span', { class: 'sep', 'aria-hidden': 'true', text: '\u00b7' }),
          h('span', { text: a.origin === 'files' ? 'from the knowledge-base files' : a.origin === 'console' ? 'written in the console' : humanize(a.origin) }),
        ]);
      } else {
        els.meta.textContent = 'New articles are saved as drafts until you publish them.';
      }

      f.slug.readOnly = editing;
      f.slug.classList.toggle('is-readonly', editing);
      els.slugHint.textContent = editing ? 'The slug identifies the article and cannot be changed.' : 'Lower-case letters, digits and dashes. It cannot be changed later.';

      const status = a ? a.status : 'draft';
      $('.btn-text', els.save).textContent = editing ? 'Save' : 'Save draft';
      els.save.title = editing ? 'Save changes and keep the status (' + (STATUS_LABELS[status] || status) + ')' : 'Save as a draft';
      els.save.disabled = state.busy || (editing && !dirty);

      const published = editing && status === 'published';
      $('.btn-text', els.publish).textContent = published ? (dirty ? 'Save and publish' : 'Published') : editing && status === 'archived' ? 'Restore and publish' : 'Publish';
      els.publish.disabled = state.busy || (published && !dirty);

      els.archive.hidden = !editing;
      $('.btn-text', els.archive).textContent = status === 'archived' ? 'Archived' : 'Archive';
      els.archive.disabled = state.busy || status === 'archived';
      els.unpublish.hidden = !(editing && (status === 'published' || status === 'archived'));
      $('.btn-text', els.unpublish).textContent = status === 'archived' ? 'Restore as draft' : 'Move to drafts';
      els.unpublish.disabled = state.busy;

      els.historyPanel.hidden = !editing;
      els.body.classList.toggle('is-new', !editing);
    }

    function fillCategories() {
      Articles.fetchQuiet().then(function () {
        clear(els.categories);
        Articles.categories().forEach(function (c) {
          els.categories.appendChild(h('option', { value: c }));
        });
      });
    }

    function hideDiff() {
      els.diffPanel.hidden = true;
      clear(els.diff);
      state.diffVersion = null;
      $all('.version.is-diffed', els.history).forEach(function (li) {
        li.classList.remove('is-diffed');
      });
    }

    function openNew() {
      state.token++;
      state.mode = 'new';
      state.slug = null;
      state.article = null;
      state.history = [];
      state.slugTouched = false;
      state.busy = false;
      const prefill = state.pendingPrefill || {};
      state.pendingPrefill = null;
      fill({ slug: '', title: prefill.title || '', category: '', tags: [], answer: prefill.answer || '', questions: prefill.questions || [] });
      state.snapshot = snapshotOf({ slug: '', title: '', category: '', tags: [], answer: '', questions: [] });
      clear(els.history);
      hideDiff();
      paintChrome();
      refreshCounts();
      fillCategories();
      f.title.focus();
    }

    async function open(slug, keepDiff) {
      const token = ++state.token;
      const same = state.mode === 'edit' && state.slug === slug;
      state.mode = 'edit';
      state.slug = slug;
      state.busy = false;
      if (!same) {
        state.article = null;
        fill({ slug: slug });
        state.snapshot = snapshotOf(read());
        clear(els.history).appendChild(h('li', { class: 'history-empty', text: 'Loading\u2026' }));
        hideDiff();
        paintChrome();
        els.heading.textContent = 'Loading\u2026';
      } else if (!keepDiff) {
        hideDiff();
      }
      fillCategories();
      try {
        const data = await api('GET', API + '/articles/' + q(slug));
        if (token !== state.token) return;
        apply(data.article, data.history);
      } catch (err) {
        if (token !== state.token) return;
        reportError(err);
        if (err.status === 404) go('#articles');
      }
    }

    function apply(article, history) {
      if (!article) return;
      state.article = article;
      state.slug = article.slug || state.slug;
      if (Array.isArray(history)) state.history = history;
      fill(article);
      state.snapshot = snapshotOf(read());
      paintChrome();
      refreshCounts();
      renderHistory();
    }

    function renderHistory() {
      clear(els.history);
      const list = state.history;
      els.historyCount.textContent = list.length ? plural(list.length, 'version') : '';
      if (!list.length) {
        els.history.appendChild(h('li', { class: 'history-empty', text: 'No history yet.' }));
        return;
      }
      const current = state.article ? state.article.version : list[0].version;
      list.forEach(function (entry, i) {
        const v = entry.version;
        const prev = list[i + 1] ? list[i + 1].version : isNum(v) && v > 1 ? v - 1 : null;
        const isCurrent = v === current;
        const li = h('li', { class: 'version' + (isCurrent ? ' is-current' : '') + (state.diffVersion === v ? ' is-diffed' : ''), 'data-version': str(v) });
        const actions = h('div', { class: 'version-actions' });
        if (prev !== null) {
          const diffBtn = h('button', { type: 'button', class: 'btn btn-sm btn-quiet diff-btn', title: 'Show what changed from version ' + prev + ' to ' + v }, [icon('diff'), h('span', { text: 'Changes' })]);
          diffBtn.addEventListener('click', function () {
            showDiff(prev, v, li);
          });
          actions.appendChild(diffBtn);
        }
        if (!isCurrent) {
          const revertBtn = h('button', { type: 'button', class: 'btn btn-sm btn-quiet revert-btn', title: 'Make version ' + v + ' the current content' }, [icon('undo'), h('span', { text: 'Revert' })]);
          revertBtn.addEventListener('click', function () {
            revert(v, revertBtn);
          });
          actions.appendChild(revertBtn);
        }
        add(li, [
          h('span', { class: 'version-dot', 'aria-hidden': 'true' }),
          h('div', { class: 'version-main' }, [
            h('div', { class: 'version-top' }, [
              h('span', { class: 'version-num', text: 'v' + str(v) }),
              isCurrent ? h('span', { class: 'badge badge-sm current-badge', text: 'current' }) : null,
              h('span', { class: 'head-spacer' }),
              entry.at ? timeEl(entry.at, fmtAgo(entry.at), 'version-at') : null,
            ]),
            h('div', { class: 'version-summary', text: str(entry.summary) || 'Changed' }),
            entry.actor ? h('div', { class: 'version-by', text: 'by ' + entry.actor }) : null,
            actions.childNodes.length ? actions : null,
          ]),
        ]);
        els.history.appendChild(li);
      });
    }

    async function showDiff(from, to, li) {
      const token = state.token;
      try {
        const data = await api('GET', API + '/articles/' + q(state.slug) + '/diff?from=' + q(from) + '&to=' + q(to));
        if (token !== state.token) return;
        state.diffVersion = to;
        $all('.version.is-diffed', els.history).forEach(function (x) {
          x.classList.remove('is-diffed');
        });
        if (li) li.classList.add('is-diffed');
        renderDiff(from, to, Array.isArray(data.diff) ? data.diff : []);
      } catch (err) {
        reportError(err);
      }
    }

    function renderDiff(from, to, fields) {
      clear(els.diff);
      els.diffTitle.textContent = 'Changes from v' + from + ' to v' + to;
      let added = 0;
      let removed = 0;
      const changed = fields.filter(function (fd) {
        return (fd.lines || []).some(function (l) {
          return l.op === '+' || l.op === '-';
        });
      });
      if (!changed.length) {
        els.diff.appendChild(h('p', { class: 'diff-none', text: 'No differences between these versions.' }));
      }
      changed.forEach(function (fd) {
        const block = h('div', { class: 'diff-field', 'data-field': str(fd.field) });
        const lines = h('div', { class: 'diff-lines', role: 'list' });
        (fd.lines || []).forEach(function (line) {
          const op = line.op === '+' || line.op === '-' ? line.op : ' ';
          if (op === '+') added++;
          if (op === '-') removed++;
          lines.appendChild(h('div', { class: 'diff-line ' + (op === '+' ? 'diff-add' : op === '-' ? 'diff-del' : 'diff-same'), role: 'listitem' }, [
            h('span', { class: 'diff-op', 'aria-label': op === '+' ? 'added' : op === '-' ? 'removed' : 'unchanged', text: op }),
            h('span', { class: 'diff-text', text: str(line.text) || '\u00a0' }),
          ]));
        });
        add(block, [h('h3', { class: 'diff-field-name', text: DIFF_FIELDS[fd.field] || humanize(fd.field) }), lines]);
        els.diff.appendChild(block);
      });
      if (changed.length) {
        els.diff.insertBefore(h('p', { class: 'diff-stats' }, [
          h('span', { class: 'diff-stat-add', text: '+' + added }),
          ' ',
          h('span', { class: 'diff-stat-del', text: '\u2212' + removed }),
          ' lines in ' + plural(changed.length, 'field'),
        ]), els.diff.firstChild);
      }
      els.diffPanel.hidden = false;
      els.diffPanel.scrollIntoView({ block: 'nearest' });
    }

    function validate(v) {
      const problems = [];
      $all('.field', byId('article-form')).forEach(function (el) {
        el.removeAttribute('aria-invalid');
      });
      if (state.mode === 'new') {
        if (!v.slug) problems.push([f.slug, 'Give the article a slug.']);
        else if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(v.slug)) problems.push([f.slug, 'The slug may only have lower-case letters, digits and single dashes between them.']);
      }
      if (!v.title) problems.push([f.title, 'Give the article a title.']);
      if (!v.category) problems.push([f.category, 'Give the article a category.']);
      if (!v.answer.trim()) problems.push([f.answer, 'Write the answer the bot should give.']);
      if (!v.questions.length) problems.push([f.questions, 'Add at least one question, one per line.']);
      if (problems.length) {
        problems.forEach(function (p) {
          p[0].setAttribute('aria-invalid', 'true');
        });
        problems[0][0].focus();
        toast(problems[0][1], 'warn');
        return false;
      }
      return true;
    }

    function handleWriteError(err) {
      if (err.status === 409 || err.code === 'conflict') {
        toast('Someone else changed this article; reload', 'warn', {
          label: 'Reload',
          run: function () {
            if (state.slug) open(state.slug);
          },
        });
        return;
      }
      reportError(err);
    }

    async function create(status) {
      const v = read();
      if (!validate(v)) return;
      state.busy = true;
      paintChrome();
      try {
        const data = await api('POST', API + '/articles', {
          slug: v.slug,
          title: v.title,
          category: v.category,
          tags: v.tags,
          answer: v.answer,
          questions: v.questions,
          status: status,
        });
        const slug = (data.article && data.article.slug) || v.slug;
        Articles.stale();
        toast(status === 'published' ? 'Article published' : 'Draft saved', 'ok');
        state.snapshot = snapshotOf(read());
        go('#article/' + q(slug));
      } catch (err) {
        state.busy = false;
        paintChrome();
        if (err.status === 409) reportError(err);
        else handleWriteError(err);
      }
    }

    /** Save edits (PUT) with a status; or, when nothing was edited and the status changes, only the status. */
    async function update(status, okText) {
      const a = state.article;
      if (!a) return;
      const v = read();
      const dirty = isDirty();
      if (dirty && !validate(v)) return;
      const slug = state.slug;
      state.busy = true;
      paintChrome();
      try {
        let data;
        if (dirty) {
          data = await api('PUT', API + '/articles/' + q(slug), {
            title: v.title,
            category: v.category,
            tags: v.tags,
            answer: v.answer,
            questions: v.questions,
            status: status,
            base_version: a.version,
          });
        } else {
          data = await api('POST', API + '/articles/' + q(slug) + '/status', { status: status });
        }
        Articles.stale();
        toast(okText, 'ok');
        state.busy = false;
        if (data.article && state.slug === slug) apply(data.article, null);
        refreshHistory(slug);
      } catch (err) {
        state.busy = false;
        paintChrome();
        handleWriteError(err);
      }
    }

    async function refreshHistory(slug) {
      const token = state.token;
      try {
        const data = await api('GET', API + '/articles/' + q(slug));
        if (token !== state.token || state.slug !== slug) return;
        if (isDirty()) {
          // keep what the trainer is typing; only refresh the history and the server's view of the article
          state.article = data.article || state.article;
          if (Array.isArray(data.history)) state.history = data.history;
          paintChrome();
          renderHistory();
        } else {
          apply(data.article, data.history);
        }
      } catch (err) {
        reportError(err);
      }
    }

    async function revert(version, button) {
      const title = state.article ? str(state.article.title) : state.slug;
      if (!window.confirm('Revert \u201c' + title + '\u201d to version ' + version + '?\n\nThis saves a new version with the content of version ' + version + '. Unsaved edits are lost.')) return;
      const slug = state.slug;
      button.disabled = true;
      try {
        const data = await api('POST', API + '/articles/' + q(slug) + '/revert', { version: version });
        Articles.stale();
        toast('Reverted to version ' + version, 'ok');
        hideDiff();
        if (data.article && state.slug === slug) apply(data.article, null);
        refreshHistory(slug);
      } catch (err) {
        button.disabled = false;
        handleWriteError(err);
      }
    }

    // ---- wiring

    f.title.addEventListener('input', function () {
      if (state.mode === 'new' && !state.slugTouched) f.slug.value = slugify(f.title.value);
    });
    f.slug.addEventListener('input', function () {
      if (state.mode !== 'new') return;
      state.slugTouched = f.slug.value.trim() !== '';
      const cleaned = f.slug.value.toLowerCase().replace(/\s+/g, '-');
      if (cleaned !== f.slug.value) f.slug.value = cleaned;
    });
    byId('article-form').addEventListener('input', function (event) {
      if (event.target && event.target.removeAttribute) event.target.removeAttribute('aria-invalid');
      refreshCounts();
      paintChrome();
    });
    byId('article-form').addEventListener('submit', function (event) {
      event.preventDefault();
    });
    document.addEventListener('keydown', function (event) {
      if (currentView !== 'editor') return;
      if ((event.ctrlKey || event.metaKey) && (event.key === 's' || event.key === 'S')) {
        event.preventDefault();
        if (!els.save.disabled) els.save.click();
      }
    });
    els.save.addEventListener('click', function () {
      if (state.mode === 'new') create('draft');
      else update(state.article ? state.article.status : 'draft', 'Saved');
    });
    els.publish.addEventListener('click', function () {
      if (state.mode === 'new') create('published');
      else update('published', 'Article published');
    });
    els.archive.addEventListener('click', function () {
      if (state.mode === 'edit') update('archived', 'Article archived');
    });
    els.unpublish.addEventListener('click', function () {
      if (state.mode === 'edit') update('draft', 'Moved to drafts');
    });
    byId('diff-close').addEventListener('click', hideDiff);

    return {
      open: open,
      openNew: openNew,
      prefill: function (values) {
        state.pendingPrefill = values;
      },
    };
  })();

  // ================================================================ try a question

  const Try = (function () {
    const input = byId('try-input');
    const button = byId('try-btn');
    const verdictEl = byId('try-verdict');
    const results = byId('try-results');
    const state = { token: 0 };

    const VERDICTS = {
      answer: { label: 'Answer', icon: 'checkCircle' },
      suggest: { label: 'Suggestions', icon: 'lightbulb' },
      none: { label: 'No answer', icon: 'xCircle' },
    };

    function enter() {
      window.setTimeout(function () {
        input.focus();
      }, 0);
    }

    async function run() {
      const text = input.value.trim();
      if (!text) {
        input.focus();
        return;
      }
      const token = ++state.token;
      button.disabled = true;
      results.classList.add('is-loading');
      try {
        const data = await api('GET', API + '/try?q=' + q(text));
        if (token !== state.token) return;
        render(text, data);
      } catch (err) {
        if (token === state.token) reportError(err);
      } finally {
        if (token === state.token) {
          button.disabled = false;
          results.classList.remove('is-loading');
        }
      }
    }

    function render(asked, data) {
      const verdict = VERDICTS[data.verdict] ? data.verdict : 'none';
      const hits = Array.isArray(data.hits) ? data.hits : [];
      const th = data.thresholds || {};
      const answerT = isNum(th.answer_threshold) ? th.answer_threshold : null;
      const suggestT = isNum(th.suggest_threshold) ? th.suggest_threshold : null;
      const top = hits[0];

      let explain;
      if (verdict === 'answer') {
        explain = ['The bot would answer with ', h('strong', { text: top ? str(top.title) || str(top.slug) : 'the top article' }), '.'];
      } else if (verdict === 'suggest') {
        explain = ['The bot is not sure enough to answer, so it would offer ' + (hits.length === 1 ? 'this article' : 'these articles') + ' as suggestions.'];
      } else {
        explain = ['The bot would say it does not know and offer to hand over to a person.'];
      }
      const normalised = str(data.normalised).trim();
      clear(verdictEl);
      verdictEl.className = 'verdict verdict-' + verdict;
      verdictEl.setAttribute('data-verdict', verdict);
      add(verdictEl, [
        h('span', { class: 'verdict-icon' }, icon(VERDICTS[verdict].icon)),
        h('div', { class: 'verdict-body' }, [
          h('div', { class: 'verdict-label', text: VERDICTS[verdict].label }),
          h('div', { class: 'verdict-text' }, explain),
          normalised && wordsOf(normalised) !== wordsOf(asked)
            ? h('div', { class: 'verdict-query' }, ['Understood as ', h('q', { class: 'normalised', text: normalised }), ' after typo correction'])
            : null,
        ]),
        answerT !== null || suggestT !== null
          ? h('dl', { class: 'verdict-thresholds' }, [
            suggestT !== null ? h('div', null, [h('dt', { text: 'Suggest from' }), h('dd', { text: fmtScore(suggestT) })]) : null,
            answerT !== null ? h('div', null, [h('dt', { text: 'Answer from' }), h('dd', { text: fmtScore(answerT) })]) : null,
          ])
          : null,
      ]);
      verdictEl.hidden = false;

      clear(results);
      if (!hits.length) {
        results.appendChild(emptyState('help', 'No article came close', 'Write an article for this question, or add it as a question to an existing one.'));
        return;
      }
      const list = h('ol', { class: 'hit-list' });
      hits.forEach(function (hit, i) {
        list.appendChild(buildHit(hit, i, answerT, suggestT, verdict !== 'none'));
      });
      add(results, [h('h2', { class: 'section-title', text: plural(hits.length, 'article') + ' found' }), list]);
    }

    /** Lower-case words only, so that a normaliser that just drops punctuation or case is not shown as a correction. */
    function wordsOf(text) {
      return str(text).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
    }

    function scoreBar(score, answerT, suggestT) {
      const pct = function (v) {
        return Math.max(0, Math.min(1, v)) * 100 + '%';
      };
      const zone = isNum(score) && answerT !== null && score >= answerT ? 'answer' : isNum(score) && suggestT !== null && score >= suggestT ? 'suggest' : 'none';
      const fill = h('span', { class: 'bar-fill bar-' + zone });
      fill.style.width = pct(isNum(score) ? score : 0);
      const track = h('div', { class: 'bar-track', role: 'img', 'aria-label': 'Score ' + fmtScore(score) + (answerT !== null ? ', answers from ' + fmtScore(answerT) : '') + (suggestT !== null ? ', suggests from ' + fmtScore(suggestT) : '') }, fill);
      [[suggestT, 'suggest', 'Suggest'], [answerT, 'answer', 'Answer']].forEach(function (t) {
        if (t[0] === null) return;
        const mark = h('span', { class: 'bar-mark mark-' + t[1], title: t[2] + ' threshold ' + fmtScore(t[0]) });
        mark.style.left = pct(t[0]);
        const label = h('span', { class: 'bar-mark-label mark-label-' + t[1], text: t[2] + ' ' + fmtScore(t[0]) });
        label.style.left = pct(t[0]);
        track.appendChild(mark);
        track.appendChild(label);
      });
      return h('div', { class: 'bar' }, track);
    }

    function buildHit(hit, i, answerT, suggestT, highlightTop) {
      const slug = str(hit.slug);
      return h('li', { class: 'try-hit' + (i === 0 && highlightTop ? ' is-top' : ''), 'data-slug': slug }, [
        h('div', { class: 'hit-head' }, [
          h('span', { class: 'hit-rank', text: String(i + 1) }),
          h('div', { class: 'hit-titles' }, [
            h('a', { class: 'hit-title', href: '#article/' + q(slug), text: str(hit.title) || slug }),
            h('span', { class: 'hit-slug', text: slug }),
          ]),
          h('div', { class: 'hit-score', title: 'Combined score' }, [h('span', { class: 'hit-score-label', text: 'score' }), h('span', { class: 'hit-score-value', text: fmtScore(hit.score) })]),
        ]),
        scoreBar(hit.score, answerT, suggestT),
        h('dl', { class: 'hit-figures' }, [
          h('div', null, [h('dt', { text: 'Semantic' }), h('dd', { class: 'hit-semantic', text: fmtScore(hit.semantic) })]),
          h('div', null, [h('dt', { text: 'Lexical' }), h('dd', { class: 'hit-lexical', text: fmtScore(hit.lexical) })]),
          h('div', { class: 'hit-matched-wrap' }, [h('dt', { text: 'Matched question' }), h('dd', { class: 'hit-matched' }, hit.matched_question ? h('q', { text: hit.matched_question }) : h('span', { class: 'faint', text: '\u2014' }))]),
        ]),
        hit.answer ? h('p', { class: 'hit-answer', text: hit.answer }) : null,
      ]);
    }

    byId('try-form').addEventListener('submit', function (event) {
      event.preventDefault();
      run();
    });

    return { enter: enter };
  })();

  // ================================================================ models

  const Models = (function () {
    const current = byId('models-current');
    const rows = byId('models-rows');
    const progress = byId('retrain-progress');
    const retrainBtn = byId('retrain-btn');
    const navDot = byId('nav-models-training');
    const state = { token: 0, data: null, pollTimer: 0, wasRunning: false, tickTimer: 0, loaded: false };

    async function load() {
      const token = ++state.token;
      try {
        const data = await api('GET', API + '/models');
        if (token !== state.token) return;
        state.data = data;
        state.loaded = true;
        render();
        applyTraining(data.training);
      } catch (err) {
        if (token !== state.token) return;
        reportError(err);
        if (!state.loaded && err.status !== 401) clear(rows).appendChild(h('tr', { class: 'table-msg' }, h('td', { colspan: '7', text: 'The models could not be loaded. ' + err.message })));
        if (state.wasRunning) schedulePoll();
      }
    }

    function schedulePoll() {
      window.clearTimeout(state.pollTimer);
      if (leaving) return;
      state.pollTimer = window.setTimeout(load, TRAINING_POLL_MS);
    }

    function applyTraining(training) {
      const t = training || { state: 'idle' };
      const running = t.state === 'running';
      navDot.hidden = !running;
      if (running) {
        schedulePoll();
      } else {
        window.clearTimeout(state.pollTimer);
        if (state.wasRunning) {
          if (t.state === 'failed') toast('Training failed' + (t.progress ? ': ' + t.progress : ''), 'error');
          else toast('Training finished' + (t.progress ? ': ' + t.progress : ''), 'ok');
        }
      }
      state.wasRunning = running;
      retrainBtn.disabled = running;
      $('.btn-text', retrainBtn).textContent = running ? 'Training\u2026' : 'Retrain now';
      paintProgress(t);
    }

    function paintProgress(t) {
      window.clearInterval(state.tickTimer);
      clear(progress);
      progress.className = 'progress-box progress-' + cssToken(t.state || 'idle');
      progress.setAttribute('data-state', str(t.state || 'idle'));
      if (t.state === 'running') {
        const elapsed = h('span', { class: 'progress-elapsed' });
        const tick = function () {
          elapsed.textContent = t.started_at ? fmtElapsed(t.started_at) : '';
        };
        tick();
        state.tickTimer = window.setInterval(tick, 1000);
        add(progress, [
          h('span', { class: 'spinner', 'aria-hidden': 'true' }),
          h('div', { class: 'progress-body' }, [
            h('div', { class: 'progress-title', text: 'Training a new model' }),
            h('div', { class: 'progress-text', text: str(t.progress) || 'Starting\u2026' }),
          ]),
          elapsed,
          h('div', { class: 'progress-stripe', 'aria-hidden': 'true' }),
        ]);
        progress.hidden = false;
      } else if (t.state === 'failed') {
        add(progress, [
          icon('alert'),
          h('div', { class: 'progress-body' }, [
            h('div', { class: 'progress-title', text: 'The last training run failed' }),
            h('div', { class: 'progress-text', text: str(t.progress) || 'No details.' }),
          ]),
        ]);
        progress.hidden = false;
      } else {
        progress.hidden = true;
      }
    }

    function delta(value, base) {
      if (!isNum(value) || !isNum(base)) return null;
      const d = value - base;
      const pts = d * 100;
      const flat = Math.abs(pts) < 0.05;
      const cls = flat ? 'delta-flat' : d > 0 ? 'delta-up' : 'delta-down';
      const text = flat ? '\u00b10.0 pt' : (d > 0 ? '+' : '\u2212') + Math.abs(pts).toFixed(1) + ' pt';
      return h('span', { class: 'delta ' + cls, title: 'Change against the baseline: ' + text, text: text });
    }

    function figuresTable(m) {
      const figs = m.figures || {};
      const base = m.baseline || null;
      const keys = FIGURES.slice();
      Object.keys(figs).forEach(function (k) {
        if (!keys.some(function (p) { return p[0] === k; })) keys.push([k, humanize(k)]);
      });
      return h('table', { class: 'fig-table' }, [
        h('thead', null, h('tr', null, [
          h('th', { scope: 'col', text: 'Figure' }),
          h('th', { scope: 'col', class: 'num', text: 'This model' }),
          h('th', { scope: 'col', class: 'num', text: 'Baseline' }),
          h('th', { scope: 'col', class: 'num', text: 'Change' }),
        ])),
        h('tbody', null, keys.map(function (pair) {
          const v = figs[pair[0]];
          const b = base ? base[pair[0]] : null;
          return h('tr', { 'data-figure': pair[0] }, [
            h('th', { scope: 'row', text: pair[1] }),
            h('td', { class: 'num fig-value', text: fmtPct(v) }),
            h('td', { class: 'num fig-base', text: base ? fmtPct(b) : '\u2014' }),
            h('td', { class: 'num' }, delta(v, b) || h('span', { class: 'faint', text: '\u2014' })),
          ]);
        })),
      ]);
    }

    function modelCard(m, heading, cls) {
      return h('section', { class: 'model-card ' + (cls || ''), 'data-id': str(m.id) }, [
        h('div', { class: 'model-card-head' }, [
          h('div', { class: 'model-card-title' }, [
            h('span', { class: 'model-card-kicker', text: heading }),
            h('div', { class: 'model-card-name' }, [h('span', { class: 'model-id', text: '#' + str(m.id) }), h('span', { class: 'mono model-file', text: str(m.file) })]),
          ]),
          statusBadge(m.status),
        ]),
        h('dl', { class: 'model-facts' }, [
          h('div', null, [h('dt', { text: 'Trained' }), h('dd', null, m.created_at ? timeEl(m.created_at, fmtAgo(m.created_at)) : '\u2014')]),
          h('div', null, [h('dt', { text: 'Activated' }), h('dd', null, m.activated_at ? timeEl(m.activated_at, fmtAgo(m.activated_at)) : '\u2014')]),
          h('div', null, [h('dt', { text: 'By' }), h('dd', { text: str(m.actor) || '\u2014' })]),
        ]),
        m.note ? h('p', { class: 'model-note', text: m.note }) : null,
        figuresTable(m),
        m.baseline ? null : h('p', { class: 'fig-caption', text: 'No baseline: nothing was active when this model was trained.' }),
      ]);
    }

    function render() {
      const data = state.data || {};
      const models = Array.isArray(data.models) ? data.models : [];
      const active = data.active || null;

      clear(current);
      if (active) {
        current.appendChild(modelCard(active, 'Active model', 'is-active'));
      } else {
        current.appendChild(h('section', { class: 'model-card model-card-empty' }, emptyState('box', 'No model is active', 'Retrain to build the first model.')));
      }
      // The newest run, when it is not the active one (for example rejected by the quality gate).
      const newest = models.slice().sort(function (a, b) {
        return (parseTime(b.created_at) || 0) - (parseTime(a.created_at) || 0);
      })[0];
      if (newest && (!active || newest.id !== active.id) && (!active || (parseTime(newest.created_at) || 0) > (parseTime(active.created_at) || 0))) {
        current.appendChild(modelCard(newest, newest.status === 'rejected' ? 'Latest run, not activated' : 'Latest run', 'is-latest'));
      }

      clear(rows);
      if (!models.length) {
        rows.appendChild(h('tr', { class: 'table-msg' }, h('td', { colspan: '7', text: 'No models have been trained yet.' })));
        return;
      }
      models.forEach(function (m) {
        rows.appendChild(buildRow(m, active));
      });
    }

    function figureCell(m, key) {
      const v = m.figures ? m.figures[key] : null;
      const b = m.baseline ? m.baseline[key] : null;
      return h('td', { class: 'num col-fig' }, [h('span', { class: 'fig-value', text: fmtPct(v) }), delta(v, b)]);
    }

    function buildRow(m, active) {
      const isActive = m.status === 'active' || (active && active.id === m.id);
      let action = null;
      if (m.status === 'retired') {
        action = h('button', { type: 'button', class: 'btn btn-sm activate-btn', title: 'Make this model active again' }, [icon('rotate'), h('span', { class: 'btn-text', text: 'Roll back' })]);
        action.addEventListener('click', function () {
          activate(m, action);
        });
      }
      return h('tr', { class: 'model-row' + (isActive ? ' is-active' : ''), 'data-id': str(m.id), 'data-status': str(m.status) }, [
        h('td', { class: 'col-model' }, [
          h('div', { class: 'model-line' }, [h('span', { class: 'model-id', text: '#' + str(m.id) }), h('span', { class: 'mono model-file', title: str(m.file), text: str(m.file) })]),
          h('div', { class: 'row-sub' }, [
            m.created_at ? timeEl(m.created_at, 'Trained ' + fmtAgo(m.created_at)) : null,
            m.actor ? ' by ' + m.actor : null,
          ]),
        ]),
        h('td', { class: 'col-mstatus' }, statusBadge(m.status)),
        figureCell(m, 'nlu_accuracy'),
        figureCell(m, 'nlu_macro_f1'),
        figureCell(m, 'story_accuracy'),
        h('td', { class: 'col-note' }, m.note ? h('span', { class: 'model-note-cell', title: m.note, text: m.note }) : h('span', { class: 'faint', text: '\u2014' })),
        h('td', { class: 'col-maction' }, action),
      ]);
    }

    async function activate(m, button) {
      if (!window.confirm('Roll back to model #' + m.id + ' (' + str(m.file) + ')?\n\nThe bot switches to it right away; the current model is retired.')) return;
      setBusy(button, true);
      try {
        await api('POST', API + '/models/' + q(m.id) + '/activate', {});
        toast('Model #' + m.id + ' is now active', 'ok');
        load();
      } catch (err) {
        setBusy(button, false);
        reportError(err);
      }
    }

    retrainBtn.addEventListener('click', async function () {
      retrainBtn.disabled = true;
      try {
        const data = await api('POST', API + '/models/retrain', {});
        const training = data.training || { state: 'running', progress: 'Starting\u2026' };
        state.wasRunning = false;
        applyTraining(training);
        if (training.state !== 'running') load();
      } catch (err) {
        retrainBtn.disabled = false;
        reportError(err);
        load();
      }
    });

    return { load: load };
  })();

  // ================================================================ start

  async function loadCountsInBackground(view) {
    // The sidebar shows how much waits for review even before those tabs are opened.
    if (view !== 'candidates') Candidates.load();
    if (view !== 'unanswered') Unanswered.load();
  }

  function start() {
    initChrome();
    loadMe();
    window.addEventListener('hashchange', route);
    route();
    loadCountsInBackground(currentView);
  }

  start();
})();
