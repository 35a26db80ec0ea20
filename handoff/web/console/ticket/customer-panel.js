/* The customer panel: profile, orders (late ones marked) and earlier conversations. */
import { add, clear, h } from '/shared/static/dom.js';
import { cssToken, fmtDate, humanize, parseTime, str, timeEl } from '/shared/static/format.js';
import { avatar, channelTag, tierBadge } from '../badges.js';
import { els, st } from './context.js';
import { kvList } from './kv.js';

const CLOSED_ORDER = /^(delivered|cancell?ed|returned|refunded)$/;

function emptyItem(text) {
  return h('li', { class: 'list-empty', text: text });
}

function renderSignedOut() {
  const name = st.ticket && st.ticket.customer_name ? st.ticket.customer_name : null;
  add(els.profile, h('div', { class: 'cust-head' }, [
    avatar(name || '?'),
    h('div', null, [
      h('div', { class: 'cust-head-name' }, h('span', { text: name || 'Anonymous visitor' })),
      h('div', { class: 'cust-head-sub', text: 'Not signed in: no customer record is linked.' }),
    ]),
  ]));
  els.ordersCount.textContent = '';
  els.orders.appendChild(emptyItem('No orders to show.'));
  els.convs.appendChild(emptyItem('No earlier conversations.'));
}

function tagChips(tags) {
  if (!Array.isArray(tags) || !tags.length) return null;
  const list = h('ul', { class: 'chips' });
  tags.forEach(function (tag) {
    list.appendChild(h('li', { class: 'chip', text: str(tag) }));
  });
  return list;
}

/* Segments as last recomputed (crm_store/segments.py), with the RFM figures behind them on hover. */
function segmentChips(seg) {
  if (!seg) return null;
  const title = 'Recency ' + humanize(seg.recency) + ', frequency ' + humanize(seg.frequency) +
    ', spend ' + humanize(seg.monetary) + ' (' + str(seg.orders_in_year) + ' orders, ' + str(seg.spend_in_year) + ' in a year)';
  const list = h('ul', { class: 'chips', title: title, 'data-segments': '' });
  if (!seg.names.length) list.appendChild(h('li', { class: 'chip', text: 'None' }));
  seg.names.forEach(function (name) {
    list.appendChild(h('li', { class: 'chip', text: humanize(name) }));
  });
  return list;
}

function renderProfile(c) {
  const nameLine = h('div', { class: 'cust-head-name' }, [h('span', { text: str(c.name) || 'Unnamed customer' }), tierBadge(c.tier)]);
  add(els.profile, h('div', { class: 'cust-head' }, [avatar(c.name), h('div', { class: 'title-stack' }, [nameLine, c.email ? h('div', { class: 'cust-head-sub', text: c.email }) : null])]));
  add(els.profile, kvList([
    ['Email', c.email ? str(c.email) : null],
    ['Phone', c.phone ? str(c.phone) : null],
    ['Address', c.address ? str(c.address) : null],
    ['Tier', c.tier ? humanize(c.tier) : null],
    ['Tags', tagChips(c.tags)],
    ['Segments', segmentChips(c.segments)],
  ]));
}

function orderItem(o, today) {
  const promised = parseTime(o.promised_date);
  const late = promised !== null && promised < today && !CLOSED_ORDER.test(str(o.status));
  const lines = [
    h('div', { class: 'order-top' }, [
      h('span', { class: 'order-num', text: str(o.number) }),
      h('span', { class: 'badge ostatus ostatus-' + cssToken(o.status), text: humanize(o.status) || 'Unknown' }),
    ]),
    h('div', { class: 'order-line' }, [
      o.placed_at ? h('span', null, ['Placed ', timeEl(o.placed_at, fmtDate(o.placed_at))]) : null,
      o.total ? h('span', { class: 'order-total', text: str(o.total) }) : null,
    ]),
  ];
  if (o.carrier || o.tracking_number) {
    lines.push(h('div', { class: 'order-line' }, [
      o.carrier ? h('span', { text: str(o.carrier) }) : null,
      o.tracking_number ? h('span', { class: 'chip-mono', text: str(o.tracking_number) }) : null,
    ]));
  }
  if (o.promised_date) {
    lines.push(h('div', { class: 'order-line' + (late ? ' order-late' : '') }, [
      h('span', null, [late ? 'Late: promised ' : 'Promised ', timeEl(o.promised_date, fmtDate(o.promised_date))]),
    ]));
  }
  return h('li', { class: 'order' + (late ? ' is-late' : ''), 'data-order': str(o.number) }, lines);
}

function renderOrders(orders) {
  els.ordersCount.textContent = orders.length ? '(' + orders.length + ')' : '';
  if (!orders.length) els.orders.appendChild(emptyItem('No orders.'));
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  orders.forEach(function (o) {
    els.orders.appendChild(orderItem(o, today.getTime()));
  });
}

function csatTag(csat) {
  if (csat === null) return h('span', { class: 'csat csat-none', text: 'No rating' });
  return h('span', { class: 'csat ' + (csat >= 4 ? 'csat-good' : csat <= 2 ? 'csat-bad' : ''), title: 'Customer satisfaction', text: 'CSAT ' + csat + '/5' });
}

function renderConversations(convs) {
  if (!convs.length) els.convs.appendChild(emptyItem('No earlier conversations.'));
  convs.forEach(function (cv) {
    els.convs.appendChild(h('li', { 'data-conversation': str(cv.id) }, [
      channelTag(cv.channel),
      h('span', { class: 'conv-date' }, timeEl(cv.started_at, cv.started_at ? fmtDate(cv.started_at) : 'Unknown date')),
      csatTag(typeof cv.csat === 'number' ? cv.csat : null),
    ]));
  });
}

export function renderCustomer() {
  const c = st.customer;
  clear(els.profile);
  clear(els.orders);
  clear(els.convs);
  if (!c) {
    renderSignedOut();
    return;
  }
  renderProfile(c);
  renderOrders(Array.isArray(c.orders) ? c.orders : []);
  renderConversations(Array.isArray(c.conversations) ? c.conversations : []);
}
