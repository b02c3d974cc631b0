import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  countRows,
  createTestApp,
  createVisitor,
  createWorkspace,
  pause,
  readBack,
  startConversation,
} from '../../../test/harness.ts';
import type { DomainEvent } from '../../platform/events.ts';

const context = await createTestApp();

const TZ = 'Asia/Shanghai';
const dayInShanghai = (offsetDays = 0) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: TZ }).format(new Date(Date.now() + offsetDays * 86_400_000));
const allDay = [{ start: '00:00', end: '24:00' }];
const week = (ranges: { start: string; end: string }[]) => ({
  mon: ranges,
  tue: ranges,
  wed: ranges,
  thu: ranges,
  fri: ranges,
  sat: ranges,
  sun: ranges,
});
const emptyWeek = week([]);

const put = (client: Client, url: string, payload: unknown) =>
  client.request({ method: 'PUT', url, payload: payload as Record<string, unknown> });
const del = (client: Client, url: string) => client.request({ method: 'DELETE', url });

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await pause(25);
    value = await read();
  }
  return value;
}

const botMessages = (conversationId: string) =>
  countRows(context, `from messages where conversation_id = $1 and sender_kind = 'bot'`, [conversationId]);

describe('holiday calendar', () => {
  let shop: Awaited<ReturnType<typeof createWorkspace>>;
  beforeAll(async () => {
    shop = await createWorkspace(context, '节假日店');
  });

  it('seeds a new workspace with the national arrangement of the current and next year', async () => {
    const year = Number(dayInShanghai().slice(0, 4));
    const list = (await shop.owner.get(`/api/v1/holidays?year=${year}`)).json();
    expect(list.items.length).toBeGreaterThan(0);
    if (year === 2026) {
      expect(list.items).toContainEqual({ date: '2026-10-01', kind: 'holiday', name: '国庆节' });
      expect(list.items).toContainEqual({ date: '2026-10-10', kind: 'workday', name: '国庆节调休' });
      expect(list.items).toContainEqual({ date: '2026-02-14', kind: 'workday', name: '春节调休' });
      expect(list.items.filter((d: { kind: string }) => d.kind === 'holiday')).toHaveLength(33);
      const next = (await shop.owner.get('/api/v1/holidays?year=2027')).json();
      expect(next.items).toContainEqual({ date: '2027-01-01', kind: 'holiday', name: '元旦' });
    }
    expect(list.presetYears).toContain(2026);
  });

  it('lets admins edit the calendar and readers only read it', async () => {
    const analyst = await shop.addUser('analyst');
    const supervisor = await shop.addUser('supervisor');
    const agent = await shop.addUser('agent');
    expect((await analyst.get('/api/v1/holidays?year=2026')).statusCode).toBe(200);
    expect((await agent.get('/api/v1/holidays?year=2026')).statusCode).toBe(403);
    const refused = await put(supervisor, '/api/v1/holidays/2026-11-11', { kind: 'holiday', name: '店庆' });
    expect(refused.statusCode).toBe(403);
    expect((await del(supervisor, '/api/v1/holidays/2026-10-01')).statusCode).toBe(403);
    expect((await supervisor.post('/api/v1/holidays/import-preset', { year: 2026 })).statusCode).toBe(403);
    expect(await countRows(context, `from workspace_holidays where date = '2026-11-11'`)).toBe(0);

    const admin = await shop.addUser('admin');
    const saved = await put(admin, '/api/v1/holidays/2026-11-11', { kind: 'holiday', name: '店庆' });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toEqual({ date: '2026-11-11', kind: 'holiday', name: '店庆' });
    const changed = await put(admin, '/api/v1/holidays/2026-11-11', { kind: 'workday', name: '店庆加班' });
    expect(changed.json()).toEqual({ date: '2026-11-11', kind: 'workday', name: '店庆加班' });
    const listed = (await analyst.get('/api/v1/holidays?year=2026')).json().items;
    expect(listed.filter((d: { date: string }) => d.date === '2026-11-11')).toEqual([changed.json()]);

    expect((await del(admin, '/api/v1/holidays/2026-11-11')).statusCode).toBe(204);
    const gone = await del(admin, '/api/v1/holidays/2026-11-11');
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('holiday.not_found');
  });

  it('refuses bad input with 400 and writes nothing', async () => {
    for (const [url, body] of [
      ['/api/v1/holidays/2026-02-30', { kind: 'holiday', name: 'x' }],
      ['/api/v1/holidays/20261111', { kind: 'holiday', name: 'x' }],
      ['/api/v1/holidays/2026-11-12', { kind: 'vacation', name: 'x' }],
      ['/api/v1/holidays/2026-11-12', { kind: 'holiday', name: '  ' }],
      ['/api/v1/holidays/2026-11-12', { kind: 'holiday', name: 'x', extra: 1 }],
    ] as const) {
      const response = await put(shop.owner, url, body);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.code).toBe('request.invalid');
    }
    expect(await countRows(context, `from workspace_holidays where date = '2026-11-12'`)).toBe(0);
    const noPreset = await shop.owner.post('/api/v1/holidays/import-preset', { year: 2031 });
    expect(noPreset.statusCode).toBe(400);
    expect(noPreset.json().error.code).toBe('holiday.no_preset');
    expect((await shop.owner.post('/api/v1/holidays/import-preset', { year: 'x' })).statusCode).toBe(400);
    expect((await shop.owner.get('/api/v1/holidays?year=abc')).statusCode).toBe(400);
  });

  it('restores the national arrangement idempotently, keeping days the admin added', async () => {
    await del(shop.owner, '/api/v1/holidays/2026-10-01');
    await put(shop.owner, '/api/v1/holidays/2026-10-02', { kind: 'workday', name: '改错了' });
    await put(shop.owner, '/api/v1/holidays/2026-12-12', { kind: 'holiday', name: '店庆' });
    const first = await shop.owner.post('/api/v1/holidays/import-preset', { year: 2026 });
    expect(first.statusCode).toBe(200);
    const items = first.json().items;
    expect(items).toContainEqual({ date: '2026-10-01', kind: 'holiday', name: '国庆节' });
    expect(items).toContainEqual({ date: '2026-10-02', kind: 'holiday', name: '国庆节' });
    expect(items).toContainEqual({ date: '2026-12-12', kind: 'holiday', name: '店庆' });
    const second = (await shop.owner.post('/api/v1/holidays/import-preset', { year: 2026 })).json();
    expect(second.items).toEqual(items);
    const audit = (await shop.owner.get('/api/v1/audit-log')).json();
    expect(audit.items.map((e: { action: string }) => e.action)).toContain('business_hours.holiday_preset_imported');
  });
});

