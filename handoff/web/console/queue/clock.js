/* The queue's clock: every second, each row's wait and SLA countdown move on without a refetch. */
import { add, clear } from '/shared/static/dom.js';
import { fmtFull, parseTime } from '/shared/static/format.js';
import { icon } from '/shared/static/icons.js';
import { fmtCountdown, fmtWait } from '../format.js';

const SLA_WARN_S = 120;

function paintNoSla(entry) {
  if (entry.slaText === 'none') return;
  entry.slaText = 'none';
  clear(entry.sla);
  entry.sla.className = 'sla sla-none';
  entry.sla.textContent = '\u2014';
  entry.sla.title = 'No SLA';
  entry.row.classList.remove('is-overdue');
}

function paintSla(entry, due, now) {
  const t = entry.ticket;
  const left = (due - now) / 1000;
  const overdue = left < 0;
  const text = overdue ? 'Overdue ' + fmtCountdown(left) : fmtCountdown(left) + ' left';
  const cls = 'sla ' + (overdue ? 'sla-overdue' : left <= SLA_WARN_S ? 'sla-warn' : 'sla-ok');
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
}

/** elapsed: seconds since the queue was fetched (waiting_seconds is as of then). */
export function tickRows(live, elapsed) {
  const now = Date.now();
  live.forEach(function (entry) {
    const t = entry.ticket;
    const waited = typeof t.waiting_seconds === 'number' ? t.waiting_seconds + elapsed : (now - (parseTime(t.created_at) || now)) / 1000;
    entry.wait.textContent = fmtWait(waited);
    entry.wait.title = t.created_at ? 'Since ' + fmtFull(t.created_at) : '';
    const due = parseTime(t.sla_due_at);
    if (due === null) paintNoSla(entry);
    else paintSla(entry, due, now);
  });
}
