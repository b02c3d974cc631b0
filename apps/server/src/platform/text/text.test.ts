import { describe, expect, it } from 'vitest';
import { digitsOnly, hasHan, normalizeText, toInitials, toPinyin, toSimplified } from './index.ts';

describe('normalizeText', () => {
  it('turns traditional characters (Taiwan and Hong Kong forms) into simplified ones', () => {
    expect(normalizeText('陳麗華')).toBe('陈丽华');
    expect(normalizeText('鄭國強')).toBe('郑国强');
    expect(toSimplified('臺灣裡面')).toBe('台湾里面');
    expect(normalizeText('张伟')).toBe('张伟');
  });

  it('turns full-width letters and digits into half-width, lower-cases and collapses white space', () => {
    expect(normalizeText('１３８')).toBe('138');
    expect(normalizeText('ＡＢＣ　Ｄｅｆ')).toBe('abc def');
    expect(normalizeText('  Zhang.San@Example.COM \n')).toBe('zhang.san@example.com');
    expect(normalizeText('李四（老客户）')).toBe('李四(老客户)');
  });

  it('leaves empty text empty', () => {
    expect(normalizeText('')).toBe('');
    expect(normalizeText('   ')).toBe('');
  });
});

describe('digitsOnly', () => {
  it('keeps digits, full-width ones included', () => {
    expect(digitsOnly('+86 138-0013 8000')).toBe('8613800138000');
    expect(digitsOnly('０５７１－８８８８')).toBe('05718888');
    expect(digitsOnly('无')).toBe('');
  });
});

describe('pinyin', () => {
  it('gives toneless pinyin without spaces and the initials', () => {
    expect(toPinyin('李明')).toBe('liming');
    expect(toInitials('李明')).toBe('lm');
    expect(toPinyin('张三丰', { isName: true })).toBe('zhangsanfeng');
    expect(toInitials('张三丰', { isName: true })).toBe('zsf');
    expect(toPinyin('绿')).toBe('lv');
  });

  it('reads polyphonic surnames as surnames in names', () => {
    expect(toPinyin('单雄信', { isName: true })).toBe('shanxiongxin');
    expect(toInitials('单雄信', { isName: true })).toBe('sxx');
    expect(toPinyin('曾国藩', { isName: true })).toBe('zengguofan');
    expect(toPinyin('解缙', { isName: true })).toBe('xiejin');
    expect(toPinyin('仇英', { isName: true })).toBe('qiuying');
  });

  it('keeps latin letters and digits of mixed text', () => {
    expect(toPinyin('Wang Wu')).toBe('wangwu');
    expect(toInitials('Wang Wu')).toBe('ww');
    expect(toPinyin('王Tony')).toBe('wangtony');
    expect(toInitials('王 Tony')).toBe('wt');
    expect(toPinyin('小李2号')).toBe('xiaoli2hao');
    expect(toPinyin('')).toBe('');
    expect(toInitials('')).toBe('');
  });

  it('tells Chinese text from other text', () => {
    expect(hasHan('abc')).toBe(false);
    expect(hasHan('a李')).toBe(true);
  });
});
