/* Editing a candidate before approving it: only the fields the trainer changes are sent. */
import { add, byId, h } from '/shared/static/dom.js';
import { str } from '/shared/static/format.js';
import { icon } from '/shared/static/icons.js';
import { toast } from '/shared/static/toast.js';
import * as Articles from './articles.js';
import { TARGET_LABELS } from './labels.js';

const EDITABLE = [['question', 'edit-question'], ['answer', 'edit-answer'], ['target', 'edit-target'], ['title', 'edit-title']];
let editing = null; // { item, form }

export function isEditing(item) {
  return !!editing && editing.item === item;
}

export function closeEdit() {
  if (!editing) return;
  const ed = editing;
  editing = null;
  if (ed.form.parentNode) ed.form.parentNode.removeChild(ed.form);
  ed.item.classList.remove('is-editing');
}

function editField(id, label, note, value, multiline, rows, extra) {
  const control = multiline
    ? h('textarea', Object.assign({ class: 'field', id: id, rows: String(rows || 3) }, extra || {}))
    : h('input', Object.assign({ class: 'field', id: id, type: 'text' }, extra || {}));
  control.value = str(value);
  return h('div', { class: 'form-row' + (multiline ? ' span-2' : '') }, [
    h('label', { class: 'field-label', for: id }, [label, note ? h('span', { class: 'label-note', text: note }) : null]),
    control,
  ]);
}

function fieldsGrid(c, kind) {
  const isArticle = kind === 'new_article';
  const targetNote = kind === 'question_variant' ? 'slug of the article that gets this question' : kind === 'nlu_example' ? 'intent name' : 'optional';
  return h('div', { class: 'form-grid' }, [
    editField('edit-title', 'Article title', isArticle ? null : 'only used for new articles', c.title, false, 0, { maxlength: '300', placeholder: isArticle ? 'Defaults to the question' : null }),
    editField('edit-target', TARGET_LABELS[kind] || 'Target', targetNote, c.target, false, 0, { list: 'edit-target-options', spellcheck: 'false', placeholder: isArticle ? 'Made from the title when empty' : null }),
    editField('edit-question', kind === 'nlu_example' ? 'Example' : 'Question', null, c.question, true, 2),
    editField('edit-answer', 'Answer', isArticle ? null : 'only used for new articles', c.answer, true, isArticle ? 6 : 3),
  ]);
}

function fillSlugOptions(options) {
  Articles.slugs().forEach(function (slug) {
    options.appendChild(h('option', { value: slug }));
  });
}

/** The fields that differ from the candidate; an emptied field that was empty is not an edit. */
function editsOf(c) {
  const edits = {};
  EDITABLE.forEach(function (pair) {
    const el = byId(pair[1]);
    const value = pair[0] === 'answer' || pair[0] === 'question' ? el.value.replace(/\s+$/, '') : el.value.trim();
    if (value === str(c[pair[0]])) return;
    if (value === '' && (c[pair[0]] === null || c[pair[0]] === undefined)) return;
    edits[pair[0]] = value;
  });
  return edits;
}

const PLACEHOLDER = /\[(?:EMAIL|ORDER|NUMBER|CARD|PHONE|ADDRESS|POSTCODE|NAME)\]/g; // handoff/learning/scrub.py

/** Which placeholders the live fields still hold, said as the trainer types; and the "drop them" choice. */
function placeholderRow() {
  const status = h('p', { class: 'edit-placeholders', id: 'edit-placeholders', 'aria-live': 'polite' });
  const drop = h('label', { class: 'check-row' }, [
    h('input', { type: 'checkbox', id: 'edit-drop-placeholders' }),
    ' Drop the placeholders that are left, with the words that lead up to them',
  ]);
  return h('div', { class: 'form-row span-2 edit-placeholder-row' }, [status, drop]);
}

function refreshPlaceholders(kind) {
  const fields = kind === 'new_article' ? ['edit-question', 'edit-answer', 'edit-title'] : ['edit-question'];
  const left = {};
  fields.forEach(function (id) {
    (byId(id).value.match(PLACEHOLDER) || []).forEach(function (p) { left[p] = true; });
  });
  const names = Object.keys(left);
  const status = byId('edit-placeholders');
  status.textContent = names.length ? 'Still in the text: ' + names.join(', ') + '. Edit them out, or tick below to drop them.' : 'No placeholders left.';
  status.classList.toggle('is-warning', names.length > 0);
  byId('edit-drop-placeholders').closest('label').hidden = !names.length;
}

function buildForm(c, kind, options, save) {
  const cancel = h('button', { type: 'button', class: 'btn', text: 'Cancel', onclick: closeEdit });
  return h('form', { class: 'edit-form', novalidate: true, autocomplete: 'off', 'aria-label': 'Edit candidate before approving' }, [
    h('div', { class: 'edit-form-head' }, [icon('edit'), h('span', { text: 'Edit before approving' })]),
    fieldsGrid(c, kind),
    placeholderRow(),
    options,
    h('div', { class: 'edit-form-bar' }, [h('span', { class: 'hint', text: 'Only the fields you change are sent.' }), h('span', { class: 'head-spacer' }), cancel, save]),
  ]);
}

/** Opens the edit form under the candidate; onApprove(edits, saveButton) sends it. */
export function openEdit(c, kind, item, onApprove) {
  closeEdit();
  const options = h('datalist', { id: 'edit-target-options' });
  fillSlugOptions(options);
  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'edit-approve' }, [icon('check'), h('span', { class: 'btn-text', text: 'Save and approve' })]);
  const form = buildForm(c, kind, options, save);
  form.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') closeEdit();
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    const edits = editsOf(c);
    if (edits.question !== undefined && !edits.question.trim()) {
      toast('The question cannot be empty.', 'warn');
      byId('edit-question').focus();
      return;
    }
    if (byId('edit-drop-placeholders').checked) edits.drop_placeholders = true;
    onApprove(edits, save);
  });
  form.addEventListener('input', function () {
    refreshPlaceholders(kind);
  });
  item.classList.add('is-editing');
  add(item, form);
  editing = { item: item, form: form };
  refreshPlaceholders(kind);
  const first = byId(kind === 'new_article' ? 'edit-title' : 'edit-question');
  if (first) first.focus();
  if (!Articles.slugs().length) {
    Articles.fetchQuiet().then(function () {
      if (options.isConnected) fillSlugOptions(options);
    });
  }
}
