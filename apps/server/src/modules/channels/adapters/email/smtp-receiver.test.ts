import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { countRows, createTestApp, createWorkspace } from '../../../../../test/harness.ts';
import type { ChannelRuntime } from '../types.ts';
import { type SmtpReceiver, startForwardingReceiver, startSmtpReceiver } from './smtp-receiver.ts';

const context = await createTestApp();
const runtime = context.channelRuntime;
const MAX_BYTES = 256 * 1024;
const DOMAIN = 'mail.huike.local';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

const receivers: SmtpReceiver[] = [];
afterAll(async () => {
  for (const receiver of receivers) await receiver.close();
});

async function receiver(withRuntime: ChannelRuntime = runtime) {
  const started = await startSmtpReceiver({
    port: 0,
    host: '127.0.0.1',
    runtime: withRuntime,
    maxBytes: MAX_BYTES,
    mailDomain: DOMAIN,
  });
  receivers.push(started);
  return started;
}

const defaultReceiver = await receiver();

/** An email inbox created through the API, with its forwarding address. */
async function emailInbox(owner: Awaited<ReturnType<typeof createWorkspace>>['owner']) {
  const created = await owner.post('/api/v1/inboxes', {
    name: '转发邮箱',
    channelType: 'email',
    channelConfig: { address: 'kefu@shop.example' },
  });
  expect(created.statusCode, created.body).toBe(201);
  const { token } = created.json();
  return { token, address: `${token}@${DOMAIN}` };
}

async function setup() {
  const workspace = await createWorkspace(context);
  return {
    ...workspace,
    workspaceId: workspace.owner.workspaceId!,
    websiteInbox: workspace.inbox as { token: string },
    inbox: await emailInbox(workspace.owner),
  };
}

/** Sends a raw mail the way a forwarding mail server does. */
function send(raw: Buffer | string, to: string | string[], port = defaultReceiver.port) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  return transport.sendMail({ envelope: { from: 'forwarder@shop.example', to }, raw });
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ responseCode: 250 }),
    (error: { responseCode?: number; response?: string }) => ({
      responseCode: error.responseCode,
      response: error.response,
    }),
  );

const messagesIn = (workspaceId: string) => countRows(context, 'from messages where workspace_id = $1', [workspaceId]);

