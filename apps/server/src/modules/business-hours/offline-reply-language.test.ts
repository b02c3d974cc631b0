import { describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, pause } from '../../../test/harness.ts';
import { BUYER_LINES } from '../../platform/buyer-lines.ts';

const context = await createTestApp();
const closedAllWeek = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, []]));

/** A shop closed all week with the offline reply on (`content` unset: the product's default). */
async function closedShop(content?: string) {
  const shop = await createWorkspace(context);
  const patched = await shop.owner.patch(`/api/v1/inboxes/${shop.inbox.id}`, {
    settings: {
      businessHours: { enabled: true, timezone: 'Asia/Shanghai', weekly: closedAllWeek },
      offlineReply: { enabled: true, content: content ?? BUYER_LINES['zh-CN'].offlineReply },
    },
  });
  expect(patched.statusCode, patched.body).toBe(200);
  return shop;
}

/** What the offline reply said to a widget buyer with browser language `locale` who wrote `content`. */
async function offlineReplyTo(inboxToken: string, content: string, locale: string) {
  const visitor = (
    await context.app.inject({ method: 'POST', url: `/public/v1/inboxes/${inboxToken}/visitors`, payload: { locale } })
  ).json();
  const sent = await context.app.inject({
    method: 'POST',
    url: `/public/v1/inboxes/${inboxToken}/messages`,
    headers: { 'x-huike-visitor-token': visitor.visitorToken },
    payload: { sourceId: visitor.sourceId, content, locale },
  });
  expect(sent.statusCode, sent.body).toBe(201);
  for (let attempt = 0; attempt < 300; attempt++) {
    const { rows } = await context.database.pool.query<{ content: string }>(
      `select reply.content from messages asked join messages reply on reply.conversation_id = asked.conversation_id
        where asked.id = $1 and reply.sender_kind = 'bot'`,
      [sent.json().id],
    );
    if (rows[0]) return rows[0].content;
    await pause(30);
  }
  throw new Error('no offline reply');
}

describe("the offline reply in the buyer's language", () => {
  it("sends the product's default notice in English to an English buyer and in Chinese to a Chinese one", async () => {
    const { inbox } = await closedShop();
    expect(await offlineReplyTo(inbox.token, 'hello, anyone there?', 'en')).toBe(
      BUYER_LINES.en.offlineReply.replace('{{next_open}}', BUYER_LINES.en.offlineReplyNoOpening),
    );
    expect(await offlineReplyTo(inbox.token, '在吗？', 'zh-CN')).toBe(
      BUYER_LINES['zh-CN'].offlineReply.replace('{{next_open}}', BUYER_LINES['zh-CN'].offlineReplyNoOpening),
    );
  });

  it("sends the shop's own away message as written to an English buyer", async () => {
    const { inbox } = await closedShop('下班啦，{{next_open}}见');
    expect(await offlineReplyTo(inbox.token, 'hello, anyone there?', 'en')).toBe('下班啦，工作时间见');
  });
});
