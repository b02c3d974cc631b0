import type { ChannelType } from '@huike/contracts';
import { and, eq } from 'drizzle-orm';
import { v7 } from 'uuid';
import { newId, randomToken } from '../platform/ids.ts';
import type { Db } from './database.ts';
import { conversations, customerIdentities, customers, inboxes, messages } from './schema.ts';

/*
 * Demo data for "one customer, every channel": a buyer (陈静) who wrote by email, on the WeChat Official Account,
 * answered an SMS and then messaged through the Douyin shop bridge (API channel) — so the workbench shows each
 * channel's icon, an email with its subject and original HTML, WeChat events and a voice message, every delivery
 * mark (已发送, 已送达, 发送失败 with 重试, 退信), the customer's channels with 最近使用, the cross-channel history,
 * and a same-phone customer suggested for a manual merge. Inboxes of these types made by other seeds are reused.
 * Channel inboxes are stored without credentials (nothing connects anywhere until an admin fills them in).
 */

type Inboxes = Record<Exclude<ChannelType, 'website'>, string>;

const INBOXES: { type: keyof Inboxes; name: string; color: string; config: Record<string, unknown> }[] = [
  {
    type: 'email',
    name: '售后邮箱',
    color: '#fa8c16',
    config: { address: 'service@huike-demo.cn', displayName: '慧客优选客服' },
  },
  {
    type: 'wechat',
    name: '慧客优选公众号',
    color: '#07c160',
    config: {
      appId: 'wx5a8f3c2d1e0b9a7c',
      token: 'huikeDemoToken2024',
      mode: 'plain',
      apiBaseUrl: 'https://api.weixin.qq.com',
    },
  },
  {
    type: 'sms',
    name: '订单短信',
    color: '#722ed1',
    config: {
      providerUrl: 'https://sms.huike-demo.cn/send',
      accessKeyId: 'LTAI5tDemoKey',
      signName: '慧客优选',
      templates: { notification: 'SMS_465310001', marketing: 'SMS_465310002' },
    },
  },
  { type: 'api', name: '抖店桥接', color: '#2f54eb', config: {} },
];

async function channelInboxes(db: Db, workspaceId: string): Promise<Inboxes> {
  const found: Partial<Inboxes> = {};
  for (const spec of INBOXES) {
    const [existing] = await db
      .select({ id: inboxes.id })
      .from(inboxes)
      .where(and(eq(inboxes.workspaceId, workspaceId), eq(inboxes.channelType, spec.type)))
      .limit(1);
    if (existing) {
      found[spec.type] = existing.id;
      continue;
    }
    const id = newId();
    await db.insert(inboxes).values({
      id,
      workspaceId,
      name: spec.name,
      channelType: spec.type,
      token: randomToken(18),
      secret: randomToken(32),
      settings: { color: spec.color, greeting: '您好，有什么可以帮您？' },
      channelConfig: spec.config,
    });
    found[spec.type] = id;
  }
  return found as Inboxes;
}

const EMAIL_HTML =
  '<div style="font-size:14px"><p>您好，</p><p>我在 11 月 20 日下的订单（订单号 <b>HK20241120008</b>）需要开增值税普通发票，' +
  '之前填的抬头写错了，麻烦改成：</p><table border="1" cellpadding="6" style="border-collapse:collapse">' +
  '<tr><td>抬头</td><td>杭州青禾贸易有限公司</td></tr><tr><td>税号</td><td>91330106MA2KXXXX7Q</td></tr></table>' +
  '<p>谢谢！</p><p style="color:#888">陈静<br>杭州青禾贸易有限公司 行政部</p></div>';

type MessageSeed = {
  at: number;
  direction: 'inbound' | 'outbound';
  content: string;
  senderKind?: 'customer' | 'agent' | 'system';
  agentId?: string | null;
  externalId?: string;
  deliveryStatus?: 'sent' | 'delivered' | 'failed' | 'bounced';
  deliveryError?: string;
  deliveryReason?: { code: string; params: Record<string, string | number> };
  channelMeta?: Record<string, unknown>;
};

