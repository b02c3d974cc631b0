import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  countRows,
  createTestApp,
  createWorkspace,
  customerIdOf,
  listen,
  openSocket,
  readBack,
  untilVisitorSocketReady,
} from '../../../test/harness.ts';
import { multipartFile, TINY_PNG } from '../../../test/multipart.ts';

const context = await createTestApp();
const { ws } = await listen(context);

type Visitor = { sourceId: string; visitorToken: string };

const startVisitor = (inboxToken: string, body: Record<string, unknown> = {}) =>
  context.app.inject({ method: 'POST', url: `/public/v1/inboxes/${inboxToken}/visitors`, payload: body });

const postAsVisitor = (inboxToken: string, visitor: Visitor, content: string) =>
  context.app.inject({
    method: 'POST',
    url: `/public/v1/inboxes/${inboxToken}/messages`,
    headers: { 'x-huike-visitor-token': visitor.visitorToken },
    payload: { sourceId: visitor.sourceId, content },
  });

const uploadAsVisitor = (inboxToken: string, visitor: Visitor) => {
  const { payload, headers } = multipartFile('破损.png', TINY_PNG);
  return context.app.inject({
    method: 'POST',
    url: `/public/v1/inboxes/${inboxToken}/conversations/${visitor.sourceId}/attachments`,
    headers: { ...headers, 'x-huike-visitor-token': visitor.visitorToken },
    payload,
  });
};

const visitorSocket = async (inboxToken: string, visitor: Visitor) => {
  const query = new URLSearchParams({ sourceId: visitor.sourceId, token: visitor.visitorToken });
  const socket = await openSocket(`${ws}/public/v1/inboxes/${inboxToken}/ws?${query}`);
  await untilVisitorSocketReady(socket);
  return socket;
};

/** Every customer.created published while `work` runs. */
async function customersCreatedDuring(work: () => Promise<unknown>) {
  const created: string[] = [];
  const unsubscribe = context.events.subscribe((event) => {
    if (event.type === 'customer.created') created.push(event.customerId);
  });
  try {
    await work();
  } finally {
    unsubscribe();
  }
  return created;
}

const stored = () =>
  Promise.all([countRows(context, 'from customers'), countRows(context, 'from customer_identities')]);

