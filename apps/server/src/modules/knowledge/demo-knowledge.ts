import { defaultBotSettings } from '@huike/contracts';
import { and, eq } from 'drizzle-orm';
import { inboxes } from '../../db/schema.ts';
import type { Executor } from '../../platform/db-helpers.ts';
import { newId } from '../../platform/ids.ts';
import * as repo from './knowledge.repository.ts';
import { htmlToText, sanitizeArticleHtml } from './sanitize.ts';
import { searchTerms, termsOf } from './search-terms.ts';

type DemoArticle = { title: string; questions: string[]; body: string };

export const DEMO_KNOWLEDGE: { category: string; articles: DemoArticle[] }[] = [
  {
    category: '物流配送',
    articles: [
      {
        title: '发货时间',
        questions: ['什么时候发货', '多久发货', '下单后几天发货', '今天能发货吗', '怎么还没发货'],
        body: '<p>现货商品在<strong>付款后 48 小时内</strong>发货（每日 16:00 前付款当天发出），预售商品以商品页标注的发货时间为准。</p><p>大促期间订单较多，发货时间可能顺延 1–2 天，敬请谅解。</p>',
      },
      {
        title: '运费说明',
        questions: ['运费多少', '包邮吗', '邮费怎么算', '偏远地区运费', '满多少包邮'],
        body: '<p>全场<strong>满 99 元包邮</strong>（新疆、西藏、青海等偏远地区除外），不满 99 元收取运费 8 元。</p><p>偏远地区运费 20 元，下单页会自动计算。</p>',
      },
      {
        title: '快递查询',
        questions: ['怎么查快递', '物流信息在哪看', '快递单号是多少', '包裹到哪了', '查物流'],
        body: '<p>发货后可在<strong>我的订单 → 订单详情</strong>中查看快递公司和单号，点击“查看物流”即可看到最新进度。</p><p>物流信息一般在发货后 6–12 小时更新。</p>',
      },
      {
        title: '默认快递公司',
        questions: ['发什么快递', '可以发顺丰吗', '用的哪家快递', '能指定快递吗'],
        body: '<p>默认发<strong>中通 / 圆通</strong>，如需顺丰请在下单时备注并补差价 12 元（偏远地区以实际为准）。</p>',
      },
      {
        title: '修改收货地址',
        questions: ['地址填错了', '怎么改地址', '能修改收货地址吗', '换个收货地址'],
        body: '<p>订单<strong>未发货前</strong>可在订单详情中点击“修改地址”；已发货的订单请联系客服，我们会尝试联系快递改派。</p>',
      },
    ],
  },
  {
    category: '售后服务',
    articles: [
      {
        title: '退换货政策',
        questions: ['怎么退货', '如何退换货', '退货流程', '我要退货', '可以换货吗', '退货地址'],
        body: '<p>签收后 <strong>7 天内</strong>，商品未使用、吊牌完好即可申请退换货：</p><ol><li>在订单页点击“申请售后”，选择退货或换货并填写原因；</li><li>审核通过后按页面提示寄回；</li><li>仓库收到后 1–3 个工作日内退款或寄出新商品。</li></ol>',
      },
      {
        title: '七天无理由退货',
        questions: ['七天无理由', '7天无理由退货', '不喜欢可以退吗', '支持无理由退货吗'],
        body: '<p>本店所有商品（定制、贴身衣物及已拆封的食品除外）均支持<strong>七天无理由退货</strong>。</p><p>非质量问题退货，寄回运费由买家承担；购买了运费险的订单会自动理赔。</p>',
      },
      {
        title: '退款到账时间',
        questions: ['退款多久到账', '退款什么时候到', '钱什么时候退回来', '退款进度'],
        body: '<p>退款审核通过后原路返回：微信 / 支付宝一般<strong>即时到账</strong>，银行卡 1–5 个工作日，花呗退回额度。</p>',
      },
      {
        title: '商品质量问题',
        questions: ['收到的东西坏了', '商品有质量问题', '收到破损怎么办', '少发了东西', '发错货了'],
        body: '<p>非常抱歉给您带来不便！请在签收 48 小时内拍下商品及包装照片，在订单页申请售后并选择“质量问题”，来回运费由我们承担。</p>',
      },
      {
        title: '运费险怎么理赔',
        questions: ['运费险', '退货运费谁出', '运费险怎么用'],
        body: '<p>购买了运费险的订单，退货寄回并填写快递单号后，保险公司会在 72 小时内把首重运费赔付到您的支付账户。</p>',
      },
    ],
  },
  {
    category: '购物指南',
    articles: [
      {
        title: '尺码怎么选',
        questions: ['尺码怎么选', '我穿多大码', '尺码表', '偏大还是偏小', '选什么尺码'],
        body: '<p>每件商品详情页都有<strong>尺码表</strong>，建议按平时尺码选择；身高体重可以告诉客服，我们帮您推荐。</p><p>本店衣服版型偏标准，介于两个尺码之间建议选大一码。</p>',
      },
      {
        title: '商品是正品吗',
        questions: ['是不是正品', '正品保证吗', '假货', '有防伪码吗'],
        body: '<p>本店所有商品均为<strong>品牌官方授权正品</strong>，支持专柜验货，假一赔十。部分商品附防伪码，可在品牌官网查询。</p>',
      },
      {
        title: '缺货什么时候补货',
        questions: ['什么时候补货', '没货了', '缺货', '还会上架吗'],
        body: '<p>热销款一般 <strong>7–15 天</strong>补货，可在商品页点击“到货提醒”，补货后第一时间通知您。</p>',
      },
      {
        title: '支付方式',
        questions: ['可以用花呗吗', '支持哪些付款方式', '能货到付款吗', '信用卡付款'],
        body: '<p>支持微信支付、支付宝（含花呗分期）、银行卡和信用卡，暂不支持货到付款。</p>',
      },
    ],
  },
  {
    category: '优惠活动',
    articles: [
      {
        title: '优惠券使用说明',
        questions: ['优惠券怎么用', '优惠券用不了', '领的券在哪', '券怎么叠加'],
        body: '<p>领取的优惠券在<strong>我的 → 优惠券</strong>中查看，下单时满足门槛会自动抵扣。</p><p>店铺券与平台券可叠加，同类券每单限用一张。</p>',
      },
      {
        title: '会员积分',
        questions: ['积分怎么用', '积分有什么用', '怎么成为会员', '会员有什么优惠'],
        body: '<p>每消费 1 元得 1 积分，100 积分可抵 1 元；会员享生日券和专属折扣，累计消费满 500 元自动升级为金卡会员。</p>',
      },
      {
        title: '价格保护',
        questions: ['买贵了', '降价了能退差价吗', '保价', '价保'],
        body: '<p>签收后 <strong>7 天内</strong>同款商品降价（不含限时秒杀），可联系客服申请退还差价。</p>',
      },
    ],
  },
  {
    category: '账户与发票',
    articles: [
      {
        title: '开具发票',
        questions: ['怎么开发票', '能开发票吗', '开专票', '发票抬头', '电子发票'],
        body: '<p>下单时可选择开具<strong>电子普通发票</strong>，也可在确认收货后在订单详情中申请补开。需要增值税专用发票请联系客服提供开票信息。</p>',
      },
      {
        title: '取消订单',
        questions: ['怎么取消订单', '不想要了', '拍错了', '订单能取消吗'],
        body: '<p>未发货的订单可在订单详情中直接“取消订单”，款项原路退回；已发货的订单请拒收或签收后申请退货。</p>',
      },
      {
        title: '修改手机号和密码',
        questions: ['怎么改手机号', '忘记密码', '账号登录不了', '换绑手机'],
        body: '<p>在<strong>我的 → 设置 → 账号与安全</strong>中可修改手机号和密码；忘记密码请在登录页点击“忘记密码”通过短信验证重置。</p>',
      },
    ],
  },
];

