import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countRows, createTestApp, createWorkspace, insertCustomer } from '../../../../../test/harness.ts';
import type { DomainEvent } from '../../../../platform/events.ts';
import { newId } from '../../../../platform/ids.ts';
import type { ChannelInbox } from '../types.ts';
import { seedDemoEmail } from './demo-mail.ts';
import { ingestMail, parseMail, sanitizeMailHtml, stripQuotedHistory } from './parse-mail.ts';

const context = await createTestApp();
const runtime = context.channelRuntime;

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

type Owner = Awaited<ReturnType<typeof createWorkspace>>['owner'];

/** An email inbox created through the API (address only: mail arrives by forwarding), as the channel runtime sees it. */
async function emailInbox(owner: Owner, address = 'kefu@shop.example'): Promise<ChannelInbox> {
  const created = await owner.post('/api/v1/inboxes', {
    name: '客服邮箱',
    channelType: 'email',
    channelConfig: { address },
  });
  expect(created.statusCode, created.body).toBe(201);
  return (await runtime.inboxByToken(created.json().token))!;
}

async function setup() {
  const workspace = await createWorkspace(context);
  const inbox = await emailInbox(workspace.owner);
  return { ...workspace, inbox };
}

type Message = {
  id: string;
  content: string;
  conversationId: string;
  externalId: string | null;
  channelMeta: Record<string, unknown> | null;
  attachments: { fileId: string; name: string; contentType: string; size: number; url: string }[];
  delivery: { status: string; error: string | null } | null;
};

async function ingestOne(inbox: ChannelInbox, raw: Buffer) {
  const outcome = await ingestMail(raw, { inbox, runtime });
  if (outcome.kind !== 'message') throw new Error(`expected a message, got ${JSON.stringify(outcome)}`);
  return outcome;
}

/** The stored message as an agent reads it through the API. */
async function messageAsAgent(client: Awaited<ReturnType<typeof setup>>['owner'], messageId: string) {
  const { rows } = await context.database.pool.query('select conversation_id from messages where id = $1', [messageId]);
  const conversationId = rows[0].conversation_id as string;
  const list = await client.get(`/api/v1/conversations/${conversationId}/messages`);
  expect(list.statusCode).toBe(200);
  const message = (list.json().items as Message[]).find((item) => item.id === messageId)!;
  return { ...message, conversationId };
}

