/* Text and time formatting shared by both consoles. */
import { h } from './dom.js';

export function str(value) {
  return value === null || value === undefined ? '' : String(value);
}

export function isNum(value) {
  return typeof value === 'number' && isFinite(value);
}

/** Milliseconds since the epoch, or null. A bare date ("2024-05-01") is local midnight, not UTC's. */
export function parseTime(iso) {
  if (!iso) return null;
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso));
  if (dateOnly) return new Date(+dateOnly[1], +dateOnly[2] - 1, +dateOnly[3]).getTime();
  const t = Date.parse(iso);
  return isNaN(t) ? null : t;
}

export function fmtFull(iso) {
  const t = parseTime(iso);
  return t === null ? '' : new Date(t).toLocaleString();
}

/** "Mar 4", with the year only when it is not this year's. */
export function fmtDate(iso) {
  const t = parseTime(iso);
  if (t === null) return str(iso);
  const d = new Date(t);
  const opts = { month: 'short', day: 'numeric' };
  if (d.getFullYear() !== new Date().getFullYear()) opts.year = 'numeric';
  return d.toLocaleDateString([], opts);
}

/** A <time> element whose tooltip is the full local date and time. */
export function timeEl(iso, text, cls) {
  return h('time', { class: cls || null, datetime: str(iso) || null, title: fmtFull(iso) || null, text: text });
}

/** "late_order" -> "Late order". */
export function humanize(code) {
  const text = str(code).replace(/[_-]+/g, ' ').trim();
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : '';
}

/** A value made safe to use inside a class name. */
export function cssToken(value) {
  return str(value).toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

export function initials(name) {
  const words = String(name || '').trim().split(/\s+/).filter(Boolean);
  if (!words.length) return '?';
  const first = Array.from(words[0])[0] || '';
  const last = words.length > 1 ? Array.from(words[words.length - 1])[0] || '' : '';
  return (first + last).toUpperCase();
}

export function plural(n, one, many) {
  return n + ' ' + (n === 1 ? one : many || one + 's');
}
