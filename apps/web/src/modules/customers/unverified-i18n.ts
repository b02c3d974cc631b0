/** 未验证 marks on contact details a website visitor typed; merged into the resources under `unverifiedContacts`. */
export const unverifiedContactsZhCN = {
  tag: '未验证',
  help: '访客在网页聊天中自己填写的，未经核实；合并前请先与客户确认',
  mergeWarningTitle: '这两位客户只是因为未验证的联系方式才被认为重复',
  mergeWarning:
    '其中的手机号或邮箱是访客在网页聊天中自己填写的，任何人都能填写别人的号码。合并后两边的聊天记录、订单会归到一起，请先与客户确认是同一个人再合并。',
};

export const unverifiedContactsEn: typeof unverifiedContactsZhCN = {
  tag: 'Unverified',
  help: 'Typed by the visitor in the website chat and not checked. Confirm with the customer before merging.',
  mergeWarningTitle: 'These customers match only on unverified contact details',
  mergeWarning:
    'The phone or email was typed by a visitor in the website chat, and anyone can type someone else’s number. A merge puts both customers’ chats and orders together, so confirm with the customer that they are the same person first.',
};
