const zh = {
  title: '在线客服',
  placeholder: '输入消息…',
  send: '发送',
  connecting: '连接中…',
  online: '在线',
  closedStatus: '非工作时间',
  offline: '网络已断开，恢复后自动发送',
  unavailable: '客服入口暂不可用',
  sending: '发送中…',
  failed: '发送失败',
  close: '关闭',
  loadingOlder: '加载更早的消息…',
  hours: '客服在线时间 {hours}',
  closedUntil: '当前非工作时间，我们将于{next} 回复',
  closed: '当前非工作时间，我们会尽快回复',
  away: '客服暂时不在，留言后我们会尽快回复',
  typing: '客服正在输入…',
  attach: '发送图片或文件',
  file: '文件',
  fileTooLarge: '文件超过 10 MB，无法发送',
  fileRefused: '只能发送图片（PNG、JPEG、GIF、WebP）和 PDF、Excel、Word、TXT 文件',
};

export type Strings = typeof zh;

const en: Strings = {
  title: 'Chat with us',
  placeholder: 'Type a message…',
  send: 'Send',
  connecting: 'Connecting…',
  online: 'Online',
  closedStatus: 'Outside business hours',
  offline: 'Offline — your messages will be sent when the connection is back',
  unavailable: 'Chat is unavailable right now',
  sending: 'Sending…',
  failed: 'Not sent',
  close: 'Close',
  loadingOlder: 'Loading earlier messages…',
  hours: 'We are online {hours}',
  closedUntil: 'We are offline now and will reply on {next}',
  closed: 'We are offline now and will reply as soon as we can',
  away: 'No agent is available right now. Leave a message and we will reply soon',
  typing: 'Agent is typing…',
  attach: 'Send an image or file',
  file: 'File',
  fileTooLarge: 'Files over 10 MB cannot be sent',
  fileRefused: 'Only images (PNG, JPEG, GIF, WebP) and PDF, Excel, Word or TXT files can be sent',
};

/** Chinese first; English for browsers set to any other language. `?lang=` overrides. */
export function pickStrings(lang: string): { lang: string; t: Strings } {
  return /^zh/i.test(lang) ? { lang: 'zh-CN', t: zh } : { lang: 'en', t: en };
}
