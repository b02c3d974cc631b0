import type { ChannelType } from '@huike/contracts';
import { z } from 'zod';
import type { ChannelAdapter } from './types.ts';

export type { ChannelAdapter, ChannelDelivery, ChannelInbound, ChannelInbox, ChannelRuntime } from './types.ts';

/** The website widget: messages reach the visitor over their socket, nothing to deliver later. */
const website: ChannelAdapter = { type: 'website', config: z.strictObject({}), secretKeys: [] };

/** The generic API channel (marketplace bridges, apps): inbound through the public channel API. */
const api: ChannelAdapter = { type: 'api', config: z.strictObject({}), secretKeys: [] };

/** Every channel Huike speaks; adding one is a folder in adapters/ and a line here. */
const adapters: Record<ChannelType, ChannelAdapter> = {
  website,
  api,
  email: { type: 'email', config: z.strictObject({}), secretKeys: [] },
  wechat: { type: 'wechat', config: z.strictObject({}), secretKeys: [] },
  sms: { type: 'sms', config: z.strictObject({}), secretKeys: [] },
};

export const adapterFor = (type: ChannelType): ChannelAdapter => adapters[type];
export const allAdapters = (): ChannelAdapter[] => Object.values(adapters);
