import { afterAll, describe, expect, it } from 'vitest';
import { type Client, createTestApp, createWorkspace, type TestContext } from '../../../test/harness.ts';
import { type Mailbox, startDovecot, startSmtpReceiver } from '../../../test/mail-servers.ts';

/*
 * Updating a channel's settings: `imap: null` / `smtp: null` remove a saved mail section (as long as the inbox keeps
 * a way to receive), an optional field sent as "" or null is cleared, and a secret left out (or sent empty) keeps
 * its stored value. Real Dovecot and SMTP servers, since saving a mail config logs in to them.
 */

// The mail servers listen on 127.0.0.1: allowed here as for an on-premise mail server.
const context = await createTestApp({ env: { HUIKE_ALLOW_PRIVATE_WEBHOOKS: '1' } });
// A deployment whose forwarding endpoint is on (HUIKE_SMTP_PORT): mail forwarded in is a way to receive.
const forwarding = await createTestApp({ env: { HUIKE_ALLOW_PRIVATE_WEBHOOKS: '1', HUIKE_SMTP_PORT: '2525' } });
const dovecot = await startDovecot();
const smtp = await startSmtpReceiver();
afterAll(async () => {
  await dovecot.stop();
  await smtp.stop();
});

const imapOf = (mailbox: Mailbox) => ({
  host: dovecot.host,
  port: dovecot.port,
  secure: false,
  user: mailbox.user,
  password: mailbox.password,
});
const smtpServer = () => ({
  host: smtp.host,
  port: smtp.port,
  secure: false,
  user: smtp.user,
  password: smtp.password,
});

