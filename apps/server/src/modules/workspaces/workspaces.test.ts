import { describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace } from '../../../test/harness.ts';

const context = await createTestApp();

describe('workspace settings', () => {
  it('lets the owner rename the workspace and change its time zone, which the session then carries', async () => {
    const { owner } = await createWorkspace(context, '小林家旗舰店');
    const saved = await owner.patch('/api/v1/workspace', { name: ' 小林家官方旗舰店 ', timezone: 'Asia/Urumqi' });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toEqual({ id: owner.workspaceId, name: '小林家官方旗舰店', timezone: 'Asia/Urumqi' });
    expect((await owner.get('/api/v1/auth/session')).json().workspace).toEqual(saved.json());
    expect((await owner.get('/api/v1/workspace')).json()).toEqual(saved.json());
    const [entry] = (await owner.get('/api/v1/audit-log?action=workspace.updated')).json().items;
    expect(entry).toMatchObject({
      actor: { id: owner.userId },
      targetType: 'workspace',
      targetId: owner.workspaceId,
      details: {
        changes: {
          name: { before: '小林家旗舰店', after: '小林家官方旗舰店' },
          timezone: { before: 'Asia/Shanghai', after: 'Asia/Urumqi' },
        },
      },
    });
  });

  it('lets an admin change it, shows it to everyone and refuses changes by other roles', async () => {
    const { owner, addUser } = await createWorkspace(context, '原名');
    const admin = await addUser('admin');
    expect((await admin.patch('/api/v1/workspace', { timezone: 'Europe/London' })).statusCode).toBe(200);
    for (const role of ['supervisor', 'agent', 'analyst'] as const) {
      const member = await addUser(role);
      expect((await member.get('/api/v1/workspace')).json()).toMatchObject({ name: '原名', timezone: 'Europe/London' });
      const refused = await member.patch('/api/v1/workspace', { name: `${role} 改的` });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('auth.forbidden');
    }
    expect((await owner.get('/api/v1/workspace')).json()).toMatchObject({ name: '原名', timezone: 'Europe/London' });
  });

  it('refuses an unknown time zone, an empty name and an empty change with 400, changing nothing', async () => {
    const { owner } = await createWorkspace(context, '原名');
    for (const body of [{ timezone: 'Mars/Olympus' }, { name: '  ' }, {}, { name: '新名', logo: 'x' }]) {
      const refused = await owner.patch('/api/v1/workspace', body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(refused.json().error.code).toBe('request.invalid');
    }
    expect((await owner.get('/api/v1/workspace')).json()).toMatchObject({ name: '原名', timezone: 'Asia/Shanghai' });
    expect((await owner.get('/api/v1/audit-log?action=workspace.updated')).json().items).toEqual([]);
  });

  it('records nothing when a save changes nothing', async () => {
    const { owner } = await createWorkspace(context, '原名');
    expect((await owner.patch('/api/v1/workspace', { name: '原名' })).statusCode).toBe(200);
    expect((await owner.get('/api/v1/audit-log?action=workspace.updated')).json().items).toEqual([]);
  });
});
