import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  countRows,
  createTestApp,
  createWorkspace,
  listen,
  openSocket,
  readBack,
  startConversation,
  untilVisitorSocketReady,
} from '../../../test/harness.ts';
import { TINY_PNG, uploadAttachment } from '../../../test/multipart.ts';

const context = await createTestApp();

type Workspace = Awaited<ReturnType<typeof createWorkspace>>;
let shop: Workspace;
let other: Workspace;
let agent: Client;
let analyst: Client;

beforeAll(async () => {
  shop = await createWorkspace(context, '附件店');
  other = await createWorkspace(context, '别家店');
  agent = await shop.addUser('agent', '小王');
  analyst = await shop.addUser('analyst', '数据分析');
});

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>');
const fakeDocx = Buffer.concat([
  Buffer.from([0x50, 0x4b, 0x03, 0x04]),
  Buffer.from('\u0000\u0000[Content_Types].xml....word/document.xml....', 'latin1'),
]);

async function uploadPng(client: Client = agent, name = '商品图.png') {
  const response = await uploadAttachment(client, name, TINY_PNG, 'image/png');
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { fileId: string; name: string; contentType: string; size: number };
}

describe('uploading attachments', () => {
  it('stores images and documents typed by their bytes, not by their name or declared type', async () => {
    const png = await uploadPng();
    expect(png).toMatchObject({ name: '商品图.png', contentType: 'image/png', size: TINY_PNG.length });

    const disguised = await uploadAttachment(agent, '发票.pdf', TINY_PNG, 'application/pdf');
    expect(disguised.statusCode).toBe(201);
    expect(disguised.json()).toMatchObject({ name: '发票.png', contentType: 'image/png' });

    const pdf = await uploadAttachment(agent, '说明书.pdf', PDF, 'application/pdf');
    expect(pdf.json()).toMatchObject({ name: '说明书.pdf', contentType: 'application/pdf' });
    const docx = await uploadAttachment(agent, '合同.docx', fakeDocx);
    expect(docx.json()).toMatchObject({
      name: '合同.docx',
      contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    });
    const txt = await uploadAttachment(agent, '尺码表', Buffer.from('S 160\nM 170\nL 180\n'), 'text/plain');
    expect(txt.json()).toMatchObject({ name: '尺码表.txt', contentType: 'text/plain' });
  });

  it('refuses SVG, HTML and unknown binaries, whatever they claim to be, and stores nothing', async () => {
    const before = await countRows(context, 'from files where workspace_id = $1', [shop.owner.workspaceId]);
    for (const [name, data, type] of [
      ['logo.svg', SVG, 'image/svg+xml'],
      ['logo.png', SVG, 'image/png'],
      ['page.html', Buffer.from('<!DOCTYPE html><html><script>alert(1)</script></html>'), 'text/html'],
      ['note.txt', Buffer.from('<html><body onload=alert(1)>'), 'text/plain'],
      ['app.exe', Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]), 'application/octet-stream'],
      ['empty.txt', Buffer.alloc(0), 'text/plain'],
    ] as const) {
      const response = await uploadAttachment(agent, name, data, type);
      expect(response.statusCode, name).toBe(415);
      expect(response.json().error.code).toBe('attachment.type_refused');
    }
    expect(await countRows(context, 'from files where workspace_id = $1', [shop.owner.workspaceId])).toBe(before);
  });

  it('refuses files over 10 MB', async () => {
    const before = await countRows(context, 'from files where workspace_id = $1', [shop.owner.workspaceId]);
    const big = Buffer.concat([TINY_PNG, Buffer.alloc(10 * 1024 * 1024)]);
    const response = await uploadAttachment(agent, 'huge.png', big, 'image/png');
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('request.too_large');
    expect(await countRows(context, 'from files where workspace_id = $1', [shop.owner.workspaceId])).toBe(before);
  });

  it('needs a signed-in user who may reply or use templates, and a multipart body', async () => {
    expect((await uploadAttachment(analyst, 'a.png', TINY_PNG)).statusCode).toBe(403);
    const anonymous = await context.app.inject({ method: 'POST', url: '/api/v1/attachments', payload: {} });
    expect(anonymous.statusCode).toBe(401);
    const json = await agent.post('/api/v1/attachments', { file: 'x' });
    expect(json.statusCode).toBe(415);
  });

  it('keeps attachments when working files are pruned', async () => {
    const png = await uploadPng();
    await context.database.pool.query(`update files set created_at = now() - interval '30 days' where id = $1`, [
      png.fileId,
    ]);
    await context.files.pruneExpired();
    expect(await countRows(context, 'from files where id = $1', [png.fileId])).toBe(1);
  });
});

