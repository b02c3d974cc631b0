import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { topics } from '../src/platform/realtime.ts';
import {
  closedWithin,
  countRows,
  createTestApp,
  createTestDatabase,
  createVisitor,
  createWorkspace,
  listen,
  openSocket,
  pause,
  socketRefusal,
  startApp,
  startConversation,
  untilVisitorSocketReady,
} from './harness.ts';

const context = await createTestApp();
const { http, ws } = await listen(context);

type Visitor = { sourceId: string; visitorToken: string };

const visitorUrl = (inboxToken: string, visitor: Visitor) =>
  `${ws}/public/v1/inboxes/${inboxToken}/ws?sourceId=${encodeURIComponent(visitor.sourceId)}&token=${encodeURIComponent(visitor.visitorToken)}`;

const agentSocket = (cookie: string) => openSocket(`${ws}/api/v1/realtime`, { cookie });

/** A visitor socket the server has finished authenticating. */
async function readyVisitorSocket(inboxToken: string, visitor: Visitor) {
  const socket = await openSocket(visitorUrl(inboxToken, visitor));
  await untilVisitorSocketReady(socket);
  return socket;
}

describe('the agent socket', () => {
  it('refuses a connection without a session', async () => {
    expect(await socketRefusal(`${ws}/api/v1/realtime`)).toBe(401);
    expect(await socketRefusal(`${ws}/api/v1/realtime`, { cookie: 'huike_session=forged' })).toBe(401);
  });

  it('refuses a session-cookie connection opened from another site', async () => {
    const { owner } = await createWorkspace(context);
    expect(
      await socketRefusal(`${ws}/api/v1/realtime`, { cookie: owner.cookie!, origin: 'https://evil.example' }),
    ).toBe(403);
    expect(await socketRefusal(`${ws}/api/v1/realtime`, { cookie: owner.cookie!, origin: http })).toBe(101);
  });

  it('refuses, not fails on, an Origin that is `null` or not a URL', async () => {
    const { owner } = await createWorkspace(context);
    for (const origin of ['null', 'not a url']) {
      expect(await socketRefusal(`${ws}/api/v1/realtime`, { cookie: owner.cookie!, origin })).toBe(403);
    }
  });

  it('accepts an API token', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { token } = (await owner.post('/api/v1/api-tokens', { name: '看板' })).json();
    const socket = await openSocket(`${ws}/api/v1/realtime`, { authorization: `Bearer ${token}` });
    try {
      await startConversation(context, inbox.token, '令牌也能收到');
      await socket.next('message.created', (frame) => frame.message.content === '令牌也能收到');
    } finally {
      socket.close();
    }
  });

  it('pushes conversation updates to the workspace', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { conversationId } = await startConversation(context, inbox.token);
    const socket = await agentSocket(owner.cookie!);
    try {
      await owner.post(`/api/v1/conversations/${conversationId}/status`, { status: 'resolved' });
      const frame = await socket.next('conversation.updated', (f) => f.conversation.id === conversationId);
      expect(frame.conversation.status).toBe('resolved');
    } finally {
      socket.close();
    }
  });

  it('closes the socket of a member who is disabled', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const colleague = await addUser('agent');
    const socket = await agentSocket(agent.cookie!);
    const colleagueSocket = await agentSocket(colleague.cookie!);
    try {
      await owner.patch(`/api/v1/users/${agent.userId}`, { disabled: true });
      const closed = await closedWithin(socket);
      expect(closed.code).toBe(4403);
      expect(colleagueSocket.socket.readyState).toBe(colleagueSocket.socket.OPEN);
      expect(await socketRefusal(`${ws}/api/v1/realtime`, { cookie: agent.cookie! })).toBe(401);
    } finally {
      colleagueSocket.close();
    }
  });
});

