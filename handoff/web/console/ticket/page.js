/* The ticket page: a live conversation with the customer, and everything the agent needs beside it. */
import { initLogout } from '/shared/static/chrome.js';
import { liveSocket, poller } from '../live.js';
import { loadSession } from '../session.js';
import { startPage } from '../start.js';
import { wireActions, loadAgents } from './actions.js';
import { wireComposer } from './composer.js';
import { els, st, ticketId } from './context.js';
import { wireKnowledgeBase } from './kb.js';
import { loadTicket, onFrame, refreshTicket } from './loader.js';
import { wireNotes } from './notes.js';
import { showBanner } from './status.js';
import { wireTeaching } from './teach.js';
import { wireTranscript } from './transcript.js';

const TICKET_POLL_MS = 5000;

async function goLive() {
  const polling = poller(refreshTicket, TICKET_POLL_MS);
  await loadSession();
  loadAgents();
  try {
    await loadTicket();
  } catch (err) {
    if (err.status !== 404 && err.status !== 401) polling.start();
  }
  if (st.missing) return;
  liveSocket(ticketId, {
    frame: onFrame,
    up: function (again) {
      polling.stop();
      if (again || !st.loaded) refreshTicket();
    },
    down: function () {
      polling.start();
    },
  });
}

function init() {
  initLogout();
  if (ticketId === null) {
    showBanner('error', 'This address does not name a ticket.', true);
    return;
  }
  els.num.textContent = 'Ticket #' + ticketId;
  document.title = 'Ticket #' + ticketId + ' \u00b7 deskbot agent console';
  wireTranscript();
  wireNotes();
  wireComposer();
  wireKnowledgeBase();
  wireActions();
  wireTeaching();
  goLive();
}

startPage(init);