describe('replies with attachments', () => {
  it('sends a reply that is attachments only, and agents download it', async () => {
    const chat = await startConversation(context, shop.inbox.token, '有实拍图吗？');
    const png = await uploadPng();
    const sent = await agent.post(`/api/v1/conversations/${chat.conversationId}/messages`, {
      attachmentIds: [png.fileId],
    });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(sent.json()).toMatchObject({
      content: '',
      attachments: [{ fileId: png.fileId, name: '商品图.png', contentType: 'image/png', size: TINY_PNG.length }],
    });
    expect(sent.json().attachments[0].url).toBe(`/api/v1/attachments/${png.fileId}`);
    const conversation = (await agent.get(`/api/v1/conversations/${chat.conversationId}`)).json();
    expect(conversation.lastMessagePreview).toBe('[图片]');
    const listed = (await agent.get(`/api/v1/conversations/${chat.conversationId}/messages`)).json();
    expect(listed.items.at(-1).attachments[0].fileId).toBe(png.fileId);

    const download = await analyst.get(`/api/v1/attachments/${png.fileId}`);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(TINY_PNG)).toBe(true);
    expect(download.headers['content-type']).toBe('image/png');
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['content-security-policy']).toContain("default-src 'none'");
    expect(String(download.headers['content-disposition'])).toMatch(/^inline;/);
  });

  it('refuses an empty reply, unknown files and files of another workspace (404, nothing stored)', async () => {
    const chat = await startConversation(context, shop.inbox.token, '在吗');
    const url = `/api/v1/conversations/${chat.conversationId}/messages`;
    const count = () => countRows(context, 'from messages where conversation_id = $1', [chat.conversationId]);
    const before = await count();
    const empty = await agent.post(url, { content: '  ', attachmentIds: [] });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('消息不能为空');

    const theirs = (await uploadAttachment(other.owner, '别家.png', TINY_PNG)).json();
    const foreign = await agent.post(url, { content: '看图', attachmentIds: [theirs.fileId] });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('attachment.not_found');

    // A working file (an export) of the same workspace is not an attachment.
    const working = await context.files.save(context.database.db, {
      workspaceId: shop.owner.workspaceId!,
      createdBy: shop.owner.userId!,
      name: 'export.csv',
      contentType: 'text/csv; charset=utf-8',
      data: Buffer.from('a,b'),
    });
    expect((await agent.post(url, { content: '导出', attachmentIds: [working.id] })).statusCode).toBe(404);
    expect((await agent.get(`/api/v1/attachments/${working.id}`)).statusCode).toBe(404);
    expect(await count()).toBe(before);

    expect((await other.owner.get(`/api/v1/attachments/${(await uploadPng()).fileId}`)).statusCode).toBe(404);
    const mine = await uploadPng();
    expect((await analyst.post(url, { content: '图', attachmentIds: [mine.fileId] })).statusCode).toBe(403);
  });

  it('hands the visitor a signed link that works for their inbox only, until it expires', async () => {
    const chat = await startConversation(context, shop.inbox.token, '发个说明书');
    const pdf = (await uploadAttachment(agent, '说明书.pdf', PDF)).json();
    const png = await uploadPng();
    const sent = await agent.post(`/api/v1/conversations/${chat.conversationId}/messages`, {
      content: '请看附件',
      attachmentIds: [png.fileId, pdf.fileId],
    });
    expect(sent.statusCode).toBe(201);

    const history = (await readBack(context, shop.inbox.token, chat.visitor)).json();
    const reply = history.items.find((item: { content: string }) => item.content === '请看附件');
    expect(reply.attachments.map((a: { name: string }) => a.name)).toEqual(['商品图.png', '说明书.pdf']);
    const [imageLink, pdfLink] = reply.attachments.map((a: { url: string }) => a.url) as [string, string];
    expect(imageLink).toMatch(
      new RegExp(`^/public/v1/inboxes/${shop.inbox.token}/attachments/${png.fileId}\\?exp=\\d+&sig=[0-9a-f]{64}$`),
    );

    const image = await context.app.inject({ method: 'GET', url: imageLink });
    expect(image.statusCode).toBe(200);
    expect(image.rawPayload.equals(TINY_PNG)).toBe(true);
    expect(image.headers['x-content-type-options']).toBe('nosniff');
    expect(image.headers['content-security-policy']).toContain('sandbox');
    const document = await context.app.inject({ method: 'GET', url: pdfLink });
    expect(document.statusCode).toBe(200);
    expect(document.headers['content-type']).toBe('application/pdf');
    expect(String(document.headers['content-disposition'])).toMatch(/^attachment;.*filename\*=UTF-8''/);

    const bare = `/public/v1/inboxes/${shop.inbox.token}/attachments/${png.fileId}`;
    const query = imageLink.slice(imageLink.indexOf('?'));
    const refused = [
      bare,
      `${bare}?exp=${query.match(/exp=(\d+)/)![1]}&sig=${'0'.repeat(64)}`,
      `/public/v1/inboxes/${other.inbox.token}/attachments/${png.fileId}${query}`,
      `/public/v1/inboxes/${shop.inbox.token}/attachments/${pdf.fileId}${query}`,
    ];
    // Signed correctly with the inbox secret, but expired.
    const exp = Math.floor(Date.now() / 1000) - 60;
    const sig = createHmac('sha256', shop.inbox.secret)
      .update(`attachment.${shop.inbox.token}.${png.fileId}.${exp}`)
      .digest('hex');
    refused.push(`${bare}?exp=${exp}&sig=${sig}`);
    for (const url of refused) {
      const response = await context.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json().error.code).toBe('attachment.not_found');
    }
  });

  it('pushes the reply with its signed links to the visitor socket', async () => {
    const { ws } = await listen(context);
    const chat = await startConversation(context, shop.inbox.token, '图片呢');
    const socket = await openSocket(
      `${ws}/public/v1/inboxes/${shop.inbox.token}/ws?sourceId=${chat.visitor.sourceId}&token=${chat.visitor.visitorToken}`,
    );
    try {
      await untilVisitorSocketReady(socket);
      const png = await uploadPng();
      await agent.post(`/api/v1/conversations/${chat.conversationId}/messages`, { attachmentIds: [png.fileId] });
      const frame = await socket.next('message');
      const url = frame.message.attachments[0]?.url ?? '';
      expect(url).toContain(`/attachments/${png.fileId}?exp=`);
      const image = await context.app.inject({ method: 'GET', url });
      expect(image.statusCode).toBe(200);
    } finally {
      socket.close();
    }
  });
});

