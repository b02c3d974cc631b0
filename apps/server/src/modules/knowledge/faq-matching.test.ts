import { BOT_DEFAULT_THRESHOLD } from '@huike/contracts';
import { describe, expect, it } from 'vitest';
import { DEMO_KNOWLEDGE } from './demo-knowledge.ts';
import { bestFaqMatch } from './search-terms.ts';

/**
 * Real buyer phrasings against the demo shop's articles: word-order variants, 能不能/可以/吗 particles, traditional
 * characters, full-width punctuation and digits, one-character typos. [message, the article the bot should answer
 * with, or null: it hands off]. With the jieba-word matcher 102 of these 123 came out right (79/99 answered, two with
 * the wrong article); with characters and character pairs 116 (92/99 answered, none wrong; see KNOWN_MISSES).
 */
const CASES: [string, string | null][] = [
  // 开具发票
  ['发票怎么开', '开具发票'],
  ['怎么开发票', '开具发票'],
  ['能不能开发票', '开具发票'],
  ['可以开发票吗', '开具发票'],
  ['怎么開發票？', '开具发票'],
  ['發票怎麼開？', '开具发票'],
  ['发票怎么开？？', '开具发票'],
  ['开票吗', '开具发票'],
  ['能开电子发票吗', '开具发票'],
  ['可以开专票吗', '开具发票'],
  ['可以开发票给公司吗', '开具发票'],
  ['发漂怎么开', '开具发票'],
  // 发货时间
  ['什么时候能发货', '发货时间'],
  ['发货要多久', '发货时间'],
  ['几天发货', '发货时间'],
  ['啥时候发货', '发货时间'],
  ['什麼時候發貨', '发货时间'],
  ['今天可以发货吗', '发货时间'],
  ['下单几天能发货', '发货时间'],
  ['怎么还不发货', '发货时间'],
  ['什么时候发或', '发货时间'],
  // 运费说明
  ['包邮吗', '运费说明'],
  ['包不包邮', '运费说明'],
  ['运费怎么算', '运费说明'],
  ['满多少钱包邮', '运费说明'],
  ['邮费多少', '运费说明'],
  ['偏远地区运费多少', '运费说明'],
  // 快递查询
  ['快递到哪了', '快递查询'],
  ['查一下物流', '快递查询'],
  ['我的包裹到哪里了', '快递查询'],
  ['快递单号多少', '快递查询'],
  ['物流信息在哪里看', '快递查询'],
  ['在哪看物流', '快递查询'],
  // 默认快递公司
  ['能发顺丰吗', '默认快递公司'],
  ['顺丰可以发吗', '默认快递公司'],
  ['发的什么快递', '默认快递公司'],
  ['可以指定快递吗', '默认快递公司'],
  // 修改收货地址
  ['地址写错了', '修改收货地址'],
  ['收货地址能改吗', '修改收货地址'],
  ['怎么修改地址', '修改收货地址'],
  ['地址填錯了', '修改收货地址'],
  // 退换货政策
  ['退货怎么退', '退换货政策'],
  ['我想退货', '退换货政策'],
  ['可以退货吗', '退换货政策'],
  ['如何退貨', '退换货政策'],
  ['能换货吗', '退换货政策'],
  ['怎么退或', '退换货政策'],
  ['退货地址是什么', '退换货政策'],
  // 七天无理由退货
  ['支持七天无理由吗', '七天无理由退货'],
  ['７天无理由退货', '七天无理由退货'],
  ['七天无理由可以退吗', '七天无理由退货'],
  ['不喜欢能退吗', '七天无理由退货'],
  // 退款到账时间
  ['退款多久能到账', '退款到账时间'],
  ['退款几天到账', '退款到账时间'],
  ['多久退款到账', '退款到账时间'],
  ['退款什么时候到账', '退款到账时间'],
  ['退货后退款多久到账', '退款到账时间'],
  // 商品质量问题
  ['收到的东西是坏的', '商品质量问题'],
  ['商品有质量问题怎么办', '商品质量问题'],
  ['收到破损了怎么办', '商品质量问题'],
  ['发错货了怎么办', '商品质量问题'],
  // 运费险怎么理赔
  ['运费险怎么用', '运费险怎么理赔'],
  ['退货运费谁出', '运费险怎么理赔'],
  ['运费险怎么赔', '运费险怎么理赔'],
  // 尺码怎么选
  ['我穿多大的码', '尺码怎么选'],
  ['选什么尺码合适', '尺码怎么选'],
  ['有尺码表吗', '尺码怎么选'],
  ['尺碼怎麼選', '尺码怎么选'],
  ['尺码偏大还是偏小', '尺码怎么选'],
  // 商品是正品吗
  ['是正品吗', '商品是正品吗'],
  ['保证正品吗', '商品是正品吗'],
  ['是假货吗', '商品是正品吗'],
  // 缺货什么时候补货
  ['还会补货吗', '缺货什么时候补货'],
  ['啥时候补货', '缺货什么时候补货'],
  ['缺货了什么时候补', '缺货什么时候补货'],
  // 支付方式
  ['能用花呗吗', '支付方式'],
  ['花呗可以用吗', '支付方式'],
  ['支持货到付款吗', '支付方式'],
  ['可以用信用卡付款吗', '支付方式'],
  // 优惠券使用说明
  ['优惠券怎么使用', '优惠券使用说明'],
  ['优惠卷怎么用', '优惠券使用说明'],
  ['优惠券用不了怎么办', '优惠券使用说明'],
  ['券可以叠加吗', '优惠券使用说明'],
  ['領的券在哪', '优惠券使用说明'],
  // 会员积分
  ['积分怎么用', '会员积分'],
  ['积分有啥用', '会员积分'],
  ['怎样成为会员', '会员积分'],
  ['会员有优惠吗', '会员积分'],
  // 价格保护
  ['降价了可以退差价吗', '价格保护'],
  ['能保价吗', '价格保护'],
  ['刚买就降价了能退差价吗', '价格保护'],
  // 取消订单
  ['订单可以取消吗', '取消订单'],
  ['取消订单怎么弄', '取消订单'],
  ['我拍错了', '取消订单'],
  ['不想要了怎么办', '取消订单'],
  // 修改手机号和密码
  ['密码忘了', '修改手机号和密码'],
  ['手机号怎么改', '修改手机号和密码'],
  ['登录不了', '修改手机号和密码'],
  ['怎么换绑手机号', '修改手机号和密码'],
  // nothing covers these: hand off
  ['你们的茶叶可以寄到火星吗', null],
  ['我要投诉', null],
  ['今天天气不错', null],
  ['你是机器人吗', null],
  ['你们老板是谁', null],
  ['这个颜色和图片一样吗', null],
  ['能便宜点吗', null],
  ['衣服洗了会缩水吗', null],
  ['快递员态度很差', null],
  ['你们有实体店吗', null],
  ['这款有现货吗', null],
  ['质量太差了', null],
  ['在吗', null],
  ['hello', null],
  ['这个多少钱', null],
  ['有货吗', null],
  ['衣服是什么材质', null],
  ['怎么联系你们', null],
  ['好的谢谢', null],
  ['在不在', null],
  ['你们几点下班', null],
  ['可以便宜一点吗', null],
  ['东西很好用', null],
  ['发货地是哪里', null],
];

