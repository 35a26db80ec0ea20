/* Who may act on the ticket: the lock on the reply box and buttons, and the banner that says why. */
import { api } from '/shared/static/api.js';
import { $all, add, clear, h } from '/shared/static/dom.js';
import { humanize, str } from '/shared/static/format.js';
import { icon } from '/shared/static/icons.js';
import { reportError } from '/shared/static/toast.js';
import { agentIdOf, isMine, QUEUE_URL, session } from '../session.js';
import { base, els, requestRefresh, st } from './context.js';
import { customerFirstName, renderHeader, renderStatus } from './header.js';
import { setTyping } from './typing.js';

const BANNER_ICONS = { ok: 'checkCircle', error: 'alert', warn: 'lock' };

export function showBanner(kind, text, withQueueLink, action) {
  const b = clear(els.banner);
  b.className = 'banner banner-' + kind;
  add(b, [icon(BANNER_ICONS[kind] || 'info'), h('span', { class: 'banner-text', id: 'ticket-banner-text', text: text })]);
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
    else requestRefresh();
  } catch (err) {
    reportError(err);
    button.disabled = false;
    requestRefresh();
  }
}

function agentLabel(t) {
  return t.agent && t.agent.display_name ? str(t.agent.display_name) : 'another agent';
}

/** For an assigned ticket: [may act, banner or null]. */
function assignedLock(t) {
  if (isMine(t) || !session.me) return [true, null];
  if (session.me.role === 'admin') return [true, ['warn', 'Assigned to ' + agentLabel(t) + '. You can still act on it as an admin.']];
  return [false, ['warn', 'This ticket is now assigned to ' + agentLabel(t) + '. You can no longer reply.']];
}

/** [may act, banner or null] for the ticket as it is now. */
function lockOf(t) {
  if (st.missing || !t) return [false, null];
  if (st.handedBack) return [false, ['ok', 'Handed back to the bot.']];
  if (t.status === 'resolved') return [false, ['info', 'This ticket is resolved' + (t.resolution ? ': ' + t.resolution : '.')]];
  if (t.status === 'assigned') return assignedLock(t);
  if (t.status === 'queued') return [false, ['warn', 'This ticket is back in the queue and nobody is replying. Claim it to reply.', 'claim']];
  return [false, ['info', 'This ticket is ' + humanize(t.status).toLowerCase() + '. Replying is off.']];
}

function lockControls(can) {
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
}

/** Decides whether this agent may act on the ticket and says why not. */
export function applyLock() {
  const t = st.ticket;
  const [can, banner] = lockOf(t);
  st.canReply = can;
  if (banner) showBanner(banner[0], banner[1], st.handedBack || t.status === 'resolved', banner[2]);
  else if (!st.missing) hideBanner();
  lockControls(can);
  if (!can) setTyping(false);
}

function agentName(id) {
  if (session.me && session.me.id === id) return session.me.display_name;
  const found = st.agents.filter(function (a) {
    return a.id === id;
  })[0];
  return found ? found.display_name : 'another agent';
}

/** Merges what the server said about the ticket (a full ticket or a bare event) and repaints. */
export function updateTicket(partial) {
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
