/* Around the article form: heading, status, meta line, slug hint and what each button does now. */
import { $, add, clear, h } from '/shared/static/dom.js';
import { humanize, str } from '/shared/static/format.js';
import * as Articles from '../articles.js';
import { STATUS_LABELS, statusBadge } from '../labels.js';
import { setTitle } from '../router.js';
import { els, f, isDirty, state } from './form.js';

function paintHeading(editing, a, dirty) {
  els.heading.textContent = editing ? (a && a.title) || state.slug || 'Article' : 'New article';
  setTitle(editing ? ((a && a.title) || state.slug) + ' \u00b7 Articles' : 'New article');
  els.status.hidden = !(editing && a);
  if (editing && a) {
    clear(els.status);
    const badge = statusBadge(a.status);
    els.status.className = badge.className;
    while (badge.firstChild) els.status.appendChild(badge.firstChild);
  }
  els.dirty.hidden = !dirty;
}

function paintMeta(editing, a) {
  clear(els.meta);
  if (!(editing && a)) {
    els.meta.textContent = 'New articles are saved as drafts until you publish them.';
    return;
  }
  const origin = a.origin === 'files' ? 'from the knowledge-base files' : a.origin === 'console' ? 'written in the console' : humanize(a.origin);
  const sep = function () {
    return h('span', { class: 'sep', 'aria-hidden': 'true', text: '\u00b7' });
  };
  add(els.meta, [h('span', { class: 'mono', text: str(a.slug) }), sep(), h('span', { text: 'version ' + str(a.version) }), sep(), h('span', { text: origin })]);
}

function label(button, text) {
  $('.btn-text', button).textContent = text;
}

function paintButtons(editing, status, dirty) {
  label(els.save, editing ? 'Save' : 'Save draft');
  els.save.title = editing ? 'Save changes and keep the status (' + (STATUS_LABELS[status] || status) + ')' : 'Save as a draft';
  els.save.disabled = state.busy || (editing && !dirty);
  const published = editing && status === 'published';
  label(els.publish, published ? (dirty ? 'Save and publish' : 'Published') : editing && status === 'archived' ? 'Restore and publish' : 'Publish');
  els.publish.disabled = state.busy || (published && !dirty);
  els.archive.hidden = !editing;
  label(els.archive, status === 'archived' ? 'Archived' : 'Archive');
  els.archive.disabled = state.busy || status === 'archived';
  els.unpublish.hidden = !(editing && (status === 'published' || status === 'archived'));
  label(els.unpublish, status === 'archived' ? 'Restore as draft' : 'Move to drafts');
  els.unpublish.disabled = state.busy;
}

export function paintChrome() {
  const a = state.article;
  const editing = state.mode === 'edit';
  const dirty = editing ? isDirty() : false;
  paintHeading(editing, a, dirty);
  paintMeta(editing, a);
  f.slug.readOnly = editing;
  f.slug.classList.toggle('is-readonly', editing);
  els.slugHint.textContent = editing ? 'The slug identifies the article and cannot be changed.' : 'Lower-case letters, digits and dashes. It cannot be changed later.';
  paintButtons(editing, a ? a.status : 'draft', dirty);
  els.historyPanel.hidden = !editing;
  els.body.classList.toggle('is-new', !editing);
}

export function fillCategories() {
  Articles.fetchQuiet().then(function () {
    clear(els.categories);
    Articles.categories().forEach(function (c) {
      els.categories.appendChild(h('option', { value: c }));
    });
  });
}
