import { describe, expect, it } from 'vitest';
import { createTestApp, createVisitor, createWorkspace, customerIdOf, startConversation } from './harness.ts';

const context = await createTestApp();

/** Zero-width space, non-joiner, joiner, BOM and word joiner: invisible, so a text made of them is blank. */
const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\ufeff', '\u2060'];

describe('email addresses typed in full width', () => {
  it('are normalised and stored half-width with a lower-case domain by the customers API', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { customerId } = await startConversation(context, inbox.token);
    const patched = await owner.patch(`/api/v1/customers/${customerId}`, {
      email: ' ａｂｃ＠ｑｑ．ｃｏｍ ',
      emails: ['Zhang.San＠ＥＸＡＭＰＬＥ。ＣＯＭ\u200b'],
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ email: 'abc@qq.com', emails: ['Zhang.San@example.com'] });
    // Still validated after normalising.
    const bad = await owner.patch(`/api/v1/customers/${customerId}`, { email: 'ａｂｃ＠ｑｑ' });
    expect(bad.statusCode).toBe(400);
    // And found by search in its normal form.
    const found = (await owner.get('/api/v1/customers?q=abc%40qq.com')).json();
    expect(found.items.map((item: { id: string }) => item.id)).toEqual([customerId]);
  });

  it('are normalised by the public channel API (widget details)', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    const sent = await context.app.inject({
      method: 'POST',
      url: `/public/v1/inboxes/${inbox.token}/messages`,
      headers: { 'x-huike-visitor-token': visitor.visitorToken },
      payload: { sourceId: visitor.sourceId, content: '你好', email: 'ｍａｉｌ＠ＱＱ．ｃｏｍ' },
    });
    expect(sent.statusCode, sent.body).toBe(201);
    const customerId = await customerIdOf(context, visitor.sourceId);
    expect((await owner.get(`/api/v1/customers/${customerId}`)).json()).toMatchObject({ email: 'mail@qq.com' });
  });
});

describe('blank and invisible text', () => {
  it('stores a blank customer name as no name, like the form does', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { customerId } = await startConversation(context, inbox.token);
    await owner.patch(`/api/v1/customers/${customerId}`, { name: '黄武先', nickname: '阿黄' });
    for (const blank of ['   ', '\u3000', INVISIBLE.join('')]) {
      await owner.patch(`/api/v1/customers/${customerId}`, { name: '黄武先', nickname: '阿黄' });
      const patched = await owner.patch(`/api/v1/customers/${customerId}`, { name: blank, nickname: blank });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.json()).toMatchObject({ name: null, nickname: null });
    }
    const { rows } = await context.database.pool.query('select name, nickname from customers where id = $1', [
      customerId,
    ]);
    expect(rows[0]).toEqual({ name: null, nickname: null });
    // Invisible characters around a name are trimmed, inner ones kept.
    const trimmed = await owner.patch(`/api/v1/customers/${customerId}`, { name: '\u200b 黄武先\u2060' });
    expect(trimmed.json().name).toBe('黄武先');
  });

  it('refuses a reply made only of zero-width characters, as a blank one', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const { conversationId } = await startConversation(context, inbox.token);
    const url = `/api/v1/conversations/${conversationId}/messages`;
    for (const content of [...INVISIBLE.map((c) => c.repeat(2)), INVISIBLE.join(''), ` ${INVISIBLE.join(' ')} `]) {
      const response = await owner.post(url, { content });
      expect(response.statusCode, JSON.stringify(content)).toBe(400);
      expect(response.json().error.code).toBe('request.invalid');
    }
    const kept = await owner.post(url, { content: '\u200b好的\u200b' });
    expect(kept.statusCode, kept.body).toBe(201);
    expect(kept.json().content).toBe('好的');
    // An emoji sequence keeps its joiners.
    const family = await owner.post(url, { content: '👨\u200d👩\u200d👧' });
    expect(family.json().content).toBe('👨\u200d👩\u200d👧');
    // A visitor's invisible message is refused too.
    const visitor = await createVisitor(context, inbox.token);
    expect((await visitor.send('\u200b\u200b')).statusCode).toBe(400);
  });

  it('refuses other required texts made only of invisible characters (a tag name)', async () => {
    const { owner } = await createWorkspace(context);
    const groups = (await owner.get('/api/v1/tag-groups')).json().items;
    const created = await owner.post('/api/v1/tags', { groupId: groups[0].id, name: '\u200b\ufeff' });
    expect(created.statusCode).toBe(400);
  });
});
