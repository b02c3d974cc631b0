import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, createVisitor, createWorkspace, startApp } from './harness.ts';

const lines: string[] = [];
const { url, drop } = await createTestDatabase();
const context = await startApp(url, { logLevel: 'info', logStream: { write: (line) => lines.push(line) } });
afterAll(async () => {
  await context.app.close();
  await context.database.close();
  await drop();
});

describe('logs', () => {
  it('are JSON lines that carry no message text, tokens or personal data', async () => {
    const { owner, inbox } = await createWorkspace(context);
    const visitor = await createVisitor(context, inbox.token);
    const secretText = '我的手机号是13812345678，地址杭州市西湖区';
    await context.app.inject({
      method: 'POST',
      url: `/public/v1/inboxes/${inbox.token}/messages`,
      headers: { 'x-huike-visitor-token': visitor.visitorToken },
      payload: { sourceId: visitor.sourceId, content: secretText, name: '王小明', phone: '13812345678' },
    });
    const conversations = (await owner.get('/api/v1/conversations')).json();
    await owner.post(`/api/v1/conversations/${conversations.items[0].id}/messages`, { content: '收到，马上为您处理' });
    // A database error: NUL cannot be stored, and the driver's error quotes the SQL parameters.
    await owner.patch(`/api/v1/customers/${conversations.items[0].customerId}`, { name: '王\u0000小明' });

    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const all = lines.join('\n');
    for (const secret of [
      secretText,
      '13812345678',
      '王小明',
      '收到，马上为您处理',
      visitor.visitorToken,
      owner.cookie!,
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});
