import { describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, insertCustomer } from '../../../test/harness.ts';

const context = await createTestApp();
const { pool } = context.database;

async function shopWithFields() {
  const workspace = await createWorkspace(context);
  const { owner } = workspace;
  const define = async (body: Record<string, unknown>) => {
    const response = await owner.post('/api/v1/customer-fields', body);
    if (response.statusCode !== 201) throw new Error(response.body);
    return response.json();
  };
  const fields = {
    level: await define({
      key: 'vip_level',
      label: '会员等级',
      type: 'single_select',
      options: ['普通', '金卡', '钻石'],
    }),
    hobbies: await define({ key: 'hobbies', label: '爱好', type: 'multi_select', options: ['运动', '美妆', '数码'] }),
    height: await define({ key: 'height_cm', label: '身高', type: 'number', position: 2 }),
    since: await define({ key: 'member_since', label: '入会日期', type: 'date', position: 3 }),
    wechat: await define({ key: 'wechat', label: '微信号', type: 'text', position: 4 }),
  };
  const customerId = await insertCustomer(context, owner.workspaceId!, { name: '赵敏' });
  return { ...workspace, fields, customerId };
}

const customFieldsOf = async (id: string) =>
  (await pool.query('select custom_fields from customers where id = $1', [id])).rows[0].custom_fields;

