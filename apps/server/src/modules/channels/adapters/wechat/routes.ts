import { randomInt } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../../platform/errors.ts';
import type { ChannelInbox, ChannelRuntime } from '../types.ts';
import { configOf, type WechatConfig } from './api-client.ts';
import {
  aesKeyOf,
  decryptMessage,
  encryptMessage,
  isSameSignature,
  WechatCryptoError,
  wechatSignature,
} from './crypto.ts';
import { toInbound, WechatPushError } from './inbound.ts';
import { expectsAnswer, PASSIVE_WAIT_MS, watchAutomaticReplies } from './passive-reply.ts';
import { encryptedReplyXml, MAX_XML_BYTES, parseWechatXml, textReplyXml, WechatXmlError } from './xml.ts';

/*
 * The 公众号 server configuration URL (服务器地址): `/public/v1/channels/wechat/{inboxToken}`.
 * GET  = WeChat checks the URL: answer `echostr` when the signature is right.
 * POST = a message or event, in plain mode (signature over token/timestamp/nonce) or safe mode (msg_signature
 *        over token/timestamp/nonce/Encrypt, then AES). Acknowledged only after it is stored: "success", an
 *        (encrypted) passive welcome for a new follower, or an automatic reply (keyword, bot) ready within ~4 s as
 *        the passive reply (passive-reply.ts). Agent replies go out later as 客服消息 (adapter.deliver).
 * Anything wrong with a request (an unknown inbox token, malformed or oversized XML, a DTD, a bad signature, a stale
 * timestamp) gets one answer, 400 channel.request_invalid, and nothing is stored.
 */

const TIMESTAMP_WINDOW_SECONDS = 300;

const invalid = () => new AppError('channel.request_invalid', '微信回调请求无效');

type Query = { signature?: string; timestamp?: string; nonce?: string; msg_signature?: string; echostr?: string };

function queryOf(request: FastifyRequest): Query {
  const raw = (request.query ?? {}) as Record<string, unknown>;
  const text = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);
  return {
    signature: text('signature'),
    timestamp: text('timestamp'),
    nonce: text('nonce'),
    msg_signature: text('msg_signature'),
    echostr: text('echostr'),
  };
}

/** timestamp and nonce as WeChat sends them, and the timestamp no more than 5 minutes off. */
function freshParams(query: Query): { timestamp: string; nonce: string } {
  const { timestamp, nonce } = query;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !nonce || !/^[\w-]{1,64}$/.test(nonce)) throw invalid();
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TIMESTAMP_WINDOW_SECONDS) throw invalid();
  return { timestamp, nonce };
}

const aesKey = (config: WechatConfig) => {
  if (!config.encodingAesKey) throw invalid();
  return aesKeyOf(config.encodingAesKey);
};

/** A passive reply to the sender of `fields`, encrypted in safe mode. */
function passiveReply(config: WechatConfig, fields: Record<string, string>, content: string): string {
  const now = Math.floor(Date.now() / 1000);
  const xml = textReplyXml({
    toUser: fields.FromUserName ?? '',
    fromUser: fields.ToUserName ?? '',
    content,
    createTime: now,
  });
  if (config.mode !== 'safe') return xml;
  const encrypt = encryptMessage(aesKey(config), config.appId, xml);
  const timestamp = String(now);
  const nonce = String(randomInt(100_000_000, 999_999_999));
  return encryptedReplyXml({
    encrypt,
    signature: wechatSignature(config.token, timestamp, nonce, encrypt),
    timestamp,
    nonce,
  });
}

