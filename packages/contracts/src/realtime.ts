import { z } from 'zod';
import { alert } from './alerts.ts';
import { conversation, message } from './conversations.ts';
import { agentPresence } from './routing.ts';
import { slaTarget, ticket } from './tickets.ts';

/** Events pushed to agent sockets at /api/v1/realtime. */
export const agentEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message.created'), message, conversation }),
  z.object({ type: z.literal('conversation.updated'), conversation }),
  /** A channel message's delivery state changed (sent, failed, bounced): the chat updates its mark. */
  z.object({ type: z.literal('message.updated'), message }),
  /** The customer is typing in the conversation (website widget): ephemeral, never stored. */
  z.object({ type: z.literal('conversation.typing'), conversationId: z.uuid(), sender: z.literal('customer') }),
  /** Spike alerts to users who may read alerts (alerts:read); a notification (snooze_ended) to its recipient only. */
  z.object({ type: z.literal('alert.created'), alert }),
  /** To users who may monitor the queue (queue:monitor), and to the agent themself. */
  z.object({ type: z.literal('presence.changed'), userId: z.uuid(), presence: agentPresence }),
  /** Any ticket change (created, fields, status, comment, merge, escalation): open ticket pages refetch. */
  z.object({ type: z.literal('ticket.updated'), ticket }),
  /** To the ticket's assignee and the supervisors only. */
  z.object({ type: z.literal('ticket.sla_breached'), ticket, target: slaTarget }),
]);
export type AgentEvent = z.infer<typeof agentEvent>;

/**
 * Why the server closed an agent socket (codes 4000–4999 are the app's own). The web app checks its session and, once
 * signed out, shows the login page with the reason: `disabled` (an admin disabled the user) and `passwordChanged`
 * (the password was changed on another device or reset by an admin, which ended this session).
 */
export const agentSocketCloseCodes = { passwordChanged: 4402, disabled: 4403 } as const;
