/* Trainer-only formatting: relative times, scores, percentages, slugs. */
import { fmtDate, isNum, parseTime, str } from '/shared/static/format.js';

/** "just now", "5 min ago", "3 h ago", "2 d ago", then a date. */
export function fmtAgo(iso) {
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

/** "m:ss" since iso. */
export function fmtElapsed(iso) {
  const t = parseTime(iso);
  if (t === null) return '';
  const s = Math.max(0, Math.floor((Date.now() - t) / 1000));
  const m = Math.floor(s / 60);
  const sec = s % 60;
  return m + ':' + (sec < 10 ? '0' : '') + sec;
}

export function fmtScore(v) {
  return isNum(v) ? v.toFixed(2) : '\u2014';
}

export function fmtPct(v) {
  return isNum(v) ? (v * 100).toFixed(1) + '%' : '\u2014';
}

export function slugify(text) {
  return str(text)
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/g, '');
}

/** A value for a URL path or query. */
export function q(value) {
  return encodeURIComponent(str(value));
}
