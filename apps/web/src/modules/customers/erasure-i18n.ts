/** 注销并删除个人信息 on the customer page (PIPL deletion request); merged into the resources under `customerErasure`. */
export const customerErasureZhCN = {
  title: '危险操作',
  action: '注销并删除个人信息',
  help: '买家要求删除个人信息时使用（《个人信息保护法》第四十七条）。',
  modalTitle: '注销「{{name}}」并删除个人信息？',
  erased:
    '将删除：姓名、昵称、手机号、邮箱、身份证号、银行卡号、生日、地区、备注、自定义字段、渠道身份（访客、邮箱、手机、买家账号），以及会话消息和工单里的文字与附件。',
  kept: '将保留：订单（订单号、金额、日期、状态）、标签、统计数据和时间线记录，订单上的买家账号会被清除。',
  irreversible: '此操作无法撤销，包含这位客户的合并也将无法撤销。',
  reason: '注销原因',
  reasonPlaceholder: '例如：买家 11 月 25 日来电要求删除个人信息',
  reasonRequired: '请填写注销原因（会记入审计日志）',
  confirm: '请输入客户姓名「{{name}}」或“注销”以确认',
  confirmWord: '注销',
  confirmMismatch: '输入的内容与客户姓名不一致',
  submit: '注销并删除',
  done: '已注销，个人信息已删除',
  alreadyDone: '这位客户之前已注销过，没有再做修改',
};

export const customerErasureEn: typeof customerErasureZhCN = {
  title: 'Danger zone',
  action: 'Close account and erase personal data',
  help: "Use this when a buyer asks for their personal data to be deleted (China's PIPL, art. 47).",
  modalTitle: 'Close the account of "{{name}}" and erase their personal data?',
  erased:
    'Erased: name, nickname, phones, emails, ID card, bank card, birthday, region, notes, custom fields, channel identities (visitor, email, phone, buyer accounts), and the text and attachments of their messages and tickets.',
  kept: 'Kept: orders (number, amount, dates, status), tags, statistics and timeline entries. The buyer account is removed from the orders.',
  irreversible: 'This cannot be undone, and merges involving this customer can no longer be undone either.',
  reason: 'Reason',
  reasonPlaceholder: 'e.g. The buyer called on 25 November and asked us to delete their data',
  reasonRequired: 'Enter the reason (it is recorded in the audit log)',
  confirm: 'Type the customer\'s name "{{name}}" or 注销 to confirm',
  confirmWord: '注销',
  confirmMismatch: "This does not match the customer's name",
  submit: 'Erase personal data',
  done: 'Account closed and personal data erased',
  alreadyDone: 'This customer had already been erased; nothing changed',
};
