import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { aesKeyOf, encryptMessage, wechatSignature } from '../src/modules/channels/adapters/wechat/crypto.ts';
import { cdata } from '../src/modules/channels/adapters/wechat/xml.ts';

/*
 * A local stand-in for WeChat in tests: the API server (stable_token, 客服消息 custom/send, temporary media upload)
 * that checks what Huike sends, and helpers that play WeChat's side of a callback (signed plain or encrypted
 * safe-mode pushes).
 */

export type CustomMessage = {
  touser: string;
  msgtype: string;
  text?: { content: string };
  image?: { media_id: string };
  accessToken: string;
};

/** A temporary media file WeChat accepted (POST /cgi-bin/media/upload, multipart field `media`). */
export type UploadedMedia = { mediaId: string; type: string; filename: string; contentType: string; data: Buffer };

export type WechatStandIn = {
  url: string;
  /** Every token fetch, with what it asked for. */
  tokenFetches: { appid: string; forceRefresh: boolean }[];
  /** Every 客服消息 WeChat accepted. */
  sent: CustomMessage[];
  /** Every temporary media file WeChat accepted. */
  uploads: UploadedMedia[];
  /** Requests the stand-in refused as malformed (wrong method, path, JSON or fields): must stay empty. */
  malformed: string[];
  /** Makes the current token invalid, as when another system forced a refresh: the next send gets 40001. */
  invalidateToken(): void;
  /** The next `times` sends (of `msgtype` only, when given) answer this errcode. */
  failSends(errcode: number, errmsg: string, times?: number, msgtype?: string): void;
  close(): Promise<void>;
};

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseJson(raw: Buffer): Record<string, unknown> | undefined {
  try {
    return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The `media` file of a multipart upload, parsed the way a standard server parses form data. */
async function mediaPart(request: IncomingMessage, raw: Buffer): Promise<File | undefined> {
  try {
    const form = await new Request('http://stand-in/', {
      method: 'POST',
      headers: { 'content-type': request.headers['content-type'] ?? '' },
      body: new Uint8Array(raw),
    }).formData();
    const media = form.get('media');
    return media instanceof File ? media : undefined;
  } catch {
    return undefined;
  }
}

export async function startWechatStandIn(account: { appId: string; appSecret: string }): Promise<WechatStandIn> {
  const tokenFetches: WechatStandIn['tokenFetches'] = [];
  const sent: CustomMessage[] = [];
  const uploads: UploadedMedia[] = [];
  const malformed: string[] = [];
  let currentToken: string | undefined;
  let failures: { errcode: number; errmsg: string; times: number; msgtype?: string } | undefined;

  const answer = (response: ServerResponse, body: unknown) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

  const tokenRefused = (url: URL) => !currentToken || url.searchParams.get('access_token') !== currentToken;
  const invalidToken = { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const raw = request.method === 'POST' ? await readBody(request) : Buffer.alloc(0);
    if (url.pathname === '/cgi-bin/media/upload' && request.method === 'POST') {
      if (tokenRefused(url)) return answer(response, invalidToken);
      const media = await mediaPart(request, raw);
      const type = url.searchParams.get('type') ?? '';
      if (!media || type !== 'image' || !/^image\/(jpeg|png|gif)$/.test(media.type) || media.size > 10 * 2 ** 20) {
        malformed.push(`media/upload: type=${type} ${media ? `${media.type} ${media.size} B` : 'no media part'}`);
        return answer(response, { errcode: 40004, errmsg: 'invalid media type' });
      }
      const mediaId = `MEDIA_${randomBytes(8).toString('hex')}`;
      uploads.push({
        mediaId,
        type,
        filename: media.name,
        contentType: media.type,
        data: Buffer.from(await media.arrayBuffer()),
      });
      return answer(response, { type, media_id: mediaId, created_at: Math.floor(Date.now() / 1000) });
    }
    const body = request.method === 'POST' ? parseJson(raw) : undefined;
    if (request.method !== 'POST' || !body || request.headers['content-type'] !== 'application/json') {
      malformed.push(`${request.method} ${url.pathname}: not a JSON POST`);
      return answer(response, { errcode: 44002, errmsg: 'empty post data' });
    }
    if (url.pathname === '/cgi-bin/stable_token') {
      if (body.grant_type !== 'client_credential' || typeof body.appid !== 'string') {
        malformed.push(`stable_token: ${JSON.stringify({ ...body, secret: '…' })}`);
        return answer(response, { errcode: 40002, errmsg: 'invalid grant_type' });
      }
      tokenFetches.push({ appid: body.appid, forceRefresh: body.force_refresh === true });
      if (body.appid !== account.appId) return answer(response, { errcode: 40013, errmsg: 'invalid appid' });
      if (body.secret !== account.appSecret) return answer(response, { errcode: 40125, errmsg: 'invalid appsecret' });
      if (!currentToken || body.force_refresh === true) currentToken = `ACCESS_${randomBytes(8).toString('hex')}`;
      return answer(response, { access_token: currentToken, expires_in: 7200 });
    }
    if (url.pathname === '/cgi-bin/message/custom/send') {
      const accessToken = url.searchParams.get('access_token') ?? '';
      if (tokenRefused(url)) return answer(response, invalidToken);
      const text = body.text as { content?: unknown } | undefined;
      const image = body.image as { media_id?: unknown } | undefined;
      const content =
        body.msgtype === 'text' && typeof text?.content === 'string' && text.content !== ''
          ? { text: { content: text.content } }
          : body.msgtype === 'image' && uploads.some((upload) => upload.mediaId === image?.media_id)
            ? { image: { media_id: String(image?.media_id) } }
            : undefined;
      if (typeof body.touser !== 'string' || !content) {
        malformed.push(`custom/send: ${JSON.stringify(body)}`);
        return answer(response, { errcode: 40008, errmsg: 'invalid message type' });
      }
      if (failures && failures.times > 0 && (!failures.msgtype || failures.msgtype === body.msgtype)) {
        failures.times -= 1;
        return answer(response, { errcode: failures.errcode, errmsg: failures.errmsg });
      }
      sent.push({ touser: body.touser, msgtype: String(body.msgtype), ...content, accessToken });
      return answer(response, { errcode: 0, errmsg: 'ok' });
    }
    malformed.push(`unknown path ${url.pathname}`);
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokenFetches,
    sent,
    uploads,
    malformed,
    invalidateToken() {
      currentToken = `ACCESS_${randomBytes(8).toString('hex')}`;
    },
    failSends(errcode, errmsg, times = 1, msgtype) {
      failures = { errcode, errmsg, times, msgtype };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What WeChat's servers know of an account: the settings typed into both sides. */
export type WechatAccount = { appId: string; token: string; encodingAesKey?: string; mode: 'plain' | 'safe' };

/** A push as WeChat's servers build it: `<xml>` of the given fields (text fields as CDATA). */
export function pushXml(fields: Record<string, string | number>): string {
  const parts = Object.entries(fields).map(([key, value]) =>
    typeof value === 'number' ? `<${key}>${value}</${key}>` : `<${key}>${cdata(value)}</${key}>`,
  );
  return `<xml>${parts.join('')}</xml>`;
}

/** A text message from a follower. */
export const textPush = (openid: string, content: string, msgId: string, createTime = Math.floor(Date.now() / 1000)) =>
  pushXml({
    ToUserName: 'gh_huike_test',
    FromUserName: openid,
    CreateTime: createTime,
    MsgType: 'text',
    Content: content,
    MsgId: msgId,
  });

const nonceOf = () => String(100_000_000 + Math.floor(Math.random() * 899_999_999));

/**
 * The query string and body WeChat sends for a push, signed (and in safe mode encrypted) with the account's
 * settings; `timestamp` to send a stale one.
 */
export function signedPush(
  account: WechatAccount,
  xml: string,
  options: { timestamp?: number } = {},
): { query: string; body: string } {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = nonceOf();
  const signature = wechatSignature(account.token, timestamp, nonce);
  const openid = /<FromUserName><!\[CDATA\[([^\]]*)\]\]>/.exec(xml)?.[1] ?? '';
  if (account.mode === 'plain') {
    return { query: `signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&openid=${openid}`, body: xml };
  }
  const encrypt = encryptMessage(aesKeyOf(account.encodingAesKey!), account.appId, xml);
  const msgSignature = wechatSignature(account.token, timestamp, nonce, encrypt);
  return {
    query: `signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&openid=${openid}&encrypt_type=aes&msg_signature=${msgSignature}`,
    body: `<xml><ToUserName>${cdata('gh_huike_test')}</ToUserName><Encrypt>${cdata(encrypt)}</Encrypt></xml>`,
  };
}

/** The query of WeChat's server-configuration check (GET with echostr). */
export function verificationQuery(account: WechatAccount, echostr: string, timestamp = Math.floor(Date.now() / 1000)) {
  const nonce = nonceOf();
  const signature = wechatSignature(account.token, String(timestamp), nonce);
  return `signature=${signature}&echostr=${echostr}&timestamp=${timestamp}&nonce=${nonce}`;
}
