import type { DeliveryReasonCode, DeliveryReasonParams } from '@huike/contracts';
import { DeliveryError } from '../../../../platform/outbox.ts';
import { RequestTimeoutError, safePost, UnsafeUrlError } from '../../../../platform/safe-fetch.ts';
import type { ChannelInbox, ChannelRuntime } from '../types.ts';

/*
 * The few WeChat server APIs a 公众号 inbox calls: the stable access token (POST /cgi-bin/stable_token, isolated from
 * other systems' tokens of the same account, no secret in a URL), 客服消息 (POST /cgi-bin/message/custom/send) and
 * temporary media for the images those send (POST /cgi-bin/media/upload).
 * The token is kept in channel_state (key 'access_token') for every process, refreshed five minutes before it
 * expires, and once more when WeChat says it is no longer valid (40001, 42001, 40014). Concurrent sends of one
 * process share one fetch. The API base is configurable (a proxy, or a local stand-in in tests) and is reached only
 * through safe-fetch: no private or loopback addresses unless the operator allows them, no redirects.
 */

export type WechatConfig = {
  appId: string;
  appSecret: string;
  token: string;
  encodingAesKey?: string;
  mode: 'plain' | 'safe';
  apiBaseUrl: string;
};

export const configOf = (inbox: ChannelInbox) => inbox.config as WechatConfig;

const STATE_KEY = 'access_token';
const REFRESH_EARLY_MS = 5 * 60_000;
const TIMEOUT_MS = 5_000;
const UPLOAD_TIMEOUT_MS = 60_000;
/** The access token is no longer valid: fetch a fresh one (forced) and try once more. */
const STALE_TOKEN_CODES = new Set([40001, 40014, 42001]);

/** errcodes a retry cannot fix, with what the agent should read on the failed message. */
const PERMANENT_ERRORS: Record<number, { code: DeliveryReasonCode; text: string }> = {
  45015: {
    code: 'wechat.window_closed',
    text: '回复时间超过限制：客户 48 小时内没有与公众号互动，公众号不能再主动发客服消息，请等客户再次发来消息',
  },
  45047: {
    code: 'wechat.too_many_messages',
    text: '客服消息条数超过上限：客户回复前公众号最多连发 5 条，请等客户再次发来消息',
  },
  43004: { code: 'wechat.unfollowed', text: '客户已取消关注公众号，无法发送' },
  40003: { code: 'wechat.invalid_openid', text: '客户的 openid 无效（可能不属于这个公众号）' },
  45002: { code: 'wechat.content_too_long', text: '消息内容太长，请拆成几条发送' },
  48001: { code: 'wechat.no_permission', text: '公众号没有客服消息接口权限（需认证的服务号或已开通客服功能）' },
  40013: { code: 'wechat.invalid_app_id', text: 'AppID 无效，请检查渠道设置' },
  40125: { code: 'wechat.invalid_app_secret', text: 'AppSecret 无效，请检查渠道设置' },
  40164: {
    code: 'wechat.ip_not_allowed',
    text: '服务器 IP 不在公众号的 IP 白名单中，请在公众号后台「开发 → 基本配置」添加',
  },
  61004: {
    code: 'wechat.ip_not_allowed',
    text: '服务器 IP 不在公众号的 IP 白名单中，请在公众号后台「开发 → 基本配置」添加',
  },
  40002: { code: 'wechat.invalid_grant_type', text: '凭证类型无效' },
  41002: { code: 'wechat.missing_app_id', text: '缺少 AppID，请检查渠道设置' },
  41004: { code: 'wechat.missing_app_secret', text: '缺少 AppSecret，请检查渠道设置' },
};

/** A WeChat API answer with a nonzero errcode. */
export class WechatApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(PERMANENT_ERRORS[errcode]?.text ?? `微信接口返回错误 ${errcode}：${errmsg.slice(0, 200)}`);
  }
  /** Why, as a code and its values: a known errcode by its meaning, else the errcode and WeChat's errmsg. */
  get reason(): { code: DeliveryReasonCode; params: DeliveryReasonParams } {
    const known = PERMANENT_ERRORS[this.errcode];
    if (known) return { code: known.code, params: { errcode: this.errcode } };
    return {
      code: 'wechat.api_error',
      params: { errcode: this.errcode, ...(this.errmsg ? { reply: this.errmsg.slice(0, 200) } : {}) },
    };
  }
  get isPermanent() {
    return this.errcode in PERMANENT_ERRORS;
  }
}

