import { agentSocketCloseCodes } from '@huike/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedWithin,
  createTestDatabase,
  createVisitor,
  createWorkspace,
  listen,
  login,
  openSocket,
  PASSWORD,
  pause,
  startApp,
  type TestContext,
  untilVisitorSocketReady,
} from './harness.ts';

/*
 * Two app processes behind a load balancer share one PostgreSQL and nothing else: a visitor's socket may sit
 * on one node while the agent's sits on another. Realtime fan-out goes through LISTEN/NOTIFY, so both see
 * everything. Here two app instances on one database stand in for the two nodes.
 */

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let nodeA: TestContext;
let nodeB: TestContext;
let urlA: { http: string; ws: string };
let urlB: { http: string; ws: string };

beforeAll(async () => {
  database = await createTestDatabase();
  nodeA = await startApp(database.url);
  nodeB = await startApp(database.url);
  urlA = await listen(nodeA);
  urlB = await listen(nodeB);
});

afterAll(async () => {
  for (const node of [nodeA, nodeB]) {
    await node?.app.close();
    await node?.database.close();
  }
  await database?.drop();
});

async function setUp() {
  const workspace = await createWorkspace(nodeA);
  const ownerOnB = await login(nodeB, workspace.ownerEmail, PASSWORD);
  const visitor = await createVisitor(nodeA, workspace.inbox.token);
  const visitorSocket = await openSocket(
    `${urlA.ws}/public/v1/inboxes/${workspace.inbox.token}/ws?sourceId=${visitor.sourceId}&token=${visitor.visitorToken}`,
  );
  await untilVisitorSocketReady(visitorSocket);
  const agentSocket = await openSocket(`${urlB.ws}/api/v1/realtime`, { cookie: ownerOnB.cookie! });
  return { ...workspace, ownerOnB, visitor, visitorSocket, agentSocket };
}