describe('parsing mail into messages', () => {
  it('decodes GB2312/GBK subjects, names and a GBK body, and drops the Foxmail quoted history', async () => {
    const { owner, inbox } = await setup();
    const outcome = await ingestOne(inbox, fixture('gbk-foxmail.eml'));
    const message = await messageAsAgent(owner, outcome.messageId);
    expect(message.content).toBe(
      '亲，你好：\n\n我上周在贵店买的羊绒围巾（订单号 TB20261118001）到现在还没有发货，麻烦帮我查一下物流，谢谢！\n另外能否开具电子发票？抬头：杭州张氏贸易有限公司。\n\n张伟',
    );
    expect(message.externalId).toBe('<tencent_3F2A9C1B0D@qq.com>');
    expect(message.channelMeta).toMatchObject({
      subject: '回复：订单已确认，请问什么时候发货？',
      from: '张伟 <zhang.wei@example.cn>',
      to: '慧客旗舰店客服 <kefu@shop.example>',
      cc: null,
      html: null,
      messageId: '<tencent_3F2A9C1B0D@qq.com>',
      inReplyTo: '<order-confirm-1118@shop.example>',
      references: [],
    });
    // The sender became a customer with the address as their email and their decoded name.
    const conversation = (await owner.get(`/api/v1/conversations/${message.conversationId}`)).json();
    expect(conversation.customerName).toBe('张伟');
    const customer = (await owner.get(`/api/v1/customers/${conversation.customerId}`)).json();
    expect(customer.email).toBe('zhang.wei@example.cn');
  });

  it('keeps the reply of a UTF-8 multipart mail without 「在 … 写道：」 and its quotes, with sanitised html', async () => {
    const { owner, inbox } = await setup();
    const outcome = await ingestOne(inbox, fixture('utf8-reply.eml'));
    const message = await messageAsAgent(owner, outcome.messageId);
    expect(message.content).toBe('好的，收到，谢谢！那我等快递到了再确认收货。');
    expect(message.channelMeta).toMatchObject({
      subject: 'Re: 您的订单已发货',
      from: '李娜 <lina.buyer@example.com>',
      references: ['<order-20261120@shop.example>', '<shipped-20261122@shop.example>'],
      inReplyTo: '<shipped-20261122@shop.example>',
    });
    const html = message.channelMeta!.html as string;
    expect(html).toContain('好的，收到，谢谢！');
    expect(html).toContain('<blockquote');
    expect(html).not.toContain('class=');
  });

  it('strips an English 「On … wrote:」 history', async () => {
    const { owner, inbox } = await setup();
    const outcome = await ingestOne(inbox, fixture('english-reply.eml'));
    const message = await messageAsAgent(owner, outcome.messageId);
    expect(message.content).toBe('Thanks, I have shipped the item back today.\nTracking: YT9988776655');
  });

  it('sanitises an html-only mail: no scripts, handlers, javascript: links, forms, frames, overlays or remote images', async () => {
    const { owner, inbox } = await setup();
    const outcome = await ingestOne(inbox, fixture('html-only.eml'));
    const message = await messageAsAgent(owner, outcome.messageId);
    const html = message.channelMeta!.html as string;
    for (const forbidden of [
      '<script',
      'alert',
      'onerror',
      'onload',
      'onclick',
      'javascript:',
      'JaVaScRiPt',
      '<form',
      '<input',
      '<iframe',
      '<object',
      '<svg',
      '<style',
      'position',
      'z-index',
      'display:none',
      'tracker.example',
      'url(',
      'background=',
    ]) {
      expect(html, forbidden).not.toContain(forbidden);
    }
    // The remote image is kept without its source, so opening the mail tells the sender nothing; its alt stays.
    expect(html).toContain('<img alt="店铺Logo" width="1" height="1" />');
    expect(html).toContain(
      '<a href="https://shop.example/item/123" target="_blank" rel="noopener noreferrer nofollow">',
    );
    expect(html).toContain('<p style="color:#333;font-weight:bold">');
    expect(html).toContain('<div style="color:red">点击领取优惠券</div>');
    // The text an agent reads comes from the sanitised html: no URLs, no script text.
    expect(message.content).toBe(
      '点击领取优惠券\n\n你好，我想问一下这款手机壳有没有黑色？\n\n查看订单\n商品链接\n编码链接\n登录\n\n谢谢',
    );
    expect(message.channelMeta).toMatchObject({ subject: '咨询手机壳颜色', from: '王小明 <wxm2026@163.com>' });
  });

  it('keeps image and PDF attachments, downloadable by agents, points inline images at them and skips html files', async () => {
    const { owner, inbox, addUser } = await setup();
    const outcome = await ingestOne(inbox, fixture('attachments.eml'));
    const message = await messageAsAgent(owner, outcome.messageId);
    expect(message.content).toBe('客服你好，收到的杯子有裂痕，照片见下图和附件：\n[裂痕照片]\n发票也附上了。');
    expect(message.attachments.map(({ name, contentType }) => ({ name, contentType }))).toEqual([
      { name: 'crack.png', contentType: 'image/png' },
      { name: '裂痕特写.png', contentType: 'image/png' },
      { name: '发票.pdf', contentType: 'application/pdf' },
    ]);
    expect(message.channelMeta).toMatchObject({
      cc: '售后 <shouhou@shop.example>',
      skippedAttachments: [{ name: 'coupon.html', reason: 'type_refused' }],
    });
    const [inline, , pdf] = message.attachments;
    expect(message.channelMeta!.html).toContain(`<img alt="裂痕照片" src="/api/v1/attachments/${inline!.fileId}" />`);

    const agent = await addUser('agent');
    const download = await agent.get(pdf!.url);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(download.rawPayload.length).toBe(pdf!.size);
    const image = await agent.get(inline!.url);
    expect(image.statusCode).toBe(200);
    expect(image.rawPayload.subarray(1, 4).toString()).toBe('PNG');

    // Another workspace cannot fetch them.
    const other = await createWorkspace(context);
    expect((await other.owner.get(pdf!.url)).statusCode).toBe(404);
  });

  it('stores a mail once when it arrives twice, without storing its attachments again', async () => {
    const { inbox } = await setup();
    const first = await ingestOne(inbox, fixture('attachments.eml'));
    const filesBefore = await countRows(context, 'from files where workspace_id = $1', [inbox.workspaceId]);
    const second = await ingestOne(inbox, fixture('attachments.eml'));
    expect(second).toEqual({ ...first, isDuplicate: true });
    expect(await countRows(context, 'from files where workspace_id = $1', [inbox.workspaceId])).toBe(filesBefore);
    expect(await countRows(context, 'from messages where workspace_id = $1', [inbox.workspaceId])).toBe(1);
  });

  it('makes a stable Message-ID from the bytes when a mail has none', async () => {
    const { owner, inbox } = await setup();
    const first = await ingestOne(inbox, fixture('no-message-id.eml'));
    const again = await ingestOne(inbox, fixture('no-message-id.eml'));
    expect(again.isDuplicate).toBe(true);
    const message = await messageAsAgent(owner, first.messageId);
    expect(message.externalId).toMatch(/^<[0-9a-f]{40}@huike\.generated>$/);
    expect(message.content).toBe('请问 M 码的白色卫衣还有货吗？');
    expect(message.channelMeta).toMatchObject({ subject: '咨询库存', from: 'buyer.nomid@example.com' });
  });

  it('ignores auto-replies and mail from the inbox itself, and refuses mail without a sender', async () => {
    const { inbox } = await setup();
    expect(await ingestMail(fixture('auto-reply.eml'), { inbox, runtime })).toEqual({
      kind: 'ignored',
      reason: 'auto-submitted: auto-replied',
    });
    const loop = Buffer.from(
      'From: kefu@shop.example\r\nTo: kefu@shop.example\r\nSubject: test\r\nMessage-ID: <loop@x>\r\n\r\nhello\r\n',
    );
    expect((await ingestMail(loop, { inbox, runtime })).kind).toBe('ignored');
    const garbage = Buffer.from([0, 1, 2, 3, 255, 254, 10, 13, 0, 0, 7]);
    expect(await ingestMail(garbage, { inbox, runtime })).toMatchObject({ kind: 'ignored', malformed: true });
    expect(await countRows(context, 'from messages where workspace_id = $1', [inbox.workspaceId])).toBe(0);
    expect(await countRows(context, 'from customers where workspace_id = $1', [inbox.workspaceId])).toBe(0);
  });
});

