/* Loading the ticket, and keeping it current from websocket frames (or polling while those are off). */
import { api } from '/shared/static/api.js';
import { $ } from '/shared/static/dom.js';
import { str } from '/shared/static/format.js';
import { reportError } from '/shared/static/toast.js';
import { coalesced, setConnState } from '../live.js';
import { base, els, onRefreshRequested, st, ticketId } from './context.js';
import { loadCanned } from './canned.js';
import { renderContext } from './context-panel.js';
import { renderCustomer } from './customer-panel.js';
import { renderHeader, renderStatus } from './header.js';
import { kbSuggest } from './kb.js';
import { addNotes } from './notes.js';
import { applyLock, showBanner, updateTicket } from './status.js';
import { addMessage, addMessages, scrollToBottom } from './transcript.js';
import { showCustomerTyping } from './typing.js';

function showMissing(err) {
  st.missing = true;
  showBanner('error', err.message || 'This ticket does not exist.', true);
  const body = $('.ticket-body');
  if (body) body.classList.add('is-missing');
  setConnState('off');
  els.customerName.textContent = 'Not found';
  els.status.textContent = 'Not found';
  if (els.transcriptEmpty) els.transcriptEmpty.textContent = 'Nothing to show.';
  applyLock();
}

function firstLoadFailed(err) {
  if (err.status === 404) return showMissing(err);
  reportError(err);
  if (els.transcriptEmpty) els.transcriptEmpty.textContent = 'The conversation could not be loaded. Retrying\u2026';
}

function renderFirst(data) {
  st.customer = data.customer || null;
  st.ticket = data.ticket;
  if (st.ticket.resolution && els.resolution) els.resolution.value = str(st.ticket.resolution);
  renderStatus();
  renderHeader();
  renderContext();
  renderCustomer();
  addNotes(st.customer && st.customer.notes);
  addMessages(data.transcript, { initial: true });
  if (!$('.msg', els.transcript) && els.transcriptEmpty) els.transcriptEmpty.textContent = 'No messages yet.';
  scrollToBottom();
  applyLock();
  loadCanned(); // in the customer's language, which the ticket says
  kbSuggest();
}

function renderUpdate(data) {
  if (data.customer) {
    const hadNotes = st.customer && st.customer.notes;
    st.customer = data.customer;
    if (!hadNotes) renderCustomer();
    addNotes(data.customer.notes);
  }
  const context = data.ticket.context;
  const language = st.ticket && st.ticket.language;
  updateTicket(data.ticket);
  if (context) renderContext();
  const switched = data.ticket.language !== undefined && data.ticket.language !== language;
  if (switched) loadCanned(); // the customer changed language: answer in the new one
  if (addMessages(data.transcript) || switched) kbSuggest();
}

export async function loadTicket() {
  let data;
  try {
    data = await api('GET', base);
  } catch (err) {
    if (err.status === 401) return;
    if (!st.loaded) firstLoadFailed(err);
    throw err;
  }
  if (!data || !data.ticket) return;
  const first = !st.loaded;
  st.loaded = true;
  if (first) renderFirst(data);
  else renderUpdate(data);
}

export const refreshTicket = coalesced(function () {
  return loadTicket().catch(function () {
    /* reported inside */
  });
});
onRefreshRequested(refreshTicket);

function onTicketFrame(frame) {
  if (frame.ticket && typeof frame.ticket === 'object') {
    if (Number(frame.ticket.id) === ticketId) updateTicket(frame.ticket);
  } else if (Number(frame.ticket_id) === ticketId) {
    // A bare event ({ticket_id, status, agent_id}): apply what it says, then fetch the details.
    const partial = {};
    if (frame.status) partial.status = frame.status;
    if (frame.agent_id !== undefined) partial.agent_id = frame.agent_id;
    updateTicket(partial);
    refreshTicket();
  }
}

export function onFrame(frame) {
  if (frame.type === 'message') {
    if (Number(frame.ticket_id) !== ticketId || !frame.message) return;
    if (addMessage(frame.message) && frame.message.sender === 'customer') {
      showCustomerTyping(false);
      kbSuggest();
    }
  } else if (frame.type === 'typing') {
    if (Number(frame.ticket_id) !== ticketId) return;
    if (frame.sender === undefined || frame.sender === 'customer') showCustomerTyping(!!frame.on);
  } else if (frame.type === 'ticket') {
    onTicketFrame(frame);
  } else if (frame.type === 'queue_changed') {
    refreshTicket();
  }
}
