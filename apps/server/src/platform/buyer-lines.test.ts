import { describe, expect, it } from 'vitest';
import {
  BUYER_LINES,
  buyerLocaleOf,
  guessBuyerLocale,
  localeFromTag,
  localizedDefault,
  messageBuyerLocale,
  SURVEY_PAGE_LINES,
} from './buyer-lines.ts';

describe("the buyer's language", () => {
  it('guesses English from mostly Latin words and Chinese otherwise', () => {
    expect(guessBuyerLocale('how do I get an invoice?')).toBe('en');
    expect(guessBuyerLocale('Hi, where is my order #12345')).toBe('en');
    expect(guessBuyerLocale('怎么开发票')).toBe('zh-CN');
    expect(guessBuyerLocale('iPhone 15 Pro 有货吗')).toBe('zh-CN');
    expect(guessBuyerLocale('我的order在哪')).toBe('zh-CN');
    expect(guessBuyerLocale('12345 😀')).toBe('zh-CN');
    expect(guessBuyerLocale('')).toBe('zh-CN');
  });

  it('reads a browser language tag: any Chinese is zh-CN, any other language en', () => {
    expect(localeFromTag('zh-CN')).toBe('zh-CN');
    expect(localeFromTag('zh-TW')).toBe('zh-CN');
    expect(localeFromTag('en-US')).toBe('en');
    expect(localeFromTag('de')).toBe('en');
    expect(localeFromTag('')).toBeNull();
    expect(localeFromTag(undefined)).toBeNull();
  });

  it("falls back to Chinese, the shop's language, when no tag tells", () => {
    expect(buyerLocaleOf('en-GB')).toBe('en');
    expect(buyerLocaleOf('zh-HK')).toBe('zh-CN');
    expect(buyerLocaleOf(undefined)).toBe('zh-CN');
    expect(buyerLocaleOf(' ')).toBe('zh-CN');
  });

  it("prefers the widget's language over the text of the message", () => {
    expect(messageBuyerLocale({ content: '转人工', channelMeta: { locale: 'en' } })).toBe('en');
    expect(messageBuyerLocale({ content: 'hello there', channelMeta: { locale: 'zh-CN' } })).toBe('zh-CN');
    expect(messageBuyerLocale({ content: 'hello there', channelMeta: null })).toBe('en');
  });

  it('translates only the built-in default, never a line the shop wrote', () => {
    expect(localizedDefault(BUYER_LINES['zh-CN'].inboxGreeting, 'inboxGreeting', 'en')).toBe(
      BUYER_LINES.en.inboxGreeting,
    );
    expect(localizedDefault('欢迎光临小店！', 'inboxGreeting', 'en')).toBe('欢迎光临小店！');
    expect(localizedDefault(BUYER_LINES['zh-CN'].csatQuestion, 'csatQuestion', 'zh-CN')).toBe(
      BUYER_LINES['zh-CN'].csatQuestion,
    );
  });

  it('has every line in both languages', () => {
    expect(Object.keys(BUYER_LINES.en).sort()).toEqual(Object.keys(BUYER_LINES['zh-CN']).sort());
    expect(Object.keys(SURVEY_PAGE_LINES.en).sort()).toEqual(Object.keys(SURVEY_PAGE_LINES['zh-CN']).sort());
  });
});
