export { agentSocketRoutes } from './agent-socket.ts';
export { attachmentsRoutes } from './attachments.routes.ts';
export { conversationBuyerLocale } from './buyer-locale.ts';
export { conversationsRoutes } from './conversations.routes.ts';
export {
  type AutomatedMessage,
  type ConversationsService,
  createConversationsService,
  type InboundMessage,
  type OutboundRef,
  toConversation,
  toMessage,
  toPublicMessage,
} from './conversations.service.ts';
export {
  type AttachmentsService,
  agentAttachmentUrl,
  attachmentName,
  createAttachmentsService,
  readUploadedFile,
  resolveAttachments,
  sniffAttachment,
} from './message-attachments.ts';
export { fanOutEventsToSockets } from './realtime-fanout.ts';
