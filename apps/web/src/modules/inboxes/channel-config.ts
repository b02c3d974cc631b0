import type { Inbox } from '@huike/contracts';

/*
 * The channel settings forms (邮件 / 微信公众号 / 短信 / API): the shapes the server checks per channel, how a form's
 * values become the `channelConfig` of a create or update, and how the server's per-field errors land on the form.
 * Secrets are write-only: the server never sends them back, and an update that leaves one out keeps the stored one.
 */

export type ChannelType = Inbox['channelType'];

export type MailServer = { host: string; port: number; secure: boolean; user: string; password?: string };

export type EmailChannelConfig = {
  address: string;
  displayName?: string;
  imap?: MailServer;
  smtp?: MailServer;
  /** Computed by the server: mail forwarded here lands in this inbox. */
  forwardingAddress?: string;
};

export type WechatChannelConfig = {
  appId: string;
  appSecret?: string;
  token: string;
  encodingAesKey?: string;
  mode: 'plain' | 'safe';
  apiBaseUrl: string;
};

export type SmsChannelConfig = {
  providerUrl: string;
  accessKeyId: string;
  accessKeySecret?: string;
  signName: string;
  templates: { notification: string; marketing?: string };
};

export type ApiChannelConfig = { outboundUrl?: string };

export const wechatDefaultApiBaseUrl = 'https://api.weixin.qq.com';

/** The channels an admin can add, in the order the 「添加渠道」 choice shows them. */
export const addableChannels: ChannelType[] = ['website', 'email', 'wechat', 'sms', 'api'];

/** Mail providers with well-known servers (QQ and 163 want an 授权码 instead of the login password). */
export const mailPresets = [
  { key: 'qq', imap: 'imap.qq.com', smtp: 'smtp.qq.com', needsAuthCode: true },
  { key: '163', imap: 'imap.163.com', smtp: 'smtp.163.com', needsAuthCode: true },
  { key: 'exmail', imap: 'imap.exmail.qq.com', smtp: 'smtp.exmail.qq.com', needsAuthCode: false },
  { key: 'aliyun', imap: 'imap.qiye.aliyun.com', smtp: 'smtp.qiye.aliyun.com', needsAuthCode: false },
] as const;
export type MailPresetKey = (typeof mailPresets)[number]['key'];

/** The form's values for a channel: the config itself plus switches for the optional parts. */
export type ChannelFormValues = {
  channelConfig?: Record<string, unknown>;
  mail?: { imapEnabled?: boolean; smtpEnabled?: boolean };
};

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Sets key = value only when value is a non-empty string (secrets left empty keep the stored one). */
function putSecret(target: Record<string, unknown>, key: string, value: unknown) {
  const secret = typeof value === 'string' ? value : '';
  if (secret !== '') target[key] = secret;
}

function mailServer(value: unknown): Record<string, unknown> {
  const server = isObject(value) ? value : {};
  const out: Record<string, unknown> = {
    host: text(server.host),
    port: Number(server.port),
    secure: Boolean(server.secure),
    user: text(server.user),
  };
  putSecret(out, 'password', server.password);
  return out;
}

/**
 * The `channelConfig` to send for a channel's form values. Empty secrets are left out (on an update the server
 * keeps the stored ones; on a create the form's rules already required them). On an update an emptied optional
 * field is sent as `null` and a mail section switched off (or removed with 「移除」) as `imap: null` / `smtp: null`,
 * which the server clears; on a create they are simply left out.
 */
export function toChannelConfig(
  type: ChannelType,
  values: ChannelFormValues,
  { isUpdate = false }: { isUpdate?: boolean } = {},
): Record<string, unknown> {
  const config = values.channelConfig ?? {};
  const cleared = isUpdate ? null : undefined;
  /** An optional text field: its value, or cleared when emptied. */
  const optional = (value: unknown) => text(value) || cleared;
  const out: Record<string, unknown> = {};
  const put = (key: string, value: unknown) => {
    if (value !== undefined) out[key] = value;
  };
  switch (type) {
    case 'email':
      put('address', text(config.address));
      put('displayName', optional(config.displayName));
      put('imap', values.mail?.imapEnabled ? mailServer(config.imap) : cleared);
      put('smtp', values.mail?.smtpEnabled ? mailServer(config.smtp) : cleared);
      return out;
    case 'wechat':
      put('appId', text(config.appId));
      put('token', text(config.token));
      put('mode', config.mode === 'safe' ? 'safe' : 'plain');
      put('apiBaseUrl', text(config.apiBaseUrl) || wechatDefaultApiBaseUrl);
      putSecret(out, 'appSecret', text(config.appSecret));
      putSecret(out, 'encodingAesKey', text(config.encodingAesKey));
      return out;
    case 'sms': {
      const templates = isObject(config.templates) ? config.templates : {};
      const marketing = optional(templates.marketing);
      put('providerUrl', text(config.providerUrl));
      put('accessKeyId', text(config.accessKeyId));
      put('signName', text(config.signName));
      put('templates', {
        notification: text(templates.notification),
        ...(marketing !== undefined ? { marketing } : {}),
      });
      putSecret(out, 'accessKeySecret', text(config.accessKeySecret));
      return out;
    }
    case 'api':
      put('outboundUrl', optional(config.outboundUrl));
      return out;
    default:
      return out;
  }
}

