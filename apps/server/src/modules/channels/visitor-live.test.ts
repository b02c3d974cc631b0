import { describe, expect, it } from 'vitest';
import {
  countRows,
  createTestApp,
  createVisitor,
  createWorkspace,
  listen,
  openSocket,
  pause,
  readBack,
  startConversation,
  untilVisitorSocketReady,
} from '../../../test/harness.ts';
import { multipartFile, TINY_PNG } from '../../../test/multipart.ts';
import { forgetAgentsOnline } from './visitor-live.ts';

const context = await createTestApp();
const { ws } = await listen(context);

type Visitor = { sourceId: string; visitorToken: string };

const uploadAsVisitor = (
  inboxToken: string,
  visitor: Visitor,
  filename: string,
  data: Buffer,
  options: { clientMsgId?: string; token?: string | null } = {},
) => {
  const { payload, headers } = multipartFile(filename, data);
  const token = options.token === undefined ? visitor.visitorToken : options.token;
  return context.app.inject({
    method: 'POST',
    url:
      `/public/v1/inboxes/${inboxToken}/conversations/${visitor.sourceId}/attachments` +
      (options.clientMsgId ? `?clientMsgId=${options.clientMsgId}` : ''),
    headers: { ...headers, ...(token === null ? {} : { 'x-huike-visitor-token': token }) },
    payload,
  });
};

const attachmentFiles = () => countRows(context, `from files where purpose = 'attachment'`);

const visitorSocket = async (inboxToken: string, visitor: Visitor) => {
  const query = new URLSearchParams({ sourceId: visitor.sourceId, token: visitor.visitorToken });
  const socket = await openSocket(`${ws}/public/v1/inboxes/${inboxToken}/ws?${query}`);
  await untilVisitorSocketReady(socket);
  return socket;
};

describe('a visitor sends a picture or file', () => {
  it('stores it as the visitor message, once per clientMsgId, and the agent sees and opens it', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { visitor, conversationId } = await startConversation(context, inbox.token, '包装破损了');

    const sent = await uploadAsVisitor(inbox.token, visitor, '破损.png', TINY_PNG, { clientMsgId: 'w-photo-1' });
    expect(sent.statusCode).toBe(201);
    const message = sent.json();
    expect(message).toMatchObject({ direction: 'inbound', senderKind: 'customer', clientMsgId: 'w-photo-1' });
    expect(message.attachments).toEqual([
      expect.objectContaining({ name: '破损.png', contentType: 'image/png', size: TINY_PNG.length }),
    ]);
    // The visitor's own copy is a link signed for this inbox, which works without a session.
    const publicUrl: string = message.attachments[0].url;
    expect(publicUrl).toMatch(new RegExp(`^/public/v1/inboxes/${inbox.token}/attachments/.+\\?exp=\\d+&sig=`));
    const viaLink = await context.app.inject({ method: 'GET', url: publicUrl });
    expect(viaLink.statusCode).toBe(200);
    expect(viaLink.rawPayload.equals(TINY_PNG)).toBe(true);

    // A resend after a lost answer is the same message.
    const again = await uploadAsVisitor(inbox.token, visitor, '破损.png', TINY_PNG, { clientMsgId: 'w-photo-1' });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(message.id);
    expect(await countRows(context, 'from messages where client_msg_id = $1', ['w-photo-1'])).toBe(1);

    // The agent sees it in the conversation like any attachment, and downloads the bytes.
    const listed = (await owner.get(`/api/v1/conversations/${conversationId}/messages`)).json();
    const stored = listed.items.find((item: { id: string }) => item.id === message.id);
    expect(stored.attachments[0]).toMatchObject({
      contentType: 'image/png',
      url: expect.stringMatching(/^\/api\/v1\//),
    });
    const download = await owner.get(stored.attachments[0].url);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('image/png');
    expect(download.headers['x-content-type-options']).toBe('nosniff');

    // And the visitor reads it back in their history.
    const history = (await readBack(context, inbox.token, visitor)).json();
    expect(history.items.some((item: { id: string }) => item.id === message.id)).toBe(true);
  });

  it('types the file by its bytes: SVG, HTML and executables are refused whatever their name', async () => {
    const { inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    const before = await attachmentFiles();
    const refused = [
      ['logo.png', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>')],
      ['page.txt', Buffer.from('<!doctype html><script>alert(1)</script>')],
      ['setup.jpg', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)])],
    ] as const;
    for (const [name, data] of refused) {
      const response = await uploadAsVisitor(inbox.token, visitor, name, data);
      expect(response.statusCode, name).toBe(415);
      expect(response.json().error.code).toBe('attachment.type_refused');
    }
    // A PNG named .pdf is stored as what it is.
    const renamed = await uploadAsVisitor(inbox.token, visitor, '发票.pdf', TINY_PNG);
    expect(renamed.json().attachments[0]).toMatchObject({ name: '发票.png', contentType: 'image/png' });
    expect(await attachmentFiles()).toBe(before + 1);
  });

  it('refuses a file over 10 MB', async () => {
    const { inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    const big = Buffer.concat([TINY_PNG, Buffer.alloc(10 * 1024 * 1024 + 1)]);
    const response = await uploadAsVisitor(inbox.token, visitor, 'big.png', big);
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('request.too_large');
  });

  it('needs the visitor’s own token for that inbox, and stores nothing otherwise', async () => {
    const { inbox } = await createWorkspace(context);
    const other = await createWorkspace(context, '别家店铺');
    const visitor = await createVisitor(context, inbox.token);
    const before = await attachmentFiles();
    const messagesBefore = await countRows(context, 'from messages');

    expect((await uploadAsVisitor(inbox.token, visitor, 'a.png', TINY_PNG, { token: null })).statusCode).toBe(401);
    expect((await uploadAsVisitor(inbox.token, visitor, 'a.png', TINY_PNG, { token: 'x'.repeat(32) })).statusCode).toBe(
      401,
    );
    // The same visitor against another workspace's inbox is a stranger there.
    expect((await uploadAsVisitor(other.inbox.token, visitor, 'a.png', TINY_PNG)).statusCode).toBe(401);
    expect((await uploadAsVisitor('no-such-inbox', visitor, 'a.png', TINY_PNG)).statusCode).toBe(404);

    expect(await attachmentFiles()).toBe(before);
    expect(await countRows(context, 'from messages')).toBe(messagesBefore);
  });
});

