import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';
import type { Client, TestContext } from '../../../../../test/harness.ts';

/*
 * Test support for the SMS channel: a provider stand-in (a local HTTP server that records each signed send
 * request and answers as told) and helpers that post signed provider callbacks.
 */

export type ProviderRequest = { headers: IncomingHttpHeaders; raw: string; body: Record<string, unknown> };
export type ProviderAnswer = { status: number; body: unknown };

export const SECRET = 'sms-secret-甲店';

export async function startProvider() {
  const requests: ProviderRequest[] = [];
  const answers: ProviderAnswer[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      requests.push({ headers: request.headers, raw, body: JSON.parse(raw) });
      const answer = answers.shift() ?? { status: 200, body: { code: 'OK', messageId: `p-${requests.length}` } };
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sms/send`,
    requests,
    /** Answers the next requests with these, in order (then OK again). */
    answerNext: (...next: ProviderAnswer[]) => answers.push(...next),
    reset: () => {
      requests.length = 0;
      answers.length = 0;
    },
  };
}

export const smsConfig = (providerUrl: string, marketing: string | undefined = 'SMS_MKT_001') => ({
  providerUrl,
  accessKeyId: 'LTAI-test-key',
  accessKeySecret: SECRET,
  signName: '甲店旗舰店',
  templates: { notification: 'SMS_NOTICE_001', ...(marketing ? { marketing } : {}) },
});

export async function createSmsInbox(owner: Client, providerUrl: string, marketing?: string) {
  const created = await owner.post('/api/v1/inboxes', {
    name: '短信通知',
    channelType: 'sms',
    channelConfig: smsConfig(providerUrl, marketing),
  });
  if (created.statusCode !== 201) throw new Error(created.body);
  return created.json() as { id: string; token: string; channelConfig: Record<string, unknown> };
}

export const sign = (raw: string, secret = SECRET) => createHmac('sha256', secret).update(raw, 'utf8').digest('hex');

/** POSTs a provider callback signed with the inbox's AccessKey secret (or the given headers). */
export function postCallback(
  context: TestContext,
  url: string,
  body: Record<string, unknown>,
  options: { secret?: string; headers?: Record<string, string>; raw?: string } = {},
) {
  const raw = options.raw ?? JSON.stringify(body);
  return context.app.inject({
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/json',
      ...(options.headers ?? { 'x-huike-sms-signature': sign(raw, options.secret) }),
    },
    payload: raw,
  });
}

export const now = () => Math.floor(Date.now() / 1000);

let replyCounter = 0;
/** A buyer's reply as the provider reports it (上行短信). */
export function sendReply(
  context: TestContext,
  inboxToken: string,
  phoneNumber: string,
  content: string,
  messageId = `mo-${++replyCounter}-${Date.now()}`,
) {
  return postCallback(context, `/public/v1/channels/sms/${inboxToken}/inbound`, {
    messageId,
    phoneNumber,
    content,
    timestamp: now(),
    nonce: 'n1',
  });
}
