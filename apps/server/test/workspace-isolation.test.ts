import Fastify, { type LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type Client,
  clientFor,
  countRows,
  createTestApp,
  createVisitor,
  createWorkspace,
  hmacHex,
  listen,
  listRoutes,
  openSocket,
  pause,
  readBack,
  sendSigned,
  startConversation,
} from './harness.ts';
import { multipartFile, TINY_PNG, uploadAttachment } from './multipart.ts';
import { signedPush, textPush, verificationQuery, type WechatAccount } from './wechat-stand-in.ts';

/*
 * The issue: "a request for another workspace's conversation, customer or message answers 404 — a test that
 * walks the route table and fails when a new route has no such check". Every route the app registers must
 * appear below, either with a check run by workspace B's owner against workspace A's ids, or in the short
 * list of routes that hold no workspace data, with the reason.
 */

const context = await createTestApp();

type Fixture = Awaited<ReturnType<typeof buildFixture>>;
type Check = (f: Fixture) => Promise<void>;

async function buildFixture() {
  const a = await createWorkspace(context, '甲店');
  const aAgent = await a.addUser('agent', '甲店客服');
  const aTeam = (await a.owner.post('/api/v1/teams', { name: '甲店售后', memberIds: [aAgent.userId] })).json();
  const aChat = await startConversation(context, a.inbox.token, '甲店顾客的秘密问题');
  await a.owner.patch(`/api/v1/customers/${aChat.customerId}`, { name: '甲店顾客', phone: '13800001111' });
  await a.owner.post(`/api/v1/conversations/${aChat.conversationId}/messages`, {
    content: '甲店的内部备注',
    private: true,
  });
  const aMessageId = (
    await context.database.pool.query<{ id: string }>('select id from messages where conversation_id = $1 limit 1', [
      aChat.conversationId,
    ])
  ).rows[0]!.id;

  const b = await createWorkspace(context, '乙店');
  const bChat = await startConversation(context, b.inbox.token, '乙店顾客的问题');
  return { a, aAgent, aTeam, aChat, aMessageId, b, bChat };
}

/**
 * A WeChat inbox in each workspace (safe mode, the same AppID), written directly: connecting one through the API
 * would ask WeChat (or a stand-in) for a token. Stored secrets in plaintext are read as they are.
 */
let wechatWork: Promise<{ aAccount: WechatAccount; bInbox: { token: string } }> | undefined;
function wechatWorkOf(f: Fixture) {
  wechatWork ??= (async () => {
    const encodingAesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
    const insert = async (workspaceId: string, token: string, wechatToken: string) => {
      const config = { appId: 'wx5823bf96d3bd56c7', appSecret: 'x', token: wechatToken, encodingAesKey, mode: 'safe' };
      await context.database.pool.query(
        `insert into inboxes (id, workspace_id, name, channel_type, token, secret, settings, channel_config)
         values (gen_random_uuid(), $1, '公众号', 'wechat', $2, 'unused-secret', $3, $4)`,
        [workspaceId, token, { color: '#07c160', greeting: '' }, config],
      );
    };
    await insert(f.a.owner.workspaceId!, `wx-a-${Date.now()}`, 'tokenOfA');
    const bToken = `wx-b-${Date.now()}`;
    await insert(f.b.owner.workspaceId!, bToken, 'tokenOfB');
    return {
      aAccount: { appId: 'wx5823bf96d3bd56c7', token: 'tokenOfA', encodingAesKey, mode: 'safe' as const },
      bInbox: { token: bToken },
    };
  })();
  return wechatWork;
}

/** A job, a file and an audit entry of workspace A, made once on first use. */
let backgroundWork: Promise<{ job: { id: string }; file: { id: string } }> | undefined;
function backgroundWorkOf(f: Fixture) {
  backgroundWork ??= (async () => {
    context.jobs.define({ kind: 'test.isolation_probe', payload: z.object({}), run: async () => ({}) });
    const workspaceId = f.a.owner.workspaceId!;
    const createdBy = f.a.owner.userId!;
    const job = await context.jobs.enqueue(context.database.db, {
      workspaceId,
      kind: 'test.isolation_probe',
      payload: {},
      createdBy,
    });
    const file = await context.files.save(context.database.db, {
      workspaceId,
      createdBy,
      name: '甲店导出.csv',
      contentType: 'text/csv; charset=utf-8',
      data: Buffer.from('甲店顾客,13800001111'),
    });
    await context.services.audit.record(context.database.db, {
      workspaceId,
      actorId: createdBy,
      action: 'test.isolation_probe',
    });
    return { job, file };
  })();
  return backgroundWork;
}

/** A custom field, a duplicate pair, a stale profile and a merge of workspace A, made once on first use. */
let customerWork:
  | Promise<{ field: { id: string; key: string }; duplicate: string; stale: string; mergeId: string }>
  | undefined;
function customerWorkOf(f: Fixture) {
  customerWork ??= (async () => {
    const workspaceId = f.a.owner.workspaceId!;
    const field = (
      await f.a.owner.post('/api/v1/customer-fields', { key: 'vip_level', label: '会员等级', type: 'text' })
    ).json();
    const insert = async (name: string, phone: string) => {
      const { id } = (
        await context.database.pool.query<{ id: string }>(
          `insert into customers (id, workspace_id, name, phone, created_at)
           values (gen_random_uuid(), $1, $2, $3, now() - interval '100 days') returning id`,
          [workspaceId, name, phone],
        )
      ).rows[0]!;
      return id;
    };
    const duplicate = await insert('甲店重复客户', '13900002222');
    await insert('甲店重复客户二', '13900002222');
    const survivor = await insert('甲店合并客户', '13900003333');
    const other = await insert('甲店被合并客户', '13900004444');
    const merged = await f.a.owner.post(`/api/v1/customers/${survivor}/merge`, { otherId: other });
    if (merged.statusCode !== 200) throw new Error(merged.body);
    return { field, duplicate, stale: duplicate, mergeId: merged.json().mergeId as string };
  })();
  return customerWork;
}

/** A tag group, a tag on A's customer and a segment of workspace A, and one of B's tags, made once on first use. */
let tagWork:
  | Promise<{ aGroup: { id: string; name: string }; aTag: { id: string }; aSegment: { id: string }; bTag: string }>
  | undefined;
function tagWorkOf(f: Fixture) {
  tagWork ??= (async () => {
    const aGroup = (await f.a.owner.post('/api/v1/tag-groups', { name: '甲店标签组' })).json();
    const aTag = (await f.a.owner.post('/api/v1/tags', { groupId: aGroup.id, name: '甲店标签' })).json();
    const tagged = await f.a.owner.request({
      method: 'PUT',
      url: `/api/v1/customers/${f.aChat.customerId}/tags`,
      payload: { add: [aTag.id] },
    });
    if (tagged.statusCode !== 200) throw new Error(tagged.body);
    const filter = { op: 'and', conditions: [{ field: 'tags', op: 'has_any', value: [aTag.id] }] };
    const aSegment = (await f.a.owner.post('/api/v1/segments', { name: '甲店分组', filter })).json();
    const bTag = (await f.b.owner.get('/api/v1/tags')).json().items[0].id as string;
    return { aGroup, aTag, aSegment, bTag };
  })();
  return tagWork;
}

/** Workspace A's own calendar days (店庆, 团建) and one national day A deleted, made once on first use. */
let holidayWork: Promise<void> | undefined;
function holidayWorkOf(f: Fixture) {
  holidayWork ??= (async () => {
    for (const [date, name] of [
      ['2026-11-13', '甲店店庆'],
      ['2026-11-14', '甲店团建'],
    ]) {
      const saved = await f.a.owner.request({
        method: 'PUT',
        url: `/api/v1/holidays/${date}`,
        payload: { kind: 'holiday', name },
      });
      if (saved.statusCode !== 200) throw new Error(saved.body);
    }
    await f.a.owner.request({ method: 'DELETE', url: '/api/v1/holidays/2026-10-02' });
  })();
  return holidayWork;
}

let fixture: Fixture;
beforeAll(async () => {
  fixture = await buildFixture();
});

/** An import uploaded by workspace A, made once on first use. */
let importA: Promise<{ importId: string }> | undefined;
const importOfA = (f: Fixture) =>
  (importA ??= f.a.owner
    .request({
      method: 'POST',
      url: '/api/v1/imports?kind=customers&filename=a.csv',
      headers: { 'content-type': 'text/csv' },
      payload: '手机号\r\n13800002222\r\n',
    })
    .then((response) => response.json() as { importId: string }));

function expectNotFound(response: LightMyRequestResponse, code: string) {
  expect(response.statusCode, response.body).toBe(404);
  expect(response.json().error.code).toBe(code);
  for (const secret of [
    '甲店顾客',
    '秘密问题',
    '内部备注',
    '13800001111',
    fixture.a.inbox.secret,
    fixture.a.inbox.token,
  ]) {
    expect(response.body).not.toContain(secret);
  }
}

const rowOf = async (table: string, id: string) =>
  (await context.database.pool.query(`select * from ${table} where id = $1`, [id])).rows[0];

/** Runs a write as B against A's row and checks the answer is 404 and the row is untouched. */
async function expectUntouched(
  table: string,
  id: string,
  attempt: () => Promise<LightMyRequestResponse>,
  code: string,
) {
  const before = await rowOf(table, id);
  expectNotFound(await attempt(), code);
  expect(await rowOf(table, id)).toEqual(before);
}

const listIds = async (client: Client, url: string) =>
  ((await client.get(url)).json().items as { id: string }[]).map((item) => item.id);

/** A's order for A's customer (an idempotent upsert: every call answers the same order). */
async function orderOfA(f: Fixture) {
  const response = await f.a.owner.post('/api/v1/orders', {
    platform: 'taobao',
    orderNo: 'A-ORDER-1',
    status: 'paid',
    amountFen: 8_800,
    trackingNo: 'SF-A-0001',
    customer: { customerId: f.aChat.customerId },
  });
  return response.json().order as { id: string; customerId: string; amountFen: number };
}

/** A workspace template of A in A's segment's 话术 set, used once by A's owner, made once on first use. */
let templateWork: Promise<{ aTemplate: { id: string } }> | undefined;
function templateWorkOf(f: Fixture) {
  templateWork ??= (async () => {
    const { aSegment } = await tagWorkOf(f);
    const created = await f.a.owner.post('/api/v1/templates', {
      scope: 'workspace',
      category: '甲店分类',
      title: '甲店话术',
      content: '{{customer.name}}您好，甲店的秘密话术',
      segmentIds: [aSegment.id],
    });
    if (created.statusCode !== 201) throw new Error(created.body);
    const aTemplate = created.json() as { id: string };
    await f.a.owner.post(`/api/v1/templates/${aTemplate.id}/render`, { conversationId: f.aChat.conversationId });
    return { aTemplate };
  })();
  return templateWork;
}

/** A resolved conversation of A with an answered CSAT survey and A's own survey question, made once on first use. */
let surveyWork: Promise<{ aResolved: string }> | undefined;
function surveyWorkOf(f: Fixture) {
  surveyWork ??= (async () => {
    const settings = (await f.a.owner.get('/api/v1/surveys/settings')).json();
    await f.a.owner.request({
      method: 'PUT',
      url: '/api/v1/surveys/settings',
      payload: { ...settings, csatQuestion: '甲店问题？' },
    });
    const chat = await startConversation(context, f.a.inbox.token, '甲店顾客想评价');
    await f.a.owner.post(`/api/v1/conversations/${chat.conversationId}/assign`, { assigneeId: f.aAgent.userId });
    await f.a.owner.post(`/api/v1/conversations/${chat.conversationId}/status`, { status: 'resolved' });
    let token: string | undefined;
    for (let attempt = 0; attempt < 100 && !token; attempt++) {
      await pause(30);
      token = (
        await context.database.pool.query<{ token: string }>('select token from surveys where conversation_id = $1', [
          chat.conversationId,
        ])
      ).rows[0]?.token;
    }
    const answered = await context.app.inject({
      method: 'POST',
      url: `/public/v1/surveys/${token}/responses`,
      payload: { score: 5, comment: '甲店评价' },
    });
    if (answered.statusCode !== 201) throw new Error(answered.body);
    return { aResolved: chat.conversationId };
  })();
  return surveyWork;
}

/** A keyword auto-reply rule of A, made once on first use. */
let keywordReplyWork: Promise<{ aKeywordRule: { id: string } }> | undefined;
function keywordReplyWorkOf(f: Fixture) {
  keywordReplyWork ??= (async () => {
    const created = await f.a.owner.post('/api/v1/keyword-replies', {
      name: '甲店自动回复',
      keywords: ['甲店关键词'],
      replyText: '甲店的秘密回复',
    });
    if (created.statusCode !== 201) throw new Error(created.body);
    return { aKeywordRule: created.json() as { id: string } };
  })();
  return keywordReplyWork;
}

/** A supervisor alert of A (stored directly: a spike needs many messages), made once on first use. */
let alertWork: Promise<{ aAlertId: string }> | undefined;
function alertWorkOf(f: Fixture) {
  alertWork ??= (async () => {
    const aAlertId = '0190a000-0000-7000-8000-00000000a1e7';
    await context.database.pool.query(
      `insert into alerts (id, workspace_id, kind, details) values ($1, $2, 'urgent_spike', '{"windowMinutes":10,"inbound":5,"urgent":5,"negative":5,"negativeRate":1,"baselineNegativeRate":null,"conversationIds":[]}')`,
      [aAlertId, f.a.owner.workspaceId],
    );
    return { aAlertId };
  })();
  return alertWork;
}

/** A routing rule of A, A's agent set online, and A's routing log entry, made once on first use. */
let routingWork: Promise<{ aRule: { id: string } }> | undefined;
function routingWorkOf(f: Fixture) {
  routingWork ??= (async () => {
    const aRule = (
      await f.a.owner.post('/api/v1/routing/rules', {
        name: '甲店路由',
        conditions: { keywords: ['甲店'] },
        teamId: f.aTeam.id,
        requiredSkill: null,
      })
    ).json();
    await f.a.owner.patch(`/api/v1/routing/agents/${f.aAgent.userId}`, { capacity: 5, skills: ['物流'] });
    await f.aAgent.post('/api/v1/routing/me/presence', { presence: 'online' });
    return { aRule };
  })();
  return routingWork;
}

