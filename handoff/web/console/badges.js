/* How the console names and shows a ticket's reason, tier and channel. */
import { h } from '/shared/static/dom.js';
import { cssToken, humanize, initials, str } from '/shared/static/format.js';
import { icon } from '/shared/static/icons.js';

export const REASONS = {
  asked_for_agent: 'Asked for a person',
  bot_failed: 'Bot could not help',
  complaint: 'Complaint',
  vip: 'VIP customer',
  late_order: 'Late order',
  other: 'Other',
};
export const STATUSES = { queued: 'Queued', assigned: 'Assigned', resolved: 'Resolved' };
const CHANNELS = { web: 'Web chat', telegram: 'Telegram' };

export function reasonLabel(reason) {
  if (!reason) return REASONS.other;
  return REASONS[reason] || humanize(reason);
}

export function reasonBadge(reason) {
  const key = REASONS[reason] ? reason : 'other';
  return h('span', { class: 'badge reason-badge reason-' + key, 'data-reason': str(reason) || 'other' }, [
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    reasonLabel(reason),
  ]);
}

export function tierBadge(tier) {
  if (!tier) return null;
  return h('span', { class: 'badge tier tier-' + cssToken(tier), title: humanize(tier) + ' tier', text: tier });
}

/* The languages customers write (knowledge_base/language.py): the badge's short label and the name read out. */
export const LANGUAGES = { en: { label: 'EN', name: 'English' }, zh: { label: '中文', name: 'Chinese' } };

/** The customer's language: the agent answers in it (canned replies and suggested articles follow it). */
export function languageBadge(language) {
  const known = LANGUAGES[language];
  if (!known) return null;
  const says = 'Customer writes ' + known.name;
  return h('span', { class: 'badge lang-badge lang-' + language, 'data-language': language, title: says }, [
    h('span', { 'aria-hidden': 'true', lang: language, text: known.label }),
    h('span', { class: 'sr-only', text: says }),
  ]);
}

/** A ticket kept for the agents of a customer segment (escalation.yml): shown to those who may take it. */
export function reservedBadge(segment) {
  if (!segment) return null;
  return h('span', { class: 'badge tier', title: 'Kept for the ' + humanize(segment) + ' segment\u2019s agents', text: 'for ' + humanize(segment) });
}

export function channelTag(channel) {
  const label = CHANNELS[channel] || humanize(channel) || 'Unknown channel';
  return h('span', { class: 'channel', title: label }, [icon(channel === 'telegram' ? 'telegram' : 'globe'), h('span', { class: 'channel-label', text: label })]);
}

export function avatar(name, cls) {
  return h('span', { class: 'avatar' + (cls ? ' ' + cls : ''), 'aria-hidden': 'true', text: initials(name) });
}
