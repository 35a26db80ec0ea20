/* The reply box: Enter sends, Shift+Enter is a new line; canned answers and articles insert into it. */
import { api } from '/shared/static/api.js';
import { reportError } from '/shared/static/toast.js';
import { base, els, requestRefresh, st } from './context.js';
import { addMessage } from './transcript.js';
import { noteTyping, setTyping } from './typing.js';

const MAX_HEIGHT_PX = 220;

function autosize() {
  const r = els.reply;
  r.style.height = 'auto';
  r.style.height = Math.min(r.scrollHeight + 2, MAX_HEIGHT_PX) + 'px';
}

/** Appends text to the reply box (a blank line apart when it already has text). */
export function insertIntoReply(text) {
  if (!st.canReply) return;
  const current = els.reply.value.replace(/\s+$/, '');
  els.reply.value = current ? current + '\n\n' + text : text;
  autosize();
  els.reply.focus();
  const end = els.reply.value.length;
  try {
    els.reply.setSelectionRange(end, end);
  } catch (err) {
    /* not focusable */
  }
  noteTyping();
}

async function sendReply() {
  if (!st.canReply || st.sending) return;
  const text = els.reply.value.trim();
  if (!text) {
    els.reply.focus();
    return;
  }
  st.sending = true;
  els.send.disabled = true;
  setTyping(false);
  try {
    const data = await api('POST', base + '/messages', { text: text });
    if (data && data.message) addMessage(data.message, { scroll: true });
    if (els.reply.value.trim() === text) els.reply.value = '';
    autosize();
  } catch (err) {
    reportError(err);
    if (err.status === 409 || err.status === 403) requestRefresh();
  } finally {
    st.sending = false;
    els.send.disabled = !st.canReply || st.busy;
    if (st.canReply) els.reply.focus();
  }
}

export function wireComposer() {
  els.reply.addEventListener('input', function () {
    autosize();
    noteTyping();
  });
  els.reply.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.isComposing) {
      event.preventDefault();
      sendReply();
    }
  });
  els.replyForm.addEventListener('submit', function (event) {
    event.preventDefault();
    sendReply();
  });
}