/** An enabled rule of A that already ran once on A's conversation, made once on first use. */
let automationWork: Promise<{ aRule: { id: string } }> | undefined;
function automationWorkOf(f: Fixture) {
  automationWork ??= (async () => {
    const { aTag } = await tagWorkOf(f);
    const created = await f.a.owner.post('/api/v1/automation/rules', {
      name: '甲店规则',
      enabled: true,
      trigger: { type: 'conversation.tag_added' },
      actions: [{ type: 'add_tag', target: 'customer', tagId: aTag.id }],
    });
    if (created.statusCode !== 201) throw new Error(created.body);
    const aRule = created.json() as { id: string };
    await f.a.owner.request({
      method: 'PUT',
      url: `/api/v1/conversations/${f.aChat.conversationId}/tags`,
      payload: { add: [aTag.id] },
    });
    const runs = () => countRows(context, 'from automation_runs where rule_id = $1', [aRule.id]);
    for (let i = 0; i < 50 && (await runs()) === 0; i++) await pause(20);
    return { aRule };
  })();
  return automationWork;
}

/** A ticket of A (with A's order, a comment and a watcher), a custom category, a personal view and an SLA policy. */
let ticketWork:
  | Promise<{ aTicket: { id: string }; aCategory: { id: string }; aView: { id: string }; aPolicy: { id: string } }>
  | undefined;
function ticketWorkOf(f: Fixture) {
  ticketWork ??= (async () => {
    const made = async (response: Promise<LightMyRequestResponse>) => {
      const answer = await response;
      if (answer.statusCode >= 300) throw new Error(answer.body);
      return answer.json() as { id: string };
    };
    const aTicket = await made(
      f.a.owner.post('/api/v1/tickets', {
        subject: '甲店顾客的秘密问题',
        conversationId: f.aChat.conversationId,
        watcherIds: [f.aAgent.userId],
      }),
    );
    await f.a.owner.post(`/api/v1/tickets/${aTicket.id}/comments`, { body: '甲店的内部备注' });
    const aCategory = await made(f.a.owner.post('/api/v1/ticket-categories', { name: '甲店分类', key: 'a_shop' }));
    const aView = await made(f.a.owner.post('/api/v1/ticket-views', { name: '甲店视图', filters: {}, isShared: true }));
    const aPolicy = await made(
      f.a.owner.post('/api/v1/sla-policies', { name: '甲店策略', targets: { first_response: 60 } }),
    );
    return { aTicket, aCategory, aView, aPolicy };
  })();
  return ticketWork;
}

/** A's published article (甲店秘密问题) in A's category, and A's bot on, made once on first use. */
let knowledgeWork: Promise<{ aArticle: { id: string }; aCategory: { id: string } }> | undefined;
function knowledgeWorkOf(f: Fixture) {
  knowledgeWork ??= (async () => {
    const aCategory = (await f.a.owner.post('/api/v1/knowledge/categories', { name: '甲店分类' })).json();
    const aArticle = (
      await f.a.owner.post('/api/v1/knowledge/articles', {
        title: '甲店秘密问题',
        body: '<p>甲店内部答案</p>',
        questions: ['甲店暗号'],
        status: 'published',
        categoryId: aCategory.id,
      })
    ).json();
    await f.a.owner.request({
      method: 'PUT',
      url: `/api/v1/knowledge/bot/settings/${f.a.inbox.id}`,
      payload: { enabled: true, threshold: 0.6, greeting: '甲店欢迎语', quickQuestions: ['甲店暗号'] },
    });
    return { aArticle, aCategory };
  })();
  return knowledgeWork;
}

