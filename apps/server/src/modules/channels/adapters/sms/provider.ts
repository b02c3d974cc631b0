import type { DeliveryReasonCode, SmsChannelConfig } from '@huike/contracts';
import { randomToken } from '../../../../platform/ids.ts';
import { DeliveryError, type DeliveryFailure } from '../../../../platform/outbox.ts';
import { checkUrlAllowed, RequestTimeoutError, safePost, UnsafeUrlError } from '../../../../platform/safe-fetch.ts';
import { hmacHex } from '../../signatures.ts';

/*
 * The SMS gateway protocol (docs/API.md, 短信网关): one JSON POST per message to the inbox's providerUrl,
 *   { accessKeyId, signName, templateCode, phoneNumbers: ["13812345678"], templateParam: { content: "…" },
 *     outId, timestamp, nonce }
 * signed with `X-Huike-Sms-Signature: <hex HMAC-SHA256(accessKeySecret, raw body)>`, answered with
 *   { code: "OK", messageId?: "…" } or { code: "<error code>", message: "…" }.
 * The provider's callbacks (replies, delivery reports) are signed the same way. Error codes are the generic ones
 * below, or Aliyun's / Tencent Cloud's own, so a thin bridge can pass them through unchanged.
 */

export const SMS_SIGNATURE_HEADER = 'x-huike-sms-signature';

export type SmsSend = {
  phone: string;
  templateCode: string;
  templateParam: Record<string, string>;
  /** Our id for this send (the message id, or the campaign recipient id): delivery reports name it. */
  outId: string;
};

type SmsFailure = { code: DeliveryReasonCode; text: string };

const INVALID_NUMBER: SmsFailure = { code: 'sms.invalid_number', text: '手机号无效' };
const CONTENT_REJECTED: SmsFailure = { code: 'sms.content_rejected', text: '内容含敏感词' };
const BLACKLISTED: SmsFailure = { code: 'sms.blacklisted', text: '号码在黑名单中' };
const TEMPLATE_INVALID: SmsFailure = { code: 'sms.template_invalid', text: '短信模板不存在或未通过审核' };
const SIGN_INVALID: SmsFailure = { code: 'sms.sign_invalid', text: '短信签名不存在或未通过审核' };
const AUTH_FAILED: SmsFailure = { code: 'sms.auth_failed', text: '短信网关的 AccessKey 无效' };
const PARAM_INVALID: SmsFailure = { code: 'sms.param_invalid', text: '模板参数不正确' };
const THROTTLED: SmsFailure = { code: 'sms.throttled', text: '发送太频繁，稍后重试' };
const DAILY_LIMIT: SmsFailure = { code: 'sms.daily_limit', text: '今日发送次数已达上限' };
const INSUFFICIENT_BALANCE: SmsFailure = { code: 'sms.insufficient_balance', text: '短信余额不足' };
const PROVIDER_FAILED: SmsFailure = { code: 'sms.provider_failed', text: '短信网关发送失败' };

/** Codes that mean "this will never go out as it is": the delivery fails at once instead of retrying for hours. */
const PERMANENT_CODES: Record<string, SmsFailure> = {
  INVALID_NUMBER,
  'isv.MOBILE_NUMBER_ILLEGAL': INVALID_NUMBER,
  'InvalidParameterValue.IncorrectPhoneNumber': INVALID_NUMBER,
  'FailedOperation.ContainSensitiveWord': CONTENT_REJECTED,
  CONTENT_REJECTED,
  'isv.BLACK_KEY_CONTROL_LIMIT': BLACKLISTED,
  'FailedOperation.PhoneNumberInBlacklist': BLACKLISTED,
  BLACKLISTED,
  TEMPLATE_INVALID,
  'isv.SMS_TEMPLATE_ILLEGAL': TEMPLATE_INVALID,
  'FailedOperation.TemplateIncorrectOrUnapproved': TEMPLATE_INVALID,
  SIGN_INVALID,
  'isv.SMS_SIGNATURE_ILLEGAL': SIGN_INVALID,
  'FailedOperation.SignatureIncorrectOrUnapproved': SIGN_INVALID,
  AUTH_FAILED,
  'InvalidAccessKeyId.NotFound': AUTH_FAILED,
  SignatureDoesNotMatch: AUTH_FAILED,
  'AuthFailure.SecretIdNotFound': AUTH_FAILED,
  'AuthFailure.SignatureFailure': AUTH_FAILED,
  PARAM_INVALID,
  'isv.INVALID_PARAMETERS': PARAM_INVALID,
  'isv.TEMPLATE_MISSING_PARAMETERS': PARAM_INVALID,
  'InvalidParameterValue.TemplateParameterFormatError': PARAM_INVALID,
};