/** Kept with the appId it belongs to: an inbox switched to another account must not use the old one's token. */
type TokenState = { token: string; expiresAt: number; appId: string };

const isUsable = (inbox: ChannelInbox, stored: TokenState | undefined): stored is TokenState =>
  Boolean(stored) &&
  typeof stored?.token === 'string' &&
  stored.appId === configOf(inbox).appId &&
  stored.expiresAt - REFRESH_EARLY_MS > Date.now();

const inFlight = new Map<string, Promise<string>>();

/** A request body: JSON for most APIs, multipart form data (with more time) for media uploads. */
type Payload = { body: string | Buffer; contentType: string; timeoutMs?: number };

const json = (value: unknown): Payload => ({ body: JSON.stringify(value), contentType: 'application/json' });

async function callApi(
  inbox: ChannelInbox,
  runtime: ChannelRuntime,
  path: string,
  payload: Payload,
): Promise<Record<string, unknown>> {
  const url = `${configOf(inbox).apiBaseUrl.replace(/\/+$/, '')}${path}`;
  let response: Awaited<ReturnType<typeof safePost>>;
  try {
    response = await safePost(
      url,
      payload.body,
      { 'content-type': payload.contentType },
      {
        timeoutMs: payload.timeoutMs ?? TIMEOUT_MS,
        allowPrivate: runtime.config.allowPrivateWebhooks ?? false,
      },
    );
  } catch (error) {
    if (error instanceof UnsafeUrlError) {
      throw new DeliveryError(
        { code: 'wechat.api_url_refused', params: { problem: error.problem } },
        `微信接口地址不可用：${error.message}`,
        { permanent: true },
      );
    }
    if (error instanceof RequestTimeoutError) {
      const seconds = Math.round(error.timeoutMs / 1000);
      throw new DeliveryError(
        { code: 'wechat.api_timeout', params: { seconds } },
        `连接微信接口失败：${error.message}`,
      );
    }
    const detail = (error as Error).message;
    throw new DeliveryError({ code: 'wechat.api_unreachable', params: { detail } }, `连接微信接口失败：${detail}`);
  }
  const { status } = response;
  if (status >= 500 || status === 429) {
    throw new DeliveryError(
      { code: 'wechat.api_unavailable', params: { status } },
      `微信接口暂时不可用（HTTP ${status}）`,
      {
        statusCode: status,
      },
    );
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(response.body) as Record<string, unknown>;
  } catch {
    throw new DeliveryError(
      { code: 'wechat.api_bad_answer', params: { status } },
      `微信接口的回答无法识别（HTTP ${status}）`,
      {
        statusCode: status,
      },
    );
  }
  const errcode = Number(json.errcode ?? 0);
  if (errcode !== 0) throw new WechatApiError(errcode, String(json.errmsg ?? ''));
  return json;
}

/**
 * Fetches a token from WeChat (`force`: invalidate the current one) and, with `store`, keeps it for every process
 * (not while checking the settings of an inbox that is not saved yet).
 */
async function fetchToken(inbox: ChannelInbox, runtime: ChannelRuntime, force: boolean, store = true): Promise<string> {
  const { appId, appSecret } = configOf(inbox);
  const answer = await callApi(
    inbox,
    runtime,
    '/cgi-bin/stable_token',
    json({
      grant_type: 'client_credential',
      appid: appId,
      secret: appSecret,
      ...(force ? { force_refresh: true } : {}),
    }),
  );
  const token = answer.access_token;
  const expiresIn = Number(answer.expires_in);
  if (typeof token !== 'string' || token === '' || !Number.isFinite(expiresIn)) {
    throw new DeliveryError({ code: 'wechat.no_access_token' }, '微信接口没有返回 access_token');
  }
  if (store) await runtime.state.set(inbox, STATE_KEY, { token, expiresAt: Date.now() + expiresIn * 1000, appId });
  return token;
}

