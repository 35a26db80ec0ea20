/* The widget's DOM helpers (it runs on shops' pages, so it does not use the consoles' shared layer). */
'use strict';

// A block, not a function: its names stay out of the page's globals (a classic script in strict mode).
{
  const parts = (window.deskbotWidgetParts = window.deskbotWidgetParts || {});

  const SVG_NS = 'http://www.w3.org/2000/svg';

  const ICON_CHAT = ['M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12z', 'M8.5 12h.01', 'M12 12h.01', 'M15.5 12h.01'];
  const ICON_CLOSE = ['M6 6l12 12', 'M18 6L6 18'];
  const ICON_SEND = ['M5 12h13', 'M12 5l7 7-7 7'];
  const ICON_DOWN = ['M6 9l6 6 6-6'];

  /** createElement with props (`className`, `text`, `hidden`, attributes) and child nodes. */
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

  // Bare http(s) URLs become links; everything else is a text node.
  const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;

  function trimPunctuation(raw) {
    // Trailing punctuation is almost always sentence punctuation, not part of the URL.
    while (/[.,;:!?)\]}]$/.test(raw)) {
      if (raw.endsWith(')') && (raw.match(/\(/g) || []).length >= (raw.match(/\)/g) || []).length) break;
      raw = raw.slice(0, -1);
    }
    return raw;
  }

  function safeHref(raw) {
    try {
      const u = new URL(raw);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function appendRichText(container, text) {
    container.textContent = '';
    if (!text) return;
    let last = 0;
    URL_RE.lastIndex = 0;
    let m;
    while ((m = URL_RE.exec(text)) !== null) {
      const raw = trimPunctuation(m[0]);
      const href = safeHref(raw);
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

  parts.dom = { ICON_CHAT, ICON_CLOSE, ICON_SEND, ICON_DOWN, el, icon, appendRichText, formatTime };
}
