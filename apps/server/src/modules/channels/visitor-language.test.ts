import { describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, listen, openSocket, untilVisitorSocketReady } from '../../../test/harness.ts';
import { BUYER_LINES } from '../../platform/buyer-lines.ts';

const context = await createTestApp();
const { ws } = await listen(context);

const startVisitor = (inboxToken: string, payload: Record<string, unknown>) =>
  context.app.inject({ method: 'POST', url: `/public/v1/inboxes/${inboxToken}/visitors`, payload });

describe("the widget's language", () => {
  it("greets an English browser with the product's default greeting in English", async () => {
    const { inbox } = await createWorkspace(context);
    expect(inbox.settings.greeting).toBe(BUYER_LINES['zh-CN'].inboxGreeting);
    expect((await startVisitor(inbox.token, { locale: 'en-US' })).json().inbox.greeting).toBe(
      BUYER_LINES.en.inboxGreeting,
    );
    expect((await startVisitor(inbox.token, { locale: 'zh-CN' })).json().inbox.greeting).toBe(
      BUYER_LINES['zh-CN'].inboxGreeting,
    );
    expect((await startVisitor(inbox.token, {})).json().inbox.greeting).toBe(BUYER_LINES['zh-CN'].inboxGreeting);
  });

  it("keeps the shop's own greeting as written for an English browser", async () => {
    const { owner, inbox } = await createWorkspace(context);
    const patched = await owner.patch(`/api/v1/inboxes/${inbox.id}`, { settings: { greeting: '欢迎光临小店！' } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect((await startVisitor(inbox.token, { locale: 'en' })).json().inbox.greeting).toBe('欢迎光临小店！');
  });

  it('stores the language a socket message brings with the message, and refuses one that is no language tag', async () => {
    const { inbox } = await createWorkspace(context);
    const visitor = (await startVisitor(inbox.token, { locale: 'en' })).json();
    const query = new URLSearchParams({ sourceId: visitor.sourceId, token: visitor.visitorToken });
    const socket = await openSocket(`${ws}/public/v1/inboxes/${inbox.token}/ws?${query}`);
    await untilVisitorSocketReady(socket);
    socket.sendJson({ type: 'message', content: 'hello', clientMsgId: 'lang-1', locale: 'en-US' });
    const ack = await socket.next('ack');
    const stored = await context.database.pool.query('select channel_meta from messages where id = $1', [
      ack.message.id,
    ]);
    expect(stored.rows[0].channel_meta).toEqual({ locale: 'en' });
    socket.close();

    const refused = await startVisitor(inbox.token, { locale: '<script>' });
    expect(refused.statusCode).toBe(400);
  });
});