describe('defining custom fields', () => {
  it('lets an admin define fields that everyone can read, in position order', async () => {
    const { addUser } = await shopWithFields();
    const analyst = await addUser('analyst');
    const response = await analyst.get('/api/v1/customer-fields');
    expect(response.statusCode).toBe(200);
    expect(response.json().items.map((f: { key: string }) => f.key)).toEqual([
      'vip_level',
      'hobbies',
      'height_cm',
      'member_since',
      'wechat',
    ]);
    expect(response.json().items[0]).toMatchObject({
      label: '会员等级',
      type: 'single_select',
      options: ['普通', '金卡', '钻石'],
      required: false,
      archived: false,
    });
  });

  it('refuses supervisors and agents with 403', async () => {
    const { addUser, fields } = await shopWithFields();
    for (const role of ['supervisor', 'agent'] as const) {
      const user = await addUser(role);
      expect((await user.post('/api/v1/customer-fields', { key: 'x', label: 'x', type: 'text' })).statusCode).toBe(403);
      expect((await user.patch(`/api/v1/customer-fields/${fields.wechat.id}`, { label: '改' })).statusCode).toBe(403);
      const removed = await user.request({ method: 'DELETE', url: `/api/v1/customer-fields/${fields.wechat.id}` });
      expect(removed.statusCode).toBe(403);
    }
  });

  it('refuses a taken key, a bad key, and select fields without options', async () => {
    const { owner } = await shopWithFields();
    const taken = await owner.post('/api/v1/customer-fields', { key: 'wechat', label: '又一个', type: 'text' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('custom_field.key_taken');
    const badKey = await owner.post('/api/v1/customer-fields', { key: 'Bad Key', label: 'x', type: 'text' });
    expect(badKey.statusCode).toBe(400);
    const noOptions = await owner.post('/api/v1/customer-fields', {
      key: 'size',
      label: '尺码',
      type: 'single_select',
    });
    expect(noOptions.statusCode).toBe(400);
    expect(noOptions.json().error.message).toContain('选项');
    const textOptions = await owner.post('/api/v1/customer-fields', {
      key: 'memo',
      label: '备忘',
      type: 'text',
      options: ['a'],
    });
    expect(textOptions.statusCode).toBe(400);
  });

  it('archives a field (hidden by default) and refuses to delete one that holds values', async () => {
    const { owner, fields, customerId } = await shopWithFields();
    await owner.patch(`/api/v1/customers/${customerId}`, { customFields: { wechat: 'zhaomin88' } });
    const removed = await owner.request({ method: 'DELETE', url: `/api/v1/customer-fields/${fields.wechat.id}` });
    expect(removed.statusCode).toBe(409);
    expect(removed.json().error.code).toBe('custom_field.in_use');
    const archived = await owner.patch(`/api/v1/customer-fields/${fields.wechat.id}`, { archived: true });
    expect(archived.json().archived).toBe(true);
    expect((await owner.get('/api/v1/customer-fields')).json().items).toHaveLength(4);
    expect((await owner.get('/api/v1/customer-fields?includeArchived=true')).json().items).toHaveLength(5);
    const unused = await owner.request({ method: 'DELETE', url: `/api/v1/customer-fields/${fields.height.id}` });
    expect(unused.statusCode).toBe(204);
  });

  it('refuses to remove an option customers still hold', async () => {
    const { owner, fields, customerId } = await shopWithFields();
    await owner.patch(`/api/v1/customers/${customerId}`, { customFields: { hobbies: ['运动', '数码'] } });
    const response = await owner.patch(`/api/v1/customer-fields/${fields.hobbies.id}`, { options: ['运动', '美妆'] });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.details).toEqual({ options: ['数码'], customers: 1 });
    const ok = await owner.patch(`/api/v1/customer-fields/${fields.hobbies.id}`, {
      options: ['运动', '数码', '旅行'],
      label: '兴趣爱好',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ label: '兴趣爱好', options: ['运动', '数码', '旅行'] });
  });
});

describe('removing an option while a customer is being set to it', () => {
  /** Whether `promise` is still pending after a moment (it waits for a lock the test holds). */
  const stillWaiting = async (promise: Promise<unknown>) => {
    let done = false;
    void promise.then(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    return !done;
  };

  it('waits for a customer write in flight, then refuses to remove the option it set', async () => {
    const { owner, fields, customerId } = await shopWithFields();
    const held = await pool.connect();
    try {
      // A customer PATCH between its validation and its commit: the definitions locked as applyPatch does.
      await held.query('begin');
      await held.query('select id from customer_field_definitions where workspace_id = $1 for share', [
        owner.workspaceId,
      ]);
      await held.query(`update customers set custom_fields = '{"vip_level": "金卡"}' where id = $1`, [customerId]);
      const removal = owner.patch(`/api/v1/customer-fields/${fields.level.id}`, { options: ['普通', '钻石'] });
      expect(await stillWaiting(removal)).toBe(true);
      await held.query('commit');
      const response = await removal;
      expect(response.statusCode, response.body).toBe(409);
      expect(response.json().error.code).toBe('custom_field.in_use');
    } finally {
      await held.query('rollback');
      held.release();
    }
  });

  it('makes a customer write wait for a removal in flight, then refuses the removed option', async () => {
    const { owner, fields, customerId } = await shopWithFields();
    const held = await pool.connect();
    try {
      await held.query('begin');
      await held.query('select id from customer_field_definitions where id = $1 for update', [fields.level.id]);
      await held.query(`update customer_field_definitions set options = '{普通,钻石}' where id = $1`, [
        fields.level.id,
      ]);
      const write = owner.patch(`/api/v1/customers/${customerId}`, { customFields: { vip_level: '金卡' } });
      expect(await stillWaiting(write)).toBe(true);
      await held.query('commit');
      const response = await write;
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toContain('没有选项「金卡」');
      expect(await customFieldsOf(customerId)).toEqual({});
    } finally {
      await held.query('rollback');
      held.release();
    }
  });

  it('never leaves a customer holding a removed option when both requests race', async () => {
    const { owner, fields, customerId } = await shopWithFields();
    for (let round = 0; round < 15; round++) {
      await owner.patch(`/api/v1/customer-fields/${fields.level.id}`, { options: ['普通', '金卡', '钻石'] });
      await owner.patch(`/api/v1/customers/${customerId}`, { customFields: { vip_level: null } });
      const [write, removal] = await Promise.all([
        owner.patch(`/api/v1/customers/${customerId}`, { customFields: { vip_level: '金卡' } }),
        owner.patch(`/api/v1/customer-fields/${fields.level.id}`, { options: ['普通', '钻石'] }),
      ]);
      expect([write.statusCode, removal.statusCode]).not.toEqual([200, 200]);
      const options = (
        await pool.query('select options from customer_field_definitions where id = $1', [fields.level.id])
      ).rows[0].options;
      const held = (await customFieldsOf(customerId)).vip_level;
      if (held !== undefined) expect(options).toContain(held);
    }
  });
});

describe('custom field values on a profile', () => {
  it('stores valid values and records them on the timeline', async () => {
    const { owner, customerId } = await shopWithFields();
    const response = await owner.patch(`/api/v1/customers/${customerId}`, {
      customFields: {
        vip_level: '金卡',
        hobbies: ['运动', '美妆'],
        height_cm: 168.5,
        member_since: '2020-05-01',
        wechat: ' zhaomin88 ',
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    const expected = {
      vip_level: '金卡',
      hobbies: ['运动', '美妆'],
      height_cm: 168.5,
      member_since: '2020-05-01',
      wechat: 'zhaomin88',
    };
    expect(response.json().customFields).toEqual(expected);
    expect(await customFieldsOf(customerId)).toEqual(expected);

    const cleared = await owner.patch(`/api/v1/customers/${customerId}`, {
      customFields: { wechat: null, hobbies: [] },
    });
    expect(cleared.json().customFields).toEqual({ vip_level: '金卡', height_cm: 168.5, member_since: '2020-05-01' });
    const { rows } = await pool.query(
      `select details from customer_events where customer_id = $1 and kind = 'profile_updated' order by id`,
      [customerId],
    );
    expect(rows[1].details.changes).toEqual(
      expect.arrayContaining([
        { field: 'customFields.wechat', from: 'zhaomin88', to: null },
        { field: 'customFields.hobbies', from: ['运动', '美妆'], to: null },
      ]),
    );
  });

  it.each([
    [{ vip_level: '白金' }, '/customFields/vip_level', '没有选项「白金」'],
    [{ vip_level: ['金卡'] }, '/customFields/vip_level', '应为一个选项'],
    [{ hobbies: ['运动', '跳伞'] }, '/customFields/hobbies', '没有选项「跳伞」'],
    [{ hobbies: '运动' }, '/customFields/hobbies', '应为选项列表'],
    [{ height_cm: '一米七' }, '/customFields/height_cm', '应为数字'],
    [{ member_since: '2020-13-01' }, '/customFields/member_since', 'YYYY-MM-DD'],
    [{ wechat: 12 }, '/customFields/wechat', '应为文本'],
    [{ shoe_size: '42' }, '/customFields/shoe_size', '没有自定义字段「shoe_size」'],
  ])('refuses %j with a clear message and stores nothing', async (customFields, path, message) => {
    const { owner, customerId } = await shopWithFields();
    const response = await owner.patch(`/api/v1/customers/${customerId}`, {
      name: '改了',
      customFields: { wechat: 'ok', ...customFields },
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.code).toBe('request.invalid');
    expect(response.json().error.message).toContain(message);
    expect(response.json().error.details).toEqual([expect.objectContaining({ path })]);
    expect(await customFieldsOf(customerId)).toEqual({});
    expect((await pool.query('select name from customers where id = $1', [customerId])).rows[0].name).toBe('赵敏');
  });

  it('refuses values for archived fields', async () => {
    const { owner, fields, customerId } = await shopWithFields();
    await owner.patch(`/api/v1/customer-fields/${fields.wechat.id}`, { archived: true });
    const response = await owner.patch(`/api/v1/customers/${customerId}`, { customFields: { wechat: 'x' } });
    expect(response.statusCode).toBe(400);
  });

  it('requires required fields once custom fields are edited, and never lets them be cleared', async () => {
    const { owner, fields, customerId } = await shopWithFields();
    await owner.patch(`/api/v1/customer-fields/${fields.level.id}`, { required: true });
    // Editing other parts of the profile is not blocked by a required field left empty.
    expect((await owner.patch(`/api/v1/customers/${customerId}`, { notes: '备注' })).statusCode).toBe(200);
    const missing = await owner.patch(`/api/v1/customers/${customerId}`, { customFields: { wechat: 'x' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toContain('「会员等级」为必填项');
    expect(
      (await owner.patch(`/api/v1/customers/${customerId}`, { customFields: { wechat: 'x', vip_level: '普通' } }))
        .statusCode,
    ).toBe(200);
    const cleared = await owner.patch(`/api/v1/customers/${customerId}`, { customFields: { vip_level: null } });
    expect(cleared.statusCode).toBe(400);
    expect(await customFieldsOf(customerId)).toEqual({ wechat: 'x', vip_level: '普通' });
  });
});
