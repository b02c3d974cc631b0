import { useSyncExternalStore } from 'react';
import { api } from '../api/client.ts';

/** A typing signal is repeated every 2–3 s while typing goes on; without one for this long, it stopped. */
const SHOWN_MS = 6_000;
/** The workbench tells the visitor at most this often. */
const SEND_EVERY_MS = 2_500;

/** Conversation id → until when its customer is shown as typing. */
const typingUntil = new Map<string, number>();
const listeners = new Set<() => void>();
const timers = new Map<string, number>();

const notify = () => {
  for (const listener of listeners) listener();
};

/** A `conversation.typing` event from the agent socket. */
export function noteCustomerTyping(conversationId: string): void {
  typingUntil.set(conversationId, Date.now() + SHOWN_MS);
  window.clearTimeout(timers.get(conversationId));
  timers.set(
    conversationId,
    window.setTimeout(() => clearCustomerTyping(conversationId), SHOWN_MS),
  );
  notify();
}

/** The customer's message arrived: they are no longer typing it. */
export function clearCustomerTyping(conversationId: string): void {
  window.clearTimeout(timers.get(conversationId));
  timers.delete(conversationId);
  if (typingUntil.delete(conversationId)) notify();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function useCustomerTyping(conversationId: string): boolean {
  return useSyncExternalStore(subscribe, () => (typingUntil.get(conversationId) ?? 0) > Date.now());
}

const lastSent = new Map<string, number>();

/** The agent types a reply: tell the website visitor (throttled; a lost signal only hides the hint). */
export function signalAgentTyping(conversationId: string): void {
  const now = Date.now();
  if (now - (lastSent.get(conversationId) ?? 0) < SEND_EVERY_MS) return;
  lastSent.set(conversationId, now);
  api.post(`/api/v1/conversations/${conversationId}/typing`).catch(() => {});
}
