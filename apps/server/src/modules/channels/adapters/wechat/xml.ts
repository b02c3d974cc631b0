import { XMLParser, XMLValidator } from 'fast-xml-parser';

/*
 * WeChat's XML, read safely: a size limit, DOCTYPE (and so any entity declaration, the XXE vector) refused before
 * parsing, entity processing off in the parser, and values kept as strings (a MsgId does not fit a JS number).
 * Only the five predefined XML entities and character references are decoded, by hand, after parsing.
 */

/** WeChat's messages are a few hundred bytes; anything near this is not from WeChat. */
export const MAX_XML_BYTES = 64 * 1024;

/** Anything that is not a small, well-formed, DTD-free `<xml>` document; callers answer one uniform error. */
export class WechatXmlError extends Error {}

const CDATA = '#cdata';

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  maxNestedTags: 8,
  // CDATA apart from text: its content is literal, only text gets its entities decoded.
  cdataPropName: CDATA,
});

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED[name] ?? whole;
  });
}

/** The text of a node that holds only CDATA (several sections when the text contained `]]>`). */
function cdataText(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Object.keys(value).length !== 1) return undefined;
  const sections = (value as Record<string, unknown>)[CDATA];
  if (typeof sections === 'string') return sections;
  if (Array.isArray(sections) && sections.every((part) => typeof part === 'string')) return sections.join('');
  return undefined;
}

/** A WeChat XML document's top-level fields: `<xml><MsgType>text</MsgType>…</xml>` → `{MsgType: 'text', …}`. */
export type WechatXml = Record<string, string>;

/** Parses `<xml>…</xml>` into its string-valued top-level fields (nested ones are left out). */
export function parseWechatXml(raw: string | Buffer): WechatXml {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw, 'utf8') : raw.length;
  if (size === 0 || size > MAX_XML_BYTES) throw new WechatXmlError('size');
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (/<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i.test(text)) throw new WechatXmlError('DTD refused');
  if (XMLValidator.validate(text) !== true) throw new WechatXmlError('malformed');
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch {
    throw new WechatXmlError('malformed');
  }
  const root = (parsed as { xml?: unknown } | undefined)?.xml;
  if (typeof root !== 'object' || root === null || Array.isArray(root)) throw new WechatXmlError('no <xml> root');
  const fields: WechatXml = {};
  for (const [key, value] of Object.entries(root)) {
    const first: unknown = Array.isArray(value) ? value[0] : value;
    const text = typeof first === 'string' ? decodeEntities(first) : cdataText(first);
    if (text !== undefined) fields[key] = text;
  }
  return fields;
}

/** `<![CDATA[…]]>` that stays one text node even when the text contains `]]>`. */
export const cdata = (text: string) => `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

/** A passive reply (被动回复) text message to the sender of `to`. */
export function textReplyXml(input: { toUser: string; fromUser: string; content: string; createTime: number }): string {
  return (
    `<xml><ToUserName>${cdata(input.toUser)}</ToUserName><FromUserName>${cdata(input.fromUser)}</FromUserName>` +
    `<CreateTime>${input.createTime}</CreateTime><MsgType>${cdata('text')}</MsgType>` +
    `<Content>${cdata(input.content)}</Content></xml>`
  );
}

/** The envelope of an encrypted passive reply (安全模式). */
export function encryptedReplyXml(input: { encrypt: string; signature: string; timestamp: string; nonce: string }) {
  return (
    `<xml><Encrypt>${cdata(input.encrypt)}</Encrypt><MsgSignature>${cdata(input.signature)}</MsgSignature>` +
    `<TimeStamp>${input.timestamp}</TimeStamp><Nonce>${cdata(input.nonce)}</Nonce></xml>`
  );
}
