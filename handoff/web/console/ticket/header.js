/* The ticket header: number, customer, status badge and the meta line. */
import { add, clear, h } from '/shared/static/dom.js';
import { cssToken, humanize, str, timeEl } from '/shared/static/format.js';
import { channelTag, languageBadge, reasonBadge, STATUSES, tierBadge } from '../badges.js';
import { firstName, fmtClock } from '../format.js';
import { isMine } from '../session.js';
import { els, st, ticketId } from './context.js';

const ANONYMOUS = 'Anonymous visitor';

export function customerDisplayName() {
  if (st.customer && st.customer.name) return st.customer.name;
  if (st.ticket && st.ticket.customer_name) return st.ticket.customer_name;
  return ANONYMOUS;
}

export function isAnonymous() {
  return customerDisplayName() === ANONYMOUS;
}

export function customerFirstName() {
  return isAnonymous() ? '' : firstName(customerDisplayName());
}

function metaBits(t) {
  const bits = [reasonBadge(t.reason), languageBadge(t.language), channelTag(t.channel)];
  if (t.customer_tier) bits.push(tierBadge(t.customer_tier));
  if (t.created_at) bits.push(h('span', null, ['Opened ', timeEl(t.created_at, fmtClock(t.created_at))]));
  if (typeof t.priority === 'number') bits.push(h('span', { text: 'Priority ' + t.priority }));
  if (t.agent && t.agent.display_name) {
    const verb = t.status === 'assigned' ? 'Assigned to ' : 'Handled by ';
    bits.push(h('span', { text: verb + (isMine(t) ? 'you' : t.agent.display_name) }));
  }
  return bits;
}

export function renderHeader() {
  const t = st.ticket;
  if (!t) return;
  els.customerName.textContent = customerDisplayName();
  document.title = 'Ticket #' + ticketId + ' \u00b7 ' + customerDisplayName() + ' \u00b7 deskbot agent console';
  add(clear(els.meta), metaBits(t));
}

export function renderStatus() {
  const status = st.ticket ? str(st.ticket.status) : '';
  els.status.textContent = STATUSES[status] || humanize(status) || 'Unknown';
  els.status.className = 'badge status-badge status-' + (cssToken(status) || 'unknown');
  els.status.setAttribute('data-status', status);
}
