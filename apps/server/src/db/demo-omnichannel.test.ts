import { describe, expect, it } from 'vitest';
import { createTestApp, DEMO_SEED_TIMEOUT_MS, login } from '../../test/harness.ts';

const context = await createTestApp();

type Channel = { inboxId: string; channelType: string; address: string | null; conversationId: string | null };
type HistoryMessage = {
  channelType: string;
  direction: string;
  delivery: { status: string; error: string | null } | null;
  channelMeta: Record<string, unknown> | null;
};

describe('omnichannel demo data', () => {
  it(
    'shows one buyer on email, WeChat, SMS and the Douyin bridge, with every delivery state and a merge hint',
    async () => {
      const { seedDemoWorkspace } = await import('./demo-seed.ts');
      const { email, password } = await seedDemoWorkspace(context, context.database);
      const owner = await login(context, email, password);

      const inboxes = (await owner.get('/api/v1/inboxes')).json().items as { id: string; channelType: string }[];
      expect(new Set(inboxes.map((inbox) => inbox.channelType))).toEqual(
        new Set(['website', 'email', 'wechat', 'sms', 'api']),
      );

      const api = inboxes.find((inbox) => inbox.channelType === 'api')!;
      const apiConversations = (await owner.get(`/api/v1/conversations?assignee=all&inboxId=${api.id}`)).json()
        .items as {
        customerId: string;
        customerName: string | null;
        waitingSince: string | null;
      }[];
      const chenJing = apiConversations.find((conversation) => conversation.customerName === '陈静');
      expect(chenJing?.waitingSince).toBeTruthy();
      const id = chenJing!.customerId;

      const channels = (await owner.get(`/api/v1/customers/${id}/channels`)).json() as {
        items: Channel[];
        lastUsedInboxId: string | null;
      };
      expect(new Set(channels.items.map((item) => item.channelType))).toEqual(
        new Set(['email', 'wechat', 'sms', 'api']),
      );
      expect(channels.lastUsedInboxId).toBe(api.id);
      expect(channels.items.every((item) => item.conversationId)).toBe(true);

      const history = (await owner.get(`/api/v1/customers/${id}/messages?limit=100`)).json().items as HistoryMessage[];
      expect(new Set(history.map((message) => message.channelType))).toEqual(
        new Set(['email', 'wechat', 'sms', 'api']),
      );
      const states = new Set(history.flatMap((message) => (message.delivery ? [message.delivery.status] : [])));
      expect(states).toEqual(new Set(['sent', 'delivered', 'failed']));
      expect(history.some((message) => message.channelMeta?.event === 'subscribe')).toBe(true);
      expect(history.some((message) => typeof message.channelMeta?.html === 'string')).toBe(true);

      const suggestions = (await owner.get(`/api/v1/customers/${id}/identity-suggestions`)).json().items as {
        customerName: string | null;
        reason: string;
      }[];
      expect(suggestions).toContainEqual(expect.objectContaining({ customerName: '静静', reason: 'same_phone' }));

      // Another buyer's email reply bounced, with the mail server's reason.
      const conversations = (
        await owner.get(
          `/api/v1/conversations?assignee=all&inboxId=${inboxes.find((inbox) => inbox.channelType === 'email')!.id}`,
        )
      ).json().items as { id: string; customerName: string | null }[];
      const wangLei = conversations.find((conversation) => conversation.customerName === '王磊')!;
      const thread = (await owner.get(`/api/v1/conversations/${wangLei.id}/messages`)).json().items as HistoryMessage[];
      expect(thread.find((message) => message.direction === 'outbound')?.delivery).toMatchObject({
        status: 'bounced',
        error: expect.stringContaining('550'),
      });
    },
    DEMO_SEED_TIMEOUT_MS,
  );
});