/**
 * Phrasings the bot still hands off (a person answers; never a wrong article): homophone and look-alike typos that
 * change a question's key word (发漂, 发或, 退或, 优惠卷), words jieba cuts oddly (包不包/邮), a verb no variant has
 * (写错 vs 填错), a variant made only of stop words (不想要了).
 */
const KNOWN_MISSES = new Set([
  '发漂怎么开',
  '什么时候发或',
  '包不包邮',
  '地址写错了',
  '怎么退或',
  '优惠卷怎么用',
  '不想要了怎么办',
]);

const articles = DEMO_KNOWLEDGE.flatMap((group) => group.articles).map((article) => ({
  id: article.title,
  title: article.title,
  questions: article.questions,
}));

const outcome = (question: string) => {
  const match = bestFaqMatch(question, articles);
  return match && match.confidence >= BOT_DEFAULT_THRESHOLD ? match.articleId : null;
};

describe('the FAQ bot on the demo shop', () => {
  it.each(CASES.filter(([question]) => !KNOWN_MISSES.has(question)))('%s → %s', (question, expected) => {
    expect(outcome(question)).toBe(expected);
  });

  it('hands off the known misses rather than answering with another article', () => {
    for (const question of KNOWN_MISSES) {
      expect(CASES.some(([known]) => known === question)).toBe(true);
      expect(outcome(question)).toBeNull();
    }
  });

  it('answers a variant made of stop words only when the message is that variant', () => {
    expect(bestFaqMatch('不想要了', articles)).toMatchObject({ articleId: '取消订单', confidence: 1 });
    expect(bestFaqMatch('在吗', articles)).toBeNull();
  });

  it('names the question variant that matched', () => {
    expect(bestFaqMatch('发票怎么开', articles)).toMatchObject({ articleId: '开具发票', matched: '怎么开发票' });
    expect(bestFaqMatch('退货后退款多久到账', articles)).toMatchObject({ articleId: '退款到账时间' });
  });
});
