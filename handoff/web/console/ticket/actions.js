/* What the agent does with the ticket: release it, transfer it, or resolve it and hand back to the bot. */
import { api } from '/shared/static/api.js';
import { $, h } from '/shared/static/dom.js';
import { str } from '/shared/static/format.js';
import { navigate } from '/shared/static/page.js';
import { reportError, toast } from '/shared/static/toast.js';
import { API, QUEUE_URL, session } from '../session.js';
import { base, els, requestRefresh, st } from './context.js';
import { applyLock, updateTicket } from './status.js';
import { teachPayload } from './teach.js';
import { setTyping } from './typing.js';

/** The colleagues a ticket can go to, online ones first. */
export async function loadAgents() {
  try {
    const data = await api('GET', API + '/agents');
    const list = data && Array.isArray(data.agents) ? data.agents : [];
    st.agents = list.filter(function (a) {
      return !session.me || a.id !== session.me.id;
    });
  } catch (err) {
    reportError(err);
    st.agents = [];
  }
  st.agents.sort(function (a, b) {
    return (b.online ? 1 : 0) - (a.online ? 1 : 0) || str(a.display_name).localeCompare(str(b.display_name));
  });
  const select = els.transferSelect;
  while (select.options.length > 1) select.remove(1);
  st.agents.forEach(function (a) {
    select.appendChild(h('option', { value: str(a.id), text: str(a.display_name) + (a.online ? '' : ' (offline)') }));
  });
  select.options[0].textContent = st.agents.length ? 'Transfer to\u2026' : 'No other agents';
  applyLock();
}

/** POSTs a ticket action with the controls locked; null when it failed (and was reported). */
async function doAction(button, label, path, body) {
  if (st.busy) return null;
  st.busy = true;
  const original = button.textContent;
  applyLock();
  button.textContent = label;
  setTyping(false);
  try {
    const data = await api('POST', base + path, body);
    return data || {};
  } catch (err) {
    reportError(err);
    button.textContent = original;
    st.busy = false;
    requestRefresh();
    applyLock();
    return null;
  }
}

async function release() {
  const data = await doAction(els.release, 'Releasing\u2026', '/release', {});
  if (data) navigate(QUEUE_URL);
}

async function transfer() {
  const value = els.transferSelect.value;
  if (!value) {
    toast('Choose the colleague to transfer the ticket to.', 'warn');
    els.transferSelect.focus();
    return;
  }
  const id = Number(value);
  const data = await doAction(els.transfer, 'Transferring\u2026', '/transfer', { agent_id: isNaN(id) ? value : id });
  if (data) navigate(QUEUE_URL);
}

function missingResolution() {
  els.resolutionError.textContent = 'Describe how it was resolved before handing back to the bot.';
  els.resolutionError.hidden = false;
  els.resolution.setAttribute('aria-invalid', 'true');
  els.resolution.focus();
}

async function resolve(event) {
  event.preventDefault();
  if (!st.canReply) return;
  const resolution = els.resolution.value.trim();
  if (!resolution) return missingResolution();
  const label = $('span', els.resolve);
  if (st.busy) return;
  st.busy = true;
  applyLock();
  if (label) label.textContent = 'Handing back\u2026';
  setTyping(false);
  try {
    const data = await api('POST', base + '/resolve', Object.assign({ resolution: resolution, hand_back: true }, teachPayload()));
    st.handedBack = true;
    st.busy = false;
    updateTicket(Object.assign({}, data && data.ticket ? data.ticket : { status: 'resolved' }, { resolution: resolution }));
    if (label) label.textContent = 'Handed back to the bot';
    const link = document.getElementById('back-to-queue');
    if (link) link.focus();
  } catch (err) {
    st.busy = false;
    if (label) label.textContent = 'Resolve & hand back to bot';
    reportError(err);
    applyLock();
    requestRefresh();
  }
}

export function wireActions() {
  els.release.addEventListener('click', release);
  els.transfer.addEventListener('click', transfer);
  els.resolveForm.addEventListener('submit', resolve);
  els.resolution.addEventListener('input', function () {
    if (!els.resolutionError.hidden && els.resolution.value.trim()) {
      els.resolutionError.hidden = true;
      els.resolution.removeAttribute('aria-invalid');
    }
  });
}