/** Known transient codes, for a readable message (unknown codes are retried too). */
const TRANSIENT_CODES: Record<string, SmsFailure> = {
  THROTTLED,
  'isv.BUSINESS_LIMIT_CONTROL': THROTTLED,
  'LimitExceeded.PhoneNumberThirtySecondLimit': THROTTLED,
  'LimitExceeded.PhoneNumberOneHourLimit': THROTTLED,
  'LimitExceeded.PhoneNumberDailyLimit': DAILY_LIMIT,
  INSUFFICIENT_BALANCE,
  'isv.AMOUNT_NOT_ENOUGH': INSUFFICIENT_BALANCE,
  'FailedOperation.InsufficientBalanceInSmsPackage': INSUFFICIENT_BALANCE,
};

const EMPTY_NUMBER: SmsFailure = { code: 'sms.empty_number', text: '号码为空号' };
const PHONE_UNREACHABLE: SmsFailure = { code: 'sms.phone_unreachable', text: '号码为空号、停机或关机' };
const UNSUBSCRIBED: SmsFailure = { code: 'sms.unsubscribed', text: '用户已退订' };
const NOT_DELIVERED: SmsFailure = { code: 'sms.not_delivered', text: '短信未送达' };

/**
 * Codes a failed delivery report (状态报告) may carry: ours and the providers' send codes, and the carriers' receipt
 * states that pass through providers unchanged (UNDELIV, BEYONDD, MK:0001…).
 */
const REPORT_CODES: Record<string, SmsFailure> = {
  ...PERMANENT_CODES,
  ...TRANSIENT_CODES,
  EMPTY_NUMBER,
  UNSUBSCRIBED,
  UNDELIV: PHONE_UNREACHABLE,
  EXPIRED: PHONE_UNREACHABLE,
  BEYONDM: THROTTLED,
  BEYONDH: THROTTLED,
  BEYONDD: DAILY_LIMIT,
  BLACK: BLACKLISTED,
  BLOCKED: BLACKLISTED,
};

/** Carriers' receipt codes by family (MK:0001, MN:0017, MI:0059, LT:0001): an empty, suspended or switched-off number. */
const CARRIER_UNREACHABLE = /^(?:MK|MN|MI|LT):?\d{3,5}$/i;

/** Why a delivery report says an SMS did not arrive, worded from its code; unknown codes are kept as they came. */
export function reportFailure(errorCode: string | undefined, errorMessage: string | undefined): DeliveryFailure {
  const code = errorCode?.trim() ?? '';
  const known =
    REPORT_CODES[code] ??
    REPORT_CODES[code.toUpperCase()] ??
    (CARRIER_UNREACHABLE.test(code) ? PHONE_UNREACHABLE : NOT_DELIVERED);
  return {
    error: `${known.text}（${code || '无错误码'}${errorMessage ? `：${errorMessage}` : ''}）`,
    reason: {
      code: known.code,
      params: { providerCode: code || '-', ...(errorMessage ? { reply: errorMessage } : {}) },
    },
  };
}

export type SmsClientOptions = { allowPrivateAddresses?: boolean };

