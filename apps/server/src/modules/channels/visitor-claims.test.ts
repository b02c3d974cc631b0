import { describe, expect, it } from 'vitest';
import { createTestApp, createVisitor, createWorkspace, customerIdOf } from '../../../test/harness.ts';

const context = await createTestApp();

/** A visitor typing someone else's phone must not end up reading that person's chats. */
describe('contact details a website visitor typed', () => {
  it('are marked unverified, and a merge on them does not hand the other customer’s history to the visitor', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const victim = await createVisitor(context, inbox.token);
    expect((await victim.send('为什么还没有发货？都三天了')).statusCode).toBe(201);
    const victimId = await customerIdOf(context, victim.sourceId);
    expect((await owner.patch(`/api/v1/customers/${victimId}`, { phone: '14810459302' })).statusCode).toBe(200);

    const claimer = await createVisitor(context, inbox.token);
    const claim = await context.app.inject({
      method: 'POST',
      url: `/public/v1/inboxes/${inbox.token}/messages`,
      headers: { 'x-huike-visitor-token': claimer.visitorToken },
      payload: { sourceId: claimer.sourceId, content: '我是老客户，查下我的订单', phone: '14810459302' },
    });
    expect(claim.statusCode).toBe(201);
    const claimerId = await customerIdOf(context, claimer.sourceId);

    const duplicates = (await owner.get(`/api/v1/customers/${victimId}/duplicates`)).json().items;
    expect(duplicates).toEqual([
      expect.objectContaining({
        reasons: ['phone'],
        customer: expect.objectContaining({ id: claimerId, unverifiedContacts: ['phone'] }),
      }),
    ]);
    expect((await owner.get(`/api/v1/customers/${victimId}`)).json().unverifiedContacts).toEqual([]);

    expect((await owner.post(`/api/v1/customers/${victimId}/merge`, { otherId: claimerId })).statusCode).toBe(200);
    const history = await context.app.inject({
      method: 'GET',
      url: `/public/v1/inboxes/${inbox.token}/conversations/${claimer.sourceId}/messages`,
      headers: { 'x-huike-visitor-token': claimer.visitorToken },
    });
    expect(history.body).not.toContain('为什么还没有发货');
    expect(history.statusCode).toBe(401);
  });

  it('stop being unverified once an agent enters the field themselves', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    const sent = await context.app.inject({
      method: 'POST',
      url: `/public/v1/inboxes/${inbox.token}/messages`,
      headers: { 'x-huike-visitor-token': visitor.visitorToken },
      payload: { sourceId: visitor.sourceId, content: '你好', phone: '13800001111', email: 'a@example.com' },
    });
    expect(sent.statusCode).toBe(201);
    const id = await customerIdOf(context, visitor.sourceId);
    expect((await owner.get(`/api/v1/customers/${id}`)).json().unverifiedContacts).toEqual(['phone', 'email']);
    await owner.patch(`/api/v1/customers/${id}`, { phone: '13800002222' });
    expect((await owner.get(`/api/v1/customers/${id}`)).json().unverifiedContacts).toEqual(['email']);
  });

  it('stay unverified on the merged profile that keeps them, and only on those it keeps', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const known = await createVisitor(context, inbox.token);
    expect((await known.send('你好')).statusCode).toBe(201);
    const survivorId = await customerIdOf(context, known.sourceId);
    await owner.patch(`/api/v1/customers/${survivorId}`, { email: 'known@example.com' });
    const claimer = await createVisitor(context, inbox.token);
    const claim = await context.app.inject({
      method: 'POST',
      url: `/public/v1/inboxes/${inbox.token}/messages`,
      headers: { 'x-huike-visitor-token': claimer.visitorToken },
      payload: { sourceId: claimer.sourceId, content: '你好', phone: '13800003333', email: 'claim@example.com' },
    });
    expect(claim.statusCode).toBe(201);
    const otherId = await customerIdOf(context, claimer.sourceId);

    const preview = async (fieldChoices: Record<string, string>) =>
      (await owner.post(`/api/v1/customers/${survivorId}/merge/preview`, { otherId, fieldChoices })).json().result;
    expect(await preview({ email: 'other' })).toMatchObject({
      email: 'claim@example.com',
      unverifiedContacts: ['phone', 'email'],
    });
    const merged = await owner.post(`/api/v1/customers/${survivorId}/merge`, { otherId });
    expect(merged.statusCode).toBe(200);
    expect(merged.json().customer).toMatchObject({
      phone: '13800003333',
      email: 'known@example.com',
      unverifiedContacts: ['phone'],
    });
    expect((await owner.get(`/api/v1/customers/${survivorId}`)).json().unverifiedContacts).toEqual(['phone']);
  });
});