export function wechatRoutes(app: FastifyInstance, runtime: ChannelRuntime) {
  async function wechatInbox(token: string): Promise<ChannelInbox> {
    const inbox = await runtime.inboxByToken(token);
    // No such WeChat inbox answers like a bad signature: a prober learns nothing about which tokens are live.
    if (inbox?.channelType !== 'wechat') throw invalid();
    // An inbox saved without its settings (demo data) cannot check any signature: nothing may pass.
    if (typeof inbox.config.token !== 'string' || !inbox.config.token || typeof inbox.config.appId !== 'string') {
      throw invalid();
    }
    return inbox;
  }

  const refuse = (inbox: ChannelInbox, reason: string) => {
    // The reason stays in the log (no openid, no content); the caller only learns "invalid".
    runtime.log.info({ inboxId: inbox.id, reason }, 'wechat callback refused');
    return invalid();
  };

  async function verifyUrl(request: FastifyRequest<{ Params: { inboxToken: string } }>, reply: FastifyReply) {
    const inbox = await wechatInbox(request.params.inboxToken);
    const config = configOf(inbox);
    const query = queryOf(request);
    const { timestamp, nonce } = freshParams(query);
    const echostr = query.echostr;
    if (!echostr || echostr.length > 512) throw refuse(inbox, 'echostr');
    let answer: string;
    if (query.msg_signature) {
      // An encrypted echostr (the 企业微信-style check some platforms use): signed with it, and decrypted.
      if (!isSameSignature(wechatSignature(config.token, timestamp, nonce, echostr), query.msg_signature)) {
        throw refuse(inbox, 'signature');
      }
      try {
        answer = decryptMessage(aesKey(config), config.appId, echostr);
      } catch {
        throw refuse(inbox, 'decrypt');
      }
    } else {
      if (!isSameSignature(wechatSignature(config.token, timestamp, nonce), query.signature)) {
        throw refuse(inbox, 'signature');
      }
      answer = echostr;
    }
    return reply.type('text/plain; charset=utf-8').send(answer);
  }

  async function receive(request: FastifyRequest<{ Params: { inboxToken: string } }>, reply: FastifyReply) {
    const inbox = await wechatInbox(request.params.inboxToken);
    const config = configOf(inbox);
    const query = queryOf(request);
    const { timestamp, nonce } = freshParams(query);
    const body = request.body;
    if (!Buffer.isBuffer(body) || body.length === 0) throw refuse(inbox, 'empty body');
    let fields: Record<string, string>;
    try {
      const envelope = parseWechatXml(body);
      if (config.mode === 'safe') {
        const encrypt = envelope.Encrypt;
        if (!encrypt) throw refuse(inbox, 'no Encrypt in safe mode');
        if (!isSameSignature(wechatSignature(config.token, timestamp, nonce, encrypt), query.msg_signature)) {
          throw refuse(inbox, 'msg_signature');
        }
        fields = parseWechatXml(decryptMessage(aesKey(config), config.appId, encrypt));
      } else {
        if (!isSameSignature(wechatSignature(config.token, timestamp, nonce), query.signature)) {
          throw refuse(inbox, 'signature');
        }
        fields = envelope;
      }
    } catch (error) {
      if (error instanceof WechatXmlError) throw refuse(inbox, `xml: ${error.message}`);
      if (error instanceof WechatCryptoError) throw refuse(inbox, `decrypt: ${error.message}`);
      throw error;
    }
    let inbound: ReturnType<typeof toInbound>;
    try {
      inbound = toInbound(fields);
    } catch (error) {
      if (error instanceof WechatPushError) throw refuse(inbox, 'not a message');
      throw error;
    }
    // Listening before the push is stored, so an automatic reply is never missed (see passive-reply.ts).
    const watcher = inbound && expectsAnswer(fields) ? watchAutomaticReplies(runtime, inbox) : undefined;
    try {
      // Stored (committed) before WeChat hears anything: a crash before this line means WeChat retries.
      const stored = inbound ? await runtime.receive(inbox, inbound) : undefined;
      const greeting = inbox.settings.greeting.trim();
      if (stored && !stored.isDuplicate && fields.MsgType === 'event' && fields.Event === 'subscribe' && greeting) {
        return reply.type('application/xml; charset=utf-8').send(passiveReply(config, fields, greeting));
      }
      if (watcher && stored && !stored.isDuplicate) {
        const deadline = Date.now() + PASSIVE_WAIT_MS - reply.elapsedTime;
        const answer = await watcher.answerTo(stored, deadline);
        if (answer) return reply.type('application/xml; charset=utf-8').send(passiveReply(config, fields, answer));
      }
      return reply.type('text/plain; charset=utf-8').send('success');
    } finally {
      watcher?.stop();
    }
  }

  app.register(async (scope) => {
    // WeChat posts XML (text/xml); read every body as bytes, small, whatever its content type says.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_XML_BYTES }, (_request, body, done) =>
      done(null, body),
    );
    // Too large, unreadable, bad content type…: the same uniform answer as a bad signature.
    scope.setErrorHandler((error: FastifyError) => {
      if (error instanceof AppError) throw error;
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) throw invalid();
      throw error;
    });
    // Server time of each callback, for WeChat's 5-second window (the wechat-callback benchmark reads it).
    scope.addHook('onSend', async (_request, reply) => {
      reply.header('server-timing', `app;dur=${reply.elapsedTime.toFixed(2)}`);
    });
    const schema = { hide: true };
    scope.get<{ Params: { inboxToken: string } }>('/public/v1/channels/wechat/:inboxToken', { schema }, verifyUrl);
    scope.post<{ Params: { inboxToken: string } }>('/public/v1/channels/wechat/:inboxToken', { schema }, receive);
  });
}