const isolationChecks: Record<string, Check> = {
  'GET /api/v1/tickets': async (f) => {
    const { aTicket } = await ticketWorkOf(f);
    expect(await listIds(f.b.owner, '/api/v1/tickets?limit=100')).not.toContain(aTicket.id);
    expect(await listIds(f.b.owner, `/api/v1/tickets?customerId=${f.aChat.customerId}`)).toEqual([]);
    expect(await listIds(f.a.owner, '/api/v1/tickets?limit=100')).toContain(aTicket.id);
  },
  'POST /api/v1/tickets': async (f) => {
    const refused = await f.b.owner.post('/api/v1/tickets', {
      subject: '借用',
      conversationId: f.aChat.conversationId,
    });
    expectNotFound(refused, 'conversation.not_found');
    expectNotFound(
      await f.b.owner.post('/api/v1/tickets', { subject: '借用', customerId: f.aChat.customerId }),
      'customer.not_found',
    );
    const aOrder = await orderOfA(f);
    expectNotFound(
      await f.b.owner.post('/api/v1/tickets', { subject: '借用', orderIds: [aOrder.id] }),
      'order.not_found',
    );
    expect(await countRows(context, 'from tickets where subject = $1', ['借用'])).toBe(0);
  },
  'POST /api/v1/tickets/bulk': async (f) => {
    const { aTicket } = await ticketWorkOf(f);
    await expectUntouched(
      'tickets',
      aTicket.id,
      () => f.b.owner.post('/api/v1/tickets/bulk', { ids: [aTicket.id], changes: { severity: 'urgent' } }),
      'ticket.not_found',
    );
    const dry = await f.b.owner.post('/api/v1/tickets/bulk', {
      filter: { customerId: f.aChat.customerId },
      changes: { severity: 'urgent' },
      dryRun: true,
    });
    expect(dry.json().matched).toBe(0);
  },
  'GET /api/v1/tickets/:id': async (f) => {
    const { aTicket } = await ticketWorkOf(f);
    expectNotFound(await f.b.owner.get(`/api/v1/tickets/${aTicket.id}`), 'ticket.not_found');
  },
  'PATCH /api/v1/tickets/:id': async (f) => {
    const { aTicket } = await ticketWorkOf(f);
    await expectUntouched(
      'tickets',
      aTicket.id,
      () => f.b.owner.patch(`/api/v1/tickets/${aTicket.id}`, { subject: '改了' }),
      'ticket.not_found',
    );
  },
  'GET /api/v1/tickets/:id/timeline': async (f) => {
    const { aTicket } = await ticketWorkOf(f);
    expectNotFound(await f.b.owner.get(`/api/v1/tickets/${aTicket.id}/timeline`), 'ticket.not_found');
  },
  'POST /api/v1/tickets/:id/comments': async (f) => {
    const { aTicket } = await ticketWorkOf(f);
    await expectUntouched(
      'tickets',
      aTicket.id,
      () => f.b.owner.post(`/api/v1/tickets/${aTicket.id}/comments`, { body: '乙店' }),
      'ticket.not_found',
    );
  },
  'POST /api/v1/tickets/:id/merge': async (f) => {
    const { aTicket } = await ticketWorkOf(f);
    const bTicket = (await f.b.owner.post('/api/v1/tickets', { subject: '乙店工单' })).json();
    await expectUntouched(
      'tickets',
      aTicket.id,
      () => f.b.owner.post(`/api/v1/tickets/${bTicket.id}/merge`, { targetId: aTicket.id }),
      'ticket.not_found',
    );
    expectNotFound(
      await f.b.owner.post(`/api/v1/tickets/${aTicket.id}/merge`, { targetId: bTicket.id }),
      'ticket.not_found',
    );
  },
  'GET /api/v1/ticket-categories': async (f) => {
    const { aCategory } = await ticketWorkOf(f);
    expect(await listIds(f.b.owner, '/api/v1/ticket-categories')).not.toContain(aCategory.id);
  },
  'POST /api/v1/ticket-categories': async (f) => {
    await ticketWorkOf(f);
    // Keys are per workspace: B may use the same key as A.
    expect((await f.b.owner.post('/api/v1/ticket-categories', { name: '乙店分类', key: 'a_shop' })).statusCode).toBe(
      201,
    );
  },
  'PATCH /api/v1/ticket-categories/:id': async (f) => {
    const { aCategory } = await ticketWorkOf(f);
    await expectUntouched(
      'ticket_categories',
      aCategory.id,
      () => f.b.owner.patch(`/api/v1/ticket-categories/${aCategory.id}`, { name: '改' }),
      'ticket_category.not_found',
    );
  },
  'DELETE /api/v1/ticket-categories/:id': async (f) => {
    const { aCategory } = await ticketWorkOf(f);
    await expectUntouched(
      'ticket_categories',
      aCategory.id,
      () => f.b.owner.request({ method: 'DELETE', url: `/api/v1/ticket-categories/${aCategory.id}` }),
      'ticket_category.not_found',
    );
  },
  'GET /api/v1/ticket-views': async (f) => {
    const { aView } = await ticketWorkOf(f);
    expect(await listIds(f.b.owner, '/api/v1/ticket-views')).not.toContain(aView.id);
  },
  'POST /api/v1/ticket-views': async (f) => {
    const created = await f.b.owner.post('/api/v1/ticket-views', { name: '乙店视图', filters: {} });
    expect(created.statusCode).toBe(201);
    expect(await listIds(f.a.owner, '/api/v1/ticket-views')).not.toContain(created.json().id);
  },
  'PATCH /api/v1/ticket-views/:id': async (f) => {
    const { aView } = await ticketWorkOf(f);
    await expectUntouched(
      'ticket_views',
      aView.id,
      () => f.b.owner.patch(`/api/v1/ticket-views/${aView.id}`, { name: '改' }),
      'ticket_view.not_found',
    );
  },
  'DELETE /api/v1/ticket-views/:id': async (f) => {
    const { aView } = await ticketWorkOf(f);
    await expectUntouched(
      'ticket_views',
      aView.id,
      () => f.b.owner.request({ method: 'DELETE', url: `/api/v1/ticket-views/${aView.id}` }),
      'ticket_view.not_found',
    );
  },
  'GET /api/v1/sla-policies': async (f) => {
    const { aPolicy } = await ticketWorkOf(f);
    expect(await listIds(f.b.owner, '/api/v1/sla-policies')).not.toContain(aPolicy.id);
  },
  'POST /api/v1/sla-policies': async (f) => {
    expectNotFound(
      await f.b.owner.post('/api/v1/sla-policies', {
        name: '借用',
        targets: { escalation: 60 },
        escalation: { teamId: f.aTeam.id },
      }),
      'team.not_found',
    );
  },
  'PATCH /api/v1/sla-policies/:id': async (f) => {
    const { aPolicy } = await ticketWorkOf(f);
    await expectUntouched(
      'sla_policies',
      aPolicy.id,
      () => f.b.owner.patch(`/api/v1/sla-policies/${aPolicy.id}`, { name: '改' }),
      'sla_policy.not_found',
    );
  },
  'DELETE /api/v1/sla-policies/:id': async (f) => {
    const { aPolicy } = await ticketWorkOf(f);
    await expectUntouched(
      'sla_policies',
      aPolicy.id,
      () => f.b.owner.request({ method: 'DELETE', url: `/api/v1/sla-policies/${aPolicy.id}` }),
      'sla_policy.not_found',
    );
  },
  'GET /api/v1/users': async (f) => {
    const seen = await listIds(f.b.owner, '/api/v1/users');
    expect(seen).toContain(f.b.owner.userId);
    expect(seen).not.toContain(f.a.owner.userId);
    expect(seen).not.toContain(f.aAgent.userId);
  },
  'POST /api/v1/users': async (f) => {
    const response = await f.b.owner.post('/api/v1/users', {
      email: 'smuggled@test.huike',
      name: '混进甲店的人',
      role: 'agent',
      password: 'correct-horse-1',
      teamIds: [f.aTeam.id],
    });
    expectNotFound(response, 'team.not_found');
    expect(await countRows(context, `from users where email = 'smuggled@test.huike'`)).toBe(0);
    expect(await countRows(context, 'from team_members where team_id = $1', [f.aTeam.id])).toBe(1);
  },
  'PATCH /api/v1/users/:id': async (f) => {
    await expectUntouched(
      'users',
      f.aAgent.userId!,
      () => f.b.owner.patch(`/api/v1/users/${f.aAgent.userId}`, { name: '被改了', disabled: true }),
      'user.not_found',
    );
    expect((await f.aAgent.get('/api/v1/auth/session')).statusCode).toBe(200);
  },
  'POST /api/v1/users/:id/password': async (f) => {
    await expectUntouched(
      'users',
      f.aAgent.userId!,
      () => f.b.owner.post(`/api/v1/users/${f.aAgent.userId}/password`, { newPassword: 'taken-over-1' }),
      'user.not_found',
    );
    expect((await f.aAgent.get('/api/v1/auth/session')).statusCode).toBe(200);
  },
  'POST /api/v1/auth/password': async (f) => {
    // Changes only the caller's own password and sessions: A's members keep theirs.
    const bAdmin = await f.b.addUser('admin');
    const hashesOfA = () =>
      context.database.pool.query('select id, password_hash from users where workspace_id = $1 order by id', [
        f.a.owner.workspaceId,
      ]);
    const before = (await hashesOfA()).rows;
    const changed = await bAdmin.post('/api/v1/auth/password', {
      currentPassword: 'correct-horse-1',
      newPassword: 'another-horse-2',
    });
    expect(changed.statusCode, changed.body).toBe(204);
    expect((await hashesOfA()).rows).toEqual(before);
    expect((await f.a.owner.get('/api/v1/auth/session')).statusCode).toBe(200);
    expect((await f.aAgent.get('/api/v1/auth/session')).statusCode).toBe(200);
  },
  'GET /api/v1/workspace': async (f) => {
    const seen = (await f.b.owner.get('/api/v1/workspace')).json();
    expect(seen).toMatchObject({ id: f.b.owner.workspaceId, name: '乙店' });
  },
  'PATCH /api/v1/workspace': async (f) => {
    const before = await rowOf('workspaces', f.a.owner.workspaceId!);
    const renamed = await f.b.owner.patch('/api/v1/workspace', { name: '乙店新名', timezone: 'Asia/Urumqi' });
    expect(renamed.json()).toMatchObject({ id: f.b.owner.workspaceId, name: '乙店新名' });
    expect(await rowOf('workspaces', f.a.owner.workspaceId!)).toEqual(before);
    await f.b.owner.patch('/api/v1/workspace', { name: '乙店', timezone: 'Asia/Shanghai' });
  },
  'GET /api/v1/teams': async (f) => {
    expect(await listIds(f.b.owner, '/api/v1/teams')).not.toContain(f.aTeam.id);
  },
  'POST /api/v1/teams': async (f) => {
    const response = await f.b.owner.post('/api/v1/teams', { name: '挖墙脚组', memberIds: [f.aAgent.userId] });
    expectNotFound(response, 'user.not_found');
    expect(await countRows(context, `from teams where name = '挖墙脚组'`)).toBe(0);
  },
  'PATCH /api/v1/teams/:id': async (f) => {
    await expectUntouched(
      'teams',
      f.aTeam.id,
      () => f.b.owner.patch(`/api/v1/teams/${f.aTeam.id}`, { name: '乙店改名', memberIds: [] }),
      'team.not_found',
    );
    expect(await countRows(context, 'from team_members where team_id = $1', [f.aTeam.id])).toBe(1);
    // B's own team cannot take in A's member either.
    const bTeam = (await f.b.owner.post('/api/v1/teams', { name: '乙店售后' })).json();
    expectNotFound(
      await f.b.owner.patch(`/api/v1/teams/${bTeam.id}`, { memberIds: [f.aAgent.userId] }),
      'user.not_found',
    );
    expect(await countRows(context, 'from team_members where team_id = $1', [bTeam.id])).toBe(0);
  },
  'DELETE /api/v1/teams/:id': async (f) => {
    await expectUntouched(
      'teams',
      f.aTeam.id,
      () => f.b.owner.request({ method: 'DELETE', url: `/api/v1/teams/${f.aTeam.id}` }),
      'team.not_found',
    );
    expect(await countRows(context, 'from team_members where team_id = $1', [f.aTeam.id])).toBe(1);
  },
  'POST /api/v1/api-tokens': async (f) => {
    const { token } = (await f.b.owner.post('/api/v1/api-tokens', { name: '乙店脚本' })).json();
    const script = (url: string) =>
      clientFor(context).request({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const inboxes = (await script('/api/v1/inboxes')).json();
    expect(inboxes.items.map((inbox: { id: string }) => inbox.id)).toEqual([f.b.inbox.id]);
    expectNotFound(await script(`/api/v1/conversations/${f.aChat.conversationId}`), 'conversation.not_found');
    expectNotFound(await script(`/api/v1/customers/${f.aChat.customerId}`), 'customer.not_found');
  },
  'GET /api/v1/api-tokens': async (f) => {
    const aToken = (await f.a.owner.post('/api/v1/api-tokens', { name: '甲店脚本' })).json();
    expect(await listIds(f.b.owner, '/api/v1/api-tokens?scope=all')).not.toContain(aToken.id);
  },
  'DELETE /api/v1/api-tokens/:id': async (f) => {
    const aToken = (await f.a.owner.post('/api/v1/api-tokens', { name: '甲店脚本' })).json();
    await expectUntouched(
      'api_tokens',
      aToken.id,
      () => f.b.owner.request({ method: 'DELETE', url: `/api/v1/api-tokens/${aToken.id}` }),
      'api_token.not_found',
    );
  },
  'GET /api/v1/holidays': async (f) => {
    await holidayWorkOf(f);
    const items = (await f.b.owner.get('/api/v1/holidays?year=2026')).json().items as { date: string; name: string }[];
    expect(items.map((d) => d.name)).not.toContain('甲店店庆');
    expect(items.map((d) => d.date)).toContain('2026-10-02');
  },
  'PUT /api/v1/holidays/:date': async (f) => {
    await holidayWorkOf(f);
    const saved = await f.b.owner.request({
      method: 'PUT',
      url: '/api/v1/holidays/2026-11-13',
      payload: { kind: 'workday', name: '乙店加班' },
    });
    expect(saved.statusCode).toBe(200);
    const aDays = (await f.a.owner.get('/api/v1/holidays?year=2026')).json().items;
    expect(aDays).toContainEqual({ date: '2026-11-13', kind: 'holiday', name: '甲店店庆' });
  },
  'DELETE /api/v1/holidays/:date': async (f) => {
    await holidayWorkOf(f);
    expectNotFound(
      await f.b.owner.request({ method: 'DELETE', url: '/api/v1/holidays/2026-11-14' }),
      'holiday.not_found',
    );
    const aDays = (await f.a.owner.get('/api/v1/holidays?year=2026')).json().items;
    expect(aDays).toContainEqual({ date: '2026-11-14', kind: 'holiday', name: '甲店团建' });
  },
  'POST /api/v1/holidays/import-preset': async (f) => {
    await holidayWorkOf(f);
    expect((await f.b.owner.post('/api/v1/holidays/import-preset', { year: 2026 })).statusCode).toBe(200);
    const aDays = (await f.a.owner.get('/api/v1/holidays?year=2026')).json().items as { date: string }[];
    expect(aDays.map((d) => d.date)).not.toContain('2026-10-02');
  },
  'GET /api/v1/inboxes': async (f) => {
    const response = await f.b.owner.get('/api/v1/inboxes');
    expect(response.json().items.map((inbox: { id: string }) => inbox.id)).not.toContain(f.a.inbox.id);
    expect(response.body).not.toContain(f.a.inbox.secret);
  },
  'POST /api/v1/inboxes': async (f) => {
    const created = (await f.b.owner.post('/api/v1/inboxes', { name: '乙店新渠道' })).json();
    expect(await listIds(f.a.owner, '/api/v1/inboxes')).not.toContain(created.id);
    expect(await listIds(f.b.owner, '/api/v1/inboxes')).toContain(created.id);
  },
  'GET /api/v1/inboxes/:id': async (f) => {
    expectNotFound(await f.b.owner.get(`/api/v1/inboxes/${f.a.inbox.id}`), 'inbox.not_found');
    expect((await f.a.owner.get(`/api/v1/inboxes/${f.a.inbox.id}`)).statusCode).toBe(200);
  },
  'PATCH /api/v1/inboxes/:id': async (f) => {
    await expectUntouched(
      'inboxes',
      f.a.inbox.id,
      () => f.b.owner.patch(`/api/v1/inboxes/${f.a.inbox.id}`, { name: '被乙店改名', settings: { color: '#000000' } }),
      'inbox.not_found',
    );
  },
  'GET /api/v1/jobs': async (f) => {
    const { job } = await backgroundWorkOf(f);
    expect(await listIds(f.b.owner, '/api/v1/jobs')).not.toContain(job.id);
    expect(await listIds(f.a.owner, '/api/v1/jobs')).toContain(job.id);
  },
  'GET /api/v1/jobs/:id': async (f) => {
    const { job } = await backgroundWorkOf(f);
    expectNotFound(await f.b.owner.get(`/api/v1/jobs/${job.id}`), 'job.not_found');
  },
  'POST /api/v1/jobs/:id/cancel': async (f) => {
    const { job } = await backgroundWorkOf(f);
    await expectUntouched('jobs', job.id, () => f.b.owner.post(`/api/v1/jobs/${job.id}/cancel`, {}), 'job.not_found');
  },
  'GET /api/v1/files/:id': async (f) => {
    const { file } = await backgroundWorkOf(f);
    expectNotFound(await f.b.owner.get(`/api/v1/files/${file.id}`), 'file.not_found');
    expect((await f.a.owner.get(`/api/v1/files/${file.id}`)).body).toBe('甲店顾客,13800001111');
  },
  'POST /api/v1/attachments': async (f) => {
    const response = await uploadAttachment(f.b.owner, '乙店.png', TINY_PNG, 'image/png');
    expect(response.statusCode).toBe(201);
    const { workspace_id } = (await rowOf('files', response.json().fileId)) as { workspace_id: string };
    expect(workspace_id).toBe(f.b.owner.workspaceId);
  },
  'GET /api/v1/attachments/:id': async (f) => {
    const { fileId } = (await uploadAttachment(f.a.owner, '甲店.png', TINY_PNG)).json();
    expectNotFound(await f.b.owner.get(`/api/v1/attachments/${fileId}`), 'attachment.not_found');
    expect((await f.a.owner.get(`/api/v1/attachments/${fileId}`)).statusCode).toBe(200);
  },
  'GET /public/v1/inboxes/:inboxToken/attachments/:fileId': async (f) => {
    const { fileId } = (await uploadAttachment(f.a.owner, '甲店.png', TINY_PNG)).json();
    await f.a.owner.post(`/api/v1/conversations/${f.aChat.conversationId}/messages`, { attachmentIds: [fileId] });
    const history = (await readBack(context, f.a.inbox.token, f.aChat.visitor)).json();
    const url: string = history.items.at(-1).attachments[0].url;
    expect((await context.app.inject({ method: 'GET', url })).statusCode).toBe(200);
    // The same signed query through B's inbox, and B's inbox signing A's file, are both refused.
    const query = url.slice(url.indexOf('?'));
    const viaB = `/public/v1/inboxes/${f.b.inbox.token}/attachments/${fileId}${query}`;
    expectNotFound(await context.app.inject({ method: 'GET', url: viaB }), 'attachment.not_found');
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const forged = `/public/v1/inboxes/${f.b.inbox.token}/attachments/${fileId}?exp=${exp}&sig=${hmacHex(
      f.b.inbox.secret,
      `attachment.${f.b.inbox.token}.${fileId}.${exp}`,
    )}`;
    expectNotFound(await context.app.inject({ method: 'GET', url: forged }), 'attachment.not_found');
  },
  'POST /api/v1/imports': async (f) => {
    const response = await f.b.owner.request({
      method: 'POST',
      url: '/api/v1/imports?kind=customers&filename=b.csv',
      headers: { 'content-type': 'text/csv' },
      payload: '手机号\r\n13800001111\r\n',
    });
    expect(response.statusCode).toBe(201);
    expect(await countRows(context, 'from imports where workspace_id = $1', [f.a.owner.workspaceId])).toBe(0);
  },
  'GET /api/v1/imports/fields': async (f) => {
    expect((await f.b.owner.get('/api/v1/imports/fields?kind=customers')).statusCode).toBe(200);
  },
  'GET /api/v1/imports/:id': async (f) => {
    const { importId } = await importOfA(f);
    expectNotFound(await f.b.owner.get(`/api/v1/imports/${importId}`), 'import.not_found');
  },
  'POST /api/v1/imports/:id/dry-run': async (f) => {
    const { importId } = await importOfA(f);
    const response = await f.b.owner.post(`/api/v1/imports/${importId}/dry-run`, { mapping: { 手机号: 'phone' } });
    expectNotFound(response, 'import.not_found');
  },
  'POST /api/v1/imports/:id/run': async (f) => {
    const { importId } = await importOfA(f);
    const response = await f.b.owner.post(`/api/v1/imports/${importId}/run`, { mapping: { 手机号: 'phone' } });
    expectNotFound(response, 'import.not_found');
    expect(await countRows(context, 'from jobs where kind = $1', ['imports.run'])).toBe(0);
  },
  'GET /api/v1/exports/fields': async (f) => {
    expect((await f.b.owner.get('/api/v1/exports/fields')).statusCode).toBe(200);
  },
  'POST /api/v1/exports': async (f) => {
    const { aSegment } = await tagWorkOf(f);
    const response = await f.b.owner.post('/api/v1/exports', {
      target: { segmentId: aSegment.id },
      format: 'csv',
      fields: ['name', 'phone'],
    });
    expectNotFound(response, 'segment.not_found');
    expect(await countRows(context, 'from jobs where kind = $1', ['exports.run'])).toBe(0);
  },
  'GET /api/v1/audit-log': async (f) => {
    await backgroundWorkOf(f);
    const entries = (await f.b.owner.get('/api/v1/audit-log')).json().items;
    expect(entries.map((entry: { action: string }) => entry.action)).not.toContain('test.isolation_probe');
  },
  'GET /api/v1/audit-log/verify': async (f) => {
    await backgroundWorkOf(f);
    // B's own entries only (other checks write some for B, e.g. its calendar edits), never A's.
    const own = (await f.b.owner.get('/api/v1/audit-log?limit=100')).json().items.length;
    expect((await f.b.owner.get('/api/v1/audit-log/verify')).json()).toMatchObject({ isIntact: true, checked: own });
  },
  'GET /api/v1/customers': async (f) => {
    const seen = await listIds(f.b.owner, '/api/v1/customers');
    expect(seen).toContain(f.bChat.customerId);
    expect(seen).not.toContain(f.aChat.customerId);
    expect(await listIds(f.b.owner, `/api/v1/customers?q=${encodeURIComponent('甲店顾客')}`)).toEqual([]);
    expect(await listIds(f.b.owner, '/api/v1/customers?q=13800001111')).toEqual([]);
  },
  'GET /api/v1/customers/count': async (f) => {
    const count = async (q: string) =>
      (await f.b.owner.get(`/api/v1/customers/count?q=${encodeURIComponent(q)}`)).json().count;
    expect(await count('甲店顾客')).toBe(0);
    expect(await count('13800001111')).toBe(0);
  },
  'GET /api/v1/customers/:id': async (f) => {
    expectNotFound(await f.b.owner.get(`/api/v1/customers/${f.aChat.customerId}`), 'customer.not_found');
    expect((await f.a.owner.get(`/api/v1/customers/${f.aChat.customerId}`)).statusCode).toBe(200);
  },
  'PATCH /api/v1/customers/:id': async (f) => {
    await expectUntouched(
      'customers',
      f.aChat.customerId,
      () => f.b.owner.patch(`/api/v1/customers/${f.aChat.customerId}`, { name: '乙店改的', notes: 'x' }),
      'customer.not_found',
    );
    // A's current ETag in If-Match changes nothing: B still cannot see the customer (404, not 412).
    const etag = (await f.a.owner.get(`/api/v1/customers/${f.aChat.customerId}`)).headers.etag as string;
    await expectUntouched(
      'customers',
      f.aChat.customerId,
      () =>
        f.b.owner.request({
          method: 'PATCH',
          url: `/api/v1/customers/${f.aChat.customerId}`,
          headers: { 'if-match': etag },
          payload: { notes: 'x' },
        }),
      'customer.not_found',
    );
  },
  'POST /api/v1/customers/:id/anonymize': async (f) => {
    await expectUntouched(
      'customers',
      f.aChat.customerId,
      () => f.b.owner.post(`/api/v1/customers/${f.aChat.customerId}/anonymize`, { reason: '乙店要求删除' }),
      'customer.not_found',
    );
  },
  'POST /api/v1/customers/:id/reveal': async (f) => {
    const response = await f.b.owner.post(`/api/v1/customers/${f.aChat.customerId}/reveal`, { fields: ['phone'] });
    expectNotFound(response, 'customer.not_found');
  },
  'GET /api/v1/customers/:id/identities': async (f) => {
    expectNotFound(await f.b.owner.get(`/api/v1/customers/${f.aChat.customerId}/identities`), 'customer.not_found');
  },
  'GET /api/v1/customers/:id/timeline': async (f) => {
    expectNotFound(await f.b.owner.get(`/api/v1/customers/${f.aChat.customerId}/timeline`), 'customer.not_found');
  },
  'GET /api/v1/customers/:id/duplicates': async (f) => {
    expectNotFound(await f.b.owner.get(`/api/v1/customers/${f.aChat.customerId}/duplicates`), 'customer.not_found');
    // B's own customer with A's customer's phone finds nothing of A.
    await f.b.owner.patch(`/api/v1/customers/${f.bChat.customerId}`, { phone: '13800001111' });
    const own = await f.b.owner.get(`/api/v1/customers/${f.bChat.customerId}/duplicates`);
    expect(own.json().items).toEqual([]);
    await f.b.owner.patch(`/api/v1/customers/${f.bChat.customerId}`, { phone: null });
  },
  'GET /api/v1/customers/duplicates': async (f) => {
    const { duplicate } = await customerWorkOf(f);
    const response = await f.b.owner.get('/api/v1/customers/duplicates');
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain(duplicate);
    expect((await f.a.owner.get('/api/v1/customers/duplicates')).body).toContain(duplicate);
  },
  'GET /api/v1/customers/stale-profiles': async (f) => {
    const { stale } = await customerWorkOf(f);
    expect((await f.b.owner.get('/api/v1/customers/stale-profiles')).body).not.toContain(stale);
    expect((await f.a.owner.get('/api/v1/customers/stale-profiles')).body).toContain(stale);
  },
  'POST /api/v1/customers/:id/merge/preview': async (f) => {
    const url = `/api/v1/customers/${f.bChat.customerId}/merge/preview`;
    expectNotFound(await f.b.owner.post(url, { otherId: f.aChat.customerId }), 'customer.not_found');
    const reverse = `/api/v1/customers/${f.aChat.customerId}/merge/preview`;
    expectNotFound(await f.b.owner.post(reverse, { otherId: f.bChat.customerId }), 'customer.not_found');
  },
  'POST /api/v1/customers/:id/merge': async (f) => {
    await expectUntouched(
      'customers',
      f.aChat.customerId,
      () => f.b.owner.post(`/api/v1/customers/${f.bChat.customerId}/merge`, { otherId: f.aChat.customerId }),
      'customer.not_found',
    );
    expect(await countRows(context, 'from conversations where customer_id = $1', [f.aChat.customerId])).toBe(1);
  },
  'POST /api/v1/customer-merges/:id/undo': async (f) => {
    const { mergeId } = await customerWorkOf(f);
    await expectUntouched(
      'customer_merges',
      mergeId,
      () => f.b.owner.post(`/api/v1/customer-merges/${mergeId}/undo`),
      'customer_merge.not_found',
    );
  },
  'GET /api/v1/customer-fields': async (f) => {
    const { field } = await customerWorkOf(f);
    expect(await listIds(f.b.owner, '/api/v1/customer-fields?includeArchived=true')).not.toContain(field.id);
  },
  'POST /api/v1/customer-fields': async (f) => {
    const { field } = await customerWorkOf(f);
    // The same key is free in B: keys are per workspace.
    const created = await f.b.owner.post('/api/v1/customer-fields', {
      key: field.key,
      label: '乙店字段',
      type: 'text',
    });
    expect(created.statusCode).toBe(201);
    expect(await listIds(f.a.owner, '/api/v1/customer-fields')).not.toContain(created.json().id);
  },
  'PATCH /api/v1/customer-fields/:id': async (f) => {
    const { field } = await customerWorkOf(f);
    await expectUntouched(
      'customer_field_definitions',
      field.id,
      () => f.b.owner.patch(`/api/v1/customer-fields/${field.id}`, { label: '乙店改的', archived: true }),
      'custom_field.not_found',
    );
  },
  'DELETE /api/v1/customer-fields/:id': async (f) => {
    const { field } = await customerWorkOf(f);
    await expectUntouched(
      'customer_field_definitions',
      field.id,
      () => f.b.owner.request({ method: 'DELETE', url: `/api/v1/customer-fields/${field.id}` }),
      'custom_field.not_found',
    );
  },
  'POST /api/v1/orders': async (f) => {
    const aOrder = await orderOfA(f);
    const response = await f.b.owner.post('/api/v1/orders', {
      platform: 'taobao',
      orderNo: 'B-ORDER-1',
      status: 'paid',
      amountFen: 1,
      customer: { customerId: f.aChat.customerId },
    });
    expectNotFound(response, 'customer.not_found');
    expect(await countRows(context, `from orders where order_no = 'B-ORDER-1'`)).toBe(0);
    // The same platform and number in B is B's own order; A's is untouched.
    const same = await f.b.owner.post('/api/v1/orders', {
      platform: 'taobao',
      orderNo: 'A-ORDER-1',
      status: 'refunded',
      amountFen: 1,
      customer: { buyerId: 'b-buyer' },
    });
    expect(same.json().order.id).not.toBe(aOrder.id);
    expect((await orderOfA(f)).amountFen).toBe(8_800);
    expect((await rowOf('orders', aOrder.id)).status).toBe('paid');
  },
  'POST /api/v1/orders/batch': async (f) => {
    await orderOfA(f);
    const response = await f.b.owner.post('/api/v1/orders/batch', {
      orders: [
        {
          platform: 'jd',
          orderNo: 'B-BATCH-1',
          status: 'paid',
          amountFen: 1,
          customer: { customerId: f.aChat.customerId },
        },
      ],
    });
    expect(response.json().items[0]).toMatchObject({ outcome: 'rejected', error: { code: 'customer.not_found' } });
    expect(await countRows(context, `from orders where order_no = 'B-BATCH-1'`)).toBe(0);
  },
  'GET /api/v1/orders': async (f) => {
    const aOrder = await orderOfA(f);
    expect(await listIds(f.b.owner, '/api/v1/orders')).not.toContain(aOrder.id);
    expect(await listIds(f.b.owner, '/api/v1/orders?q=SF-A')).toEqual([]);
    expect(await listIds(f.b.owner, `/api/v1/orders?customerId=${f.aChat.customerId}`)).toEqual([]);
  },
  'GET /api/v1/orders/:id': async (f) => {
    const aOrder = await orderOfA(f);
    expectNotFound(await f.b.owner.get(`/api/v1/orders/${aOrder.id}`), 'order.not_found');
  },
  'GET /api/v1/customers/:id/orders': async (f) => {
    await orderOfA(f);
    expectNotFound(await f.b.owner.get(`/api/v1/customers/${f.aChat.customerId}/orders`), 'customer.not_found');
  },
  'GET /api/v1/settings/customer-value': async (f) => {
    await f.a.owner.request({
      method: 'PUT',
      url: '/api/v1/settings/customer-value',
      payload: {
        ...((await f.a.owner.get('/api/v1/settings/customer-value')).json() as object),
        staleProfileDays: { active: 11, others: 22 },
      },
    });
    expect((await f.b.owner.get('/api/v1/settings/customer-value')).json().staleProfileDays).toEqual({
      active: 30,
      others: 60,
    });
  },
  'PUT /api/v1/settings/customer-value': async (f) => {
    const settings = (await f.b.owner.get('/api/v1/settings/customer-value')).json();
    const before = (
      await context.database.pool.query('select settings from workspaces where id = $1', [f.a.owner.workspaceId])
    ).rows[0];
    const response = await f.b.owner.request({
      method: 'PUT',
      url: '/api/v1/settings/customer-value',
      payload: { ...settings, lifecycle: { newDays: 1, dormantDays: 2, churnedDays: 3 } },
    });
    expect(response.statusCode).toBe(200);
    const after = (
      await context.database.pool.query('select settings from workspaces where id = $1', [f.a.owner.workspaceId])
    ).rows[0];
    expect(after).toEqual(before);
  },
  'POST /api/v1/settings/customer-value/recompute': async (f) => {
    const job = (await f.b.owner.post('/api/v1/settings/customer-value/recompute')).json();
    const row = (await rowOf('jobs', job.id)) as { workspace_id: string };
    expect(row.workspace_id).toBe(f.b.owner.workspaceId);
    expectNotFound(await f.a.owner.get(`/api/v1/jobs/${job.id}`), 'job.not_found');
    // Other checks count B's jobs: leave none behind.
    await context.database.pool.query('delete from jobs where id = $1', [job.id]);
  },
  'GET /api/v1/conversations': async (f) => {
    const seen = await listIds(f.b.owner, '/api/v1/conversations');
    expect(seen).toContain(f.bChat.conversationId);
    expect(seen).not.toContain(f.aChat.conversationId);
    expect(await listIds(f.b.owner, `/api/v1/conversations?inboxId=${f.a.inbox.id}`)).toEqual([]);
    expect(await listIds(f.b.owner, `/api/v1/conversations?customerId=${f.aChat.customerId}`)).toEqual([]);
    expect(await listIds(f.b.owner, `/api/v1/conversations?q=${encodeURIComponent('秘密问题')}`)).toEqual([]);
    expect(await listIds(f.b.owner, `/api/v1/conversations?q=${encodeURIComponent('甲店顾客')}`)).toEqual([]);
  },
  'GET /api/v1/conversations/counts': async (f) => {
    const counts = (await f.b.owner.get('/api/v1/conversations/counts')).json();
    expect(counts.all).toBe(
      await countRows(context, 'from conversations where workspace_id = $1', [f.b.owner.workspaceId]),
    );
    expect(counts.all).toBeLessThan(await countRows(context, 'from conversations'));
  },
  'GET /api/v1/conversations/:id': async (f) => {
    expectNotFound(await f.b.owner.get(`/api/v1/conversations/${f.aChat.conversationId}`), 'conversation.not_found');
  },
  'GET /api/v1/conversations/:id/messages': async (f) => {
    expectNotFound(
      await f.b.owner.get(`/api/v1/conversations/${f.aChat.conversationId}/messages`),
      'conversation.not_found',
    );
    // B's own conversation paged with a cursor pointing into A's messages shows nothing of A.
    const cursor = Buffer.from(JSON.stringify(['ffffffff-ffff-7fff-bfff-ffffffffffff'])).toString('base64url');
    const paged = await f.b.owner.get(`/api/v1/conversations/${f.bChat.conversationId}/messages?cursor=${cursor}`);
    expect(paged.body).not.toContain('甲店');
  },
  'POST /api/v1/conversations/:id/messages': async (f) => {
    for (const isPrivate of [false, true]) {
      expectNotFound(
        await f.b.owner.post(`/api/v1/conversations/${f.aChat.conversationId}/messages`, {
          content: '乙店插进来的话',
          private: isPrivate,
        }),
        'conversation.not_found',
      );
    }
    expect(await countRows(context, `from messages where content = '乙店插进来的话'`)).toBe(0);
    // B cannot send A's attachment in its own conversation.
    const { fileId } = (await uploadAttachment(f.a.owner, '甲店.png', TINY_PNG)).json();
    expectNotFound(
      await f.b.owner.post(`/api/v1/conversations/${f.bChat.conversationId}/messages`, {
        content: '乙店偷图',
        attachmentIds: [fileId],
      }),
      'attachment.not_found',
    );
    // The visitor of A sees nothing of it either.
    expect((await readBack(context, f.a.inbox.token, f.aChat.visitor)).body).not.toContain('乙店');
  },
  'POST /api/v1/conversations/:id/assign': async (f) => {
    await expectUntouched(
      'conversations',
      f.aChat.conversationId,
      () => f.b.owner.post(`/api/v1/conversations/${f.aChat.conversationId}/assign`, { assigneeId: f.b.owner.userId }),
      'conversation.not_found',
    );
    // Nor may B hand its own conversation to A's people.
    await expectUntouched(
      'conversations',
      f.bChat.conversationId,
      () => f.b.owner.post(`/api/v1/conversations/${f.bChat.conversationId}/assign`, { assigneeId: f.aAgent.userId }),
      'user.not_found',
    );
    await expectUntouched(
      'conversations',
      f.bChat.conversationId,
      () => f.b.owner.post(`/api/v1/conversations/${f.bChat.conversationId}/assign`, { teamId: f.aTeam.id }),
      'team.not_found',
    );
  },
  'POST /api/v1/conversations/:id/status': async (f) => {
    await expectUntouched(
      'conversations',
      f.aChat.conversationId,
      () => f.b.owner.post(`/api/v1/conversations/${f.aChat.conversationId}/status`, { status: 'resolved' }),
      'conversation.not_found',
    );
  },
  'POST /api/v1/conversations/:id/read': async (f) => {
    await expectUntouched(
      'conversations',
      f.aChat.conversationId,
      () => f.b.owner.post(`/api/v1/conversations/${f.aChat.conversationId}/read`),
      'conversation.not_found',
    );
  },
  'GET /api/v1/realtime': async (f) => {
    const { ws } = await listen(context);
    const aSocket = await openSocket(`${ws}/api/v1/realtime`, { cookie: f.a.owner.cookie! });
    const bSocket = await openSocket(`${ws}/api/v1/realtime`, { cookie: f.b.owner.cookie! });
    try {
      await f.aChat.visitor.send('甲店顾客又来了');
      await aSocket.next('message.created', (frame) => frame.message.content === '甲店顾客又来了');
      await f.a.owner.post(`/api/v1/conversations/${f.aChat.conversationId}/read`);
      await aSocket.next('conversation.updated', (frame) => frame.conversation.id === f.aChat.conversationId);
      await pause(200);
      expect(JSON.stringify(bSocket.frames)).not.toContain(f.aChat.conversationId);
      expect(JSON.stringify(bSocket.frames)).not.toContain('甲店');
    } finally {
      aSocket.close();
      bSocket.close();
    }
  },

  // Public routes are scoped by the inbox token; A's visitor credentials must not work through B's inbox.
  'POST /public/v1/inboxes/:inboxToken/visitors': async (f) => {
    const resumed = await context.app.inject({
      method: 'POST',
      url: `/public/v1/inboxes/${f.b.inbox.token}/visitors`,
      payload: { sourceId: f.aChat.visitor.sourceId, visitorToken: f.aChat.visitor.visitorToken },
    });
    expect(resumed.json().sourceId).not.toBe(f.aChat.visitor.sourceId);
    const identifier = 'shop-user-of-a';
    const signedWithA = await context.app.inject({
      method: 'POST',
      url: `/public/v1/inboxes/${f.b.inbox.token}/visitors`,
      payload: { identifier, identifierHash: hmacHex(f.a.inbox.secret, identifier) },
    });
    expect(signedWithA.statusCode).toBe(401);
  },
  'POST /public/v1/inboxes/:inboxToken/messages': async (f) => {
    const withVisitorToken = await context.app.inject({
      method: 'POST',
      url: `/public/v1/inboxes/${f.b.inbox.token}/messages`,
      headers: { 'x-huike-visitor-token': f.aChat.visitor.visitorToken },
      payload: { sourceId: f.aChat.visitor.sourceId, content: '走错店的消息' },
    });
    expect(withVisitorToken.statusCode).toBe(401);
    const signedWithA = await sendSigned(
      context,
      { token: f.b.inbox.token, secret: f.a.inbox.secret },
      { sourceId: 'crm-of-a', content: '走错店的消息' },
    );
    expect(signedWithA.statusCode).toBe(401);
    expect(await countRows(context, `from messages where content = '走错店的消息'`)).toBe(0);
  },
  'GET /public/v1/inboxes/:inboxToken/conversations/:sourceId/messages': async (f) => {
    const response = await readBack(context, f.b.inbox.token, f.aChat.visitor);
    expect(response.statusCode).toBe(401);
    expect(response.body).not.toContain('秘密问题');
  },
  'POST /public/v1/inboxes/:inboxToken/conversations/:sourceId/attachments': async (f) => {
    const before = await countRows(context, 'from messages');
    const body = multipartFile('走错店.png', TINY_PNG);
    const response = await context.app.inject({
      method: 'POST',
      url: `/public/v1/inboxes/${f.b.inbox.token}/conversations/${f.aChat.visitor.sourceId}/attachments`,
      headers: { ...body.headers, 'x-huike-visitor-token': f.aChat.visitor.visitorToken },
      payload: body.payload,
    });
    expect(response.statusCode).toBe(401);
    expect(await countRows(context, 'from messages')).toBe(before);
  },
  'POST /api/v1/conversations/:id/typing': async (f) => {
    expectNotFound(
      await f.b.owner.post(`/api/v1/conversations/${f.aChat.conversationId}/typing`),
      'conversation.not_found',
    );
  },
  'GET /public/v1/inboxes/:inboxToken/ws': async (f) => {
    const { ws } = await listen(context);
    const { sourceId, visitorToken } = f.aChat.visitor;
    const socket = await openSocket(
      `${ws}/public/v1/inboxes/${f.b.inbox.token}/ws?sourceId=${sourceId}&token=${visitorToken}`,
    );
    expect((await socket.closed).code).toBe(4401);
  },
  // A WeChat callback finds its inbox by token and must be signed with that inbox's own account settings.
  'GET /public/v1/channels/wechat/:inboxToken': async (f) => {
    const { aAccount, bInbox } = await wechatWorkOf(f);
    const withAsSettings = await context.app.inject({
      url: `/public/v1/channels/wechat/${bInbox.token}?${verificationQuery(aAccount, '20261123')}`,
    });
    expect(withAsSettings.statusCode).toBe(400);
    const websiteOfA = await context.app.inject({
      url: `/public/v1/channels/wechat/${f.a.inbox.token}?${verificationQuery(aAccount, '20261123')}`,
    });
    // Not a WeChat inbox: the same uniform answer as a bad signature.
    expect(websiteOfA.statusCode).toBe(400);
  },
  'POST /public/v1/channels/wechat/:inboxToken': async (f) => {
    const { aAccount, bInbox } = await wechatWorkOf(f);
    const { query, body } = signedPush(
      aAccount,
      textPush('oWx_isolation', '走错店的公众号消息', '7000000000000000001'),
    );
    const response = await context.app.inject({
      method: 'POST',
      url: `/public/v1/channels/wechat/${bInbox.token}?${query}`,
      headers: { 'content-type': 'text/xml' },
      payload: body,
    });
    expect(response.statusCode).toBe(400);
    expect(await countRows(context, `from messages where content = '走错店的公众号消息'`)).toBe(0);
  },
  'GET /api/v1/tag-groups': async (f) => {
    const { aGroup } = await tagWorkOf(f);
    const groups = (await f.b.owner.get('/api/v1/tag-groups')).json().items as { id: string; tags: { id: string }[] }[];
    expect(groups.map((g) => g.id)).not.toContain(aGroup.id);
    expect(groups.flatMap((g) => g.tags).map((t) => t.id)).not.toContain((await tagWorkOf(f)).aTag.id);
  },
  'POST /api/v1/tag-groups': async (f) => {
    const { aGroup } = await tagWorkOf(f);
    // Names are per workspace: B may use A's group name, and gets a group of its own.
    const response = await f.b.owner.post('/api/v1/tag-groups', { name: aGroup.name });
    expect(response.statusCode).toBe(201);
    expect(response.json().id).not.toBe(aGroup.id);
  },
  'GET /api/v1/tag-groups/:id': async (f) => {
    expectNotFound(await f.b.owner.get(`/api/v1/tag-groups/${(await tagWorkOf(f)).aGroup.id}`), 'tag_group.not_found');
  },
  'PATCH /api/v1/tag-groups/:id': async (f) => {
    const { aGroup } = await tagWorkOf(f);
    await expectUntouched(
      'tag_groups',
      aGroup.id,
      () => f.b.owner.patch(`/api/v1/tag-groups/${aGroup.id}`, { name: '被改了' }),
      'tag_group.not_found',
    );
  },
  'DELETE /api/v1/tag-groups/:id': async (f) => {
    const { aGroup } = await tagWorkOf(f);
    await expectUntouched(
      'tag_groups',
      aGroup.id,
      () => f.b.owner.request({ method: 'DELETE', url: `/api/v1/tag-groups/${aGroup.id}?force=true` }),
      'tag_group.not_found',
    );
  },
  'GET /api/v1/tags': async (f) => {
    const { aTag, aGroup } = await tagWorkOf(f);
    expect(await listIds(f.b.owner, '/api/v1/tags')).not.toContain(aTag.id);
    expect(await listIds(f.b.owner, `/api/v1/tags?groupId=${aGroup.id}`)).toEqual([]);
  },
  'POST /api/v1/tags': async (f) => {
    const { aGroup } = await tagWorkOf(f);
    expectNotFound(await f.b.owner.post('/api/v1/tags', { groupId: aGroup.id, name: '混入' }), 'tag_group.not_found');
    expect(await countRows(context, `from tags where name = '混入'`)).toBe(0);
  },
  'GET /api/v1/tags/:id': async (f) => {
    expectNotFound(await f.b.owner.get(`/api/v1/tags/${(await tagWorkOf(f)).aTag.id}`), 'tag.not_found');
  },
  'PATCH /api/v1/tags/:id': async (f) => {
    const { aTag } = await tagWorkOf(f);
    await expectUntouched(
      'tags',
      aTag.id,
      () => f.b.owner.patch(`/api/v1/tags/${aTag.id}`, { name: '被改了' }),
      'tag.not_found',
    );
  },
  'DELETE /api/v1/tags/:id': async (f) => {
    const { aTag } = await tagWorkOf(f);
    await expectUntouched(
      'tags',
      aTag.id,
      () => f.b.owner.request({ method: 'DELETE', url: `/api/v1/tags/${aTag.id}?force=true` }),
      'tag.not_found',
    );
  },
  'GET /api/v1/customers/:id/tags': async (f) => {
    expectNotFound(await f.b.owner.get(`/api/v1/customers/${f.aChat.customerId}/tags`), 'customer.not_found');
  },
  'PUT /api/v1/customers/:id/tags': async (f) => {
    const { aTag, bTag } = await tagWorkOf(f);
    const url = `/api/v1/customers/${f.aChat.customerId}/tags`;
    expectNotFound(
      await f.b.owner.request({ method: 'PUT', url, payload: { add: [bTag], remove: [aTag.id] } }),
      'customer.not_found',
    );
    // A's tag on B's own customer is refused too.
    const foreignTag = await f.b.owner.request({
      method: 'PUT',
      url: `/api/v1/customers/${f.bChat.customerId}/tags`,
      payload: { add: [aTag.id] },
    });
    expect(foreignTag.statusCode).toBe(400);
    expect(foreignTag.json().error.code).toBe('tag.unknown');
    expect(await countRows(context, 'from customer_tags where tag_id = $1', [aTag.id])).toBe(1);
  },
  'GET /api/v1/conversations/:id/tags': async (f) => {
    expectNotFound(
      await f.b.owner.get(`/api/v1/conversations/${f.aChat.conversationId}/tags`),
      'conversation.not_found',
    );
  },
  'PUT /api/v1/conversations/:id/tags': async (f) => {
    const { bTag } = await tagWorkOf(f);
    const url = `/api/v1/conversations/${f.aChat.conversationId}/tags`;
    expectNotFound(await f.b.owner.request({ method: 'PUT', url, payload: { add: [bTag] } }), 'conversation.not_found');
    expect(
      await countRows(context, 'from conversation_tags where conversation_id = $1', [f.aChat.conversationId]),
    ).toBe(0);
  },
  'GET /api/v1/segments': async (f) => {
    expect(await listIds(f.b.owner, '/api/v1/segments')).not.toContain((await tagWorkOf(f)).aSegment.id);
  },
  'POST /api/v1/segments': async (f) => {
    const { aTag } = await tagWorkOf(f);
    const filter = { op: 'and', conditions: [{ field: 'tags', op: 'has_any', value: [aTag.id] }] };
    const response = await f.b.owner.post('/api/v1/segments', { name: '借甲店标签', filter });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('tag.unknown');
  },
  'POST /api/v1/segments/count': async (f) => {
    const { aTag } = await tagWorkOf(f);
    const all = await f.b.owner.post('/api/v1/segments/count', { filter: { op: 'and', conditions: [] } });
    expect(all.json().count).toBe(
      await countRows(context, 'from customers where workspace_id = $1', [f.b.owner.workspaceId]),
    );
    const filter = { op: 'and', conditions: [{ field: 'tags', op: 'has_any', value: [aTag.id] }] };
    expect((await f.b.owner.post('/api/v1/segments/count', { filter })).json().error.code).toBe('tag.unknown');
  },
  'POST /api/v1/segments/preview': async (f) => {
    const response = await f.b.owner.post('/api/v1/segments/preview', { filter: { op: 'and', conditions: [] } });
    const ids = (response.json().items as { id: string }[]).map((c) => c.id);
    expect(ids).toContain(f.bChat.customerId);
    expect(ids).not.toContain(f.aChat.customerId);
    expect(response.body).not.toContain('甲店顾客');
  },
  'GET /api/v1/segments/:id': async (f) => {
    expectNotFound(await f.b.owner.get(`/api/v1/segments/${(await tagWorkOf(f)).aSegment.id}`), 'segment.not_found');
  },
  'GET /api/v1/segments/:id/count': async (f) => {
    expectNotFound(
      await f.b.owner.get(`/api/v1/segments/${(await tagWorkOf(f)).aSegment.id}/count`),
      'segment.not_found',
    );
  },
  'PATCH /api/v1/segments/:id': async (f) => {
    const { aSegment } = await tagWorkOf(f);
    await expectUntouched(
      'segments',
      aSegment.id,
      () => f.b.owner.patch(`/api/v1/segments/${aSegment.id}`, { name: '被改了' }),
      'segment.not_found',
    );
  },
  'DELETE /api/v1/segments/:id': async (f) => {
    const { aSegment } = await tagWorkOf(f);
    await expectUntouched(
      'segments',
      aSegment.id,
      () => f.b.owner.request({ method: 'DELETE', url: `/api/v1/segments/${aSegment.id}` }),
      'segment.not_found',
    );
  },
  'POST /api/v1/customers/bulk/count': async (f) => {
    const { aSegment } = await tagWorkOf(f);
    expectNotFound(
      await f.b.owner.post('/api/v1/customers/bulk/count', { target: { segmentId: aSegment.id } }),
      'segment.not_found',
    );
    const selection = await f.b.owner.post('/api/v1/customers/bulk/count', {
      target: { customerIds: [f.aChat.customerId] },
    });
    expect(selection.json()).toEqual({ count: 0 });
  },
  'POST /api/v1/customers/bulk': async (f) => {
    const { aSegment, aTag, bTag } = await tagWorkOf(f);
    const bySegment = await f.b.owner.post('/api/v1/customers/bulk', {
      target: { segmentId: aSegment.id },
      action: 'remove_tags',
      tagIds: [bTag],
      expectedCount: 1,
    });
    expectNotFound(bySegment, 'segment.not_found');
    const bySelection = await f.b.owner.post('/api/v1/customers/bulk', {
      target: { customerIds: [f.aChat.customerId] },
      action: 'add_tags',
      tagIds: [bTag],
      expectedCount: 1,
    });
    // A's customer is not one of B's: the job finds nobody to tag.
    expect(bySelection.statusCode, bySelection.body).toBe(202);
    await context.jobs.drain();
    expect((await f.b.owner.get(`/api/v1/jobs/${bySelection.json().id}`)).json()).toMatchObject({
      status: 'succeeded',
      result: { matched: 0, changed: 0 },
    });
    const withATag = await f.b.owner.post('/api/v1/customers/bulk', {
      target: { customerIds: [f.bChat.customerId] },
      action: 'remove_tags',
      tagIds: [aTag.id],
      expectedCount: 1,
    });
    expect(withATag.json().error.code).toBe('tag.unknown');
    expect(await countRows(context, 'from customer_tags where customer_id = $1', [f.aChat.customerId])).toBe(1);
    // The same request as one A just queued is B's own request, never answered with A's job.
    const request = {
      target: { customerIds: [f.aChat.customerId] },
      action: 'add_tags',
      tagIds: [aTag.id],
      expectedCount: 1,
    };
    expect((await f.a.owner.post('/api/v1/customers/bulk', request)).statusCode).toBe(202);
    expect((await f.b.owner.post('/api/v1/customers/bulk', request)).json().error.code).toBe('tag.unknown');
  },
  'GET /api/v1/templates': async (f) => {
    const { aTemplate } = await templateWorkOf(f);
    const response = await f.b.owner.get('/api/v1/templates');
    expect((response.json().items as { id: string }[]).map((t) => t.id)).not.toContain(aTemplate.id);
    expect(response.body).not.toContain('甲店');
    expectNotFound(
      await f.b.owner.get(`/api/v1/templates?conversationId=${f.aChat.conversationId}`),
      'conversation.not_found',
    );
  },
  'GET /api/v1/templates/categories': async (f) => {
    await templateWorkOf(f);
    expect((await f.b.owner.get('/api/v1/templates/categories')).body).not.toContain('甲店分类');
  },
  'GET /api/v1/templates/usage': async (f) => {
    const { aTemplate } = await templateWorkOf(f);
    const report = await f.b.owner.get('/api/v1/templates/usage');
    expect(report.statusCode).toBe(200);
    expect(report.json().byTemplate).toEqual([]);
    expect(report.body).not.toContain(aTemplate.id);
  },
  'POST /api/v1/templates': async (f) => {
    const { aSegment } = await tagWorkOf(f);
    const response = await f.b.owner.post('/api/v1/templates', {
      scope: 'team',
      teamId: f.aTeam.id,
      title: '借甲店小组',
      content: '你好',
    });
    expectNotFound(response, 'team.not_found');
    const withSegment = await f.b.owner.post('/api/v1/templates', {
      scope: 'workspace',
      title: '借甲店分组',
      content: '你好',
      segmentIds: [aSegment.id],
    });
    expect(withSegment.statusCode).toBe(400);
    expect(withSegment.json().error.code).toBe('template.unknown_segments');
    expect(await countRows(context, 'from templates where workspace_id = $1', [f.b.owner.workspaceId])).toBe(0);
  },
  'GET /api/v1/templates/:id': async (f) => {
    const { aTemplate } = await templateWorkOf(f);
    expectNotFound(await f.b.owner.get(`/api/v1/templates/${aTemplate.id}`), 'template.not_found');
  },
  'PATCH /api/v1/templates/:id': async (f) => {
    const { aTemplate } = await templateWorkOf(f);
    await expectUntouched(
      'templates',
      aTemplate.id,
      () => f.b.owner.patch(`/api/v1/templates/${aTemplate.id}`, { title: '被改了' }),
      'template.not_found',
    );
  },
  'DELETE /api/v1/templates/:id': async (f) => {
    const { aTemplate } = await templateWorkOf(f);
    await expectUntouched(
      'templates',
      aTemplate.id,
      () => f.b.owner.request({ method: 'DELETE', url: `/api/v1/templates/${aTemplate.id}` }),
      'template.not_found',
    );
  },
  'POST /api/v1/templates/:id/render': async (f) => {
    const { aTemplate } = await templateWorkOf(f);
    const url = `/api/v1/templates/${aTemplate.id}/render`;
    expectNotFound(await f.b.owner.post(url, { conversationId: f.bChat.conversationId }), 'template.not_found');
    expectNotFound(await f.b.owner.post(url, { conversationId: f.aChat.conversationId }), 'template.not_found');
    expect(await countRows(context, 'from template_usages where template_id = $1', [aTemplate.id])).toBe(1);
  },
  'GET /api/v1/automation/rules': async (f) => {
    const { aRule } = await automationWorkOf(f);
    const response = await f.b.owner.get('/api/v1/automation/rules');
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain(aRule.id);
    expect(response.body).not.toContain('甲店规则');
  },
  'POST /api/v1/automation/rules': async (f) => {
    const { aTag } = await tagWorkOf(f);
    const response = await f.b.owner.post('/api/v1/automation/rules', {
      name: '借甲店标签',
      trigger: { type: 'customer.created' },
      actions: [{ type: 'add_tag', target: 'customer', tagId: aTag.id }],
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('automation_rule.invalid');
    expect(await countRows(context, 'from automation_rules where workspace_id = $1', [f.b.owner.workspaceId])).toBe(0);
  },
  'POST /api/v1/automation/rules/dry-run': async (f) => {
    const { aRule } = await automationWorkOf(f);
    expectNotFound(
      await f.b.owner.post('/api/v1/automation/rules/dry-run', { ruleId: aRule.id }),
      'automation_rule.not_found',
    );
  },
  'GET /api/v1/automation/rules/:id': async (f) => {
    const { aRule } = await automationWorkOf(f);
    expectNotFound(await f.b.owner.get(`/api/v1/automation/rules/${aRule.id}`), 'automation_rule.not_found');
  },
  'PATCH /api/v1/automation/rules/:id': async (f) => {
    const { aRule } = await automationWorkOf(f);
    await expectUntouched(
      'automation_rules',
      aRule.id,
      () => f.b.owner.patch(`/api/v1/automation/rules/${aRule.id}`, { name: '被改了' }),
      'automation_rule.not_found',
    );
  },
  'DELETE /api/v1/automation/rules/:id': async (f) => {
    const { aRule } = await automationWorkOf(f);
    await expectUntouched(
      'automation_rules',
      aRule.id,
      () => f.b.owner.request({ method: 'DELETE', url: `/api/v1/automation/rules/${aRule.id}` }),
      'automation_rule.not_found',
    );
  },
  'GET /api/v1/automation/runs': async (f) => {
    const { aRule } = await automationWorkOf(f);
    expect(await countRows(context, 'from automation_runs where rule_id = $1', [aRule.id])).toBeGreaterThan(0);
    const response = await f.b.owner.get(`/api/v1/automation/runs?ruleId=${aRule.id}`);
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toEqual([]);
    expect((await f.b.owner.get('/api/v1/automation/runs')).body).not.toContain(aRule.id);
  },
  'GET /api/v1/automation/presets': async (f) => {
    const { aTag } = await tagWorkOf(f);
    const response = await f.b.owner.get('/api/v1/automation/presets');
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain(aTag.id);
  },
  'GET /api/v1/keyword-replies': async (f) => {
    const { aKeywordRule } = await keywordReplyWorkOf(f);
    const response = await f.b.owner.get('/api/v1/keyword-replies?q=甲店');
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain(aKeywordRule.id);
    expect((await f.b.owner.get('/api/v1/keyword-replies')).body).not.toContain('甲店关键词');
  },
  'POST /api/v1/keyword-replies': async (f) => {
    const { aTemplate } = await templateWorkOf(f);
    const withTemplate = await f.b.owner.post('/api/v1/keyword-replies', {
      name: '借甲店话术',
      keywords: ['价格'],
      templateId: aTemplate.id,
    });
    expect(withTemplate.statusCode).toBe(400);
    expect(withTemplate.json().error.code).toBe('keyword_reply.invalid');
    const withInbox = await f.b.owner.post('/api/v1/keyword-replies', {
      name: '借甲店渠道',
      keywords: ['价格'],
      replyText: '好的',
      inboxIds: [f.a.inbox.id],
    });
    expect(withInbox.statusCode).toBe(400);
    expect(await countRows(context, 'from keyword_replies where workspace_id = $1', [f.b.owner.workspaceId])).toBe(0);
  },
  'POST /api/v1/keyword-replies/test': async (f) => {
    const { aKeywordRule } = await keywordReplyWorkOf(f);
    const url = '/api/v1/keyword-replies/test';
    const own = await f.b.owner.post(url, { content: '甲店关键词' });
    expect(own.statusCode).toBe(200);
    expect(own.body).not.toContain(aKeywordRule.id);
    expectNotFound(await f.b.owner.post(url, { content: '甲店关键词', inboxId: f.a.inbox.id }), 'inbox.not_found');
    expectNotFound(
      await f.b.owner.post(url, { content: '甲店关键词', conversationId: f.aChat.conversationId }),
      'conversation.not_found',
    );
  },
  'POST /api/v1/keyword-replies/reorder': async (f) => {
    const { aKeywordRule } = await keywordReplyWorkOf(f);
    await expectUntouched(
      'keyword_replies',
      aKeywordRule.id,
      () => f.b.owner.post('/api/v1/keyword-replies/reorder', { ids: [aKeywordRule.id] }),
      'keyword_reply.not_found',
    );
  },
  'GET /api/v1/keyword-replies/:id': async (f) => {
    const { aKeywordRule } = await keywordReplyWorkOf(f);
    expectNotFound(await f.b.owner.get(`/api/v1/keyword-replies/${aKeywordRule.id}`), 'keyword_reply.not_found');
  },
  'PATCH /api/v1/keyword-replies/:id': async (f) => {
    const { aKeywordRule } = await keywordReplyWorkOf(f);
    await expectUntouched(
      'keyword_replies',
      aKeywordRule.id,
      () => f.b.owner.patch(`/api/v1/keyword-replies/${aKeywordRule.id}`, { enabled: false }),
      'keyword_reply.not_found',
    );
  },
  'DELETE /api/v1/keyword-replies/:id': async (f) => {
    const { aKeywordRule } = await keywordReplyWorkOf(f);
    await expectUntouched(
      'keyword_replies',
      aKeywordRule.id,
      () => f.b.owner.request({ method: 'DELETE', url: `/api/v1/keyword-replies/${aKeywordRule.id}` }),
      'keyword_reply.not_found',
    );
  },
  'GET /api/v1/reports/service': async (f) => {
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
    const range = `from=${today}&to=${today}`;
    for (const [param, id, code] of [
      ['inboxId', f.a.inbox.id, 'inbox.not_found'],
      ['teamId', f.aTeam.id, 'team.not_found'],
      ['agentId', f.aAgent.userId, 'user.not_found'],
    ] as const) {
      const response = await f.b.owner.get(`/api/v1/reports/service?${range}&${param}=${id}`);
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe(code);
    }
    await context.services.reportingWriter.idle();
    const own = (await f.b.owner.get(`/api/v1/reports/service?${range}`)).json();
    const { rows } = await context.database.pool.query<{ n: number }>(
      'select count(*)::int as n from conversations where workspace_id = $1',
      [f.b.owner.workspaceId],
    );
    expect(own.kpis.conversations).toBe(rows[0]!.n); // B's own conversations only, never A's
  },
  'GET /api/v1/reports/service/export': async (f) => {
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
    const response = await f.b.owner.get(
      `/api/v1/reports/service/export?format=xlsx&from=${today}&to=${today}&inboxId=${f.a.inbox.id}`,
    );
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('inbox.not_found');
  },
  'GET /api/v1/alerts': async (f) => {
    const { aAlertId } = await alertWorkOf(f);
    expect(await listIds(f.b.owner, '/api/v1/alerts')).not.toContain(aAlertId);
    expect(await listIds(f.a.owner, '/api/v1/alerts')).toContain(aAlertId);
  },
  'POST /api/v1/alerts/:id/acknowledge': async (f) => {
    const { aAlertId } = await alertWorkOf(f);
    await expectUntouched(
      'alerts',
      aAlertId,
      () => f.b.owner.post(`/api/v1/alerts/${aAlertId}/acknowledge`),
      'alert.not_found',
    );
  },
  'GET /api/v1/routing/me': async (f) => {
    const me = (await f.b.owner.get('/api/v1/routing/me')).json();
    expect(me.userId).toBe(f.b.owner.userId);
  },
  'POST /api/v1/routing/me/presence': async (f) => {
    await routingWorkOf(f);
    const changed = (await f.b.owner.post('/api/v1/routing/me/presence', { presence: 'away' })).json();
    expect(changed.userId).toBe(f.b.owner.userId);
    expect((await f.a.owner.get('/api/v1/routing/agents')).json().items).toContainEqual(
      expect.objectContaining({ userId: f.aAgent.userId, presence: 'online' }),
    );
  },
  'GET /api/v1/routing/agents': async (f) => {
    await routingWorkOf(f);
    const ids = (await f.b.owner.get('/api/v1/routing/agents')).json().items.map((x: { userId: string }) => x.userId);
    expect(ids).not.toContain(f.aAgent.userId);
    expect(ids).toContain(f.b.owner.userId);
  },
  'PATCH /api/v1/routing/agents/:id': async (f) => {
    await routingWorkOf(f);
    expectNotFound(
      await f.b.owner.patch(`/api/v1/routing/agents/${f.aAgent.userId}`, { capacity: 1 }),
      'user.not_found',
    );
    const [agent] = (await f.a.owner.get('/api/v1/routing/agents'))
      .json()
      .items.filter((x: { userId: string }) => x.userId === f.aAgent.userId);
    expect(agent.capacity).toBe(5);
  },
  'GET /api/v1/routing/rules': async (f) => {
    const { aRule } = await routingWorkOf(f);
    expect(await listIds(f.b.owner, '/api/v1/routing/rules')).not.toContain(aRule.id);
    expect(await listIds(f.a.owner, '/api/v1/routing/rules')).toContain(aRule.id);
  },
  'POST /api/v1/routing/rules': async (f) => {
    const response = await f.b.owner.post('/api/v1/routing/rules', {
      name: '借用甲店团队',
      conditions: { inboxIds: [f.a.inbox.id] },
      teamId: null,
    });
    expect(response.statusCode).toBe(400);
    expectNotFound(
      await f.b.owner.post('/api/v1/routing/rules', { name: '借用甲店团队', conditions: {}, teamId: f.aTeam.id }),
      'team.not_found',
    );
  },
  'POST /api/v1/routing/rules/reorder': async (f) => {
    const { aRule } = await routingWorkOf(f);
    const response = await f.b.owner.post('/api/v1/routing/rules/reorder', { ids: [aRule.id] });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('routing_rule.invalid');
  },
  'PATCH /api/v1/routing/rules/:id': async (f) => {
    const { aRule } = await routingWorkOf(f);
    await expectUntouched(
      'routing_rules',
      aRule.id,
      () => f.b.owner.patch(`/api/v1/routing/rules/${aRule.id}`, { name: '乙店改名' }),
      'routing_rule.not_found',
    );
  },
  'DELETE /api/v1/routing/rules/:id': async (f) => {
    const { aRule } = await routingWorkOf(f);
    await expectUntouched(
      'routing_rules',
      aRule.id,
      () => f.b.owner.request({ method: 'DELETE', url: `/api/v1/routing/rules/${aRule.id}` }),
      'routing_rule.not_found',
    );
  },
  'GET /api/v1/routing/inboxes/:id/members': async (f) => {
    expectNotFound(await f.b.owner.get(`/api/v1/routing/inboxes/${f.a.inbox.id}/members`), 'inbox.not_found');
  },
  'PUT /api/v1/routing/inboxes/:id/members': async (f) => {
    expectNotFound(
      await f.b.owner.request({
        method: 'PUT',
        url: `/api/v1/routing/inboxes/${f.a.inbox.id}/members`,
        payload: { userIds: [] },
      }),
      'inbox.not_found',
    );
    const foreign = await f.b.owner.request({
      method: 'PUT',
      url: `/api/v1/routing/inboxes/${f.b.inbox.id}/members`,
      payload: { userIds: [f.aAgent.userId] },
    });
    expect(foreign.statusCode).toBe(400);
  },
  'GET /api/v1/routing/log': async (f) => {
    const items = (await f.b.owner.get('/api/v1/routing/log')).json().items as { conversationId: string }[];
    expect(items.map((item) => item.conversationId)).not.toContain(f.aChat.conversationId);
  },
  'GET /api/v1/routing/live': async (f) => {
    await routingWorkOf(f);
    const live = await f.b.owner.get('/api/v1/routing/live');
    expect(live.statusCode).toBe(200);
    expect(live.body).not.toContain(f.aChat.conversationId);
    expect(live.body).not.toContain(f.aAgent.userId);
    expect(live.body).not.toContain('甲店');
  },
  'GET /api/v1/surveys/settings': async (f) => {
    await surveyWorkOf(f);
    const settings = await f.b.owner.get('/api/v1/surveys/settings');
    expect(settings.statusCode).toBe(200);
    expect(settings.body).not.toContain('甲店问题');
  },
  'PUT /api/v1/surveys/settings': async (f) => {
    await surveyWorkOf(f);
    const mine = (await f.b.owner.get('/api/v1/surveys/settings')).json();
    await f.b.owner.request({
      method: 'PUT',
      url: '/api/v1/surveys/settings',
      payload: { ...mine, csatQuestion: '乙店问题' },
    });
    expect((await f.a.owner.get('/api/v1/surveys/settings')).json().csatQuestion).toBe('甲店问题？');
  },
  'POST /api/v1/surveys/csat': async (f) => {
    const { aResolved } = await surveyWorkOf(f);
    expectNotFound(
      await f.b.owner.post('/api/v1/surveys/csat', { conversationId: aResolved }),
      'conversation.not_found',
    );
    expect(await countRows(context, 'from surveys where workspace_id = $1', [f.b.owner.workspaceId])).toBe(0);
  },
  'POST /api/v1/surveys/nps/count': async (f) => {
    const { aSegment } = await tagWorkOf(f);
    expectNotFound(await f.b.owner.post('/api/v1/surveys/nps/count', { segmentId: aSegment.id }), 'segment.not_found');
  },
  'POST /api/v1/surveys/nps': async (f) => {
    const { aSegment } = await tagWorkOf(f);
    expectNotFound(
      await f.b.owner.post('/api/v1/surveys/nps', { segmentId: aSegment.id, expectedCount: 1 }),
      'segment.not_found',
    );
    expect(
      await countRows(context, `from jobs where workspace_id = $1 and kind = 'surveys.nps_send'`, [
        f.b.owner.workspaceId,
      ]),
    ).toBe(0);
  },
  'GET /api/v1/surveys/responses': async (f) => {
    await surveyWorkOf(f);
    const list = await f.b.owner.get('/api/v1/surveys/responses');
    expect(list.json().items).toEqual([]);
    expect(list.body).not.toContain('甲店评价');
    expect((await f.b.owner.get(`/api/v1/surveys/responses?agentId=${f.aAgent.userId}`)).json().items).toEqual([]);
  },
  'GET /api/v1/surveys/summary': async (f) => {
    await surveyWorkOf(f);
    const summary = (await f.b.owner.get('/api/v1/surveys/summary')).json();
    expect(summary.csat).toMatchObject({ sent: 0, responses: 0 });
  },
  'GET /api/v1/knowledge/categories': async (f) => {
    const { aCategory } = await knowledgeWorkOf(f);
    expect(await listIds(f.b.owner, '/api/v1/knowledge/categories')).not.toContain(aCategory.id);
    expect(await listIds(f.a.owner, '/api/v1/knowledge/categories')).toContain(aCategory.id);
  },
  'POST /api/v1/knowledge/categories': async (f) => {
    const { aCategory } = await knowledgeWorkOf(f);
    const response = await f.b.owner.post('/api/v1/knowledge/categories', { name: '乙店子类', parentId: aCategory.id });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('kb_category.invalid_parent');
  },
  'PATCH /api/v1/knowledge/categories/:id': async (f) => {
    const { aCategory } = await knowledgeWorkOf(f);
    await expectUntouched(
      'kb_categories',
      aCategory.id,
      () => f.b.owner.patch(`/api/v1/knowledge/categories/${aCategory.id}`, { name: '乙店改名' }),
      'kb_category.not_found',
    );
  },
  'DELETE /api/v1/knowledge/categories/:id': async (f) => {
    const { aCategory } = await knowledgeWorkOf(f);
    await expectUntouched(
      'kb_categories',
      aCategory.id,
      () => f.b.owner.request({ method: 'DELETE', url: `/api/v1/knowledge/categories/${aCategory.id}` }),
      'kb_category.not_found',
    );
  },
  'GET /api/v1/knowledge/articles': async (f) => {
    const { aArticle } = await knowledgeWorkOf(f);
    expect(await listIds(f.b.owner, '/api/v1/knowledge/articles')).not.toContain(aArticle.id);
    expect(await listIds(f.b.owner, `/api/v1/knowledge/articles?q=${encodeURIComponent('甲店暗号')}`)).toEqual([]);
    expect(await listIds(f.a.owner, '/api/v1/knowledge/articles')).toContain(aArticle.id);
  },
  'POST /api/v1/knowledge/articles': async (f) => {
    const { aCategory } = await knowledgeWorkOf(f);
    const response = await f.b.owner.post('/api/v1/knowledge/articles', {
      title: '乙店文章',
      body: '',
      categoryId: aCategory.id,
    });
    expectNotFound(response, 'kb_category.not_found');
  },
  'GET /api/v1/knowledge/articles/:id': async (f) => {
    const { aArticle } = await knowledgeWorkOf(f);
    expectNotFound(await f.b.owner.get(`/api/v1/knowledge/articles/${aArticle.id}`), 'kb_article.not_found');
  },
  'PATCH /api/v1/knowledge/articles/:id': async (f) => {
    const { aArticle } = await knowledgeWorkOf(f);
    await expectUntouched(
      'kb_articles',
      aArticle.id,
      () => f.b.owner.patch(`/api/v1/knowledge/articles/${aArticle.id}`, { title: '乙店改的' }),
      'kb_article.not_found',
    );
  },
  'DELETE /api/v1/knowledge/articles/:id': async (f) => {
    const { aArticle } = await knowledgeWorkOf(f);
    await expectUntouched(
      'kb_articles',
      aArticle.id,
      () => f.b.owner.request({ method: 'DELETE', url: `/api/v1/knowledge/articles/${aArticle.id}` }),
      'kb_article.not_found',
    );
  },
  'GET /api/v1/knowledge/search': async (f) => {
    await knowledgeWorkOf(f);
    const found = (await f.b.owner.get(`/api/v1/knowledge/search?q=${encodeURIComponent('甲店暗号')}`)).json();
    expect(found.items).toEqual([]);
  },
  'GET /api/v1/knowledge/bot/settings': async (f) => {
    await knowledgeWorkOf(f);
    const items = (await f.b.owner.get('/api/v1/knowledge/bot/settings')).json().items as { inboxId: string }[];
    expect(items.map((item) => item.inboxId)).toContain(f.b.inbox.id);
    expect(items.map((item) => item.inboxId)).not.toContain(f.a.inbox.id);
  },
  'GET /api/v1/knowledge/bot/settings/:inboxId': async (f) => {
    await knowledgeWorkOf(f);
    expectNotFound(await f.b.owner.get(`/api/v1/knowledge/bot/settings/${f.a.inbox.id}`), 'inbox.not_found');
  },
  'PUT /api/v1/knowledge/bot/settings/:inboxId': async (f) => {
    await knowledgeWorkOf(f);
    await expectUntouched(
      'inboxes',
      f.a.inbox.id,
      () =>
        f.b.owner.request({
          method: 'PUT',
          url: `/api/v1/knowledge/bot/settings/${f.a.inbox.id}`,
          payload: { enabled: false, threshold: 0.1, greeting: '', quickQuestions: [] },
        }),
      'inbox.not_found',
    );
  },
  'GET /api/v1/knowledge/bot/stats': async (f) => {
    await knowledgeWorkOf(f);
    expectNotFound(await f.b.owner.get(`/api/v1/knowledge/bot/stats?inboxId=${f.a.inbox.id}`), 'inbox.not_found');
  },
  'GET /public/v1/help/:inboxToken/articles': async (f) => {
    const { aArticle } = await knowledgeWorkOf(f);
    const list = await context.app.inject({ url: `/public/v1/help/${f.b.inbox.token}/articles` });
    expect(list.json().articles.map((item: { id: string }) => item.id)).not.toContain(aArticle.id);
    expect(list.body).not.toContain('甲店');
  },
  'GET /public/v1/help/:inboxToken/articles/:id': async (f) => {
    const { aArticle } = await knowledgeWorkOf(f);
    const response = await context.app.inject({ url: `/public/v1/help/${f.b.inbox.token}/articles/${aArticle.id}` });
    expectNotFound(response, 'kb_article.not_found');
  },
  'GET /public/v1/help/:inboxToken/bot': async (f) => {
    await knowledgeWorkOf(f);
    const info = (await context.app.inject({ url: `/public/v1/help/${f.b.inbox.token}/bot` })).json();
    expect(info).toEqual({ enabled: false, greeting: '', quickQuestions: [] });
  },
  'GET /help/:inboxToken': async (f) => {
    await knowledgeWorkOf(f);
    const page = await context.app.inject({ url: `/help/${f.b.inbox.token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('甲店');
  },
  'GET /help/:inboxToken/articles/:id': async (f) => {
    const { aArticle } = await knowledgeWorkOf(f);
    const page = await context.app.inject({ url: `/help/${f.b.inbox.token}/articles/${aArticle.id}` });
    expect(page.statusCode).toBe(404);
    expect(page.body).not.toContain('甲店');
  },
  'GET /api/v1/webhooks': async (f) => {
    const { aEndpoint } = await webhookWorkOf(f);
    expect(await listIds(f.b.owner, '/api/v1/webhooks')).not.toContain(aEndpoint.id);
  },
  'POST /api/v1/webhooks': async (f) => {
    const created = await f.b.owner.post('/api/v1/webhooks', {
      url: 'https://93.184.216.34/b',
      events: ['ticket.created'],
    });
    expect(created.statusCode).toBe(201);
    expect(await listIds(f.a.owner, '/api/v1/webhooks')).not.toContain(created.json().id);
  },
  'GET /api/v1/webhooks/:id': async (f) => {
    const { aEndpoint } = await webhookWorkOf(f);
    expectNotFound(await f.b.owner.get(`/api/v1/webhooks/${aEndpoint.id}`), 'webhook.not_found');
  },
  'PATCH /api/v1/webhooks/:id': async (f) => {
    const { aEndpoint } = await webhookWorkOf(f);
    await expectUntouched(
      'webhook_endpoints',
      aEndpoint.id,
      () => f.b.owner.patch(`/api/v1/webhooks/${aEndpoint.id}`, { enabled: false, rotateSecret: true }),
      'webhook.not_found',
    );
  },
  'DELETE /api/v1/webhooks/:id': async (f) => {
    const { aEndpoint } = await webhookWorkOf(f);
    await expectUntouched(
      'webhook_endpoints',
      aEndpoint.id,
      () => f.b.owner.request({ method: 'DELETE', url: `/api/v1/webhooks/${aEndpoint.id}` }),
      'webhook.not_found',
    );
  },
  'POST /api/v1/webhooks/:id/test': async (f) => {
    const { aEndpoint } = await webhookWorkOf(f);
    const before = await countRows(context, 'from deliveries where subject_id = $1', [aEndpoint.id]);
    expectNotFound(await f.b.owner.post(`/api/v1/webhooks/${aEndpoint.id}/test`), 'webhook.not_found');
    expect(await countRows(context, 'from deliveries where subject_id = $1', [aEndpoint.id])).toBe(before);
  },
  'GET /api/v1/webhooks/:id/deliveries': async (f) => {
    const { aEndpoint } = await webhookWorkOf(f);
    expectNotFound(await f.b.owner.get(`/api/v1/webhooks/${aEndpoint.id}/deliveries`), 'webhook.not_found');
  },
  'GET /api/v1/webhook-deliveries': async (f) => {
    const { aDeadDeliveryId } = await webhookWorkOf(f);
    expect(await listIds(f.b.owner, '/api/v1/webhook-deliveries?status=dead')).not.toContain(aDeadDeliveryId);
    expect(await listIds(f.a.owner, '/api/v1/webhook-deliveries?status=dead')).toContain(aDeadDeliveryId);
  },
  'POST /api/v1/webhook-deliveries/:id/replay': async (f) => {
    const { aDeadDeliveryId } = await webhookWorkOf(f);
    await expectUntouched(
      'deliveries',
      aDeadDeliveryId,
      () => f.b.owner.post(`/api/v1/webhook-deliveries/${aDeadDeliveryId}/replay`),
      'webhook_delivery.not_found',
    );
  },
  'POST /api/v1/messages/:id/retry': async (f) => {
    await expectUntouched(
      'messages',
      f.aMessageId,
      () => f.b.owner.post(`/api/v1/messages/${f.aMessageId}/retry`),
      'message.not_found',
    );
  },
  'GET /api/v1/customers/:id/channels': async (f) => {
    expectNotFound(await f.b.owner.get(`/api/v1/customers/${f.aChat.customerId}/channels`), 'customer.not_found');
  },
  'GET /api/v1/customers/:id/messages': async (f) => {
    expectNotFound(await f.b.owner.get(`/api/v1/customers/${f.aChat.customerId}/messages`), 'customer.not_found');
  },
  'POST /api/v1/customers/:id/messages': async (f) => {
    const { aSms } = await smsWorkOf(f);
    const before = await countRows(context, 'from messages where workspace_id = $1', [f.a.owner.workspaceId]);
    const toA = await f.b.owner.post(`/api/v1/customers/${f.aChat.customerId}/messages`, {
      inboxId: f.b.inbox.id,
      content: '乙店发给甲店顾客',
    });
    expectNotFound(toA, 'customer.not_found');
    const throughA = await f.b.owner.post(`/api/v1/customers/${f.bChat.customerId}/messages`, {
      inboxId: aSms.id,
      content: '乙店借甲店短信渠道',
    });
    expectNotFound(throughA, 'inbox.not_found');
    expect(await countRows(context, 'from messages where workspace_id = $1', [f.a.owner.workspaceId])).toBe(before);
  },
  'GET /api/v1/customers/:id/identity-suggestions': async (f) => {
    expectNotFound(
      await f.b.owner.get(`/api/v1/customers/${f.aChat.customerId}/identity-suggestions`),
      'customer.not_found',
    );
    // B's customer with A's customer's phone is offered nobody of A.
    await f.b.owner.patch(`/api/v1/customers/${f.bChat.customerId}`, { phone: '13800001111' });
    const own = await f.b.owner.get(`/api/v1/customers/${f.bChat.customerId}/identity-suggestions`);
    expect(own.json().items).toEqual([]);
    await f.b.owner.patch(`/api/v1/customers/${f.bChat.customerId}`, { phone: null });
  },
  'POST /api/v1/sms/campaigns/preview': async (f) => {
    const { aSms, bSms, bSegment } = await smsWorkOf(f);
    const { aSegment } = await tagWorkOf(f);
    const url = '/api/v1/sms/campaigns/preview';
    expectNotFound(await f.b.owner.post(url, { inboxId: aSms.id, segmentId: bSegment.id }), 'inbox.not_found');
    expectNotFound(await f.b.owner.post(url, { inboxId: bSms.id, segmentId: aSegment.id }), 'segment.not_found');
  },
  'GET /api/v1/sms/campaigns': async (f) => {
    const { aSms } = await smsWorkOf(f);
    // A's campaign as a row (the POST entry checks that B's attempts create none), removed again afterwards.
    const { rows } = await context.database.pool.query<{ id: string }>(
      `insert into sms_campaigns (id, workspace_id, inbox_id, segment_name, template_code)
       values (gen_random_uuid(), $1, $2, '甲店分组', 'SMS_2') returning id`,
      [f.a.owner.workspaceId, aSms.id],
    );
    const campaignId = rows[0]!.id;
    expect(await listIds(f.b.owner, '/api/v1/sms/campaigns')).not.toContain(campaignId);
    expect(await listIds(f.a.owner, '/api/v1/sms/campaigns')).toContain(campaignId);
    await context.database.pool.query('delete from sms_campaigns where id = $1', [campaignId]);
  },
  'GET /api/v1/sms/campaigns/:id/recipients': async (f) => {
    const campaignId = await aSmsCampaign(f);
    const url = `/api/v1/sms/campaigns/${campaignId}/recipients?status=failed`;
    expectNotFound(await f.b.owner.get(url), 'sms_campaign.not_found');
    expect((await f.a.owner.get(url)).statusCode).toBe(200);
    await context.database.pool.query('delete from sms_campaigns where id = $1', [campaignId]);
  },
  'GET /api/v1/sms/campaigns/:id/failure-reasons': async (f) => {
    const campaignId = await aSmsCampaign(f);
    const url = `/api/v1/sms/campaigns/${campaignId}/failure-reasons`;
    expectNotFound(await f.b.owner.get(url), 'sms_campaign.not_found');
    expect((await f.a.owner.get(url)).statusCode).toBe(200);
    await context.database.pool.query('delete from sms_campaigns where id = $1', [campaignId]);
  },
  'POST /api/v1/sms/campaigns': async (f) => {
    const { aSms, bSms, bSegment } = await smsWorkOf(f);
    const { aSegment } = await tagWorkOf(f);
    const url = '/api/v1/sms/campaigns';
    const templateParams = { coupon: '满100减20' };
    expectNotFound(
      await f.b.owner.post(url, { inboxId: aSms.id, segmentId: bSegment.id, templateParams }),
      'inbox.not_found',
    );
    expectNotFound(
      await f.b.owner.post(url, { inboxId: bSms.id, segmentId: aSegment.id, templateParams }),
      'segment.not_found',
    );
    expect(await countRows(context, 'from sms_campaigns')).toBe(0);
  },
  // SMS callbacks find their inbox by token and must be signed with that inbox's own AccessKey secret.
  'POST /public/v1/channels/sms/:inboxToken/inbound': async (f) => {
    const { bSms } = await smsWorkOf(f);
    const raw = JSON.stringify({
      messageId: 'mo-isolation',
      phoneNumber: '13800001111',
      content: '走错店的短信',
      timestamp: Math.floor(Date.now() / 1000),
    });
    const response = await context.app.inject({
      method: 'POST',
      url: `/public/v1/channels/sms/${bSms.token}/inbound`,
      headers: { 'content-type': 'application/json', 'x-huike-sms-signature': hmacHex('sms-secret-of-a', raw) },
      payload: raw,
    });
    expect(response.statusCode).toBe(400);
    expect(await countRows(context, `from messages where content = '走错店的短信'`)).toBe(0);
  },
  'POST /public/v1/channels/sms/:inboxToken/reports': async (f) => {
    const { bSms } = await smsWorkOf(f);
    const before = await rowOf('messages', f.aMessageId);
    const raw = JSON.stringify({
      timestamp: Math.floor(Date.now() / 1000),
      reports: [{ outId: f.aMessageId, status: 'failed', errorCode: 'X' }],
    });
    const response = await context.app.inject({
      method: 'POST',
      url: `/public/v1/channels/sms/${bSms.token}/reports`,
      headers: { 'content-type': 'application/json', 'x-huike-sms-signature': hmacHex('sms-secret-of-b', raw) },
      payload: raw,
    });
    expect(response.json()).toEqual({ ok: true, matched: 0 });
    expect(await rowOf('messages', f.aMessageId)).toEqual(before);
  },
};

/** A's webhook endpoint (a public address: this app has no private-address opt-in) and a dead delivery to it. */
let webhookWork: Promise<{ aEndpoint: { id: string }; aDeadDeliveryId: string }> | undefined;
function webhookWorkOf(f: Fixture) {
  webhookWork ??= (async () => {
    const created = await f.a.owner.post('/api/v1/webhooks', {
      url: 'https://93.184.216.34/a',
      events: ['message.created'],
    });
    if (created.statusCode !== 201) throw new Error(created.body);
    const aEndpoint = created.json() as { id: string };
    const { rows } = await context.database.pool.query<{ id: string }>(
      `insert into deliveries (id, workspace_id, kind, subject_id, payload, status, attempts, last_error, finished_at)
       values (gen_random_uuid(), $1, 'webhook', $2, '{"event":"message.created","data":{}}', 'dead', 8, 'HTTP 500', now())
       returning id`,
      [f.a.owner.workspaceId, aEndpoint.id],
    );
    return { aEndpoint, aDeadDeliveryId: rows[0]!.id };
  })();
  return webhookWork;
}

/** A campaign of A's as a row (the caller removes it again). */
async function aSmsCampaign(f: Fixture) {
  const { aSms } = await smsWorkOf(f);
  const { rows } = await context.database.pool.query<{ id: string }>(
    `insert into sms_campaigns (id, workspace_id, inbox_id, segment_name, template_code)
     values (gen_random_uuid(), $1, $2, '甲店分组', 'SMS_2') returning id`,
    [f.a.owner.workspaceId, aSms.id],
  );
  return rows[0]!.id;
}

/** An SMS inbox in each workspace (a public provider address: nothing is sent) and a segment of B. */
let smsWork:
  | Promise<{ aSms: { id: string }; bSms: { id: string; token: string }; bSegment: { id: string } }>
  | undefined;
function smsWorkOf(f: Fixture) {
  smsWork ??= (async () => {
    const connect = async (owner: Client, secret: string) => {
      const created = await owner.post('/api/v1/inboxes', {
        name: '短信',
        channelType: 'sms',
        channelConfig: {
          providerUrl: 'https://93.184.216.34/sms',
          accessKeyId: 'key',
          accessKeySecret: secret,
          signName: '店铺',
          templates: { notification: 'SMS_1', marketing: 'SMS_2' },
        },
      });
      if (created.statusCode !== 201) throw new Error(created.body);
      return created.json() as { id: string; token: string };
    };
    const aSms = await connect(f.a.owner, 'sms-secret-of-a');
    const bSms = await connect(f.b.owner, 'sms-secret-of-b');
    const filter = { op: 'and', conditions: [{ field: 'lifecycle_stage', op: 'in', value: ['prospect'] }] };
    const segment = await f.b.owner.post('/api/v1/segments', { name: '乙店分组', filter });
    if (segment.statusCode !== 201) throw new Error(segment.body);
    return { aSms, bSms, bSegment: segment.json() as { id: string } };
  })();
  return smsWork;
}

/** Routes that hold no workspace data, or find their workspace only through an unguessable token. */
const notWorkspaceScoped: Record<string, string> = {
  'GET /healthz': 'process liveness; answers {status} only',
  'GET /readyz': 'database reachability; answers {status} only',
  'GET /metrics': 'Prometheus process metrics labelled by route template and status, no ids or content',
  'GET /api/v1/setup': 'answers whether any workspace exists yet (first-run screen)',
  'POST /api/v1/setup': 'creates the first workspace; refused once one exists',
  'POST /api/v1/auth/login': 'signs in by email and password; the session is the user’s own',
  'POST /api/v1/auth/logout': 'ends the caller’s own session',
  'GET /api/v1/auth/session': 'answers the caller’s own user and workspace',
  'GET /api/openapi.json': 'the API description, the same for everyone',
  'GET /': 'the web app’s index page (the app itself asks the API for everything)',
  'GET /*': 'static files of the built web app and widget, looked up per request; unknown paths get the index page',
  'GET /widget.js': 'the static widget loader script',
  'GET /demo/shop': 'demo page; embeds a public inbox token, which is published on every shop page anyway',
  'GET /public/v1/surveys/:token': 'a survey found only by its random 128-bit link token (what the customer was sent)',
  'POST /public/v1/surveys/:token/responses': 'answers the survey of a random 128-bit link token, once',
  'GET /public/v1/inboxes/:inboxToken/status':
    'whether any agent of the inbox is online, and its business hours, for a public inbox token (the widget header)',
  'GET /s/:token': 'the survey link page of a random 128-bit token; shows the question and shop name only',
};

describe('workspace isolation', () => {
  it('has an isolation check or a stated reason for every route the app serves', () => {
    const routes = listRoutes(context.app);
    // Guards the route-table reader itself: if it stops understanding Fastify's output, fail loudly.
    expect(routes).toContain('GET /api/v1/conversations/:id/messages');
    expect(routes).toContain('POST /public/v1/inboxes/:inboxToken/messages');
    expect(routes.length).toBeGreaterThanOrEqual(30);
    const unchecked = routes.filter((route) => !(route in isolationChecks) && !(route in notWorkspaceScoped));
    expect(unchecked, 'routes with neither an isolation check nor a reason').toEqual([]);
  });

  it('reads every method and nested path from the route table, so a new route cannot slip past', async () => {
    const probe = Fastify();
    for (const url of ['/api/v1/things', '/api/v1/things/:id', '/api/v1/things/:id/parts', '/api/v1/thingies']) {
      probe.get(url, async () => ({}));
    }
    probe.post('/api/v1/things/:id/parts', async () => ({}));
    probe.delete('/api/v1/things/:id', async () => ({}));
    await probe.ready();
    expect(listRoutes(probe)).toEqual([
      'DELETE /api/v1/things/:id',
      'GET /api/v1/thingies',
      'GET /api/v1/things',
      'GET /api/v1/things/:id',
      'GET /api/v1/things/:id/parts',
      'POST /api/v1/things/:id/parts',
    ]);
    await probe.close();
  });

  it('lists no route that the app does not serve, so the table stays true', () => {
    const routes = new Set(listRoutes(context.app));
    const stale = [...Object.keys(isolationChecks), ...Object.keys(notWorkspaceScoped)].filter(
      (route) => !routes.has(route),
    );
    expect(stale).toEqual([]);
  });

  it('never both checks a route and excuses it', () => {
    expect(Object.keys(isolationChecks).filter((route) => route in notWorkspaceScoped)).toEqual([]);
  });

  for (const [route, check] of Object.entries(isolationChecks)) {
    it(`keeps workspace A's data out of reach of workspace B: ${route}`, () => check(fixture));
  }

  it('still lets workspace A use everything B could not reach', async () => {
    const { a, aChat, aMessageId } = fixture;
    expect((await a.owner.get(`/api/v1/conversations/${aChat.conversationId}`)).statusCode).toBe(200);
    const messages = (await a.owner.get(`/api/v1/conversations/${aChat.conversationId}/messages`)).json();
    expect(messages.items.map((m: { id: string }) => m.id)).toContain(aMessageId);
    expect((await a.owner.get(`/api/v1/customers/${aChat.customerId}`)).json().name).toBe('甲店顾客');
    const visitor = await createVisitor(context, a.inbox.token);
    expect((await visitor.send('甲店新顾客')).statusCode).toBe(201);
  });
});

describe('roles within a workspace', () => {
  it('refuses an agent who edits a member', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const colleague = await addUser('agent', '同事');
    const response = await agent.patch(`/api/v1/users/${colleague.userId}`, { disabled: true, role: 'admin' });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('auth.forbidden');
    const users = (await owner.get('/api/v1/users')).json().items;
    expect(users.find((u: { id: string }) => u.id === colleague.userId)).toMatchObject({
      disabled: false,
      role: 'agent',
    });
  });

  it('refuses an agent who creates an inbox or a team', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const agent = await addUser('agent');
    const inbox = await agent.post('/api/v1/inboxes', { name: '私设渠道' });
    expect(inbox.statusCode).toBe(403);
    expect(inbox.json().error.code).toBe('auth.forbidden');
    expect((await agent.post('/api/v1/teams', { name: '私设小组' })).statusCode).toBe(403);
    expect((await owner.get('/api/v1/inboxes')).json().items).toHaveLength(1);
    expect(await countRows(context, `from teams where name = '私设小组'`)).toBe(0);
  });

  it('refuses an analyst who replies, assigns, resolves or edits a customer', async () => {
    const { inbox, addUser } = await createWorkspace(context);
    const analyst = await addUser('analyst');
    const { conversationId, customerId } = await startConversation(context, inbox.token);
    const attempts = [
      analyst.post(`/api/v1/conversations/${conversationId}/messages`, { content: '分析师的回复' }),
      analyst.post(`/api/v1/conversations/${conversationId}/messages`, { content: '分析师的备注', private: true }),
      analyst.post(`/api/v1/conversations/${conversationId}/assign`, { assigneeId: analyst.userId }),
      analyst.post(`/api/v1/conversations/${conversationId}/status`, { status: 'resolved' }),
      analyst.patch(`/api/v1/customers/${customerId}`, { name: '分析师改的' }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.statusCode, response.body).toBe(403);
      expect(response.json().error.code).toBe('auth.forbidden');
    }
    expect(await countRows(context, 'from messages where conversation_id = $1', [conversationId])).toBe(1);
    const { rows } = await context.database.pool.query('select status, assignee_id from conversations where id = $1', [
      conversationId,
    ]);
    expect(rows[0]).toEqual({ status: 'open', assignee_id: null });
  });

  it('refuses every workspace route to someone signed out', async () => {
    const { inbox } = await createWorkspace(context);
    const { conversationId, customerId } = await startConversation(context, inbox.token);
    const anonymous = clientFor(context);
    for (const url of [
      '/api/v1/users',
      '/api/v1/teams',
      '/api/v1/inboxes',
      `/api/v1/inboxes/${inbox.id}`,
      '/api/v1/customers',
      `/api/v1/customers/${customerId}`,
      '/api/v1/conversations',
      '/api/v1/conversations/counts',
      `/api/v1/conversations/${conversationId}`,
      `/api/v1/conversations/${conversationId}/messages`,
    ]) {
      const response = await anonymous.get(url);
      expect(response.statusCode, url).toBe(401);
      expect(response.json().error.code).toBe('auth.required');
    }
    const write = await anonymous.post(`/api/v1/conversations/${conversationId}/messages`, { content: '匿名回复' });
    expect(write.statusCode).toBe(401);
  });
});