describe('typing indicators', () => {
  it('tells the agents when the visitor types, throttled, and stores nothing', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { visitor, conversationId } = await startConversation(context, inbox.token, '在吗');
    const agentSocket = await openSocket(`${ws}/api/v1/realtime`, { cookie: owner.cookie! });
    const socket = await visitorSocket(inbox.token, visitor);
    const messagesBefore = await countRows(context, 'from messages where conversation_id = $1', [conversationId]);

    socket.sendJson({ type: 'typing' });
    const frame = await agentSocket.next('conversation.typing');
    expect(frame).toEqual({ type: 'conversation.typing', conversationId, sender: 'customer' });

    // A second signal within the throttle window is dropped.
    socket.sendJson({ type: 'typing' });
    await pause(500);
    expect(agentSocket.frames.filter((item) => item.type === 'conversation.typing')).toHaveLength(1);
    expect(await countRows(context, 'from messages where conversation_id = $1', [conversationId])).toBe(messagesBefore);
    socket.close();
    agentSocket.close();
  });

  it('does not reach the agents of another workspace', async () => {
    const { inbox } = await createWorkspace(context);
    const other = await createWorkspace(context, '别家店铺');
    const { visitor } = await startConversation(context, inbox.token, '你好');
    const strangerSocket = await openSocket(`${ws}/api/v1/realtime`, { cookie: other.owner.cookie! });
    const socket = await visitorSocket(inbox.token, visitor);
    socket.sendJson({ type: 'typing' });
    await pause(800);
    expect(strangerSocket.frames.some((item) => item.type === 'conversation.typing')).toBe(false);
    socket.close();
    strangerSocket.close();
  });

  it('shows the visitor that an agent is typing, only in their own conversation', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const other = await createWorkspace(context, '别家店铺');
    const { visitor, conversationId } = await startConversation(context, inbox.token, '发货了吗');
    const bystander = await startConversation(context, inbox.token, '我也在');
    const socket = await visitorSocket(inbox.token, visitor);
    const bystanderSocket = await visitorSocket(inbox.token, bystander.visitor);
    const messagesBefore = await countRows(context, 'from messages');

    const typed = await owner.post(`/api/v1/conversations/${conversationId}/typing`);
    expect(typed.statusCode).toBe(204);
    expect(await socket.next('typing')).toEqual({ type: 'typing' });
    await pause(300);
    expect(bystanderSocket.frames.some((item) => item.type === 'typing')).toBe(false);
    expect(await countRows(context, 'from messages')).toBe(messagesBefore);

    // Another workspace's agent cannot even learn the conversation exists.
    expect((await other.owner.post(`/api/v1/conversations/${conversationId}/typing`)).statusCode).toBe(404);
    socket.close();
    bystanderSocket.close();
  });

  it('signals nothing either way once the conversation is resolved', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { visitor, conversationId } = await startConversation(context, inbox.token, '好的，谢谢');
    const resolved = await owner.post(`/api/v1/conversations/${conversationId}/status`, { status: 'resolved' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    const agentSocket = await openSocket(`${ws}/api/v1/realtime`, { cookie: owner.cookie! });
    const socket = await visitorSocket(inbox.token, visitor);

    socket.sendJson({ type: 'typing' });
    expect((await owner.post(`/api/v1/conversations/${conversationId}/typing`)).statusCode).toBe(204);
    await pause(800);
    expect(agentSocket.frames.some((item) => item.type === 'conversation.typing')).toBe(false);
    expect(socket.frames.some((item) => item.type === 'typing')).toBe(false);
    socket.close();
    agentSocket.close();
  });
});

