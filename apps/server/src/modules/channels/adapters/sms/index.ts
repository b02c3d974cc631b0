import { type SmsChannelConfig, smsChannelConfig, smsSecretKeys } from '@huike/contracts';
import { AppError } from '../../../../platform/errors.ts';
import { DeliveryError } from '../../../../platform/outbox.ts';
import { UnsafeUrlError } from '../../../../platform/safe-fetch.ts';
import type { ChannelAdapter } from '../types.ts';
import { smsCallbackRoutes } from './callbacks.ts';
import { normalizeMobile } from './phone.ts';
import { checkProviderUrl, sendSms } from './provider.ts';
import { reportRecipient } from './sms.repository.ts';

export { createSmsCampaigns, SMS_CAMPAIGN_JOB, type SmsCampaigns, smsCampaignRoutes } from './campaigns.ts';
export { seedDemoSms } from './demo.ts';
export { isOptOutReply, normalizeMobile } from './phone.ts';

/**
 * SMS (短信): replies and notifications go out as the inbox's approved notification template with the text as its
 * `content` parameter; the buyer's replies and the provider's delivery reports come back through signed callbacks.
 */
export const smsAdapter: ChannelAdapter = {
  type: 'sms',
  config: smsChannelConfig,
  secretKeys: smsSecretKeys,

  async verify(inbox, runtime) {
    const { providerUrl } = inbox.config as SmsChannelConfig;
    try {
      await checkProviderUrl(providerUrl, { allowPrivateAddresses: runtime.config.allowPrivateWebhooks });
    } catch (error) {
      if (!(error instanceof UnsafeUrlError)) throw error;
      const message = `短信网关地址不可用：${error.message}`;
      throw new AppError('request.invalid', message, [{ path: '/channelConfig/providerUrl', message }]);
    }
  },

  async deliver({ inbox, message, recipients, customer }, runtime) {
    const config = inbox.config as SmsChannelConfig;
    const phone =
      recipients.map((recipient) => normalizeMobile(recipient.externalId)).find(Boolean) ??
      (customer.phone ? normalizeMobile(customer.phone) : null);
    if (!phone) {
      throw new DeliveryError({ code: 'sms.no_phone' }, '客户没有可以接收短信的手机号', { permanent: true });
    }
    if (!message.content.trim()) {
      throw new DeliveryError({ code: 'sms.text_only' }, '短信只能发送文字，不能只发附件', { permanent: true });
    }
    const sent = await sendSms(
      config,
      {
        phone,
        templateCode: config.templates.notification,
        templateParam: { content: message.content },
        outId: message.id,
      },
      { allowPrivateAddresses: runtime.config.allowPrivateWebhooks },
    );
    // Delivery reports name the outId (the message id), so that is the id the channel knows the message by.
    return {
      externalId: message.id,
      meta: { templateCode: config.templates.notification, providerMessageId: sent.providerMessageId },
    };
  },

  routes(app, runtime) {
    smsCallbackRoutes(app, runtime, (inbox, outId, report) =>
      reportRecipient(runtime.db, inbox.workspaceId, inbox.id, outId, report),
    );
  },
};