describe('inbox business hours', () => {
  let shop: Awaited<ReturnType<typeof createWorkspace>>;
  beforeAll(async () => {
    shop = await createWorkspace(context, '营业时间店');
  });

  const session = async () =>
    (
      await context.app.inject({ method: 'POST', url: `/public/v1/inboxes/${shop.inbox.token}/visitors`, payload: {} })
    ).json();

  it('validates the weekly ranges and the timezone', async () => {
    const bad = [
      { ...emptyWeek, mon: [{ start: '18:00', end: '09:00' }] },
      { ...emptyWeek, mon: [{ start: '22:00', end: '02:00' }] },
      {
        ...emptyWeek,
        mon: [
          { start: '09:00', end: '12:00' },
          { start: '11:00', end: '14:00' },
        ],
      },
      { ...emptyWeek, mon: [{ start: '9:00', end: '12:00' }] },
      { ...emptyWeek, mon: [{ start: '00:00', end: '24:01' }] },
      { mon: [] },
    ];
    for (const weekly of bad) {
      const response = await shop.owner.patch(`/api/v1/inboxes/${shop.inbox.id}`, {
        settings: { businessHours: { enabled: true, timezone: TZ, weekly } },
      });
      expect(response.statusCode, JSON.stringify(weekly)).toBe(400);
      expect(response.json().error.code).toBe('request.invalid');
    }
    const badZone = await shop.owner.patch(`/api/v1/inboxes/${shop.inbox.id}`, {
      settings: { businessHours: { enabled: true, timezone: 'Mars/Olympus', weekly: emptyWeek } },
    });
    expect(badZone.statusCode).toBe(400);
    expect(JSON.stringify(badZone.json().error.details)).toContain('未知的时区');
    const agent = await shop.addUser('agent');
    const refused = await agent.patch(`/api/v1/inboxes/${shop.inbox.id}`, {
      settings: { businessHours: { enabled: true, timezone: TZ, weekly: emptyWeek } },
    });
    expect(refused.statusCode).toBe(403);
    const stored = (await shop.owner.get(`/api/v1/inboxes/${shop.inbox.id}`)).json();
    expect(stored.settings.businessHours).toBeUndefined();
  });

  it('stores the hours without touching the other settings, and the widget sees them', async () => {
    expect((await session()).inbox.hours).toMatchObject({ enabled: false, isOpen: true, summary: '' });
    await shop.owner.patch(`/api/v1/inboxes/${shop.inbox.id}`, { settings: { color: '#ff0000' } });
    const split = [
      { start: '09:00', end: '12:00' },
      { start: '13:30', end: '22:00' },
    ];
    const saved = await shop.owner.patch(`/api/v1/inboxes/${shop.inbox.id}`, {
      settings: {
        businessHours: { enabled: true, timezone: TZ, weekly: week(split) },
        offlineReply: { enabled: true, content: '下班啦，{{next_open}}见' },
      },
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().settings).toMatchObject({
      color: '#ff0000',
      greeting: '您好，有什么可以帮您？',
      businessHours: { enabled: true, timezone: TZ, weekly: week(split) },
      offlineReply: { enabled: true, content: '下班啦，{{next_open}}见' },
    });
    const hours = (await session()).inbox.hours;
    expect(hours).toMatchObject({ enabled: true, timezone: TZ, summary: '09:00–12:00、13:30–22:00' });
    expect(typeof hours.isOpen).toBe('boolean');
    if (!hours.isOpen) expect(hours.nextOpenText).toMatch(/^(今天|明天) (09:00|13:30)$/);
  });

  it('follows the weekly hours of the inbox timezone', async () => {
    const keys = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
    const weekdayOf = (date: string) => keys[new Date(`${date}T00:00:00Z`).getUTCDay()]!;
    const [today, tomorrow] = [dayInShanghai(), dayInShanghai(1)];
    // No calendar entry may interfere on these two days.
    await del(shop.owner, `/api/v1/holidays/${today}`);
    await del(shop.owner, `/api/v1/holidays/${tomorrow}`);
    const setWeekly = (weekly: Record<string, { start: string; end: string }[]>) =>
      shop.owner.patch(`/api/v1/inboxes/${shop.inbox.id}`, {
        settings: { businessHours: { enabled: true, timezone: TZ, weekly: { ...emptyWeek, ...weekly } } },
      });
    await setWeekly({ [weekdayOf(today)]: allDay });
    expect((await session()).inbox.hours).toMatchObject({ isOpen: true, nextOpenAt: null, nextOpenText: null });
    await setWeekly({ [weekdayOf(tomorrow)]: [{ start: '09:00', end: '10:00' }] });
    const closed = (await session()).inbox.hours;
    expect(closed).toMatchObject({ isOpen: false, nextOpenText: '明天 09:00' });
    expect(closed.nextOpenAt).toBe(new Date(`${tomorrow}T09:00:00+08:00`).toISOString());
  });

  it('closes on a holiday and opens a 调休 workday with the Monday hours', async () => {
    const today = dayInShanghai();
    const tomorrow = dayInShanghai(1);
    await shop.owner.patch(`/api/v1/inboxes/${shop.inbox.id}`, {
      settings: { businessHours: { enabled: true, timezone: TZ, weekly: week(allDay) } },
    });
    await put(shop.owner, `/api/v1/holidays/${today}`, { kind: 'holiday', name: '测试假日' });
    await put(shop.owner, `/api/v1/holidays/${tomorrow}`, { kind: 'workday', name: '测试调休' });
    const closed = (await session()).inbox.hours;
    expect(closed).toMatchObject({ isOpen: false, nextOpenText: '明天 00:00' });
    expect(new Date(closed.nextOpenAt).toISOString()).toBe(new Date(`${tomorrow}T00:00:00+08:00`).toISOString());

    // Only Monday has hours: today as a 调休 workday opens with them.
    await shop.owner.patch(`/api/v1/inboxes/${shop.inbox.id}`, {
      settings: { businessHours: { enabled: true, timezone: TZ, weekly: { ...emptyWeek, mon: allDay } } },
    });
    await put(shop.owner, `/api/v1/holidays/${today}`, { kind: 'workday', name: '测试调休' });
    expect((await session()).inbox.hours).toMatchObject({ isOpen: true, nextOpenAt: null });
    await del(shop.owner, `/api/v1/holidays/${today}`);
    await del(shop.owner, `/api/v1/holidays/${tomorrow}`);
  });
});

describe('offline auto-reply', () => {
  let shop: Awaited<ReturnType<typeof createWorkspace>>;
  const events: DomainEvent[] = [];
  beforeAll(async () => {
    shop = await createWorkspace(context, '下班店');
    context.events.subscribe((event) => {
      if (event.workspaceId === shop.owner.workspaceId) events.push(event);
    });
  });

  async function closeToday() {
    await shop.owner.patch(`/api/v1/inboxes/${shop.inbox.id}`, {
      settings: {
        businessHours: { enabled: true, timezone: TZ, weekly: week(allDay) },
        offlineReply: { enabled: true, content: '您好，现在是非工作时间，我们将于{{next_open}}回复您。' },
      },
    });
    await put(shop.owner, `/api/v1/holidays/${dayInShanghai()}`, { kind: 'holiday', name: '测试假日' });
    await put(shop.owner, `/api/v1/holidays/${dayInShanghai(1)}`, { kind: 'workday', name: '测试调休' });
  }

  it('answers once per closed period per conversation, and a replayed event sends nothing more', async () => {
    await closeToday();
    const chat = await startConversation(context, shop.inbox.token, '在吗？');
    expect(
      await until(
        () => botMessages(chat.conversationId),
        (n) => n >= 1,
      ),
    ).toBe(1);
    await chat.visitor.send('有人吗？');
    await pause(300);
    expect(await botMessages(chat.conversationId)).toBe(1);

    const inbound = events.find(
      (e) =>
        e.type === 'message.created' && e.message.direction === 'inbound' && e.conversation.id === chat.conversationId,
    )!;
    context.events.publish(inbound);
    await pause(300);
    expect(await botMessages(chat.conversationId)).toBe(1);

    const history = (await readBack(context, shop.inbox.token, chat.visitor)).json().items;
    const reply = history.find((m: { senderKind: string }) => m.senderKind === 'bot');
    expect(reply.content).toBe('您好，现在是非工作时间，我们将于明天 00:00回复您。');
    const sent = (await until(
      async () => events.find((e) => e.type === 'message.created' && e.message.senderKind === 'bot'),
      Boolean,
    ))!;
    expect(sent.automation).toEqual({ kind: 'business_hours', id: shop.inbox.id });
  });

  it('sends nothing while open or when the offline reply is off', async () => {
    await closeToday();
    await shop.owner.patch(`/api/v1/inboxes/${shop.inbox.id}`, {
      settings: { offlineReply: { enabled: false, content: '下班了' } },
    });
    const whileOff = await startConversation(context, shop.inbox.token, '在吗？');

    await del(shop.owner, `/api/v1/holidays/${dayInShanghai()}`);
    await shop.owner.patch(`/api/v1/inboxes/${shop.inbox.id}`, {
      settings: { offlineReply: { enabled: true, content: '下班了' } },
    });
    const whileOpen = await startConversation(context, shop.inbox.token, '在吗？');
    await pause(300);
    expect(await botMessages(whileOff.conversationId)).toBe(0);
    expect(await botMessages(whileOpen.conversationId)).toBe(0);
  });

  it('ignores messages automation sent', async () => {
    await closeToday();
    const visitor = await createVisitor(context, shop.inbox.token);
    await visitor.send('第一条');
    const conversationId = (
      await context.database.pool.query<{ id: string }>(
        `select c.id from conversations c join customer_identities i on i.customer_id = c.customer_id
         where i.external_id = $1`,
        [visitor.sourceId],
      )
    ).rows[0]!.id;
    const findBotEvent = async () =>
      events.find(
        (e) => e.type === 'message.created' && e.message.senderKind === 'bot' && e.conversation.id === conversationId,
      );
    const botEvent = (await until(findBotEvent, Boolean))!;
    // A bot message published as if it were inbound, but carrying `automation`: no reply to it.
    if (botEvent.type !== 'message.created') throw new Error('unexpected');
    context.events.publish({
      ...botEvent,
      message: { ...botEvent.message, direction: 'inbound', senderKind: 'customer' },
      conversation: { ...botEvent.conversation },
    });
    await pause(300);
    expect(await botMessages(conversationId)).toBe(1);
  });
});
