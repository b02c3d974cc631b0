import { z } from 'zod';
import { alert } from './alerts.ts';
import { conversation, message } from './conversations.ts';

/** Events pushed to agent sockets at /api/v1/realtime. */
export const agentEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message.created'), message, conversation }),
  z.object({ type: z.literal('conversation.updated'), conversation }),
  /** To users who may read alerts (alerts:read) only. */
  z.object({ type: z.literal('alert.created'), alert }),
]);
export type AgentEvent = z.infer<typeof agentEvent>;
