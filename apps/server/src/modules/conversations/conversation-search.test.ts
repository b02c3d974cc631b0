import { describe, expect, it } from 'vitest';
import { type Client, createTestApp, createWorkspace, startConversation } from '../../../test/harness.ts';

const context = await createTestApp();

const ids = (items: { id: string }[]) => items.map((item) => item.id);
const search = async (client: Client, q: string) => {
  const response = await client.get(`/api/v1/conversations?q=${encodeURIComponent(q)}`);
  expect(response.statusCode, response.body).toBe(200);
  return ids(response.json().items);
};

/** A workspace with 黄武先 (phone 148 1045 9302) and 王小丫 chatting, and an agent (no customers:reveal_pii). */
async function setUp() {
  const { owner, inbox, addUser } = await createWorkspace(context);
  const agent = await addUser('agent');
  const huang = await startConversation(context, inbox.token, '你好，快递到哪了');
  const wang = await startConversation(context, inbox.token, '我要开发票');
  const patched = await owner.patch(`/api/v1/customers/${huang.customerId}`, {
    name: '黄武先',
    phone: '14810459302',
    email: 'wuxian@example.com',
  });
  expect(patched.statusCode, patched.body).toBe(200);
  await owner.patch(`/api/v1/customers/${wang.customerId}`, { name: '王小丫' });
  return { owner, agent, inbox, huang: huang.conversationId, wang: wang.conversationId };
}

describe('workbench search', () => {
  it('finds a customer’s conversation the way customer search does: pinyin, initials, traditional, phone', async () => {
    const { owner, huang, wang } = await setUp();
    for (const q of [
      'hwx',
      'HWX',
      'huangwuxian',
      'wuxian',
      '黃武先',
      '武先',
      '148 1045 9302',
      '１４８１０４５９３０２',
      '148-1045-9302',
      '1045',
      'wuxian@example',
    ]) {
      expect(await search(owner, q), q).toEqual([huang]);
    }
    expect(await search(owner, 'wxy')).toEqual([wang]);
    expect(await search(owner, 'xiaoya')).toEqual([wang]);
    expect(await search(owner, 'zhangsan')).toEqual([]);
    // Message content still matches, whoever the customer is.
    expect(await search(owner, '开发票')).toEqual([wang]);
    expect(await search(owner, '快递')).toEqual([huang]);
    expect(await search(owner, '没有这个词')).toEqual([]);
  });

  it('matches phone digits only as far as the searching user may see them', async () => {
    const { agent, huang } = await setUp();
    // The agent sees the phone masked (148****9302): the whole number, its start and its last four match …
    expect(await search(agent, '148 1045 9302')).toEqual([huang]);
    expect(await search(agent, '１４８１０４５９３０２')).toEqual([huang]);
    expect(await search(agent, '9302')).toEqual([huang]);
    // … the hidden middle digits do not.
    expect(await search(agent, '1045')).toEqual([]);
    expect(await search(agent, '1481045')).toEqual([]);
    // Names match for everyone.
    expect(await search(agent, 'hwx')).toEqual([huang]);
  });

  it('counts the tabs under the search', async () => {
    const { owner, agent, huang } = await setUp();
    await owner.post(`/api/v1/conversations/${huang}/assign`, { assigneeId: agent.userId });
    const counts = async (query: string) => {
      const response = await agent.get(`/api/v1/conversations/counts${query}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    };
    expect(await counts('')).toEqual({ mine: 1, unassigned: 1, all: 2 });
    expect(await counts('?q=hwx')).toEqual({ mine: 1, unassigned: 0, all: 1 });
    expect(await counts(`?q=${encodeURIComponent('开发票')}`)).toEqual({ mine: 0, unassigned: 1, all: 1 });
    expect(await counts('?q=1045&status=open')).toEqual({ mine: 0, unassigned: 0, all: 0 });
    expect(await counts('?q=nobody')).toEqual({ mine: 0, unassigned: 0, all: 0 });
  });
});
