/** 注销并删除个人信息 on the customer page (PIPL deletion request); merged into the resources under `customerErasure`. */
export const customerErasureZhCN = {
  title: '危险操作',
  action: '注销并删除个人信息',
  help: '买家要求删除个人信息时使用（《个人信息保护法》第四十七条）。',
  modalTitle: '注销「{{name}}」并删除个人信息？',
  erased:
    '将删除：姓名、昵称、手机号、邮箱、身份证号、银行卡号、生日、地区、备注、自定义字段、渠道身份（访客、邮箱、手机、买家账号），会话消息和工单里的文字与附件、工单修改记录里的标题，导入失败记录和导入预览中含其手机号或邮箱的内容，以及统计明细、Webhook 投递记录、自动化运行日志和提醒里的个人信息。',
  kept: '将保留：订单（订单号、金额、日期、状态；买家账号会被清除）、标签、统计数据和时间线记录；已有的审计日志（按设计不可修改）；已生成的导出文件和已上传的导入文件，保存 7 天后自动删除；已经发出的 Webhook、短信和邮件无法收回。',
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
    'Erased: name, nickname, phones, emails, ID card, bank card, birthday, region, notes, custom fields, channel identities (visitor, email, phone, buyer accounts), the text and attachments of their messages and tickets, ticket titles in the ticket history, what failed import rows and import previews show of their phone or email, and their personal data in report details, webhook delivery records, automation run logs and notifications.',
  kept: 'Kept: orders (number, amount, dates, status; the buyer account is removed), tags, statistics and timeline entries; existing audit log entries (they cannot be changed, by design); export files already made and import files already uploaded, deleted automatically after 7 days; webhooks, SMS and emails already sent cannot be recalled.',
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