describe('threading', () => {
  it('files a reply in the conversation of the message it answers, even after it was resolved', async () => {
    const { owner, inbox } = await setup();
    // The shop's outbound mail the customer answers (as the email adapter stores it once sent).
    const first = await ingestOne(
      inbox,
      Buffer.from(
        'From: =?UTF-8?B?5p2O5aic?= <lina.buyer@example.com>\r\nTo: kefu@shop.example\r\nSubject: =?UTF-8?B?6K6i5Y2V5ZKo6K+i?=\r\nMessage-ID: <order-20261120@shop.example>\r\n\r\n我的订单什么时候发货？\r\n',
      ),
    );
    const { conversationId } = await messageAsAgent(owner, first.messageId);
    const resolved = await owner.request({
      method: 'POST',
      url: `/api/v1/conversations/${conversationId}/status`,
      payload: { status: 'resolved' },
    });
    expect(resolved.statusCode).toBe(200);
    // A different conversation of the same customer in the inbox, open and newer: the reply must not go there.
    const other = await ingestOne(
      inbox,
      Buffer.from(
        'From: lina.buyer@example.com\r\nTo: kefu@shop.example\r\nSubject: another\r\nMessage-ID: <unrelated@example.com>\r\n\r\n另一个问题\r\n',
      ),
    );
    const otherConversation = (await messageAsAgent(owner, other.messageId)).conversationId;
    expect(otherConversation).not.toBe(conversationId);

    const reply = await ingestOne(inbox, fixture('utf8-reply.eml'));
    const replyMessage = await messageAsAgent(owner, reply.messageId);
    expect(replyMessage.conversationId).toBe(conversationId);
    const conversation = (await owner.get(`/api/v1/conversations/${conversationId}`)).json();
    expect(conversation.status).toBe('open');
  });

  it('does not thread into another workspace or inbox that holds the same Message-ID', async () => {
    const mine = await setup();
    const theirs = await setup();
    const theirMessage = await ingestOne(
      theirs.inbox,
      Buffer.from(
        'From: lina.buyer@example.com\r\nTo: kefu@shop.example\r\nSubject: x\r\nMessage-ID: <shipped-20261122@shop.example>\r\n\r\n他们的\r\n',
      ),
    );
    const reply = await ingestOne(mine.inbox, fixture('utf8-reply.eml'));
    const stored = await messageAsAgent(mine.owner, reply.messageId);
    const theirConversation = (await messageAsAgent(theirs.owner, theirMessage.messageId)).conversationId;
    expect(stored.conversationId).not.toBe(theirConversation);
    expect(await countRows(context, 'from messages where conversation_id = $1', [theirConversation])).toBe(1);
  });
});

