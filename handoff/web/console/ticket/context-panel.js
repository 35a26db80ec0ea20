/* The context panel: why the bot handed over, its summary, intents, slots and what it tried. */
import { add, clear, h } from '/shared/static/dom.js';
import { humanize, str } from '/shared/static/format.js';
import { REASONS, reasonBadge } from '../badges.js';
import { els, st } from './context.js';
import { kvList } from './kv.js';

function slotValue(value) {
  if (value === null || value === undefined) return '\u2014';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch (err) {
    return String(value);
  }
}

function emptyLine(text) {
  return h('p', { class: 'panel-empty', text: text });
}

/** A list of items under its heading, or a line saying there are none. */
function listSection(box, items, tag, attrs, itemClass, emptyText) {
  if (!items.length) return add(box, emptyLine(emptyText));
  const list = h(tag, attrs);
  items.forEach(function (item) {
    list.appendChild(h('li', { class: itemClass, text: str(item) }));
  });
  return add(box, list);
}

function slotsSection(box, slots) {
  const keys = slots && typeof slots === 'object' ? Object.keys(slots) : [];
  if (!keys.length) return add(box, emptyLine('No slots filled.'));
  return add(box, kvList(keys.map(function (k) {
    return [k, slotValue(slots[k])];
  }), 'kv-mono'));
}

/** A ticket a follow-up's "no" opened: the earlier, resolved ticket, so the agent starts from what was done. */
function reopenedSection(box, earlier) {
  if (!earlier || typeof earlier !== 'object' || !earlier.ticket_id) return;
  add(box, h('h3', { text: 'Reopened after a follow-up' }));
  add(box, h('p', { id: 'context-reopened' }, [
    'The customer said it is not sorted. Earlier ticket: ',
    h('a', { href: '/console/tickets/' + String(earlier.ticket_id), text: '#' + String(earlier.ticket_id) }),
    earlier.resolution ? ', resolved with: ' + str(earlier.resolution) : '',
  ]));
}

export function renderContext() {
  const t = st.ticket || {};
  const c = t.context && typeof t.context === 'object' ? t.context : {};
  const box = clear(els.context);
  const reason = c.reason || t.reason;
  add(box, h('div', { class: 'ctx-reason' }, reasonBadge(REASONS[reason] ? reason : t.reason)));
  if (reason && !REASONS[reason]) add(box, h('p', { class: 'muted', text: humanize(reason) }));
  add(box, h('h3', { text: 'Summary' }));
  add(box, c.summary ? h('p', { class: 'summary', id: 'context-summary', text: c.summary }) : emptyLine('No summary.'));
  reopenedSection(box, c.reopened_from);
  add(box, h('h3', { text: 'Recent intents' }));
  listSection(box, Array.isArray(c.intents) ? c.intents : [], 'ul', { class: 'chips', id: 'context-intents' }, 'chip chip-mono', 'None recorded.');
  add(box, h('h3', { text: 'Slots' }));
  slotsSection(box, c.slots);
  add(box, h('h3', { text: 'What the bot tried' }));
  listSection(box, Array.isArray(c.bot_tried) ? c.bot_tried : [], 'ol', { class: 'tried', id: 'context-bot-tried' }, null, 'Nothing recorded.');
}