describe('forwarding SMTP endpoint', () => {
  it('stores a forwarded mail in the inbox, once even when it is sent twice, before answering', async () => {
    const { owner, workspaceId, inbox } = await setup();
    const first = await send(fixture('utf8-reply.eml'), inbox.address);
    expect(first.response).toMatch(/^250 /);
    // Answered after the commit: the message is there as soon as the sender hears 250.
    expect(await messagesIn(workspaceId)).toBe(1);
    const second = await send(fixture('utf8-reply.eml'), inbox.address);
    expect(second.response).toMatch(/^250 /);
    expect(await messagesIn(workspaceId)).toBe(1);

    const list = (await owner.get('/api/v1/conversations?assignee=all')).json();
    const conversation = list.items.find((item: { inboxName: string }) => item.inboxName === '转发邮箱');
    const messages = (await owner.get(`/api/v1/conversations/${conversation.id}/messages`)).json().items;
    expect(messages).toMatchObject([
      {
        content: '好的，收到，谢谢！那我等快递到了再确认收货。',
        externalId: '<CAHk9x2Qw8reply@mail.gmail.com>',
        channelMeta: { subject: 'Re: 您的订单已发货', from: '李娜 <lina.buyer@example.com>' },
      },
    ]);
    // The conversation carries the mail's subject, and the inbox search finds it by the subject's words.
    expect(conversation.subject).toBe('Re: 您的订单已发货');
    const found = (await owner.get(`/api/v1/conversations?assignee=all&q=${encodeURIComponent('订单已发货')}`)).json();
    expect(found.items.map((item: { id: string }) => item.id)).toEqual([conversation.id]);
  });

  it('keeps attachments of a forwarded mail', async () => {
    const { workspaceId, inbox } = await setup();
    await send(fixture('attachments.eml'), inbox.address);
    const { rows } = await context.database.pool.query('select attachments from messages where workspace_id = $1', [
      workspaceId,
    ]);
    expect(rows[0].attachments.map((file: { name: string }) => file.name)).toEqual([
      'crack.png',
      '裂痕特写.png',
      '发票.pdf',
    ]);
  });

  it('accepts the forwarding address written in another case', async () => {
    const { workspaceId, inbox } = await setup();
    await send(fixture('english-reply.eml'), inbox.address.toUpperCase());
    expect(await messagesIn(workspaceId)).toBe(1);
  });

  it('refuses unknown recipients, other domains and inboxes that are not email at RCPT with 550', async () => {
    const { workspaceId, inbox, websiteInbox } = await setup();
    const website = { address: `${websiteInbox.token}@${DOMAIN}` };
    for (const to of [
      `no-such-inbox-token-123@${DOMAIN}`,
      `${inbox.token}@example.com`,
      website.address,
      `postmaster@${DOMAIN}`,
    ]) {
      const result = await refusal(send(fixture('utf8-reply.eml'), to));
      expect(result.responseCode, to).toBe(550);
    }
    expect(await messagesIn(workspaceId)).toBe(0);
  });

  it('refuses a mail over the size limit with 552 and stores nothing', async () => {
    const { workspaceId, inbox } = await setup();
    const big = Buffer.concat([
      Buffer.from(
        'From: big@example.com\r\nTo: kefu@shop.example\r\nSubject: big\r\nMessage-ID: <big@example.com>\r\n\r\n',
      ),
      Buffer.from(`${'大文件'.repeat(10)}\r\n`.repeat(4000)),
    ]);
    expect(big.length).toBeGreaterThan(MAX_BYTES);
    const result = await refusal(send(big, inbox.address));
    expect(result.responseCode).toBe(552);
    expect(await messagesIn(workspaceId)).toBe(0);
    expect(await countRows(context, 'from files where workspace_id = $1', [workspaceId])).toBe(0);
  });

  it('refuses malformed input (no sender, binary noise) with 550 and stores nothing', async () => {
    const { workspaceId, inbox } = await setup();
    for (const raw of [
      Buffer.from('this is not a mail at all\r\njust words\r\n'),
      Buffer.from('To: kefu@shop.example\r\nSubject: no sender\r\n\r\nhello\r\n'),
      Buffer.from('From: not-an-address\r\nSubject: x\r\n\r\nhello\r\n'),
      Buffer.concat([Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0x80]), randomBytes(512)]),
    ]) {
      const result = await refusal(send(raw, inbox.address));
      expect(result.responseCode).toBe(550);
    }
    expect(await messagesIn(workspaceId)).toBe(0);
    expect(await countRows(context, 'from customers where workspace_id = $1', [workspaceId])).toBe(0);
  });

  it('accepts and drops auto-replies', async () => {
    const { workspaceId, inbox } = await setup();
    const result = await send(fixture('auto-reply.eml'), inbox.address);
    expect(result.response).toMatch(/^250 /);
    expect(await messagesIn(workspaceId)).toBe(0);
  });

  it('answers 451 when storing fails, so the sender retries, and the retry is stored once', async () => {
    const { workspaceId, inbox } = await setup();
    const failing = await receiver({
      ...runtime,
      receive: async () => {
        throw new Error('database unavailable');
      },
    });
    const result = await refusal(send(fixture('gbk-foxmail.eml'), inbox.address, failing.port));
    expect(result.responseCode).toBe(451);
    expect(await messagesIn(workspaceId)).toBe(0);
    await send(fixture('gbk-foxmail.eml'), inbox.address);
    await send(fixture('gbk-foxmail.eml'), inbox.address);
    expect(await messagesIn(workspaceId)).toBe(1);
  });

  it('delivers one mail to every accepted inbox of the envelope', async () => {
    const a = await setup();
    const b = await setup();
    const result = await send(fixture('english-reply.eml'), [a.inbox.address, b.inbox.address]);
    expect(result.accepted).toHaveLength(2);
    expect(await messagesIn(a.workspaceId)).toBe(1);
    expect(await messagesIn(b.workspaceId)).toBe(1);
  });

  it('is off unless HUIKE_SMTP_PORT is set', async () => {
    expect(runtime.config.smtpPort).toBeUndefined();
    const stop = startForwardingReceiver(runtime);
    await stop();
  });
});
