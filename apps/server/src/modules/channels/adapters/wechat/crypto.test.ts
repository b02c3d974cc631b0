import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  aesKeyOf,
  decryptMessage,
  encryptMessage,
  isSameSignature,
  WechatCryptoError,
  wechatSignature,
} from './crypto.ts';
import { cdata, MAX_XML_BYTES, parseWechatXml, textReplyXml, WechatXmlError } from './xml.ts';

/*
 * Tencent's published WXBizMsgCrypt sample (the Sample.cpp / Sample.py / Sample.cs shipped with the 消息加解密 demo
 * code): token QDG6eK, its EncodingAESKey and AppID, a signed and encrypted push and an encrypted echostr.
 */
const sample = {
  token: 'QDG6eK',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  appId: 'wx5823bf96d3bd56c7',
  timestamp: '1409659813',
  nonce: '1372623149',
  msgSignature: '477715d11cdb4164915debcba66cb864d751f3e6',
  encrypt:
    'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
  plain:
    '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n' +
    '<FromUserName><![CDATA[mycreate]]></FromUserName>\n' +
    '<CreateTime>1409659813</CreateTime>\n' +
    '<MsgType><![CDATA[text]]></MsgType>\n' +
    '<Content><![CDATA[hello]]></Content>\n' +
    '<MsgId>4561255354251345929</MsgId>\n' +
    '<AgentID>218</AgentID>\n' +
    '</xml>',
  verify: {
    msgSignature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
    timestamp: '1409659589',
    nonce: '263014780',
    echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    plain: '1616140317555161061',
  },
};

describe('WeChat message crypto (WXBizMsgCrypt)', () => {
  const key = aesKeyOf(sample.encodingAesKey);

  it("computes the sample's msg_signature over token, timestamp, nonce and Encrypt", () => {
    const computed = wechatSignature(sample.token, sample.timestamp, sample.nonce, sample.encrypt);
    expect(computed).toBe(sample.msgSignature);
    expect(isSameSignature(computed, sample.msgSignature.toUpperCase())).toBe(true);
    expect(isSameSignature(computed, `${sample.msgSignature.slice(0, -1)}0`)).toBe(false);
    expect(isSameSignature(computed, undefined)).toBe(false);
  });

  it("decrypts the sample's Encrypt to its plain XML for its AppID", () => {
    expect(decryptMessage(key, sample.appId, sample.encrypt)).toBe(sample.plain);
    expect(parseWechatXml(decryptMessage(key, sample.appId, sample.encrypt))).toMatchObject({
      FromUserName: 'mycreate',
      Content: 'hello',
      MsgId: '4561255354251345929',
    });
  });

  it("verifies and decrypts the sample's encrypted echostr", () => {
    const { msgSignature, timestamp, nonce, echostr, plain } = sample.verify;
    expect(wechatSignature(sample.token, timestamp, nonce, echostr)).toBe(msgSignature);
    expect(decryptMessage(key, sample.appId, echostr)).toBe(plain);
  });

  it('refuses a message made for another AppID', () => {
    expect(() => decryptMessage(key, 'wx0000000000000000', sample.encrypt)).toThrow(WechatCryptoError);
  });

  it('refuses tampered or truncated ciphertext without crashing', () => {
    const bytes = Buffer.from(sample.encrypt, 'base64');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    expect(() => decryptMessage(key, sample.appId, bytes.toString('base64'))).toThrow(WechatCryptoError);
    expect(() => decryptMessage(key, sample.appId, sample.encrypt.slice(0, 40))).toThrow(WechatCryptoError);
    expect(() => decryptMessage(key, sample.appId, '')).toThrow(WechatCryptoError);
  });

  it('round-trips Chinese text of every padding length through encrypt and decrypt', () => {
    for (let length = 0; length < 70; length += 1) {
      const message = `<xml><Content>${cdata('您好'.repeat(length))}</Content></xml>`;
      const encrypted = encryptMessage(key, sample.appId, message);
      expect(Buffer.from(encrypted, 'base64').length % 32).toBe(0);
      expect(decryptMessage(key, sample.appId, encrypted)).toBe(message);
    }
  });

  it("encrypts byte for byte like Tencent: the sample's own random prefix gives back the sample's Encrypt", () => {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    const raw = Buffer.concat([decipher.update(Buffer.from(sample.encrypt, 'base64')), decipher.final()]);
    expect(encryptMessage(key, sample.appId, sample.plain, raw.subarray(0, 16))).toBe(sample.encrypt);
  });

  it('refuses an EncodingAESKey that is not 43 characters', () => {
    expect(() => aesKeyOf('short')).toThrow(WechatCryptoError);
  });
});

describe('WeChat XML', () => {
  it('keeps CDATA literally, ids as strings, and decodes only predefined entities in text', () => {
    const fields = parseWechatXml(
      `<xml><Content>${cdata('价格 <b>&amp; ]]> 包邮')}</Content><MsgId>9223372036854775807</MsgId>` +
        '<Label>上海 &amp; 杭州 &#20320;</Label><ScanCodeInfo><ScanType>qrcode</ScanType></ScanCodeInfo></xml>',
    );
    expect(fields).toEqual({
      Content: '价格 <b>&amp; ]]> 包邮',
      MsgId: '9223372036854775807',
      Label: '上海 & 杭州 你',
    });
  });

  it('refuses DTDs (XXE), malformed XML, other roots and oversized documents', () => {
    const refused = [
      '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>',
      '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml><Content>&b;</Content></xml>',
      '<xml><Content>未闭合</xml>',
      '<xml><Content>1</Content></xml><xml></xml>',
      '<root><Content>1</Content></root>',
      'success',
      '',
      `<xml><Content>${'长'.repeat(MAX_XML_BYTES / 3 + 1)}</Content></xml>`,
    ];
    for (const xml of refused) expect(() => parseWechatXml(xml), xml.slice(0, 60)).toThrow(WechatXmlError);
  });

  it('builds a passive text reply that parses back to the same fields', () => {
    const xml = textReplyXml({
      toUser: 'openid-1',
      fromUser: 'gh_1',
      content: '欢迎关注 ]]> 小店',
      createTime: 1700000000,
    });
    expect(parseWechatXml(xml)).toEqual({
      ToUserName: 'openid-1',
      FromUserName: 'gh_1',
      CreateTime: '1700000000',
      MsgType: 'text',
      Content: '欢迎关注 ]]> 小店',
    });
  });
});