/** Adds the omnichannel demo to a seeded workspace (after the website demo). */
export async function seedDemoOmnichannel(db: Db, workspaceId: string, agent: { id: string }) {
  const inbox = await channelInboxes(db, workspaceId);
  const now = Date.now();
  const minutes = (n: number) => now - n * 60_000;

  await db.transaction(async (tx) => {
    const chenJing = newId();
    const wangLei = newId();
    const jingJing = newId();
    await tx.insert(customers).values([
      { id: chenJing, workspaceId, name: '陈静', phone: '13967120458', email: 'chen.jing@qinghe-trade.cn' },
      { id: wangLei, workspaceId, name: '王磊', email: 'wanglei_1988@163.com' },
      // Same phone, written down at a different touchpoint: suggested for a manual merge, never merged silently.
      { id: jingJing, workspaceId, name: '静静', phone: '13967120458' },
    ]);
    await tx.insert(customerIdentities).values([
      {
        id: newId(),
        workspaceId,
        inboxId: inbox.email,
        customerId: chenJing,
        kind: 'source',
        externalId: 'chen.jing@qinghe-trade.cn',
      },
      {
        id: newId(),
        workspaceId,
        inboxId: inbox.wechat,
        customerId: chenJing,
        kind: 'source',
        externalId: 'oHk2x5Tz7qLmN3bVc9Rw1sYd4fGa',
      },
      { id: newId(), workspaceId, inboxId: inbox.sms, customerId: chenJing, kind: 'source', externalId: '13967120458' },
      {
        id: newId(),
        workspaceId,
        inboxId: inbox.api,
        customerId: chenJing,
        kind: 'source',
        externalId: 'douyin_buyer_7730218845',
      },
      {
        id: newId(),
        workspaceId,
        inboxId: inbox.email,
        customerId: wangLei,
        kind: 'source',
        externalId: 'wanglei_1988@163.com',
      },
    ]);

    const addConversation = async (
      inboxId: string,
      customerId: string,
      status: 'open' | 'resolved',
      seeds: MessageSeed[],
      options: { isWaiting?: boolean } = {},
    ) => {
      const id = newId();
      const last = seeds.at(-1)!;
      const lastInbound = [...seeds].reverse().find((seed) => seed.direction === 'inbound');
      await tx.insert(conversations).values({
        id,
        workspaceId,
        inboxId,
        customerId,
        status,
        assigneeId: agent.id,
        waitingSince: options.isWaiting && lastInbound ? new Date(lastInbound.at) : null,
        firstReplyAt: seeds.find((seed) => seed.direction === 'outbound') ? new Date(seeds[0]!.at + 60_000) : null,
        lastMessageAt: new Date(last.at),
        resolvedAt: status === 'resolved' ? new Date(last.at) : null,
        lastMessagePreview: last.content.slice(0, 120),
        unreadCount: options.isWaiting ? 1 : 0,
        createdAt: new Date(seeds[0]!.at),
      });
      await tx.insert(messages).values(
        seeds.map((seed) => ({
          // Ids of the time the message was written (UUIDv7 orders history and "last used"), which also keeps
          // the startup replay of the last minutes' inbound from answering these old messages again.
          id: v7({ msecs: seed.at }),
          workspaceId,
          conversationId: id,
          direction: seed.direction,
          senderKind: seed.senderKind ?? (seed.direction === 'inbound' ? ('customer' as const) : ('agent' as const)),
          senderId: seed.direction === 'outbound' ? (seed.agentId ?? agent.id) : null,
          content: seed.content,
          externalId: seed.externalId ?? null,
          deliveryStatus: seed.deliveryStatus ?? null,
          deliveryError: seed.deliveryError ?? null,
          deliveryReason: seed.deliveryReason ?? null,
          channelMeta: seed.channelMeta ?? null,
          createdAt: new Date(seed.at),
        })),
      );
    };

    // 1. Email, three days ago: an invoice title to correct; answered and resolved.
    const invoiceSubject = '发票抬头需要修改（订单 HK20241120008）';
    await addConversation(inbox.email, chenJing, 'resolved', [
      {
        at: minutes(3 * 1440 + 120),
        direction: 'inbound',
        content:
          '您好，\n我在 11 月 20 日下的订单（订单号 HK20241120008）需要开增值税普通发票，之前填的抬头写错了，麻烦改成：\n抬头：杭州青禾贸易有限公司\n税号：91330106MA2KXXXX7Q\n谢谢！',
        externalId: '<CAF3kq8Z1dX0m2@qinghe-trade.cn>',
        channelMeta: {
          subject: invoiceSubject,
          from: '陈静 <chen.jing@qinghe-trade.cn>',
          to: '慧客优选客服 <service@huike-demo.cn>',
          cc: '财务 <finance@qinghe-trade.cn>',
          html: EMAIL_HTML,
          messageId: '<CAF3kq8Z1dX0m2@qinghe-trade.cn>',
          inReplyTo: null,
          references: [],
        },
      },
      {
        at: minutes(3 * 1440 + 95),
        direction: 'outbound',
        content: '陈女士您好，发票抬头已按您提供的信息修改，电子发票会在 1 个工作日内发送到这个邮箱，请注意查收。',
        externalId: '<hk-demo-reply-1@huike-demo.cn>',
        deliveryStatus: 'sent',
        channelMeta: {
          subject: `Re: ${invoiceSubject}`,
          from: 'service@huike-demo.cn',
          to: ['chen.jing@qinghe-trade.cn'],
          messageId: '<hk-demo-reply-1@huike-demo.cn>',
        },
      },
    ]);

    // 2. WeChat, yesterday: followed the account, tapped the menu, asked by voice.
    const openid = 'oHk2x5Tz7qLmN3bVc9Rw1sYd4fGa';
    await addConversation(inbox.wechat, chenJing, 'resolved', [
      {
        at: minutes(1440 + 300),
        direction: 'inbound',
        content: '[关注]',
        externalId: `${openid}:1732250000:subscribe`,
        channelMeta: { msgType: 'event', event: 'subscribe' },
      },
      {
        at: minutes(1440 + 298),
        direction: 'inbound',
        content: '[菜单] 最新活动',
        externalId: `${openid}:1732250120:CLICK`,
        channelMeta: { msgType: 'event', event: 'CLICK', eventKey: '最新活动' },
      },
      {
        at: minutes(1440 + 290),
        direction: 'inbound',
        content: '我想问一下绿茶礼盒能不能加急发顺丰',
        externalId: '24612385003210987',
        channelMeta: {
          msgType: 'voice',
          msgId: '24612385003210987',
          format: 'amr',
          recognition: '我想问一下绿茶礼盒能不能加急发顺丰',
        },
      },
      {
        at: minutes(1440 + 286),
        direction: 'outbound',
        content: '可以的亲，下单时备注「顺丰加急」，补 12 元运费差价即可，当天 16 点前下单当天发出～',
        deliveryStatus: 'sent',
        channelMeta: { msgType: 'text' },
      },
    ]);

    // 3. SMS, this morning: the shipping notice was delivered, she answered.
    await addConversation(inbox.sms, chenJing, 'resolved', [
      {
        at: minutes(300),
        direction: 'outbound',
        content: '您的订单 HK20241120008 已由顺丰发出，运单号 SF1420385567712，预计明天送达。',
        deliveryStatus: 'delivered',
        externalId: 'sms-demo-4471',
        channelMeta: { templateCode: 'SMS_465310001', providerMessageId: 'sms-demo-4471' },
      },
      {
        at: minutes(290),
        direction: 'inbound',
        content: '收到，谢谢',
        externalId: 'sms-in-demo-9902',
        channelMeta: { msgType: 'sms' },
      },
    ]);

    // 4. The Douyin shop (API channel), minutes ago: the reply did not get through — 发送失败 with 重试.
    await addConversation(
      inbox.api,
      chenJing,
      'open',
      [
        {
          at: minutes(42),
          direction: 'inbound',
          content: '我在抖音下单的绿茶礼盒，收货地址写错了，还能改吗？',
          externalId: 'dy-msg-7730218845-0012',
        },
        {
          at: minutes(38),
          direction: 'outbound',
          content: '亲，还没发货可以改的，麻烦把新的收货地址发给我～',
          deliveryStatus: 'failed',
          deliveryError: '对方返回了 HTTP 502',
          deliveryReason: { code: 'delivery.http_status', params: { status: 502 } },
        },
        {
          at: minutes(6),
          direction: 'inbound',
          content: '人呢？地址是杭州市西湖区文三路 90 号东部软件园 3 号楼',
          externalId: 'dy-msg-7730218845-0013',
        },
      ],
      { isWaiting: true },
    );

    // 5. Another buyer's email reply bounced: 退信 with the server's reason.
    await addConversation(inbox.email, wangLei, 'open', [
      {
        at: minutes(180),
        direction: 'inbound',
        content: '你好，收到的茶叶罐有凹痕，想换一个，照片稍后补发。',
        externalId: '<20241122093011.88@163.com>',
        channelMeta: {
          subject: '茶叶罐压坏了，申请换货',
          from: '王磊 <wanglei_1988@163.com>',
          to: 'service@huike-demo.cn',
          cc: null,
          html: '<p>你好，收到的茶叶罐有凹痕，想换一个，照片稍后补发。</p><p>王磊</p>',
          messageId: '<20241122093011.88@163.com>',
          inReplyTo: null,
          references: [],
        },
      },
      {
        at: minutes(150),
        direction: 'outbound',
        content: '王先生您好，非常抱歉！换货申请已为您登记，新的茶叶罐今天寄出。',
        externalId: '<hk-demo-reply-2@huike-demo.cn>',
        deliveryStatus: 'bounced',
        deliveryError: '550 5.1.1 收件人邮箱不存在（wanglei_1988@163.com）',
        deliveryReason: {
          code: 'email.bounce_reply',
          params: { detail: '550 5.1.1 收件人邮箱不存在（wanglei_1988@163.com）' },
        },
        channelMeta: {
          subject: 'Re: 茶叶罐压坏了，申请换货',
          from: 'service@huike-demo.cn',
          to: ['wanglei_1988@163.com'],
        },
      },
    ]);
  });
}
