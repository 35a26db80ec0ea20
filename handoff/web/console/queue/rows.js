/* One table row per ticket in the queue. */
import { add, h } from '/shared/static/dom.js';
import { str } from '/shared/static/format.js';
import { icon } from '/shared/static/icons.js';
import { avatar, channelTag, languageBadge, reasonBadge, reservedBadge, tierBadge } from '../badges.js';
import { isMine } from '../session.js';

function agentCell(ticket, mine) {
  if (ticket.agent) {
    const name = mine ? 'You' : str(ticket.agent.display_name) || 'Agent';
    return h('div', { class: 'agent-cell', title: mine ? 'Assigned to you' : 'Assigned to ' + name }, [avatar(ticket.agent.display_name), h('span', { class: 'agent-name', text: name })]);
  }
  return h('span', { class: 'unassigned', text: ticket.status === 'assigned' ? 'Assigned' : 'Unassigned' });
}

function actionCell(ticket, mine, onClaim) {
  const id = str(ticket.id);
  if (ticket.status === 'queued') {
    return h('button', {
      type: 'button',
      class: 'btn btn-sm btn-primary claim-btn',
      'aria-label': 'Claim ticket ' + id + (ticket.customer_name ? ' from ' + ticket.customer_name : ''),
      onclick: function (event) {
        onClaim(ticket.id, event.currentTarget);
      },
    }, 'Claim');
  }
  if (mine) return h('a', { class: 'btn btn-sm open-link', href: '/console/tickets/' + encodeURIComponent(id) }, [icon('open'), 'Open']);
  return null; // the agent column already says who has it
}

function customerCell(ticket) {
  const anonymous = !ticket.customer_name;
  const preview = str(ticket.preview).replace(/\s+/g, ' ').trim();
  return h('td', { class: 'col-main' }, [
    h('div', { class: 'cust-line' }, [
      h('span', { class: 'cust-name' + (anonymous ? ' is-anon' : ''), text: anonymous ? 'Anonymous visitor' : ticket.customer_name }),
      tierBadge(ticket.customer_tier),
      reservedBadge(ticket.reserved_for),
      languageBadge(ticket.language),
      channelTag(ticket.channel),
    ]),
    h('span', { class: 'preview' + (preview ? '' : ' is-empty'), title: preview || null, text: preview || 'No message yet' }),
  ]);
}

/** The row, and the live cells (wait, SLA) that the clock updates every second. */
export function buildRow(ticket, onClaim) {
  const mine = isMine(ticket);
  const id = str(ticket.id);
  const row = h('tr', { class: 'queue-row' + (mine ? ' is-mine' : ''), 'data-ticket-id': id, 'data-status': str(ticket.status) });
  const wait = h('span', { class: 'wait' });
  const sla = h('span', { class: 'sla' });
  add(row, [
    h('td', { class: 'col-reason' }, h('div', { class: 'reason-cell' }, [
      reasonBadge(ticket.reason),
      h('span', { class: 'prio', title: 'Priority ' + str(ticket.priority), text: '#' + id + ' \u00b7 priority ' + str(ticket.priority) }),
    ])),
    customerCell(ticket),
    h('td', { class: 'col-wait' }, wait),
    h('td', { class: 'col-sla' }, sla),
    h('td', { class: 'col-agent' }, agentCell(ticket, mine)),
    h('td', { class: 'col-action' }, actionCell(ticket, mine, onClaim)),
  ]);
  return { ticket: ticket, row: row, wait: wait, sla: sla };
}

/** A full-width row saying why there are no tickets to show. */
export function messageRow(parts) {
  return h('tr', { class: 'queue-empty' }, h('td', { colspan: '6' }, parts));
}

export function noOneWaitingRow() {
  return messageRow([
    h('span', { class: 'empty-art' }, icon('check')),
    h('span', { class: 'empty-title', text: 'No one is waiting' }),
    h('span', { text: 'New conversations the bot hands over will appear here automatically.' }),
  ]);
}
