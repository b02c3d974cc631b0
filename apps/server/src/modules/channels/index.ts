export { seedDemoEmail } from './adapters/email/demo-mail.ts';
export { adapterFor, allAdapters } from './adapters/index.ts';
export {
  createSmsCampaigns,
  normalizeMobile,
  SMS_CAMPAIGN_JOB,
  type SmsCampaigns,
  seedDemoSms,
  smsCampaignRoutes,
} from './adapters/sms/index.ts';
export type {
  ChannelAdapter,
  ChannelDelivery,
  ChannelInbound,
  ChannelInbox,
  ChannelRuntime,
} from './adapters/types.ts';
export { CHANNEL_MESSAGE, createChannelRuntime, createQueueOutbound } from './channel-runtime.ts';
export { inboxesRoutes, publicChannelRoutes, typingRoutes } from './channels.routes.ts';
export { type ChannelsService, createChannelsService } from './channels.service.ts';
export { hmacHex } from './signatures.ts';
export { agentsOnline, createTyping, type Typing } from './visitor-live.ts';
export { visitorSocketRoutes } from './visitor-socket.ts';