describe('whether an agent is online', () => {
  it('answers from presence: in the visitor session, the status call, and on the socket', async () => {
    const { inbox, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    forgetAgentsOnline();
    const visitor = await createVisitor(context, inbox.token);
    const session = (
      await context.app.inject({
        method: 'POST',
        url: `/public/v1/inboxes/${inbox.token}/visitors`,
        payload: { sourceId: visitor.sourceId, visitorToken: visitor.visitorToken },
      })
    ).json();
    expect(session.inbox.agentsOnline).toBe(false);
    const status = await context.app.inject({ method: 'GET', url: `/public/v1/inboxes/${inbox.token}/status` });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ agentsOnline: false, hours: expect.any(Object) });

    const socket = await visitorSocket(inbox.token, visitor);
    expect((await agent.post('/api/v1/routing/me/presence', { presence: 'online' })).statusCode).toBe(200);
    forgetAgentsOnline(); // another process's cache would see it within seconds
    // The widget pings every 25 s; each ping is answered with the current status.
    socket.sendJson({ type: 'ping' });
    expect(await socket.next('status', (frame) => frame.agentsOnline)).toEqual({
      type: 'status',
      agentsOnline: true,
    });
    const after = await context.app.inject({ method: 'GET', url: `/public/v1/inboxes/${inbox.token}/status` });
    expect(after.json().agentsOnline).toBe(true);

    // Busy is not 在线.
    await agent.post('/api/v1/routing/me/presence', { presence: 'busy' });
    forgetAgentsOnline();
    socket.sendJson({ type: 'ping' });
    expect(await socket.next('status', (frame) => !frame.agentsOnline)).toEqual({
      type: 'status',
      agentsOnline: false,
    });
    socket.close();
  });

  it('counts only agents who may work that inbox', async () => {
    const { owner, inbox, addUser } = await createWorkspace(context);
    const member = await addUser('agent');
    const outsider = await addUser('agent');
    const members = await owner.request({
      method: 'PUT',
      url: `/api/v1/routing/inboxes/${inbox.id}/members`,
      payload: { userIds: [member.userId] },
    });
    expect(members.statusCode, members.body).toBeLessThan(300);
    await outsider.post('/api/v1/routing/me/presence', { presence: 'online' });
    forgetAgentsOnline();
    const status = () => context.app.inject({ method: 'GET', url: `/public/v1/inboxes/${inbox.token}/status` });
    expect((await status()).json().agentsOnline).toBe(false);
    await member.post('/api/v1/routing/me/presence', { presence: 'online' });
    forgetAgentsOnline();
    expect((await status()).json().agentsOnline).toBe(true);
  });
});
