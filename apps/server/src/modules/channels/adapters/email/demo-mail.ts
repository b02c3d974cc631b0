import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { inboxes, messages } from '../../../../db/schema.ts';
import { newId } from '../../../../platform/ids.ts';
import * as repo from '../../channels.repository.ts';
import type { ChannelRuntime } from '../types.ts';
import { ingestMail } from './parse-mail.ts';

/** A 32×32 photo stand-in (a cracked cup, as far as a demo goes). */
const CRACK_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAIAAAD8GO2jAAAApElEQVR42rXWwQ2AIAyF4X8w9r85hGeXMNFoCCKU9rXhZJt+AVSgXHHsWzO6Dx2D8kQWcPfKM3h7fQ0lkGfQtGsMMZBh0H1Ba0MPaA3+ErWRAqgMxulSRQoQN7AUpQMRA3upz2Cp2mGwOuVVA8e+LRkhwGLg+3zshh8wrhXuv5jRiAJTg8hhYjE0wMAgeKZPDSXQNYhfrcaGHmgMJDfcgZEFvMYJ0OGBMBsR/JYAAAAASUVORK5CYII=',
  'base64',
);
const INVOICE_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

/**
 * Demo data for the email channel, in the workspace's email inbox (a 「客服邮箱」 fed by forwarding when there is
 * none yet): mails read the way real ones are: a Foxmail reply whose quoted history is dropped, an html mail with an inline photo and a PDF invoice, a
 * thread of two mails, and one of our replies that bounced.
 */
export async function seedDemoEmail(runtime: ChannelRuntime, workspaceId: string, agentId: string) {
  const [existing] = await runtime.db
    .select({ token: inboxes.token })
    .from(inboxes)
    .where(and(eq(inboxes.workspaceId, workspaceId), eq(inboxes.channelType, 'email')))
    .orderBy(inboxes.createdAt)
    .limit(1);
  const token = existing?.token ?? randomBytes(18).toString('base64url');
  if (!existing) {
    const now = new Date();
    await repo.insertInbox(runtime.db, {
      id: newId(),
      workspaceId,
      name: '客服邮箱',
      channelType: 'email',
      token,
      secret: randomBytes(32).toString('base64url'),
      settings: { color: '#fa8c16', greeting: '' },
      channelConfig: { address: 'kefu@demo-shop.example', displayName: '慧客旗舰店客服' },
      createdAt: now,
      updatedAt: now,
    });
  }
  const inbox = (await runtime.inboxByToken(token))!;
  const shop = typeof inbox.config.address === 'string' ? inbox.config.address : 'kefu@demo-shop.example';
  const compose = (mail: Mail.Options) => new MailComposer({ to: `客服 <${shop}>`, ...mail }).compile().build();
  const ingest = async (mail: Mail.Options) => ingestMail(await compose(mail), { inbox, runtime });

  const first = await ingest({
    from: '张伟 <zhang.wei@example.cn>',
    subject: '回复：订单已确认，请问什么时候发货？',
    messageId: '<demo-zhangwei-1@example.cn>',
    text: [
      '亲，你好：',
      '',
      '我上周在贵店买的羊绒围巾（订单号 TB20261118001）到现在还没有发货，麻烦帮我查一下物流，谢谢！',
      '另外能否开具电子发票？抬头：杭州张氏贸易有限公司。',
      '',
      '张伟',
      '',
      '------------------ 原始邮件 ------------------',
      `发件人: "客服" <${shop}>`,
      '发送时间: 2026年11月18日(星期三) 上午10:12',
      '收件人: "张伟" <zhang.wei@example.cn>',
      '主题: 订单已确认',
      '',
      '您好，您的订单已确认，我们会尽快安排发货。',
    ].join('\n'),
  });

  await ingest({
    from: '周婷 <zhouting@example.cn>',
    subject: '商品破损，请处理',
    messageId: '<demo-zhouting-1@example.cn>',
    text: '客服你好，收到的杯子有裂痕，照片见下图，发票也附上了。麻烦尽快帮我换一个，谢谢！',
    html:
      '<p>客服你好，收到的杯子有<b>裂痕</b>，照片见下图，发票也附上了。</p>' +
      '<p><img src="cid:crack@example.cn" alt="裂痕照片"></p><p>麻烦尽快帮我换一个，谢谢！</p>' +
      '<img src="https://tracker.example/open.gif" width="1" height="1" alt="">',
    attachments: [
      { filename: '裂痕.png', content: CRACK_PNG, contentType: 'image/png', cid: 'crack@example.cn' },
      { filename: '发票.pdf', content: INVOICE_PDF, contentType: 'application/pdf' },
    ],
  });

  await ingest({
    from: '李娜 <lina.buyer@example.com>',
    subject: '咨询：礼盒可以刻字吗',
    messageId: '<demo-lina-1@example.com>',
    text: '你好，想给公司客户订 20 份绿茶礼盒，请问盒子上可以刻公司名字吗？',
  });
  await ingest({
    from: '李娜 <lina.buyer@example.com>',
    subject: 'Re: 咨询：礼盒可以刻字吗',
    messageId: '<demo-lina-2@example.com>',
    inReplyTo: '<demo-lina-1@example.com>',
    references: ['<demo-lina-1@example.com>'],
    text: '补充一下：希望 12 月 10 日前能送到上海。\n\n在 2026年11月23日 周一 10:00，李娜 <lina.buyer@example.com> 写道：\n> 你好，想给公司客户订 20 份绿茶礼盒，请问盒子上可以刻公司名字吗？',
  });

  // One of our replies to 张伟 went to a mistyped address and came back.
  if (first.kind === 'message') {
    const [stored] = await runtime.db
      .select({ conversationId: messages.conversationId })
      .from(messages)
      .where(and(eq(messages.workspaceId, workspaceId), eq(messages.id, first.messageId)));
    const replyId = '<demo-reply-1@demo-shop.example>';
    await runtime.db.insert(messages).values({
      id: newId(),
      workspaceId,
      conversationId: stored!.conversationId,
      direction: 'outbound',
      senderKind: 'agent',
      senderId: agentId,
      content: '您好，围巾今天下午发出，电子发票会在发货后 24 小时内发到您的邮箱。',
      externalId: replyId,
      deliveryStatus: 'sent',
      channelMeta: { subject: 'Re: 回复：订单已确认，请问什么时候发货？', to: 'zhang.wei@exmaple.cn' },
    });
    await ingest({
      from: 'Mail Delivery System <MAILER-DAEMON@demo-shop.example>',
      subject: 'Undelivered Mail Returned to Sender',
      messageId: '<demo-bounce-1@demo-shop.example>',
      headers: { 'Auto-Submitted': 'auto-replied' },
      text: '退信原因：收件人邮箱 zhang.wei@exmaple.cn 不存在（550 5.1.1 User unknown）',
      attachments: [
        {
          contentType: 'text/rfc822-headers',
          content: `From: ${shop}\r\nTo: zhang.wei@exmaple.cn\r\nMessage-ID: ${replyId}\r\n`,
        },
      ],
    });
  }
  return inbox;
}