/** The `channelConfig` of an update (the server merges it over the stored one; `null` clears a key). */
export function toChannelConfigUpdate(type: ChannelType, values: ChannelFormValues): Record<string, unknown> {
  return toChannelConfig(type, values, { isUpdate: true });
}

/** Drops empty values so the server sees only what the admin filled in. */
export function withoutNulls(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== null && value !== ''));
}

/** The form's starting values for an existing inbox (secrets empty: the placeholder says they are kept). */
export function fromChannelConfig(type: ChannelType, stored: Record<string, unknown>): ChannelFormValues {
  if (type === 'email') {
    const imap = isObject(stored.imap) ? stored.imap : undefined;
    const smtp = isObject(stored.smtp) ? stored.smtp : undefined;
    return {
      channelConfig: {
        address: stored.address ?? '',
        displayName: stored.displayName ?? '',
        imap: imap ? { ...imap, password: '' } : { port: 993, secure: true },
        smtp: smtp ? { ...smtp, password: '' } : { port: 465, secure: true },
      },
      mail: { imapEnabled: Boolean(imap), smtpEnabled: Boolean(smtp) },
    };
  }
  if (type === 'wechat') {
    return {
      channelConfig: {
        mode: 'plain',
        apiBaseUrl: wechatDefaultApiBaseUrl,
        ...stored,
        appSecret: '',
        encodingAesKey: '',
      },
    };
  }
  if (type === 'sms') return { channelConfig: { templates: {}, ...stored, accessKeySecret: '' } };
  return { channelConfig: { ...stored } };
}

/** Starting values for a new inbox of a type. */
export function newChannelValues(type: ChannelType): ChannelFormValues {
  if (type === 'email') {
    return {
      channelConfig: { imap: { port: 993, secure: true }, smtp: { port: 465, secure: true } },
      mail: { imapEnabled: true, smtpEnabled: true },
    };
  }
  if (type === 'wechat') {
    return { channelConfig: { mode: 'safe', apiBaseUrl: wechatDefaultApiBaseUrl, token: randomToken(32) } };
  }
  if (type === 'sms') return { channelConfig: { templates: {} } };
  return { channelConfig: {} };
}

/** Which secrets an inbox already has stored: the server leaves them out, so we infer from the other fields. */
export function storedSecretPaths(type: ChannelType, stored: Record<string, unknown>): Set<string> {
  const paths = new Set<string>();
  if (type === 'email') {
    if (isObject(stored.imap)) paths.add('imap.password');
    if (isObject(stored.smtp)) paths.add('smtp.password');
  }
  if (type === 'wechat' && text(stored.appId)) {
    paths.add('appSecret');
    if (stored.mode === 'safe') paths.add('encodingAesKey');
  }
  if (type === 'sms' && text(stored.accessKeyId)) paths.add('accessKeySecret');
  return paths;
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random letters and digits from the browser's CSPRNG (WeChat Token, EncodingAESKey). */
export function randomToken(length: number): string {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}

/**
 * Whether an inbox's channel works, for the list's 状态 column: 收信失败 while its adapter reports a receive failure
 * (IMAP; `health` reaches admins only), else whether it has what it needs.
 */
export function channelStatus(inbox: Pick<Inbox, 'channelType' | 'channelConfig'> & { health?: Inbox['health'] }): {
  key: 'active' | 'receiveOnly' | 'incomplete' | 'error';
  /** Why receiving fails (words it with deliveryFailureText). */
  failure?: NonNullable<Inbox['health']>;
} {
  const config = inbox.channelConfig ?? {};
  if (inbox.health?.error) return { key: 'error', failure: inbox.health };
  switch (inbox.channelType) {
    case 'website':
      return { key: 'active' };
    case 'api':
      return { key: text(config.outboundUrl) ? 'active' : 'receiveOnly' };
    case 'email':
      if (!text(config.address)) return { key: 'incomplete' };
      return { key: isObject(config.smtp) ? 'active' : 'receiveOnly' };
    case 'wechat':
      return { key: text(config.appId) ? 'active' : 'incomplete' };
    case 'sms':
      return { key: text(config.providerUrl) ? 'active' : 'incomplete' };
    default:
      return { key: 'active' };
  }
}

/** The public URLs a provider calls, built from this page's origin. */
export const channelUrls = (inbox: Pick<Inbox, 'token'>, origin = window.location.origin) => ({
  wechat: `${origin}/public/v1/channels/wechat/${inbox.token}`,
  smsInbound: `${origin}/public/v1/channels/sms/${inbox.token}/inbound`,
  smsReports: `${origin}/public/v1/channels/sms/${inbox.token}/reports`,
});

/** Server errors about a whole mail section land on its server field. */
export const channelFieldAliases: Record<string, (string | number)[]> = {
  'channelConfig.imap': ['channelConfig', 'imap', 'host'],
  'channelConfig.smtp': ['channelConfig', 'smtp', 'host'],
};
