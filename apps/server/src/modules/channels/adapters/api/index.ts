import { type ApiChannelConfig, type ApiChannelOutbound, apiChannelConfig } from '@huike/contracts';
import { AppError } from '../../../../platform/errors.ts';
import { checkUrlAllowed, UnsafeUrlError } from '../../../../platform/safe-fetch.ts';
import { postSigned } from '../../../webhooks/index.ts';
import type { ChannelAdapter } from '../types.ts';

/** The integrator's id for the delivered message, when its answer names one (`{"id": "…"}` or `{"externalId": …}`). */
function externalIdOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { id?: unknown; externalId?: unknown };
    const value = parsed.externalId ?? parsed.id;
    return typeof value === 'string' && value.length > 0 && value.length <= 200 ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The generic API channel (marketplace bridges, apps, gateways): inbound through the public channel API
 * (HMAC-signed with the inbox secret); an agent's reply is POSTed to the integrator's `outboundUrl`, signed with
 * the same secret in the webhook format. Without an `outboundUrl` replies are left for the integrator to poll.
 */
export const apiAdapter: ChannelAdapter = {
  type: 'api',
  config: apiChannelConfig,
  secretKeys: [],

  async verify(inbox, runtime) {
    const { outboundUrl } = inbox.config as ApiChannelConfig;
    if (!outboundUrl) return;
    try {
      await checkUrlAllowed(outboundUrl, { allowPrivate: runtime.config.allowPrivateWebhooks === true });
    } catch (error) {
      if (!(error instanceof UnsafeUrlError)) throw error;
      const message = `外发地址不可用：${error.message}`;
      throw new AppError('request.invalid', message, [{ path: '/channelConfig/outboundUrl', message }]);
    }
  },

  async deliver({ inbox, message, recipients, customer, deliveryId }, runtime) {
    const { outboundUrl } = inbox.config as ApiChannelConfig;
    if (!outboundUrl) return { meta: { delivery: 'poll' } };
    const body: ApiChannelOutbound = {
      id: deliveryId,
      event: 'message.outbound',
      inboxId: inbox.id,
      sourceId: recipients.find((recipient) => recipient.kind === 'source')?.externalId ?? null,
      customer: { id: customer.id, name: customer.name },
      message: {
        id: message.id,
        conversationId: message.conversationId,
        senderKind: message.senderKind,
        senderName: message.senderName,
        content: message.content,
        attachments: message.attachments.map(({ name, contentType, size }) => ({ name, contentType, size })),
        createdAt: message.createdAt.toISOString(),
      },
    };
    const sent = await postSigned({
      url: outboundUrl,
      secret: inbox.secret,
      body: JSON.stringify(body),
      headers: { 'x-huike-event': 'message.outbound', 'x-huike-delivery': deliveryId },
      allowPrivate: runtime.config.allowPrivateWebhooks === true,
    });
    return { externalId: externalIdOf(sent.body) };
  },
};