describe('template and automated attachments', () => {
  it('a template keeps uploaded attachments only, and render answers them', async () => {
    const png = await uploadPng();
    const working = await context.files.save(context.database.db, {
      workspaceId: shop.owner.workspaceId!,
      createdBy: shop.owner.userId!,
      name: 'export.csv',
      contentType: 'text/csv; charset=utf-8',
      data: Buffer.from('a,b'),
    });
    const refused = await shop.owner.post('/api/v1/templates', {
      scope: 'workspace',
      title: '导出',
      content: '见附件',
      attachments: [{ fileId: working.id, name: 'export.csv', contentType: 'text/csv' }],
    });
    expect(refused.statusCode).toBe(400);
    const created = await shop.owner.post('/api/v1/templates', {
      scope: 'workspace',
      title: '尺码图',
      content: '亲，尺码图请看图片',
      attachments: [{ fileId: png.fileId, name: png.name, contentType: png.contentType }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const chat = await startConversation(context, shop.inbox.token, '尺码怎么选');
    const rendered = await agent.post(`/api/v1/templates/${created.json().id}/render`, {
      conversationId: chat.conversationId,
    });
    expect(rendered.json().attachments).toEqual([{ fileId: png.fileId, name: png.name, contentType: 'image/png' }]);
    // The composer sends the rendered text with the template's attachments (the agent may remove some).
    const sent = await agent.post(`/api/v1/conversations/${chat.conversationId}/messages`, {
      content: rendered.json().content,
      attachmentIds: rendered.json().attachments.map((a: { fileId: string }) => a.fileId),
    });
    expect(sent.json().attachments).toHaveLength(1);
  });

  it('automated messages carry attachments, skip files that are gone, and are stored once per key', async () => {
    const chat = await startConversation(context, shop.inbox.token, '价格');
    const png = await uploadPng();
    const send = () =>
      context.services.conversations.sendAutomatedMessage({
        workspaceId: shop.owner.workspaceId!,
        conversationId: chat.conversationId,
        content: '价格请看图',
        attachments: [{ fileId: png.fileId }, { fileId: '00000000-0000-7000-8000-000000000000' }],
        senderKind: 'bot',
        idempotencyKey: `test:${chat.conversationId}`,
        source: { kind: 'keyword_reply', id: '00000000-0000-7000-8000-000000000001' },
      });
    const first = await send();
    expect(first.isNew).toBe(true);
    expect(first.message.attachments.map((a) => a.fileId)).toEqual([png.fileId]);
    expect((await send()).isNew).toBe(false);
    const history = (await readBack(context, shop.inbox.token, chat.visitor)).json();
    const bot = history.items.find((item: { senderKind: string }) => item.senderKind === 'bot');
    expect(bot.attachments[0].url).toContain('sig=');
  });
});