describe('a widget visitor who has not written', () => {
  it('costs nothing: starting many sessions stores no customer and announces nothing', async () => {
    const { inbox } = await createWorkspace(context);
    const before = await stored();
    const created = await customersCreatedDuring(async () => {
      for (let i = 0; i < 30; i++) {
        const session = await startVisitor(inbox.token);
        expect(session.statusCode).toBe(200);
        const visitor = session.json();
        expect((await readBack(context, inbox.token, visitor)).json()).toEqual({ items: [], nextCursor: null });
      }
    });
    expect(created).toEqual([]);
    expect(await stored()).toEqual(before);
  });

  it('becomes one customer with one conversation on their first message, announced then', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const visitor = (await startVisitor(inbox.token)).json();
    const customersBefore = await countRows(context, 'from customers');
    const created = await customersCreatedDuring(async () => {
      expect((await postAsVisitor(inbox.token, visitor, '在吗？')).statusCode).toBe(201);
      expect((await postAsVisitor(inbox.token, visitor, '想问下尺码')).statusCode).toBe(201);
    });
    const customerId = await customerIdOf(context, visitor.sourceId);
    expect(created).toEqual([customerId]);
    expect(await countRows(context, 'from customers')).toBe(customersBefore + 1);
    const conversations = (await owner.get('/api/v1/conversations')).json().items;
    expect(conversations).toHaveLength(1);
    expect(conversations[0].customerId).toBe(customerId);

    // The same session, resumed (a reload), continues that conversation.
    const resumed = (
      await startVisitor(inbox.token, { sourceId: visitor.sourceId, visitorToken: visitor.visitorToken })
    ).json();
    expect(resumed).toMatchObject({ sourceId: visitor.sourceId, visitorToken: visitor.visitorToken });
    expect((await postAsVisitor(inbox.token, resumed, '我穿 38 码')).statusCode).toBe(201);
    expect((await owner.get('/api/v1/conversations')).json().items).toHaveLength(1);
    expect(
      (await readBack(context, inbox.token, resumed)).json().items.map((m: { content: string }) => m.content),
    ).toEqual(['在吗？', '想问下尺码', '我穿 38 码']);
    expect(await countRows(context, 'from customers')).toBe(customersBefore + 1);
  });

  it('becomes a customer on a first picture too', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const visitor = (await startVisitor(inbox.token)).json();
    const created = await customersCreatedDuring(async () => {
      expect((await uploadAsVisitor(inbox.token, visitor)).statusCode).toBe(201);
    });
    expect(created).toEqual([await customerIdOf(context, visitor.sourceId)]);
    expect((await owner.get('/api/v1/conversations')).json().items).toHaveLength(1);
  });

  it('refuses a forged token with the uniform error and stores nothing', async () => {
    const { inbox } = await createWorkspace(context);
    const visitor = (await startVisitor(inbox.token)).json();
    const before = await stored();
    const forged = { sourceId: visitor.sourceId, visitorToken: `${visitor.visitorToken.slice(0, -2)}xx` };
    const strangerSource = { sourceId: 'v_chosen_by_me', visitorToken: visitor.visitorToken };
    for (const impostor of [forged, strangerSource]) {
      for (const response of [
        await postAsVisitor(inbox.token, impostor, '冒充'),
        await uploadAsVisitor(inbox.token, impostor),
        await readBack(context, inbox.token, impostor),
      ]) {
        expect(response.statusCode).toBe(401);
        expect(response.json().error.code).toBe('auth.signature_invalid');
      }
      const resumed = (await startVisitor(inbox.token, impostor)).json();
      expect(resumed.sourceId).not.toBe(impostor.sourceId);
    }
    expect(await stored()).toEqual(before);
  });

  it('still resumes a visitor stored before tokens were derived (a random token)', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const visitor = (await startVisitor(inbox.token)).json();
    await postAsVisitor(inbox.token, visitor, '旧访客的第一句');
    const customerId = await customerIdOf(context, visitor.sourceId);
    const oldToken = 'old-random-token-0123456789abcdef';
    await context.database.pool.query(
      `update customer_identities set token_hash = $1 where kind = 'source' and external_id = $2`,
      [createHash('sha256').update(oldToken).digest('hex'), visitor.sourceId],
    );
    const old = { sourceId: visitor.sourceId, visitorToken: oldToken };
    expect((await startVisitor(inbox.token, old)).json()).toMatchObject(old);
    expect((await postAsVisitor(inbox.token, old, '旧访客的第二句')).statusCode).toBe(201);
    expect((await readBack(context, inbox.token, old)).json().items).toHaveLength(2);
    // Once stored, only the stored token speaks for the visitor.
    expect((await readBack(context, inbox.token, visitor)).statusCode).toBe(401);
    expect(await customerIdOf(context, visitor.sourceId)).toBe(customerId);
    expect((await owner.get('/api/v1/conversations')).json().items).toHaveLength(1);
  });

  it('hears the agent on its socket after a first message sent on it', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const visitor = (await startVisitor(inbox.token)).json();
    const socket = await visitorSocket(inbox.token, visitor);
    socket.sendJson({ type: 'typing' });
    socket.sendJson({ type: 'message', content: '有人吗', clientMsgId: 'first-1' });
    await socket.next('ack', (frame) => frame.clientMsgId === 'first-1');
    const conversationId = (await owner.get('/api/v1/conversations')).json().items[0].id;
    await owner.post(`/api/v1/conversations/${conversationId}/messages`, { content: '您好，在的' });
    const reply = await socket.next('message', (frame) => frame.message.content === '您好，在的');
    expect(reply.message.direction).toBe('outbound');
    socket.close();
  });

  it('hears the agent on its socket after a first picture sent over REST', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const visitor = (await startVisitor(inbox.token)).json();
    const socket = await visitorSocket(inbox.token, visitor);
    expect((await uploadAsVisitor(inbox.token, visitor)).statusCode).toBe(201);
    const conversationId = (await owner.get('/api/v1/conversations')).json().items[0].id;
    await owner.post(`/api/v1/conversations/${conversationId}/messages`, { content: '图片收到了' });
    await socket.next('message', (frame) => frame.message.content === '图片收到了');
    socket.close();
  });
});