describe('the visitor socket', () => {
  it('acknowledges a stored message and pushes it to agents within a second', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    const agent = await agentSocket(owner.cookie!);
    const socket = await readyVisitorSocket(inbox.token, visitor);
    try {
      const clientMsgId = randomUUID();
      const started = Date.now();
      socket.sendJson({ type: 'message', content: '你好，我从网页上来的', clientMsgId });
      const ack = await socket.next('ack', (frame) => frame.clientMsgId === clientMsgId);
      expect(ack.message).toMatchObject({ direction: 'inbound', content: '你好，我从网页上来的', clientMsgId });
      const { rows } = await context.database.pool.query('select content, client_msg_id from messages where id = $1', [
        ack.message.id,
      ]);
      expect(rows[0]).toEqual({ content: '你好，我从网页上来的', client_msg_id: clientMsgId });

      const pushed = await agent.next('message.created', (frame) => frame.message.id === ack.message.id, 1000);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(pushed.message).toMatchObject({ direction: 'inbound', senderKind: 'customer', private: false });
    } finally {
      socket.close();
      agent.close();
    }
  });

  it('acknowledges a message sent the moment the socket opens', async () => {
    const { inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    // A widget flushes its outbox as soon as it connects, while the server may still be checking the token.
    // Holding every database connection for a moment makes that check slow, as it is on a busy server.
    const held = await Promise.all(Array.from({ length: 10 }, () => context.database.pool.connect()));
    let socket: Awaited<ReturnType<typeof openSocket>>;
    try {
      socket = await openSocket(visitorUrl(inbox.token, visitor));
      socket.sendJson({ type: 'message', content: '一连上就发', clientMsgId: 'early-1' });
      socket.sendJson({ type: 'message', content: '紧接着第二条', clientMsgId: 'early-2' });
      await pause(300);
    } finally {
      for (const client of held) client.release();
    }
    try {
      await socket.next('ack', (frame) => frame.clientMsgId === 'early-1');
      await socket.next('ack', (frame) => frame.clientMsgId === 'early-2');
      expect(await countRows(context, `from messages where client_msg_id in ('early-1', 'early-2')`)).toBe(2);
    } finally {
      socket.close();
    }
  });

  it('stores messages in the order they were typed', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { visitor, conversationId } = await startConversation(context, inbox.token, '0');
    const socket = await readyVisitorSocket(inbox.token, visitor);
    try {
      for (let i = 1; i <= 8; i++) socket.sendJson({ type: 'message', content: String(i), clientMsgId: `order-${i}` });
      await socket.next('ack', (frame) => frame.clientMsgId === 'order-8');
      const history = (await owner.get(`/api/v1/conversations/${conversationId}/messages`)).json();
      expect(history.items.map((m: { content: string }) => m.content)).toEqual([
        '0',
        '1',
        '2',
        '3',
        '4',
        '5',
        '6',
        '7',
        '8',
      ]);
    } finally {
      socket.close();
    }
  });

  it('pushes an agent reply to the visitor but never a private note', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { visitor, conversationId } = await startConversation(context, inbox.token);
    const agent = await agentSocket(owner.cookie!);
    const socket = await readyVisitorSocket(inbox.token, visitor);
    try {
      await owner.post(`/api/v1/conversations/${conversationId}/messages`, {
        content: '内部：先别回他',
        private: true,
      });
      await agent.next('message.created', (frame) => frame.message.content === '内部：先别回他');
      const reply = (
        await owner.post(`/api/v1/conversations/${conversationId}/messages`, { content: '您好，已为您加急' })
      ).json();
      const pushed = await socket.next('message', (frame) => frame.message.id === reply.id);
      expect(pushed.message).toMatchObject({ direction: 'outbound', senderKind: 'agent', content: '您好，已为您加急' });
      expect(pushed.message).not.toHaveProperty('senderId');
      expect(pushed.message).not.toHaveProperty('private');
      await pause(200);
      expect(JSON.stringify(socket.frames)).not.toContain('内部');
    } finally {
      socket.close();
      agent.close();
    }
  });

  it("does not push one visitor's replies to another visitor", async () => {
    const { owner, inbox } = await createWorkspace(context);
    const alice = await startConversation(context, inbox.token);
    const bob = await startConversation(context, inbox.token);
    const bobSocket = await readyVisitorSocket(inbox.token, bob.visitor);
    const aliceSocket = await readyVisitorSocket(inbox.token, alice.visitor);
    try {
      await owner.post(`/api/v1/conversations/${alice.conversationId}/messages`, { content: '给 Alice 的回复' });
      await aliceSocket.next('message', (frame) => frame.message.content === '给 Alice 的回复');
      await pause(200);
      expect(JSON.stringify(bobSocket.frames)).not.toContain('Alice');
    } finally {
      bobSocket.close();
      aliceSocket.close();
    }
  });

  it('acknowledges a resent clientMsgId with the same stored message', async () => {
    const { inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    const socket = await readyVisitorSocket(inbox.token, visitor);
    try {
      const clientMsgId = randomUUID();
      socket.sendJson({ type: 'message', content: '可能没发出去', clientMsgId });
      const first = await socket.next('ack', (frame) => frame.clientMsgId === clientMsgId);
      socket.sendJson({ type: 'message', content: '可能没发出去', clientMsgId });
      const second = await socket.next('ack', (frame) => frame.clientMsgId === clientMsgId);
      expect(second.message.id).toBe(first.message.id);
      expect(await countRows(context, 'from messages where client_msg_id = $1', [clientMsgId])).toBe(1);

      // A reconnect after a dropped connection resends too.
      const again = await readyVisitorSocket(inbox.token, visitor);
      again.sendJson({ type: 'message', content: '可能没发出去', clientMsgId });
      expect((await again.next('ack', (frame) => frame.clientMsgId === clientMsgId)).message.id).toBe(first.message.id);
      again.close();
      expect(await countRows(context, 'from messages where client_msg_id = $1', [clientMsgId])).toBe(1);
    } finally {
      socket.close();
    }
  });

  it('answers an invalid frame with an error and keeps the socket usable', async () => {
    const { inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    const socket = await readyVisitorSocket(inbox.token, visitor);
    try {
      for (const bad of [
        'not json',
        '{"type":"message"}',
        '{"type":"message","content":"","clientMsgId":"x"}',
        '{"type":"message","content":"缺 id"}',
        `{"type":"message","content":"${'长'.repeat(5001)}","clientMsgId":"long"}`,
        '{"type":"subscribe","topic":"workspace:*"}',
        '[]',
        'null',
      ]) {
        socket.socket.send(bad);
        const error = await socket.next('error');
        expect(error.code).toBe('request.invalid');
      }
      socket.socket.send(Buffer.from('{"type":"ping"}'), { binary: true });
      expect((await socket.next('error')).code).toBe('request.invalid');
      socket.sendJson({ type: 'ping' });
      await socket.next('pong');
      socket.sendJson({ type: 'message', content: '这条是好的', clientMsgId: 'good-after-bad' });
      await socket.next('ack', (frame) => frame.clientMsgId === 'good-after-bad');
      expect(await countRows(context, `from messages where client_msg_id = 'long'`)).toBe(0);
    } finally {
      socket.close();
    }
  });

  it('closes a socket that sends invalid UTF-8 with 1007, and keeps serving others', async () => {
    const { inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    const socket = await readyVisitorSocket(inbox.token, visitor);
    socket.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    const closed = await closedWithin(socket);
    expect(closed.code).toBe(1007);

    const fresh = await readyVisitorSocket(inbox.token, visitor);
    try {
      fresh.sendJson({ type: 'message', content: '重新连上了', clientMsgId: 'after-1007' });
      await fresh.next('ack', (frame) => frame.clientMsgId === 'after-1007');
    } finally {
      fresh.close();
    }
    expect((await fetch(`${http}/healthz`)).status).toBe(200);
  });

  it('closes a socket whose visitor token is wrong with 4401, storing nothing', async () => {
    const { inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    const socket = await openSocket(visitorUrl(inbox.token, { sourceId: visitor.sourceId, visitorToken: 'guessed' }));
    socket.sendJson({ type: 'message', content: '冒充的', clientMsgId: 'impostor' });
    const closed = await socket.closed;
    expect(closed.code).toBe(4401);
    expect(socket.frames.some((frame) => frame.type === 'error')).toBe(true);
    expect(socket.frames.some((frame) => frame.type === 'ack')).toBe(false);
    expect(await countRows(context, `from messages where client_msg_id = 'impostor'`)).toBe(0);
  });

  it('closes a socket for an unknown inbox with 4401', async () => {
    const { inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    const socket = await openSocket(visitorUrl('no-such-inbox', visitor));
    expect((await socket.closed).code).toBe(4401);
  });

  it('refuses the upgrade when the source id or token is missing', async () => {
    const { inbox } = await createWorkspace(context);
    expect(await socketRefusal(`${ws}/public/v1/inboxes/${inbox.token}/ws`)).toBe(400);
    expect(await socketRefusal(`${ws}/public/v1/inboxes/${inbox.token}/ws?sourceId=v_x`)).toBe(400);
    expect(await socketRefusal(`${ws}/public/v1/inboxes/${inbox.token}/ws?sourceId=bad%20id&token=x`)).toBe(400);
  });
});

describe('the LISTEN connection', () => {
  it('takes PostgreSQL ending it (57P01, as at shutdown) as expected: logs no error and listens again', async () => {
    const lines: string[] = [];
    const { url, drop } = await createTestDatabase();
    const own = await startApp(url, { logLevel: 'info', logStream: { write: (line) => lines.push(line) } });
    try {
      const workspaceId = (await createWorkspace(own)).owner.workspaceId!;
      const received: unknown[] = [];
      own.realtime.subscribe(topics.internal('test'), (frame) => received.push(frame));
      const terminated = await own.database.pool.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
          where application_name = 'huike-realtime' and datname = current_database()`,
      );
      expect(terminated.rowCount).toBe(1);

      // Listening again within about a second: a broadcast made after that arrives.
      const deadline = Date.now() + 10_000;
      while (received.length === 0) {
        if (Date.now() > deadline) throw new Error('the LISTEN connection did not come back');
        await own.realtime.broadcast(workspaceId, { topic: topics.internal('test'), frame: { n: 1 } });
        await pause(200);
      }
      expect(received[0]).toEqual({ n: 1 });

      const entries = lines.map((line) => JSON.parse(line) as { level: number; msg: string; code?: string });
      expect(entries.filter((entry) => entry.level >= 50)).toEqual([]);
      expect(entries).toContainEqual(
        expect.objectContaining({
          level: 30,
          code: '57P01',
          msg: 'realtime: the database closed the LISTEN connection',
        }),
      );
    } finally {
      await own.app.close();
      await own.database.close();
      await drop();
    }
  });
});