describe('two app processes on one database', () => {
  it('delivers a visitor message on node A to an agent on node B, and the reply posted to B back to the visitor on A', async () => {
    const { ownerOnB, visitorSocket, agentSocket } = await setUp();
    try {
      visitorSocket.sendJson({ type: 'message', content: '我在 A 节点上', clientMsgId: 'two-nodes-1' });
      const ack = await visitorSocket.next('ack', (frame) => frame.clientMsgId === 'two-nodes-1');
      const seenOnB = await agentSocket.next('message.created', (frame) => frame.message.id === ack.message.id);
      expect(seenOnB.message).toMatchObject({ content: '我在 A 节点上', direction: 'inbound' });

      const reply = await ownerOnB.post(`/api/v1/conversations/${seenOnB.message.conversationId}/messages`, {
        content: '客服在 B 节点回复',
      });
      expect(reply.statusCode).toBe(201);
      const seenOnA = await visitorSocket.next('message', (frame) => frame.message.id === reply.json().id);
      expect(seenOnA.message).toMatchObject({
        content: '客服在 B 节点回复',
        direction: 'outbound',
        senderKind: 'agent',
      });
    } finally {
      visitorSocket.close();
      agentSocket.close();
    }
  });

  it('delivers each frame once, not once per node', async () => {
    const { ownerOnB, visitorSocket, agentSocket } = await setUp();
    try {
      visitorSocket.sendJson({ type: 'message', content: '只该收到一次', clientMsgId: 'two-nodes-once' });
      const ack = await visitorSocket.next('ack', (frame) => frame.clientMsgId === 'two-nodes-once');
      await agentSocket.next('message.created', (frame) => frame.message.id === ack.message.id);
      const conversationId = await conversationOf(ack.message.id);
      const reply = (
        await ownerOnB.post(`/api/v1/conversations/${conversationId}/messages`, { content: '回复也只一次' })
      ).json();
      await visitorSocket.next('message', (frame) => frame.message.id === reply.id);
      await pause(300);
      expect(
        agentSocket.frames.filter((f) => f.type === 'message.created' && f.message.id === ack.message.id),
      ).toHaveLength(1);
      expect(visitorSocket.frames.filter((f) => f.type === 'message' && f.message.id === reply.id)).toHaveLength(1);
    } finally {
      visitorSocket.close();
      agentSocket.close();
    }
  });

  it('delivers a message too long for one NOTIFY across nodes', async () => {
    const { ownerOnB, visitorSocket, agentSocket } = await setUp();
    try {
      const long = `长消息${'很'.repeat(4990)}`;
      visitorSocket.sendJson({ type: 'message', content: long, clientMsgId: 'two-nodes-long' });
      const ack = await visitorSocket.next('ack', (frame) => frame.clientMsgId === 'two-nodes-long');
      const seenOnB = await agentSocket.next('message.created', (frame) => frame.message.id === ack.message.id);
      expect(seenOnB.message.content).toBe(long);
      const reply = (
        await ownerOnB.post(`/api/v1/conversations/${seenOnB.message.conversationId}/messages`, { content: long })
      ).json();
      const seenOnA = await visitorSocket.next('message', (frame) => frame.message.id === reply.id);
      expect(seenOnA.message.content).toBe(long);
    } finally {
      visitorSocket.close();
      agentSocket.close();
    }
  });

  it('keeps a private note written on node B away from the visitor on node A', async () => {
    const { ownerOnB, visitorSocket, agentSocket } = await setUp();
    try {
      visitorSocket.sendJson({ type: 'message', content: '在吗', clientMsgId: 'two-nodes-note' });
      const ack = await visitorSocket.next('ack', (frame) => frame.clientMsgId === 'two-nodes-note');
      const conversationId = await conversationOf(ack.message.id);
      await ownerOnB.post(`/api/v1/conversations/${conversationId}/messages`, {
        content: '内部备注：大客户',
        private: true,
      });
      const reply = (
        await ownerOnB.post(`/api/v1/conversations/${conversationId}/messages`, { content: '在的' })
      ).json();
      await visitorSocket.next('message', (frame) => frame.message.id === reply.id);
      await pause(200);
      expect(JSON.stringify(visitorSocket.frames)).not.toContain('内部备注');
    } finally {
      visitorSocket.close();
      agentSocket.close();
    }
  });

  it('closes a disabled agent’s socket on whichever node holds it', async () => {
    const { owner, addUser } = await createWorkspace(nodeA);
    const agent = await addUser('agent');
    const agentOnB = await login(nodeB, (await emailOf(agent.userId!)) as string, PASSWORD);
    const socket = await openSocket(`${urlB.ws}/api/v1/realtime`, { cookie: agentOnB.cookie! });
    await owner.patch(`/api/v1/users/${agent.userId}`, { disabled: true });
    const closed = await closedWithin(socket);
    expect(closed.code).toBe(4403);
  });

  it('closes the sockets of the sessions a password change ended on whichever node holds them', async () => {
    const { addUser } = await createWorkspace(nodeA);
    const agent = await addUser('agent');
    const email = (await emailOf(agent.userId!)) as string;
    const otherOnB = await login(nodeB, email, PASSWORD);
    const otherSocket = await openSocket(`${urlB.ws}/api/v1/realtime`, { cookie: otherOnB.cookie! });
    const mineOnB = await openSocket(`${urlB.ws}/api/v1/realtime`, { cookie: agent.cookie! });
    try {
      const changed = await agent.post('/api/v1/auth/password', {
        currentPassword: PASSWORD,
        newPassword: 'battery-staple-2',
      });
      expect(changed.statusCode, changed.body).toBe(204);
      const closed = await closedWithin(otherSocket);
      expect(closed.code).toBe(agentSocketCloseCodes.passwordChanged);
      expect(mineOnB.socket.readyState).toBe(mineOnB.socket.OPEN);
    } finally {
      otherSocket.close();
      mineOnB.close();
    }
  });
});

async function conversationOf(messageId: string): Promise<string> {
  const { rows } = await nodeA.database.pool.query<{ conversation_id: string }>(
    'select conversation_id from messages where id = $1',
    [messageId],
  );
  return rows[0]!.conversation_id;
}

async function emailOf(userId: string): Promise<string | undefined> {
  const { rows } = await nodeA.database.pool.query<{ email: string }>('select email from users where id = $1', [
    userId,
  ]);
  return rows[0]?.email;
}
