export { agentSocketRoutes } from './agent-socket.ts';
export { conversationsRoutes } from './conversations.routes.ts';
export {
  type ConversationsService,
  createConversationsService,
  type InboundMessage,
  toPublicMessage,
} from './conversations.service.ts';
export { fanOutEventsToSockets } from './realtime-fanout.ts';
