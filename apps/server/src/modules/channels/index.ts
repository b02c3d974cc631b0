export { inboxesRoutes, publicChannelRoutes } from './channels.routes.ts';
export { type ChannelsService, createChannelsService } from './channels.service.ts';
export { hmacHex } from './signatures.ts';
export { visitorSocketRoutes } from './visitor-socket.ts';
