import type { ChannelType } from '@huike/contracts';
import { z } from 'zod';
import { apiAdapter } from './api/index.ts';
import { emailAdapter } from './email/index.ts';
import { smsAdapter } from './sms/index.ts';
import type { ChannelAdapter } from './types.ts';
import { wechatAdapter } from './wechat/index.ts';

export type { ChannelAdapter, ChannelDelivery, ChannelInbound, ChannelInbox, ChannelRuntime } from './types.ts';

/** The website widget: messages reach the visitor over their socket, nothing to deliver later. */
const website: ChannelAdapter = { type: 'website', config: z.strictObject({}), secretKeys: [] };

/** Every channel Huike speaks; adding one is a folder in adapters/ and a line here. */
const adapters: Record<ChannelType, ChannelAdapter> = {
  website,
  api: apiAdapter,
  email: emailAdapter,
  wechat: wechatAdapter,
  sms: smsAdapter,
};

export const adapterFor = (type: ChannelType): ChannelAdapter => adapters[type];
export const allAdapters = (): ChannelAdapter[] => Object.values(adapters);
