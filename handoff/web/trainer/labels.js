/* How the trainer console names candidate kinds, statuses and figures. */
import { h } from '/shared/static/dom.js';
import { cssToken, humanize, str } from '/shared/static/format.js';

export const API = '/trainer/api';
export const KIND_LABELS = {
  new_article: 'New article',
  question_variant: 'New question for an article',
  nlu_example: 'NLU example',
  wrong_answer: 'Wrong answer (negative lesson)',
  no_answer: 'Nothing answers this (negative lesson)',
};
export const TARGET_LABELS = {
  new_article: 'Slug of the new article',
  question_variant: 'Article',
  nlu_example: 'Intent',
  wrong_answer: 'Article it must not be answered with',
};
export const STATUS_LABELS = { published: 'Published', draft: 'Draft', archived: 'Archived' };
const MODEL_STATUS_LABELS = { active: 'Active', candidate: 'Candidate', rejected: 'Rejected', retired: 'Retired' };

export function statusBadge(status) {
  const key = cssToken(status) || 'unknown';
  return h('span', { class: 'badge status-badge status-' + key, 'data-status': str(status) }, [
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    STATUS_LABELS[status] || MODEL_STATUS_LABELS[status] || humanize(status) || 'Unknown',
  ]);
}
