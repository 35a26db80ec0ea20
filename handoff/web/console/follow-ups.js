/* The queue page's follow-up visits: what is due, sent, answered and reopened (GET /console/api/follow-ups). */
import { api } from '/shared/static/api.js';
import { clear, h } from '/shared/static/dom.js';
import { fmtFull, humanize } from '/shared/static/format.js';
import { reportError } from '/shared/static/toast.js';
import { API } from './session.js';

const POLL_MS = 60000;
const rows = document.getElementById('follow-up-rows');
const counts = document.getElementById('follow-up-counts');
const SHOWN_COUNTS = ['scheduled', 'sent', 'answered_yes', 'answered_no', 'reopened', 'cancelled'];

function when(iso) {
  return iso ? fmtFull(iso) : '—';
}

function ticketLink(id) {
  return id ? h('a', { href: '/console/tickets/' + id, text: '#' + id }) : '—';
}

function row(item) {
  const state = item.overdue ? 'due now' : humanize(item.state);
  return h('tr', { 'data-follow-up-id': String(item.id), 'data-state': item.state }, [
    h('td', { text: state }),
    h('td', { text: (item.customer_name || 'Anonymous visitor') + ' · ' + (item.channel || '') }),
    h('td', { text: when(item.due_at) }),
    h('td', { text: when(item.sent_at) }),
    h('td', { text: when(item.answered_at) }),
    h('td', { text: item.rating ? String(item.rating) + ' / 5' : '—' }),
    h('td', null, [ticketLink(item.ticket_id)]),
    h('td', null, [ticketLink(item.reopened_ticket_id)]),
  ]);
}

async function refresh() {
  try {
    const data = await api('GET', API + '/follow-ups');
    counts.textContent = SHOWN_COUNTS.map(function (state) {
      return humanize(state) + ': ' + String((data.counts || {})[state] || 0);
    }).join(' · ');
    const items = Array.isArray(data.follow_ups) ? data.follow_ups : [];
    clear(rows);
    if (!items.length) rows.appendChild(h('tr', null, [h('td', { colspan: '8', class: 'muted', text: 'No follow-ups yet.' })]));
    items.forEach(function (item) { rows.appendChild(row(item)); });
  } catch (err) {
    if (err.status !== 401) reportError(err);
  }
}

if (rows && counts) {
  refresh();
  window.setInterval(refresh, POLL_MS);
}