async function emailInbox(owner: Client, mailbox: Mailbox) {
  const response = await owner.post('/api/v1/inboxes', {
    name: '客服邮箱',
    channelType: 'email',
    channelConfig: {
      address: 'kefu@huike-shop.cn',
      displayName: '慧客旗舰店客服',
      imap: imapOf(mailbox),
      smtp: smtpServer(),
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; token: string };
}

const storedConfig = async (app: TestContext, inboxId: string) =>
  (await app.database.pool.query('select channel_config from inboxes where id = $1', [inboxId])).rows[0]
    .channel_config as Record<string, Record<string, unknown> | string | undefined>;

describe('removing a saved mail section', () => {
  it('removes SMTP with smtp: null and keeps IMAP with its stored password', async () => {
    const { owner } = await createWorkspace(context);
    const inbox = await emailInbox(owner, dovecot.createMailbox());
    const before = await storedConfig(context, inbox.id);

    const response = await owner.patch(`/api/v1/inboxes/${inbox.id}`, { channelConfig: { smtp: null } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().channelConfig.smtp).toBeUndefined();
    expect(response.json().channelConfig.imap).toMatchObject({ host: dovecot.host, user: expect.any(String) });

    const after = await storedConfig(context, inbox.id);
    expect(after.smtp).toBeUndefined();
    expect(after.imap).toEqual(before.imap);
    expect((await owner.get(`/api/v1/inboxes/${inbox.id}`)).json().channelConfig.smtp).toBeUndefined();
  });

  it('refuses to remove IMAP when forwarding is off, saying why, and changes nothing', async () => {
    const { owner } = await createWorkspace(context);
    const inbox = await emailInbox(owner, dovecot.createMailbox());
    const before = await storedConfig(context, inbox.id);

    const response = await owner.patch(`/api/v1/inboxes/${inbox.id}`, {
      name: '改了名字',
      channelConfig: { imap: null, displayName: '' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('channel.no_receive_path');
    expect(response.json().error.message).toContain('IMAP');
    expect(response.json().error.message).toContain('转发');
    expect(response.json().error.details).toEqual([{ path: '/channelConfig/imap', message: expect.any(String) }]);

    expect(await storedConfig(context, inbox.id)).toEqual(before);
    expect((await owner.get(`/api/v1/inboxes/${inbox.id}`)).json().name).toBe('客服邮箱');
  });

  it('removes IMAP when forwarding is on: forwarded mail is then the way in', async () => {
    const { owner } = await createWorkspace(forwarding);
    const inbox = await emailInbox(owner, dovecot.createMailbox());

    const response = await owner.patch(`/api/v1/inboxes/${inbox.id}`, { channelConfig: { imap: null } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().channelConfig).toEqual({
      address: 'kefu@huike-shop.cn',
      displayName: '慧客旗舰店客服',
      smtp: { host: smtp.host, port: smtp.port, secure: false, user: smtp.user },
      forwardingAddress: `${inbox.token}@mail.huike.local`,
    });
    expect((await storedConfig(forwarding, inbox.id)).imap).toBeUndefined();

    // Removing a section that is already gone is a no-op, and so is removing the other one then.
    const again = await owner.patch(`/api/v1/inboxes/${inbox.id}`, { channelConfig: { imap: null, smtp: null } });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().channelConfig).toEqual({
      address: 'kefu@huike-shop.cn',
      displayName: '慧客旗舰店客服',
      forwardingAddress: `${inbox.token}@mail.huike.local`,
    });
  });

  it('answers 404 for another workspace and 403 for an agent, and leaves the sections alone', async () => {
    const { owner, addUser } = await createWorkspace(context);
    const inbox = await emailInbox(owner, dovecot.createMailbox());
    const before = await storedConfig(context, inbox.id);
    const agent = await addUser('agent');
    const other = await createWorkspace(context, '别家店铺');

    const foreign = await other.owner.patch(`/api/v1/inboxes/${inbox.id}`, { channelConfig: { smtp: null } });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('inbox.not_found');
    const refused = await agent.patch(`/api/v1/inboxes/${inbox.id}`, { channelConfig: { smtp: null } });
    expect(refused.statusCode).toBe(403);
    expect(await storedConfig(context, inbox.id)).toEqual(before);
  });
});

describe('clearing optional fields, keeping secrets', () => {
  it('clears the display name with "" or null, while a password left out or empty is kept', async () => {
    const { owner } = await createWorkspace(context);
    const mailbox = dovecot.createMailbox();
    const inbox = await emailInbox(owner, mailbox);
    const before = await storedConfig(context, inbox.id);

    const cleared = await owner.patch(`/api/v1/inboxes/${inbox.id}`, {
      channelConfig: {
        displayName: '',
        // The form sends the whole section with the password left empty: 「留空则不修改」.
        imap: { host: dovecot.host, port: dovecot.port, secure: false, user: mailbox.user, password: '' },
        smtp: { host: smtp.host, port: smtp.port, secure: false, user: smtp.user },
      },
    });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json().channelConfig.displayName).toBeUndefined();
    const after = await storedConfig(context, inbox.id);
    expect(after.displayName).toBeUndefined();
    expect(after.imap).toEqual(before.imap);
    expect(after.smtp).toEqual(before.smtp);

    const named = await owner.patch(`/api/v1/inboxes/${inbox.id}`, { channelConfig: { displayName: '慧客售后' } });
    expect(named.json().channelConfig.displayName).toBe('慧客售后');
    const nulled = await owner.patch(`/api/v1/inboxes/${inbox.id}`, { channelConfig: { displayName: null } });
    expect(nulled.statusCode, nulled.body).toBe(200);
    expect(nulled.json().channelConfig.displayName).toBeUndefined();
  });

  it('clears an SMS marketing template and an API outbound URL, keeping the SMS key secret', async () => {
    const { owner } = await createWorkspace(context);
    const sms = await owner.post('/api/v1/inboxes', {
      name: '短信通知',
      channelType: 'sms',
      channelConfig: {
        providerUrl: 'http://127.0.0.1:9/api/send',
        accessKeyId: 'LTAI-test-key',
        accessKeySecret: 'sms-secret-123',
        signName: '甲店旗舰店',
        templates: { notification: 'SMS_NOTICE_001', marketing: 'SMS_MKT_001' },
      },
    });
    expect(sms.statusCode, sms.body).toBe(201);
    const smsId = sms.json().id as string;
    const secretBefore = (await storedConfig(context, smsId)).accessKeySecret;
    expect(secretBefore).toMatch(/^v1:/);

    const cleared = await owner.patch(`/api/v1/inboxes/${smsId}`, {
      channelConfig: { signName: '甲店旗舰店', templates: { notification: 'SMS_NOTICE_001', marketing: '' } },
    });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json().channelConfig.templates).toEqual({ notification: 'SMS_NOTICE_001' });
    expect((await storedConfig(context, smsId)).accessKeySecret).toBe(secretBefore);

    const api = await owner.post('/api/v1/inboxes', {
      name: '小程序',
      channelType: 'api',
      channelConfig: { outboundUrl: 'http://127.0.0.1:9/huike/messages' },
    });
    expect(api.statusCode, api.body).toBe(201);
    const apiCleared = await owner.patch(`/api/v1/inboxes/${api.json().id}`, { channelConfig: { outboundUrl: null } });
    expect(apiCleared.statusCode, apiCleared.body).toBe(200);
    expect(apiCleared.json().channelConfig.outboundUrl).toBeUndefined();
  });

  it('refuses a required field cleared with 400 and its own message, writing nothing', async () => {
    const { owner } = await createWorkspace(context);
    const inbox = await emailInbox(owner, dovecot.createMailbox());
    const before = await storedConfig(context, inbox.id);

    const noAddress = await owner.patch(`/api/v1/inboxes/${inbox.id}`, {
      channelConfig: { address: '', displayName: '' },
    });
    expect(noAddress.statusCode).toBe(400);
    expect(noAddress.json().error.code).toBe('request.invalid');
    expect(noAddress.json().error.details).toEqual([
      { path: '/channelConfig/address', message: '请填写有效的邮箱地址' },
    ]);

    const noHost = await owner.patch(`/api/v1/inboxes/${inbox.id}`, { channelConfig: { imap: { host: null } } });
    expect(noHost.statusCode).toBe(400);
    expect(noHost.json().error.details).toContainEqual({
      path: '/channelConfig/imap/host',
      message: '请填写服务器地址',
    });

    // A required secret cannot be cleared: null asks for one.
    const noPassword = await owner.patch(`/api/v1/inboxes/${inbox.id}`, {
      channelConfig: { smtp: { password: null } },
    });
    expect(noPassword.statusCode).toBe(400);
    expect(noPassword.json().error.details).toEqual([
      { path: '/channelConfig/smtp/password', message: '请填写密码或授权码' },
    ]);

    expect(await storedConfig(context, inbox.id)).toEqual(before);
  });
});