/** One fetch at a time per inbox in this process; the others wait for it. */
function sharedFetch(inbox: ChannelInbox, runtime: ChannelRuntime, force: boolean): Promise<string> {
  const running = inFlight.get(inbox.id);
  if (running) return running;
  const started = fetchToken(inbox, runtime, force).finally(() => inFlight.delete(inbox.id));
  inFlight.set(inbox.id, started);
  return started;
}

/** The inbox's access token: the stored one while it has more than five minutes left, else a fresh one. */
export async function accessToken(inbox: ChannelInbox, runtime: ChannelRuntime): Promise<string> {
  const running = inFlight.get(inbox.id);
  if (running) return running;
  const stored = await runtime.state.get<TokenState>(inbox, STATE_KEY);
  return isUsable(inbox, stored) ? stored.token : sharedFetch(inbox, runtime, false);
}

/** After WeChat refused `staleToken`: a fresh token, unless another send already replaced it. */
async function replaceToken(inbox: ChannelInbox, runtime: ChannelRuntime, staleToken: string): Promise<string> {
  const running = inFlight.get(inbox.id);
  if (running) return running;
  const stored = await runtime.state.get<TokenState>(inbox, STATE_KEY);
  if (isUsable(inbox, stored) && stored.token !== staleToken) return stored.token;
  return sharedFetch(inbox, runtime, true);
}

/** Calls an API that takes `access_token` in its query; refreshes the token once when WeChat says it went stale. */
async function callWithToken(inbox: ChannelInbox, runtime: ChannelRuntime, path: string, payload: Payload, query = '') {
  const call = (token: string) =>
    callApi(inbox, runtime, `${path}?access_token=${encodeURIComponent(token)}${query}`, payload);
  const token = await accessToken(inbox, runtime);
  try {
    return await call(token);
  } catch (error) {
    if (!(error instanceof WechatApiError) || !STALE_TOKEN_CODES.has(error.errcode)) throw error;
    return call(await replaceToken(inbox, runtime, token));
  }
}

/** WeChat errors as DeliveryErrors, permanent when a retry cannot help. */
async function asDelivery<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof WechatApiError) {
      throw new DeliveryError(error.reason, error.message, { permanent: error.isPermanent });
    }
    throw error;
  }
}

export type CustomMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'image'; image: { media_id: string } };

/** Sends one 客服消息 (text, or an uploaded image) to a follower. */
export async function sendCustomMessage(
  inbox: ChannelInbox,
  runtime: ChannelRuntime,
  openid: string,
  message: CustomMessage,
) {
  await asDelivery(callWithToken(inbox, runtime, '/cgi-bin/message/custom/send', json({ touser: openid, ...message })));
}

/** What WeChat takes as a temporary image (临时素材): JPG, PNG or GIF up to 10 MB. */
export const IMAGE_TYPES: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif' };
export const MAX_IMAGE_BYTES = 10 * 2 ** 20;

/**
 * Uploads an image as temporary media (kept by WeChat for 3 days) and answers its media_id. The file name sent is
 * plain ASCII (`image.png`): the follower never sees it, and WeChat need not decode a Chinese one.
 */
export async function uploadImage(
  inbox: ChannelInbox,
  runtime: ChannelRuntime,
  image: { contentType: string; data: Buffer },
): Promise<string> {
  const form = new FormData();
  const name = `image.${IMAGE_TYPES[image.contentType] ?? 'jpg'}`;
  form.append('media', new Blob([new Uint8Array(image.data)], { type: image.contentType }), name);
  // The standard Request serialises the form (boundary and part headers) as any HTTP client would.
  const request = new Request('http://multipart.invalid/', { method: 'POST', body: form });
  const payload = {
    body: Buffer.from(await request.arrayBuffer()),
    contentType: request.headers.get('content-type')!,
    timeoutMs: UPLOAD_TIMEOUT_MS,
  };
  const answer = await asDelivery(callWithToken(inbox, runtime, '/cgi-bin/media/upload', payload, '&type=image'));
  if (typeof answer.media_id !== 'string') {
    throw new DeliveryError({ code: 'wechat.no_media_id' }, '微信没有返回图片的 media_id');
  }
  return answer.media_id;
}

/** Checks appId and appSecret by fetching a token; answers a message for people when it does not work. */
export async function checkCredentials(inbox: ChannelInbox, runtime: ChannelRuntime): Promise<string | undefined> {
  try {
    await fetchToken(inbox, runtime, false, false);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
