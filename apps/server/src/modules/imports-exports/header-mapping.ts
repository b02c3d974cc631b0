import type { ImportKind, ImportMapping } from '@huike/contracts';

/** Header spellings seen in shop back-office exports (淘宝/京东/抖音/有赞) and hand-made sheets, per field. */
const customerSynonyms: Record<string, string[]> = {
  name: [
    '姓名',
    '名字',
    '客户姓名',
    '客户名称',
    '客户名',
    '客户',
    '联系人',
    '会员姓名',
    'name',
    'fullname',
    'customername',
    'contact',
  ],
  // 买家会员名 (淘宝) is the name a buyer shows under; as a buyer id it would need a 平台 as well.
  nickname: [
    '昵称',
    '买家昵称',
    '会员昵称',
    '买家会员名',
    '会员名',
    '旺旺',
    '旺旺名',
    '网名',
    '微信昵称',
    'nickname',
    'nick',
  ],
  phone: [
    '手机',
    '手机号',
    '手机号码',
    '电话',
    '电话号码',
    '联系电话',
    '联系方式',
    '移动电话',
    '联系人手机',
    'mobile',
    'phone',
    'phonenumber',
    'tel',
    'telephone',
    'cell',
  ],
  email: ['邮箱', '电子邮箱', '邮件', '邮箱地址', 'email', 'e-mail', 'mail', 'emailaddress'],
  gender: ['性别', 'gender', 'sex'],
  birthday: ['生日', '出生日期', '出生年月日', '出生年月', 'birthday', 'birthdate', 'dateofbirth', 'dob'],
  region: [
    '地区',
    '省份',
    '城市',
    '所在地',
    '所在地区',
    '省市',
    '区域',
    '地址',
    'region',
    'province',
    'city',
    'location',
    'address',
  ],
  source: ['来源', '来源渠道', '渠道', '客户来源', 'source', 'channel'],
  campaign: ['活动', '来源活动', '推广活动', '营销活动', 'campaign'],
  tags: ['标签', '客户标签', 'tags', 'tag', 'labels'],
  notes: ['备注', '说明', '备注信息', '客户备注', 'notes', 'note', 'remark', 'remarks', 'comment', 'memo'],
  platform: ['平台', '店铺平台', '来源平台', 'platform'],
  buyerId: ['买家id', '买家账号', '会员id', '会员号', '买家编号', '用户id', 'buyerid', 'buyer', 'userid', 'memberid'],
};

const orderSynonyms: Record<string, string[]> = {
  platform: ['平台', '店铺平台', '来源平台', 'platform'],
  orderNo: [
    '订单号',
    '订单编号',
    '订单id',
    '主订单编号',
    '子订单编号',
    '订单',
    'orderno',
    'ordernumber',
    'orderid',
    'order',
  ],
  status: ['订单状态', '状态', '交易状态', 'status', 'orderstatus'],
  amount: [
    '金额',
    '订单金额',
    '实付金额',
    '实收金额',
    '支付金额',
    '总金额',
    '买家实付',
    '应付金额',
    '实付款',
    'amount',
    'total',
    'paidamount',
  ],
  placedAt: ['下单时间', '创建时间', '订单创建时间', '下单日期', 'placedat', 'ordertime', 'createdat', 'orderdate'],
  paidAt: ['付款时间', '支付时间', '付款日期', 'paidat', 'paymenttime', 'paytime'],
  shippedAt: ['发货时间', '发货日期', 'shippedat', 'shiptime'],
  completedAt: ['完成时间', '成交时间', '确认收货时间', '签收时间', 'completedat', 'finishtime'],
  trackingCompany: ['物流公司', '快递公司', '承运商', 'carrier', 'trackingcompany', 'logisticscompany'],
  trackingNo: ['物流单号', '快递单号', '运单号', '运单编号', '物流编号', 'trackingno', 'trackingnumber', 'waybill'],
  // The buyer's account on the platform links the order to its customer: 淘宝 calls it 买家会员名, 抖店 买家昵称.
  buyerId: [
    '买家id',
    '买家账号',
    '买家会员名',
    '会员名',
    '买家昵称',
    '会员id',
    '买家编号',
    '用户id',
    'buyerid',
    'buyer',
    'userid',
  ],
  customerName: ['收货人', '收货人姓名', '买家姓名', '客户姓名', '姓名', '客户', 'customername', 'name', 'receiver'],
  phone: ['手机', '手机号', '联系电话', '收货人手机', '收货人电话', '电话', '手机号码', 'mobile', 'phone', 'tel'],
  email: ['邮箱', '电子邮箱', 'email', 'e-mail'],
  productName: [
    '商品名称',
    '商品',
    '宝贝标题',
    '商品标题',
    '宝贝名称',
    '产品名称',
    'product',
    'productname',
    'item',
    'itemname',
  ],
  sku: ['sku', '商家编码', '商品编码', 'sku编码', '规格编码', 'skuid'],
  quantity: ['数量', '购买数量', '商品数量', 'qty', 'quantity'],
  price: ['单价', '价格', '商品单价', '商品价格', 'price', 'unitprice'],
};

/** Lower-case, no spaces, no punctuation and no bracketed hints: `手机号（必填）` → `手机号`, `E-mail` → `e-mail`. */
export const normalizeHeader = (header: string): string =>
  header
    .toLowerCase()
    .replace(/[（(【[].*?[）)】\]]/g, '')
    .replace(/[\s_:：*＊.·]/g, '')
    .trim();

/**
 * The target field for each column, from its header; each field is suggested for one column at most (the first
 * exact match wins, then the first column whose header contains a synonym).
 */
export function suggestMapping(
  kind: ImportKind,
  columns: string[],
  customFields: { key: string; label: string }[] = [],
): ImportMapping {
  const synonyms: Record<string, string[]> = { ...(kind === 'customers' ? customerSynonyms : orderSynonyms) };
  if (kind === 'customers') {
    for (const field of customFields)
      synonyms[`custom:${field.key}`] = [field.label.toLowerCase(), field.key.toLowerCase()];
  }
  const mapping: ImportMapping = Object.fromEntries(columns.map((column) => [column, null]));
  const taken = new Set<string>();
  const normalized = columns.map(normalizeHeader);
  for (const exact of [true, false]) {
    for (const [index, column] of columns.entries()) {
      if (mapping[column]) continue;
      const header = normalized[index]!;
      if (!header) continue;
      for (const [field, words] of Object.entries(synonyms)) {
        if (taken.has(field)) continue;
        const hit = exact
          ? words.some((word) => normalizeHeader(word) === header)
          : words.some((word) => normalizeHeader(word).length >= 2 && header.includes(normalizeHeader(word)));
        if (hit) {
          mapping[column] = field;
          taken.add(field);
          break;
        }
      }
    }
  }
  return mapping;
}
