import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { type Client, countRows, createTestApp, createWorkspace, pause } from '../../../../../test/harness.ts';
import { type Mailbox, rawEmail, startDovecot, startSmtpReceiver } from '../../../../../test/mail-servers.ts';
import { TINY_PNG, uploadAttachment } from '../../../../../test/multipart.ts';
import type { ChannelInbox } from '../types.ts';
import { checkImap, IMAP_LEASE_KEY, IMAP_STATE_KEY, type ImapState, startImapPullers } from './imap-puller.ts';
import { emailAdapter, pullEmailInbox, storeRawMail } from './index.ts';
import { checkSmtp } from './smtp-sender.ts';

/*
 * The email channel against real servers: Debian's Dovecot for IMAP (started here, see test/mail-servers.ts) and
 * an SMTP receiver. Each test has its own mailbox user, so positions and mail never mix between tests.
 */

// The mail servers listen on 127.0.0.1: allowed here as for an on-premise mail server.
const context = await createTestApp({ env: { HUIKE_ALLOW_PRIVATE_WEBHOOKS: '1' } });
const dovecot = await startDovecot();
const smtp = await startSmtpReceiver();
afterAll(async () => {
  await dovecot.stop();
  await smtp.stop();
});

const SHOP_ADDRESS = 'kefu@huike-shop.cn';
const BUYER = 'zhang.wei@example.cn';

type Message = {
  id: string;
  conversationId: string;
  direction: 'inbound' | 'outbound';
  content: string;
  externalId: string | null;
  delivery: { status: string; error: string | null } | null;
  channelMeta: Record<string, unknown> | null;
  attachments: { fileId: string; name: string }[];
};
type Conversation = { id: string; status: string; customerId: string };

function emailConfig(mailbox: Mailbox, overrides: Record<string, unknown> = {}) {
  return {
    address: SHOP_ADDRESS,
    displayName: '慧客旗舰店客服',
    imap: { host: dovecot.host, port: dovecot.port, secure: false, user: mailbox.user, password: mailbox.password },
    smtp: { host: smtp.host, port: smtp.port, secure: false, user: smtp.user, password: smtp.password },
    ...overrides,
  };
}

async function createEmailInbox(owner: Client, mailbox: Mailbox, overrides: Record<string, unknown> = {}) {
  const response = await owner.post('/api/v1/inboxes', {
    name: '客服邮箱',
    channelType: 'email',
    channelConfig: emailConfig(mailbox, overrides),
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; token: string; channelConfig: Record<string, unknown> };
}

async function channelInbox(inboxId: string): Promise<ChannelInbox> {
  const inbox = (await context.channelRuntime.inboxesOfType('email')).find((item) => item.id === inboxId);
  if (!inbox) throw new Error('no such email inbox');
  return inbox;
}

const pull = async (inboxId: string) => pullEmailInbox(await channelInbox(inboxId), context.channelRuntime);

async function setup() {
  const workspace = await createWorkspace(context);
  const mailbox = dovecot.createMailbox();
  const inbox = await createEmailInbox(workspace.owner, mailbox);
  return { ...workspace, mailbox, emailInbox: inbox };
}

const conversationsOf = async (client: Client, inboxId: string): Promise<Conversation[]> =>
  (await client.get(`/api/v1/conversations?inboxId=${inboxId}&limit=100`)).json().items;

/** A conversation's messages, oldest first. */
const messagesOf = async (client: Client, conversationId: string): Promise<Message[]> =>
  ((await client.get(`/api/v1/conversations/${conversationId}/messages?limit=100`)).json().items as Message[]).sort(
    (a, b) => (a.id < b.id ? -1 : 1),
  );

const customerMail = (n: number, extra: Partial<Parameters<typeof rawEmail>[0]> = {}) =>
  rawEmail({
    from: BUYER,
    fromName: '张伟',
    to: SHOP_ADDRESS,
    subject: `订单什么时候发货？（${n}）`,
    body: `你好，我的订单 2024${n} 什么时候发货？`,
    messageId: `<order-${n}-${Math.random().toString(36).slice(2)}@example.cn>`,
    ...extra,
  });

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await pause(100);
  }
}