describe('bounces', () => {
  /** An outbound message of the inbox that the email adapter sent with this Message-ID. */
  async function sentMessage(inbox: ChannelInbox, messageId: string) {
    const customerId = await insertCustomer(context, inbox.workspaceId, { name: '收件人', email: 'x@example.net' });
    const conversationId = newId();
    await context.database.pool.query(
      `insert into conversations (id, workspace_id, inbox_id, customer_id, status) values ($1, $2, $3, $4, 'open')`,
      [conversationId, inbox.workspaceId, inbox.id, customerId],
    );
    const id = newId();
    await context.database.pool.query(
      `insert into messages (id, workspace_id, conversation_id, direction, sender_kind, content, external_id,
         delivery_status)
       values ($1, $2, $3, 'outbound', 'agent', '您好', $4, 'sent')`,
      [id, inbox.workspaceId, conversationId, messageId],
    );
    return { id, conversationId };
  }

  const deliveryOf = async (id: string) =>
    (await context.database.pool.query('select delivery_status, delivery_error from messages where id = $1', [id]))
      .rows[0];

  it.each([
    [
      'dsn-bounce.eml',
      '<huike-outbound-dsn-1@shop.example>',
      '550 5.1.1 <no-such-user@example.net>: Recipient address rejected: User unknown',
    ],
    [
      'qq-bounce.eml',
      '<huike-outbound-qq-2@shop.example>',
      '收件人邮箱地址不存在，请核实后重新发送。（错误码：550 Mailbox not found）',
    ],
    [
      'netease-bounce.eml',
      '<huike-outbound-163-3@shop.example>',
      '收件人(nobody-here@163.com)不存在，请确认邮箱地址是否正确。',
    ],
  ])('%s marks the bounced message with the reason and tells agents', async (file, originalId, reason) => {
    const { owner, inbox } = await setup();
    const sent = await sentMessage(inbox, originalId);
    const events: DomainEvent[] = [];
    const unsubscribe = context.events.subscribe((event) => {
      if (event.type === 'message.delivery_changed') events.push(event);
    });
    const outcome = await ingestMail(fixture(file), { inbox, runtime });
    expect(outcome).toEqual({ kind: 'bounce', originalMessageId: originalId, reason, recorded: true });
    expect(await deliveryOf(sent.id)).toEqual({ delivery_status: 'bounced', delivery_error: reason });
    const list = (await owner.get(`/api/v1/conversations/${sent.conversationId}/messages`)).json();
    expect(list.items[0].delivery).toEqual({
      status: 'bounced',
      error: reason,
      reason: { code: 'email.bounce_reply', params: { detail: reason } },
    });
    // Nothing was stored as a customer message: the postmaster is not a customer.
    expect(
      await countRows(context, "from messages where workspace_id = $1 and direction = 'inbound'", [inbox.workspaceId]),
    ).toBe(0);
    unsubscribe();
    expect(events).toMatchObject([{ message: { id: sent.id, delivery: { status: 'bounced', error: reason } } }]);
  });

  it('leaves messages of another workspace or inbox alone', async () => {
    const mine = await setup();
    const theirs = await setup();
    const theirSent = await sentMessage(theirs.inbox, '<huike-outbound-dsn-1@shop.example>');
    const otherInbox = await emailInbox(mine.owner, 'sales@shop.example');
    const sameWorkspaceOtherInbox = await sentMessage(otherInbox, '<huike-outbound-dsn-1@shop.example>');
    const outcome = await ingestMail(fixture('dsn-bounce.eml'), { inbox: mine.inbox, runtime });
    expect(outcome).toMatchObject({ kind: 'bounce', recorded: false });
    expect((await deliveryOf(theirSent.id)).delivery_status).toBe('sent');
    expect((await deliveryOf(sameWorkspaceOtherInbox.id)).delivery_status).toBe('sent');
  });

  it('ignores a delay notice (not a failure)', async () => {
    const { inbox } = await setup();
    const delayed = fixture('dsn-bounce.eml')
      .toString('latin1')
      .replace('Action: failed', 'Action: delayed')
      .replace('Status: 5.1.1', 'Status: 4.4.1');
    expect(await parseMail(Buffer.from(delayed, 'latin1'), { inbox, runtime })).toEqual({
      kind: 'ignored',
      reason: 'delivery status: delayed',
    });
  });
});