const QUICK_QUESTIONS = ['什么时候发货', '怎么退货', '运费多少', '优惠券怎么用'];

/** ~20 published FAQ articles in five categories for the demo shop, and the bot on for its website inboxes. */
export async function seedDemoKnowledge(executor: Executor, workspaceId: string, authorId: string) {
  for (const [position, group] of DEMO_KNOWLEDGE.entries()) {
    const categoryId = newId();
    await repo.insertCategory(executor, { id: categoryId, workspaceId, name: group.category, position });
    for (const article of group.articles) {
      const body = sanitizeArticleHtml(article.body);
      const bodyText = htmlToText(body);
      await repo.insertArticle(executor, {
        id: newId(),
        workspaceId,
        categoryId,
        title: article.title,
        body,
        bodyText,
        questions: article.questions,
        status: 'published',
        locale: 'zh-CN',
        authorId,
        publishedAt: new Date(),
        titleTerms: termsOf([article.title, ...article.questions]),
        bodyTerms: searchTerms(bodyText),
        viewCount: article.questions.length * 37,
      });
    }
  }
  const websiteInboxes = await executor
    .select({ id: inboxes.id })
    .from(inboxes)
    .where(and(eq(inboxes.workspaceId, workspaceId), eq(inboxes.channelType, 'website')));
  for (const inbox of websiteInboxes) {
    await repo.setBotSettings(executor, workspaceId, inbox.id, {
      ...defaultBotSettings,
      enabled: true,
      quickQuestions: QUICK_QUESTIONS,
    });
  }
}