describe('connecting a mailbox', () => {
  it('creates an email inbox whose passwords are stored encrypted and never answered', async () => {
    const { owner, emailInbox, mailbox } = await setup();
    expect(emailInbox.channelConfig).toEqual({
      forwardingAddress: `${emailInbox.token}@mail.huike.local`,
      address: SHOP_ADDRESS,
      displayName: '慧客旗舰店客服',
      imap: { host: dovecot.host, port: dovecot.port, secure: false, user: mailbox.user },
      smtp: { host: smtp.host, port: smtp.port, secure: false, user: smtp.user },
    });
    expect(JSON.stringify(emailInbox)).not.toContain(mailbox.password);
    const stored = (
      await context.database.pool.query('select channel_config from inboxes where id = $1', [emailInbox.id])
    ).rows[0].channel_config;
    expect(stored.imap.password).toMatch(/^v1:/);
    expect(stored.smtp.password).toMatch(/^v1:/);
    expect(JSON.stringify(stored)).not.toContain(mailbox.password);

    // An update that leaves the passwords out keeps them (and is checked against the servers again).
    const renamed = await owner.patch(`/api/v1/inboxes/${emailInbox.id}`, {
      channelConfig: { displayName: '慧客售后', imap: { port: dovecot.port } },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json().channelConfig.displayName).toBe('慧客售后');
    expect(JSON.stringify(renamed.json())).not.toContain(mailbox.password);
    await mailbox.append(customerMail(1));
    expect(await pull(emailInbox.id)).toBe(1);
  });

  it('takes a forwarding-only inbox (no IMAP, no SMTP), whose replies fail saying why', async () => {
    const { owner } = await createWorkspace(context);
    const response = await owner.post('/api/v1/inboxes', {
      name: '转发邮箱',
      channelType: 'email',
      channelConfig: { address: 'service@shop.example.cn' },
    });
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json();
    expect(created.channelConfig).toEqual({
      address: 'service@shop.example.cn',
      forwardingAddress: `${created.token}@mail.huike.local`,
    });

    // Mail forwarded in is stored like pulled mail; a reply has no SMTP server to leave by.
    await storeRawMail(Buffer.from(customerMail(1)), await channelInbox(created.id), context.channelRuntime);
    const [conversation] = await conversationsOf(owner, created.id);
    await owner.post(`/api/v1/conversations/${conversation!.id}/messages`, { content: '您好！' });
    await context.outbox.drain();
    const reply = (await messagesOf(owner, conversation!.id)).at(-1)!;
    expect(reply.delivery).toEqual({
      status: 'failed',
      error: '该邮箱渠道没有设置 SMTP 发信服务器，无法发送邮件',
      reason: { code: 'email.no_smtp', params: {} },
    });
  });

  it('refuses a wrong password naming the side that failed, without echoing it, and stores nothing', async () => {
    const { owner } = await createWorkspace(context);
    const mailbox = dovecot.createMailbox();
    const before = await countRows(context, "from inboxes where channel_type = 'email'");

    const wrongImap = await owner.post('/api/v1/inboxes', {
      name: '客服邮箱',
      channelType: 'email',
      channelConfig: emailConfig(mailbox, {
        imap: { host: dovecot.host, port: dovecot.port, secure: false, user: mailbox.user, password: 'wrong-pass-9' },
      }),
    });
    expect(wrongImap.statusCode).toBe(400);
    expect(wrongImap.json().error.code).toBe('channel.connection_failed');
    expect(wrongImap.json().error.message).toContain('IMAP');
    expect(wrongImap.json().error.message).not.toContain('SMTP');
    expect(wrongImap.body).not.toContain('wrong-pass-9');

    const wrongSmtp = await owner.post('/api/v1/inboxes', {
      name: '客服邮箱',
      channelType: 'email',
      channelConfig: emailConfig(mailbox, {
        smtp: { host: smtp.host, port: smtp.port, secure: false, user: smtp.user, password: 'wrong-smtp-9' },
      }),
    });
    expect(wrongSmtp.statusCode).toBe(400);
    expect(wrongSmtp.json().error).toMatchObject({ code: 'channel.connection_failed' });
    expect(wrongSmtp.json().error.message).toContain('SMTP');
    expect(wrongSmtp.json().error.message).not.toContain('IMAP');
    expect(wrongSmtp.body).not.toContain('wrong-smtp-9');

    // Nothing listens on the port: the message says it could not connect.
    const closed = await owner.post('/api/v1/inboxes', {
      name: '客服邮箱',
      channelType: 'email',
      channelConfig: emailConfig(mailbox, {
        imap: { host: '127.0.0.1', port: 1, secure: false, user: mailbox.user, password: mailbox.password },
      }),
    });
    expect(closed.statusCode).toBe(400);
    expect(closed.json().error.message).toContain('无法连接 IMAP');

    expect(await countRows(context, "from inboxes where channel_type = 'email'")).toBe(before);
  });

  it('never reaches loopback or private addresses unless the deployment allows them', async () => {
    const mailbox = dovecot.createMailbox();
    const strict = { config: { ...context.channelRuntime.config, allowPrivateWebhooks: false } };
    const imap = { host: dovecot.host, port: dovecot.port, secure: false, user: mailbox.user, password: 'x' };
    expect(await checkImap(imap, strict)).toBe('IMAP 收信服务器不可用：服务器地址指向内网、本机或保留地址，已拒绝');
    expect(await checkSmtp({ ...imap, host: 'localhost', port: smtp.port }, strict)).toContain('内网、本机');
    expect(await checkSmtp({ ...imap, host: '169.254.169.254', port: 25 }, strict)).toContain('内网、本机');
    expect(await checkImap({ ...imap, host: '[::1]' }, strict)).toContain('内网、本机');
    // Allowed here: the real mailbox answers.
    expect(await checkImap({ ...imap, password: mailbox.password }, context.channelRuntime)).toBeUndefined();
  });

  it('refuses a malformed config with 400 and the field', async () => {
    const { owner } = await createWorkspace(context);
    const response = await owner.post('/api/v1/inboxes', {
      name: '客服邮箱',
      channelType: 'email',
      channelConfig: { address: 'not-an-address', imap: { host: 'imap.example.cn', port: 0, secure: 'yes' } },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('request.invalid');
    const paths = response.json().error.details.map((detail: { path: string }) => detail.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/channelConfig/address', '/channelConfig/imap/port', '/channelConfig/imap/secure']),
    );
  });

  it('lets only inbox managers connect a mailbox, and keeps other workspaces out', async () => {
    const { owner, addUser, emailInbox, mailbox } = await setup();
    const agent = await addUser('agent');
    const refused = await agent.post('/api/v1/inboxes', {
      name: '客服邮箱',
      channelType: 'email',
      channelConfig: emailConfig(mailbox),
    });
    expect(refused.statusCode).toBe(403);

    const other = await createWorkspace(context, '别家店铺');
    expect((await other.owner.get(`/api/v1/inboxes/${emailInbox.id}`)).statusCode).toBe(404);
    const patched = await other.owner.patch(`/api/v1/inboxes/${emailInbox.id}`, {
      channelConfig: { displayName: '别家' },
    });
    expect(patched.statusCode).toBe(404);
    expect((await owner.get(`/api/v1/inboxes/${emailInbox.id}`)).json().channelConfig.displayName).toBe(
      '慧客旗舰店客服',
    );
  });
});

describe('pulling mail by IMAP', () => {
  it('stores a new mail once, with its subject, and nothing again on the next pull', async () => {
    const { owner, emailInbox, mailbox } = await setup();
    await mailbox.append(customerMail(1, { subject: '订单什么时候发货？', body: '你好，我的订单什么时候发货？' }));
    expect(await pull(emailInbox.id)).toBe(1);

    const [conversation, ...others] = await conversationsOf(owner, emailInbox.id);
    expect(others).toHaveLength(0);
    const [message] = await messagesOf(owner, conversation!.id);
    expect(message).toMatchObject({ direction: 'inbound', content: '你好，我的订单什么时候发货？' });
    expect(message!.channelMeta).toMatchObject({ subject: '订单什么时候发货？' });
    expect(message!.externalId).toMatch(/@example\.cn>?$/);

    expect(await pull(emailInbox.id)).toBe(0);
    expect(await messagesOf(owner, conversation!.id)).toHaveLength(1);
    const state = await context.channelRuntime.state.get<ImapState>(await channelInbox(emailInbox.id), IMAP_STATE_KEY);
    expect(state).toMatchObject({ lastUid: 1 });
  });

  it('resumes after downtime with exactly the mail that arrived meanwhile (no gap, no duplicate), waking on IDLE', async () => {
    const { owner, emailInbox, mailbox } = await setup();
    const countInbound = () =>
      countRows(
        context,
        "from messages m join conversations c on c.id = m.conversation_id where c.inbox_id = $1 and m.direction = 'inbound'",
        [emailInbox.id],
      );

    let stop = startImapPullers(context.channelRuntime, storeRawMail, { refreshMs: 200 });
    await mailbox.append(customerMail(1));
    await until(countInbound, (count) => count === 1, 'the first mail');
    // The loop now IDLEs: a new mail wakes it without waiting for a poll.
    await mailbox.append(customerMail(2));
    await until(countInbound, (count) => count === 2, 'the mail that arrived while idling', 8_000);
    await stop();

    await mailbox.append(customerMail(3));
    await mailbox.append(customerMail(4));
    await pause(300);
    expect(await countInbound()).toBe(2);

    // Resumed the way worker processes start it (the adapter's start()).
    stop = emailAdapter.start!(context.channelRuntime);
    await until(countInbound, (count) => count >= 4, 'the mail that arrived during downtime');
    await pause(500);
    await stop();
    expect(await countInbound()).toBe(4);
    const contents = (
      await context.database.pool.query(
        `select m.content from messages m join conversations c on c.id = m.conversation_id
         where c.inbox_id = $1 and m.direction = 'inbound' order by m.id`,
        [emailInbox.id],
      )
    ).rows.map((row) => row.content);
    expect(contents).toEqual([1, 2, 3, 4].map((n) => `你好，我的订单 2024${n} 什么时候发货？`));
    const state = await context.channelRuntime.state.get<ImapState>(await channelInbox(emailInbox.id), IMAP_STATE_KEY);
    expect(state).toMatchObject({ lastUid: 4 });
    expect((await conversationsOf(owner, emailInbox.id)).length).toBeGreaterThanOrEqual(1);
  });

  it('has one worker pull a mailbox while several run, and another take over when it stops', async () => {
    const { emailInbox, mailbox } = await setup();
    const countInbound = () =>
      countRows(
        context,
        "from messages m join conversations c on c.id = m.conversation_id where c.inbox_id = $1 and m.direction = 'inbound'",
        [emailInbox.id],
      );
    const leaseHolder = async () =>
      (
        await context.database.pool.query(
          `select value->>'holder' as holder from channel_state where inbox_id = $1 and key = $2`,
          [emailInbox.id, IMAP_LEASE_KEY],
        )
      ).rows[0]?.holder;

    const stopA = startImapPullers(context.channelRuntime, storeRawMail, { refreshMs: 200, holder: 'worker-a' });
    await until(leaseHolder, (holder) => holder === 'worker-a', 'worker A to take the mailbox');
    const stopB = startImapPullers(context.channelRuntime, storeRawMail, { refreshMs: 200, holder: 'worker-b' });
    await pause(700); // B checks several times, and A keeps renewing
    expect(await leaseHolder()).toBe('worker-a');
    await mailbox.append(customerMail(1));
    await until(countInbound, (count) => count === 1, 'the first mail');

    await stopA();
    await until(leaseHolder, (holder) => holder === 'worker-b', 'worker B to take over');
    await mailbox.append(customerMail(2));
    await until(countInbound, (count) => count === 2, 'the mail after the take-over');
    await stopB();
    expect(await leaseHolder()).toBeUndefined();
    expect(await countInbound()).toBe(2);
  });

  it('reads the mailbox again when UIDVALIDITY changes, without duplicating what it has', async () => {
    const { emailInbox, mailbox } = await setup();
    await mailbox.append(customerMail(1));
    await mailbox.append(customerMail(2));
    expect(await pull(emailInbox.id)).toBe(2);
    const inbox = await channelInbox(emailInbox.id);
    const real = (await context.channelRuntime.state.get<ImapState>(inbox, IMAP_STATE_KEY))!;
    await context.channelRuntime.state.set(inbox, IMAP_STATE_KEY, { uidValidity: '12345', lastUid: 99 });

    await pull(emailInbox.id);
    expect(await context.channelRuntime.state.get<ImapState>(inbox, IMAP_STATE_KEY)).toMatchObject({
      uidValidity: real.uidValidity,
      lastUid: 2,
    });
    const stored = await countRows(
      context,
      'from messages m join conversations c on c.id = m.conversation_id where c.inbox_id = $1',
      [emailInbox.id],
    );
    expect(stored).toBe(2);
  });
});

describe('receive health', () => {
  type Health = {
    error: string | null;
    reason: { code: string; params: Record<string, unknown> } | null;
    failingSince: string | null;
    lastSuccessAt: string | null;
  };
  const healthOf = async (client: Client, inboxId: string) =>
    (await client.get(`/api/v1/inboxes/${inboxId}`)).json().health as Health | null;
  const countInbound = (inboxId: string) =>
    countRows(
      context,
      "from messages m join conversations c on c.id = m.conversation_id where c.inbox_id = $1 and m.direction = 'inbound'",
      [inboxId],
    );
  /** Changes the stored IMAP settings behind the API's back (its save would test them first). */
  const breakImap = (inboxId: string, change: Record<string, unknown>) =>
    context.database.pool.query(
      `update inboxes set channel_config = jsonb_set(channel_config, '{imap}', channel_config->'imap' || $2::jsonb)
        where id = $1`,
      [inboxId, JSON.stringify(change)],
    );
  /** A local port nothing listens on. */
  const closedPort = () =>
    new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });

  it('shows admins why IMAP fails and since when, and clears it when a pass works again', async () => {
    const { owner, addUser, emailInbox, mailbox } = await setup();
    const agent = await addUser('agent');
    await breakImap(emailInbox.id, { user: 'nobody-here' });
    const stop = startImapPullers(context.channelRuntime, storeRawMail, { refreshMs: 200, firstBackoffMs: 200 });
    try {
      const failing = await until(
        () => healthOf(owner, emailInbox.id),
        (health) => Boolean(health?.error),
        'the failure to be recorded',
      );
      expect(failing).toEqual({
        error: 'IMAP 收信服务器登录失败，请检查用户名和密码（授权码）',
        reason: { code: 'email.imap_auth_failed', params: {} },
        failingSince: expect.any(String),
        lastSuccessAt: null,
      });
      const listed = (await owner.get('/api/v1/inboxes')).json().items.find((item: { id: string }) => {
        return item.id === emailInbox.id;
      });
      expect(listed.health).toEqual(failing);
      // Agents read inboxes but cannot fix them: no health for them.
      expect(await healthOf(agent, emailInbox.id)).toBeNull();

      // Further failures keep the start of the run.
      await pause(1_000);
      expect((await healthOf(owner, emailInbox.id))?.failingSince).toBe(failing!.failingSince);

      await breakImap(emailInbox.id, { user: mailbox.user });
      await mailbox.append(customerMail(1));
      await until(
        () => countInbound(emailInbox.id),
        (count) => count === 1,
        'the mail after the repair',
      );
      const recovered = await until(
        () => healthOf(owner, emailInbox.id),
        (health) => health?.error === null,
        'the failure to be cleared',
      );
      expect(recovered).toEqual({ error: null, reason: null, failingSince: null, lastSuccessAt: expect.any(String) });
      expect(Date.parse(recovered!.lastSuccessAt!)).toBeGreaterThan(Date.parse(failing!.failingSince!));
    } finally {
      await stop();
    }
  });

  it('restarts a failing loop as soon as the settings are saved, instead of waiting out its backoff', async () => {
    const { owner, emailInbox, mailbox } = await setup();
    const port = await closedPort();
    await breakImap(emailInbox.id, { port });
    // Both the backoff and the periodic check take a minute here: only the save can bring the mail in sooner.
    const stop = startImapPullers(context.channelRuntime, storeRawMail, {
      refreshMs: 60_000,
      firstBackoffMs: 60_000,
    });
    try {
      const failing = await until(
        () => healthOf(owner, emailInbox.id),
        (health) => Boolean(health?.error),
        'the failure to be recorded',
      );
      expect(failing!.error).toBe(`无法连接 IMAP 收信服务器 ${dovecot.host}:${port}`);
      expect(failing!.reason).toEqual({ code: 'email.imap_unreachable', params: { host: dovecot.host, port } });

      await mailbox.append(customerMail(1));
      const saved = await owner.patch(`/api/v1/inboxes/${emailInbox.id}`, {
        channelConfig: { imap: { port: dovecot.port } },
      });
      expect(saved.statusCode, saved.body).toBe(200);
      // The save tested the settings: the old failure is gone at once.
      expect(saved.json().health).toMatchObject({ error: null, reason: null, failingSince: null });
      await until(
        () => countInbound(emailInbox.id),
        (count) => count === 1,
        'the mail after the save',
        8_000,
      );
      await until(
        () => healthOf(owner, emailInbox.id),
        (health) => health?.lastSuccessAt !== null,
        'the successful pass to be recorded',
      );
    } finally {
      await stop();
    }
  });

  it('does not score a mail without text or subject for sentiment or urgency', async () => {
    const { emailInbox, mailbox } = await setup();
    await mailbox.append(customerMail(1, { subject: '', body: '' }));
    expect(await pull(emailInbox.id)).toBe(1);
    const [stored] = (
      await context.database.pool.query(
        `select m.content, m.sentiment_label, m.urgency_reasons from messages m
           join conversations c on c.id = m.conversation_id where c.inbox_id = $1`,
        [emailInbox.id],
      )
    ).rows;
    expect(stored).toEqual({ content: '（无正文）', sentiment_label: null, urgency_reasons: null });
  });
});

describe('replying by SMTP', () => {
  async function conversationWithMail(subject = '退货申请') {
    const ctx = await setup();
    const firstId = `<return-${Math.random().toString(36).slice(2)}@example.cn>`;
    await ctx.mailbox.append(customerMail(1, { subject, body: '衣服尺码不合适，想退货。', messageId: firstId }));
    await pull(ctx.emailInbox.id);
    const [conversation] = await conversationsOf(ctx.owner, ctx.emailInbox.id);
    return { ...ctx, conversation: conversation!, firstId };
  }

  it('sends the reply threaded (Re:, In-Reply-To, References) and marks it sent with its Message-ID', async () => {
    const { owner, conversation, firstId } = await conversationWithMail();
    const before = smtp.received.length;
    const sent = await owner.post(`/api/v1/conversations/${conversation.id}/messages`, {
      content: '您好，已为您登记退货。\n请把衣服寄回：杭州市余杭区。',
    });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(sent.json().delivery).toEqual({ status: 'pending', error: null, reason: null });

    await context.outbox.drain();
    expect(smtp.received.length).toBe(before + 1);
    const mail = smtp.received.at(-1)!;
    expect(mail.to).toEqual([BUYER]);
    expect(mail.from).toBe(SHOP_ADDRESS);
    expect(mail.headerFrom).toContain('慧客旗舰店客服');
    expect(mail.subject).toBe('Re: 退货申请');
    expect(mail.inReplyTo).toBe(firstId);
    expect(mail.references).toEqual([firstId]);
    expect(mail.text).toContain('已为您登记退货');
    expect(mail.html).toContain('<br>');

    const messages = await messagesOf(owner, conversation.id);
    const reply = messages.at(-1)!;
    expect(reply.delivery).toEqual({ status: 'sent', error: null, reason: null });
    expect(reply.externalId).toBe(mail.messageId);
    expect(reply.externalId).toMatch(/^<[0-9a-f-]{36}@huike-shop\.cn>$/);
    expect(reply.channelMeta).toMatchObject({ subject: 'Re: 退货申请', inReplyTo: firstId });
  });

  it("threads the customer's answer into the same conversation, even after it was resolved", async () => {
    const { owner, conversation, mailbox, emailInbox, firstId } = await conversationWithMail('换货');
    await owner.post(`/api/v1/conversations/${conversation.id}/messages`, { content: '可以换货，请寄回。' });
    await context.outbox.drain();
    const reply = (await messagesOf(owner, conversation.id)).at(-1)!;
    const resolved = await owner.post(`/api/v1/conversations/${conversation.id}/status`, { status: 'resolved' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    await context.outbox.drain(); // resolving sends the satisfaction survey invitation by email too

    // The customer's mail client answers with a subject of its own and the thread's ids.
    await mailbox.append(
      customerMail(2, {
        subject: '回复：Re: 换货',
        body: '好的，已经寄出了，单号 SF1234567890。',
        inReplyTo: reply.externalId!,
        references: [firstId, reply.externalId!],
      }),
    );
    expect(await pull(emailInbox.id)).toBe(1);
    const conversations = await conversationsOf(owner, emailInbox.id);
    expect(conversations.map((item) => item.id)).toEqual([conversation.id]);
    const messages = await messagesOf(owner, conversation.id);
    const inbound = messages.filter((message) => message.direction === 'inbound');
    expect(inbound).toHaveLength(2);
    expect(inbound[1]!.content).toContain('SF1234567890');
    expect(messages.at(-1)!.id).toBe(inbound[1]!.id);
    expect(conversations[0]!.status).toBe('open');

    // The next reply answers the latest mail and references the whole thread, oldest first.
    await owner.post(`/api/v1/conversations/${conversation.id}/messages`, { content: '收到，谢谢！' });
    await context.outbox.drain();
    const mail = smtp.received.at(-1)!;
    expect(mail.subject).toBe('回复：Re: 换货');
    expect(mail.inReplyTo).toBe(inbound[1]!.externalId);
    // The survey invitation that resolving sent goes out by email too, whenever its event lands: the thread is what
    // came before the reply.
    const now = await messagesOf(owner, conversation.id);
    const sent = now.find((message) => message.content === '收到，谢谢！')!;
    const thread = now.filter((message) => message.id < sent.id);
    const threadIds = thread.flatMap((message) => (message.externalId ? [message.externalId] : []));
    expect(mail.references).toEqual(threadIds);
    expect(threadIds.slice(0, 2)).toEqual([firstId, reply.externalId]);
  });

  it('sends attachments with the reply', async () => {
    const { owner, conversation } = await conversationWithMail('发票');
    const upload = await uploadAttachment(owner, '发票.png', TINY_PNG, 'image/png');
    expect(upload.statusCode, upload.body).toBe(201);
    await owner.post(`/api/v1/conversations/${conversation.id}/messages`, {
      content: '发票见附件。',
      attachmentIds: [upload.json().fileId],
    });
    await context.outbox.drain();
    const mail = smtp.received.at(-1)!;
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ filename: '发票.png', contentType: 'image/png' });
    expect(mail.attachments[0]!.content.equals(TINY_PNG)).toBe(true);
  });

  it('marks the message failed with the reason when the server refuses it (5xx), retries a 4xx', async () => {
    const { owner, conversation } = await conversationWithMail('投诉');
    smtp.refuse({ code: 550, message: 'Mailbox unavailable' });
    try {
      await owner.post(`/api/v1/conversations/${conversation.id}/messages`, { content: '非常抱歉给您带来不便。' });
      await context.outbox.drain();
    } finally {
      smtp.refuse(null);
    }
    const failed = (await messagesOf(owner, conversation.id)).at(-1)!;
    expect(failed.delivery?.status).toBe('failed');
    expect(failed.delivery?.error).toContain('550');
    expect(failed.delivery?.error).toContain('Mailbox unavailable');
    expect(failed.delivery?.error).not.toContain(smtp.password);

    // A temporary refusal leaves it pending for the next attempt, which succeeds.
    const before = smtp.received.length;
    smtp.refuse({ code: 451, message: 'Try again later' });
    await owner.post(`/api/v1/conversations/${conversation.id}/messages`, { content: '我们已经加急处理。' });
    await context.outbox.drain(1);
    expect((await messagesOf(owner, conversation.id)).at(-1)!.delivery?.status).toBe('pending');
    smtp.refuse(null);
    await context.outbox.drain();
    expect((await messagesOf(owner, conversation.id)).at(-1)!.delivery?.status).toBe('sent');
    expect(smtp.received.length).toBe(before + 1);
  });

  it('records a bounce of a sent reply on the message', async () => {
    const { owner, conversation, mailbox, emailInbox } = await conversationWithMail('咨询');
    await owner.post(`/api/v1/conversations/${conversation.id}/messages`, { content: '您好，请问有什么可以帮您？' });
    await context.outbox.drain();
    const reply = (await messagesOf(owner, conversation.id)).at(-1)!;
    expect(reply.delivery?.status).toBe('sent');

    const boundary = 'bounce-boundary';
    await mailbox.append(
      [
        'From: Mail Delivery System <MAILER-DAEMON@mx.example.cn>',
        `To: <${SHOP_ADDRESS}>`,
        'Subject: Undelivered Mail Returned to Sender',
        `Message-ID: <bounce-${Math.random().toString(36).slice(2)}@mx.example.cn>`,
        'Auto-Submitted: auto-replied',
        'MIME-Version: 1.0',
        `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Your message could not be delivered.',
        `--${boundary}`,
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.cn',
        '',
        `Final-Recipient: rfc822; ${BUYER}`,
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
        `--${boundary}`,
        'Content-Type: text/rfc822-headers',
        '',
        `From: <${SHOP_ADDRESS}>`,
        `To: <${BUYER}>`,
        `Message-ID: ${reply.externalId}`,
        'Subject: Re: 咨询',
        `--${boundary}--`,
        '',
      ].join('\r\n'),
    );
    await pull(emailInbox.id);
    const bounced = (await messagesOf(owner, conversation.id)).find((message) => message.id === reply.id)!;
    expect(bounced.delivery?.status).toBe('bounced');
    expect(bounced.delivery?.error).toBeTruthy();
    expect(await messagesOf(owner, conversation.id)).toHaveLength(2);
  });
});