/** Checks the provider URL can be called (form, public address unless private ones are allowed); throws UnsafeUrlError. */
export async function checkProviderUrl(providerUrl: string, options: SmsClientOptions) {
  await checkUrlAllowed(providerUrl, { allowPrivate: options.allowPrivateAddresses ?? false });
}

/**
 * Sends one templated SMS through the inbox's provider. Answers the provider's message id; throws DeliveryError,
 * `permanent` when a retry cannot help (bad number, unapproved template, bad key).
 */
export async function sendSms(
  config: SmsChannelConfig,
  send: SmsSend,
  options: SmsClientOptions,
): Promise<{ providerMessageId: string | null }> {
  const body = JSON.stringify({
    accessKeyId: config.accessKeyId,
    signName: config.signName,
    templateCode: send.templateCode,
    phoneNumbers: [send.phone],
    templateParam: send.templateParam,
    outId: send.outId,
    timestamp: Math.floor(Date.now() / 1000),
    nonce: randomToken(12),
  });
  let response: Awaited<ReturnType<typeof safePost>>;
  try {
    response = await safePost(
      config.providerUrl,
      body,
      { [SMS_SIGNATURE_HEADER]: hmacHex(config.accessKeySecret, body), 'user-agent': 'Huike-SMS/1' },
      { allowPrivate: options.allowPrivateAddresses ?? false },
    );
  } catch (error) {
    if (error instanceof UnsafeUrlError) {
      throw new DeliveryError(
        { code: 'sms.gateway_url_refused', params: { problem: error.problem } },
        `短信网关地址不可用：${error.message}`,
        { permanent: true },
      );
    }
    if (error instanceof RequestTimeoutError) {
      const seconds = Math.round(error.timeoutMs / 1000);
      throw new DeliveryError(
        { code: 'sms.gateway_timeout', params: { seconds } },
        `连接短信网关失败：${error.message}`,
      );
    }
    const detail = (error as Error).message;
    throw new DeliveryError({ code: 'sms.gateway_unreachable', params: { detail } }, `连接短信网关失败：${detail}`);
  }
  const { status } = response;
  if (status === 429 || status >= 500) {
    throw new DeliveryError(
      { code: 'sms.gateway_unavailable', params: { status } },
      `短信网关暂时不可用（HTTP ${status}）`,
      {
        statusCode: status,
      },
    );
  }
  if (status < 200 || status >= 300) {
    throw new DeliveryError(
      { code: 'sms.gateway_refused', params: { status } },
      `短信网关拒绝了请求（HTTP ${status}）`,
      {
        permanent: true,
        statusCode: status,
      },
    );
  }
  let answer: { code?: unknown; messageId?: unknown; message?: unknown };
  try {
    answer = JSON.parse(response.body);
  } catch {
    throw new DeliveryError({ code: 'sms.gateway_bad_answer' }, '短信网关的回答不是合法的 JSON', {
      statusCode: status,
    });
  }
  const code = typeof answer.code === 'string' ? answer.code : String(answer.code ?? '');
  if (code.toUpperCase() === 'OK' || code === '0') {
    return { providerMessageId: typeof answer.messageId === 'string' ? answer.messageId.slice(0, 200) : null };
  }
  const label = code.slice(0, 100) || '无错误码';
  // The provider's own code (and words, when it gave some) travel with the reason: they are what its support asks for.
  const params = {
    providerCode: code.slice(0, 100) || '-',
    ...(typeof answer.message === 'string' && answer.message.trim()
      ? { reply: answer.message.trim().slice(0, 200) }
      : {}),
  };
  const permanent = PERMANENT_CODES[code];
  if (permanent) {
    throw new DeliveryError({ code: permanent.code, params }, `${permanent.text}（${label}）`, {
      permanent: true,
      statusCode: status,
    });
  }
  const transient = TRANSIENT_CODES[code] ?? PROVIDER_FAILED;
  throw new DeliveryError({ code: transient.code, params }, `${transient.text}（${label}）`, { statusCode: status });
}
