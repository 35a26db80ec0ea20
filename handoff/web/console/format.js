/* Console-only formatting: clock times, waits and SLA countdowns. */
import { parseTime, str } from '/shared/static/format.js';

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** "14:05" today, "Mar 4, 14:05" on other days. */
export function fmtClock(iso) {
  const t = parseTime(iso);
  if (t === null) return '';
  const d = new Date(t);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (sameDay(d, new Date())) return time;
  return d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ', ' + time;
}

/** "3 min", "1 h 5 min", "2 d 4 h"; under a minute is "< 1 min". */
export function fmtWait(seconds) {
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
export function fmtCountdown(seconds) {
  const s = Math.floor(Math.abs(seconds));
  if (s < 3600) return Math.floor(s / 60) + ':' + pad2(s % 60);
  return fmtWait(s);
}

export function cssEscape(value) {
  return window.CSS && typeof window.CSS.escape === 'function' ? window.CSS.escape(value) : String(value).replace(/[^a-zA-Z0-9_-]/g, '');
}

export function firstName(name) {
  const words = str(name).trim().split(/\s+/).filter(Boolean);
  return words.length ? words[0] : '';
}
