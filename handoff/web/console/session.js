/* The signed-in agent, and whether a ticket is theirs. */
import { loadMe } from '/shared/static/chrome.js';

export const API = '/console/api';
export const QUEUE_URL = '/console/';
export const session = { me: null };

export async function loadSession() {
  session.me = await loadMe(API + '/me');
  return session.me;
}

export function agentIdOf(ticket) {
  if (!ticket) return null;
  if (ticket.agent && ticket.agent.id !== undefined && ticket.agent.id !== null) return ticket.agent.id;
  if (ticket.agent_id !== undefined) return ticket.agent_id;
  return null;
}

export function isMine(ticket) {
  return !!(ticket && session.me && agentIdOf(ticket) === session.me.id);
}
