import type { ChannelInbound } from '../types.ts';
import type { WechatXml } from './xml.ts';

/*
 * A WeChat push (普通消息 or 事件) → Huike's inbound message. The sender is the follower's openid (FromUserName, an
 * id of this account only, so it never links to another customer by itself). The same push delivered again (WeChat
 * retries three times when it gets no answer in 5 s) carries the same MsgId, or for events the same
 * FromUserName + CreateTime + Event, and is stored once.
 */

/** A push that is not a WeChat message at all (fields missing). */
export class WechatPushError extends Error {}

const MAX_CONTENT = 10_000;

const clip = (text: string) => text.slice(0, MAX_CONTENT);

/** Events worth a line in the conversation; others (VIEW, LOCATION, template reports…) are acknowledged only. */
function eventContent(fields: WechatXml): string | undefined {
  const key = fields.EventKey ?? '';
  switch (fields.Event) {
    case 'subscribe':
      return key.startsWith('qrscene_') ? `[关注公众号] 扫码：${key.slice('qrscene_'.length)}` : '[关注公众号]';
    case 'unsubscribe':
      return '[取消关注]';
    case 'CLICK':
      return `[菜单] ${key}`;
    default:
      return undefined;
  }
}

function messageContent(fields: WechatXml): string {
  switch (fields.MsgType) {
    case 'text':
      return fields.Content?.trim() ? fields.Content : '[空消息]';
    case 'image':
      return '[图片]';
    case 'voice':
      return fields.Recognition?.trim() ? fields.Recognition : '[语音]';
    case 'video':
    case 'shortvideo':
      return '[视频]';
    case 'location':
      return `[位置] ${fields.Label ?? ''}`.trim();
    case 'link':
      return `[链接] ${fields.Title ?? ''} ${fields.Url ?? ''}`.trim();
    default:
      return `[${fields.MsgType}]`;
  }
}

/** What the agent UI and later replies may need, without anything fetched from WeChat's URLs. */
function metaOf(fields: WechatXml): Record<string, unknown> {
  const pick: Record<string, string | undefined> = {
    msgType: fields.MsgType,
    msgId: fields.MsgId,
    event: fields.Event,
    eventKey: fields.EventKey,
    mediaId: fields.MediaId,
    picUrl: fields.PicUrl,
    format: fields.Format,
    recognition: fields.Recognition,
    thumbMediaId: fields.ThumbMediaId,
    locationX: fields.Location_X,
    locationY: fields.Location_Y,
    scale: fields.Scale,
    label: fields.Label,
    title: fields.Title,
    url: fields.Url,
    accountId: fields.ToUserName,
  };
  return Object.fromEntries(Object.entries(pick).filter(([, value]) => value !== undefined && value !== ''));
}

/**
 * Whether a push carries the follower's own words: a text, or a voice message WeChat recognised. Everything else is
 * shown by a stand-in ([图片], [位置] …, [关注公众号]) that is not scored for sentiment or urgency.
 */
const hasOwnWords = (fields: WechatXml) =>
  (fields.MsgType === 'text' && Boolean(fields.Content?.trim())) ||
  (fields.MsgType === 'voice' && Boolean(fields.Recognition?.trim()));

/** The inbound message of a push, or undefined for pushes Huike only acknowledges. Throws for a non-message. */
export function toInbound(fields: WechatXml): ChannelInbound | undefined {
  const openid = fields.FromUserName;
  const createTime = fields.CreateTime;
  if (!openid || openid.length > 128 || !fields.MsgType || !createTime || !/^\d{1,12}$/.test(createTime)) {
    throw new WechatPushError('not a WeChat message');
  }
  let content: string | undefined;
  let externalId: string;
  if (fields.MsgType === 'event') {
    content = eventContent(fields);
    externalId = `event:${openid}:${createTime}:${fields.Event ?? ''}`;
  } else {
    content = messageContent(fields);
    externalId = fields.MsgId ?? `${openid}:${createTime}:${fields.MsgType}`;
  }
  if (content === undefined) return undefined;
  return {
    sender: { kind: 'source', externalId: openid },
    content: clip(content),
    externalId,
    channelMeta: metaOf(fields),
    ...(hasOwnWords(fields) ? {} : { isPlaceholder: true }),
  };
}
