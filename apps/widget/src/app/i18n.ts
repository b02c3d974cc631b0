const zh = {
  title: '在线客服',
  placeholder: '输入消息…',
  send: '发送',
  connecting: '连接中…',
  online: '在线',
  offline: '网络已断开，恢复后自动发送',
  unavailable: '客服入口暂不可用',
  sending: '发送中…',
  failed: '发送失败',
  close: '关闭',
  loadingOlder: '加载更早的消息…',
};

export type Strings = typeof zh;

const en: Strings = {
  title: 'Chat with us',
  placeholder: 'Type a message…',
  send: 'Send',
  connecting: 'Connecting…',
  online: 'Online',
  offline: 'Offline — your messages will be sent when the connection is back',
  unavailable: 'Chat is unavailable right now',
  sending: 'Sending…',
  failed: 'Not sent',
  close: 'Close',
  loadingOlder: 'Loading earlier messages…',
};

/** Chinese first; English for browsers set to any other language. `?lang=` overrides. */
export function pickStrings(lang: string): { lang: string; t: Strings } {
  return /^zh/i.test(lang) ? { lang: 'zh-CN', t: zh } : { lang: 'en', t: en };
}
