import { z } from 'zod';
import { conversation, message } from './conversations.ts';

/** Events pushed to agent sockets at /api/v1/realtime. */
export const agentEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message.created'), message, conversation }),
  z.object({ type: z.literal('conversation.updated'), conversation }),
]);
export type AgentEvent = z.infer<typeof agentEvent>;
