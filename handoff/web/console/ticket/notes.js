/* Internal notes: the team's remarks on the customer, never shown to them. */
import { api } from '/shared/static/api.js';
import { $, h } from '/shared/static/dom.js';
import { str, timeEl } from '/shared/static/format.js';
import { reportError, toast } from '/shared/static/toast.js';
import { fmtClock } from '../format.js';
import { session } from '../session.js';
import { base, els } from './context.js';

const seen = new Set();
let count = 0;

function renderNote(n) {
  return h('li', { class: 'note', 'data-id': n.id === null || n.id === undefined ? null : str(n.id) }, [
    h('div', { class: 'note-meta' }, [h('span', { class: 'note-author', text: str(n.author) || 'Agent' }), timeEl(n.at, fmtClock(n.at))]),
    h('div', { class: 'note-text', text: str(n.text) }),
  ]);
}

function addNote(n) {
  if (!n || typeof n !== 'object') return;
  const key = n.id === null || n.id === undefined ? null : str(n.id);
  if (key !== null) {
    if (seen.has(key)) return;
    seen.add(key);
  }
  const empty = $('.list-empty', els.notes);
  if (empty) empty.remove();
  els.notes.appendChild(renderNote(n));
  count += 1;
  els.notesCount.textContent = String(count);
}

export function addNotes(list) {
  (Array.isArray(list) ? list : []).forEach(addNote);
  if (!els.notes.children.length) els.notes.appendChild(h('li', { class: 'list-empty', text: 'No notes yet.' }));
}

async function submitNote(event) {
  event.preventDefault();
  const text = els.noteInput.value.trim();
  if (!text) {
    els.noteInput.focus();
    toast('Write the note first.', 'warn');
    return;
  }
  els.noteAdd.disabled = true;
  try {
    const data = await api('POST', base + '/notes', { text: text });
    if (data && data.note) addNote(data.note);
    else addNote({ id: null, author: session.me ? session.me.display_name : 'You', text: text, at: new Date().toISOString() });
    if (els.noteInput.value.trim() === text) els.noteInput.value = '';
  } catch (err) {
    reportError(err);
  } finally {
    els.noteAdd.disabled = false;
  }
}

export function wireNotes() {
  els.noteForm.addEventListener('submit', submitNote);
  els.noteInput.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      els.noteForm.requestSubmit ? els.noteForm.requestSubmit() : els.noteAdd.click();
    }
  });
}