describe('helpers', () => {
  it('strips 「发件人:」 blocks and quote lines but keeps a mail that is all quote', () => {
    expect(
      stripQuotedHistory(
        '可以的\n\n发件人: 客服 <kefu@shop.example>\n发送时间: 2026年11月20日 10:00\n收件人: 我\n\n原文',
      ),
    ).toBe('可以的');
    expect(stripQuotedHistory('好\n> 引用\n> 引用')).toBe('好');
    expect(stripQuotedHistory('> 只有引用')).toBe('> 只有引用');
    expect(stripQuotedHistory('-----原始邮件-----\n只有原文')).toBe('-----原始邮件-----\n只有原文');
    expect(
      stripQuotedHistory('ok\n\nOn Sun, Nov 22, 2026 at 9:15 PM Huike Support <kefu@shop.example>\nwrote:\n> hi'),
    ).toBe('ok');
  });

  it('sanitises the usual attack vectors', () => {
    const html = sanitizeMailHtml(
      '<img src="https://t.example/x.gif" alt="a"><img src="cid:unknown" alt="b"><img src="data:image/png;base64,AAAA">' +
        '<a href="vbscript:x">v</a><a href="//evil.example">p</a><a href="/api/v1/users">r</a><div style="background-image:url(https://t.example/y)">z</div>' +
        '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    );
    expect(html).not.toMatch(/src=|href=|url\(|onerror|<style|<math/);
    expect(html).toContain('<img alt="a" />');
  });
});

describe('demo mail', () => {
  it('seeds an email inbox whose mails were read like real ones', async () => {
    const { owner } = await createWorkspace(context);
    const inbox = await seedDemoEmail(runtime, owner.workspaceId!, owner.userId!);
    const { rows } = await context.database.pool.query(
      `select m.direction, m.content, m.delivery_status, m.delivery_error, m.attachments, m.channel_meta,
              m.conversation_id
         from messages m join conversations c on c.id = m.conversation_id
        where c.inbox_id = $1 order by m.id`,
      [inbox.id],
    );
    expect(rows.filter((row) => row.direction === 'inbound')).toHaveLength(4);
    expect(new Set(rows.map((row) => row.conversation_id)).size).toBe(3);
    expect(rows[0].content).not.toContain('原始邮件');
    expect(rows[1].attachments.map((file: { name: string }) => file.name)).toEqual(['裂痕.png', '发票.pdf']);
    expect(rows[1].channel_meta.html).not.toContain('tracker.example');
    expect(rows[3].conversation_id).toBe(rows[2].conversation_id);
    const bounced = rows.find((row) => row.direction === 'outbound');
    expect(bounced).toMatchObject({
      delivery_status: 'bounced',
      delivery_error: '收件人邮箱 zhang.wei@exmaple.cn 不存在（550 5.1.1 User unknown）',
    });
  });
});
