/* The ticket this page shows: its id, its API address, its elements and what the page knows of it. */
import { byId } from '/shared/static/dom.js';
import { str } from '/shared/static/format.js';
import { API } from '../session.js';

function ticketIdOfPage() {
  const fromBody = parseInt(document.body.getAttribute('data-ticket-id'), 10);
  const fromPath = /\/tickets\/(\d+)/.exec(window.location.pathname);
  return !isNaN(fromBody) ? fromBody : fromPath ? parseInt(fromPath[1], 10) : null;
}

export const ticketId = ticketIdOfPage();
export const base = API + '/tickets/' + encodeURIComponent(str(ticketId));

export const els = {
  num: byId('ticket-num'),
  customerName: byId('ticket-customer'),
  status: byId('ticket-status'),
  meta: byId('ticket-meta'),
  banner: byId('ticket-banner'),
  transcript: byId('transcript'),
  transcriptEmpty: byId('transcript-empty'),
  jump: byId('jump-latest'),
  typing: byId('customer-typing'),
  typingText: byId('customer-typing-text'),
  replyForm: byId('reply-form'),
  reply: byId('reply-input'),
  send: byId('reply-send'),
  canned: byId('canned'),
  kbForm: byId('kb-search-form'),
  kbInput: byId('kb-search'),
  kbCaption: byId('kb-caption'),
  kbList: byId('kb-suggestions'),
  context: byId('context-body'),
  profile: byId('customer-profile'),
  orders: byId('customer-orders'),
  ordersCount: byId('customer-orders-count'),
  convs: byId('customer-conversations'),
  notes: byId('notes'),
  notesCount: byId('notes-count'),
  noteForm: byId('note-form'),
  noteInput: byId('note-input'),
  noteAdd: byId('note-add'),
  resolveForm: byId('resolve-form'),
  resolution: byId('resolution-input'),
  resolutionError: byId('resolution-error'),
  resolve: byId('resolve-handback'),
  release: byId('release-btn'),
  transferSelect: byId('transfer-agent'),
  transfer: byId('transfer-btn'),
};

export const st = {
  ticket: null,
  customer: null,
  loaded: false,
  missing: false,
  handedBack: false,
  canReply: false,
  busy: false, // a release/transfer/resolve request is under way
  sending: false,
  latestCustomerText: '',
  agents: [],
};

const STALE_EVENT = 'deskbot:ticket-stale';

/** Asks the loader to fetch the ticket again (a failed action may mean someone else changed it). */
export function requestRefresh() {
  document.dispatchEvent(new CustomEvent(STALE_EVENT));
}

export function onRefreshRequested(listener) {
  document.addEventListener(STALE_EVENT, listener);
}
