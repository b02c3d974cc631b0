import type { SmsChannelConfig } from '@huike/contracts';
import { randomToken } from '../../../../platform/ids.ts';
import { DeliveryError } from '../../../../platform/outbox.ts';
import { checkUrlAllowed, safePost, UnsafeUrlError } from '../../../../platform/safe-fetch.ts';
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

/** Codes that mean "this will never go out as it is": the delivery fails at once instead of retrying for hours. */
const PERMANENT_CODES: Record<string, string> = {
  INVALID_NUMBER: '手机号无效',
  'isv.MOBILE_NUMBER_ILLEGAL': '手机号无效',
  'InvalidParameterValue.IncorrectPhoneNumber': '手机号无效',
  'FailedOperation.ContainSensitiveWord': '内容含敏感词',
  CONTENT_REJECTED: '内容含敏感词',
  'isv.BLACK_KEY_CONTROL_LIMIT': '号码在黑名单中',
  'FailedOperation.PhoneNumberInBlacklist': '号码在黑名单中',
  BLACKLISTED: '号码在黑名单中',
  TEMPLATE_INVALID: '短信模板不存在或未通过审核',
  'isv.SMS_TEMPLATE_ILLEGAL': '短信模板不存在或未通过审核',
  'FailedOperation.TemplateIncorrectOrUnapproved': '短信模板不存在或未通过审核',
  SIGN_INVALID: '短信签名不存在或未通过审核',
  'isv.SMS_SIGNATURE_ILLEGAL': '短信签名不存在或未通过审核',
  'FailedOperation.SignatureIncorrectOrUnapproved': '短信签名不存在或未通过审核',
  AUTH_FAILED: '短信网关的 AccessKey 无效',
  'InvalidAccessKeyId.NotFound': '短信网关的 AccessKey 无效',
  SignatureDoesNotMatch: '短信网关的 AccessKey 无效',
  'AuthFailure.SecretIdNotFound': '短信网关的 AccessKey 无效',
  'AuthFailure.SignatureFailure': '短信网关的 AccessKey 无效',
  PARAM_INVALID: '模板参数不正确',
  'isv.INVALID_PARAMETERS': '模板参数不正确',
  'isv.TEMPLATE_MISSING_PARAMETERS': '模板参数不正确',
  'InvalidParameterValue.TemplateParameterFormatError': '模板参数不正确',
};

/** Known transient codes, for a readable message (unknown codes are retried too). */
const TRANSIENT_CODES: Record<string, string> = {
  THROTTLED: '发送太频繁，稍后重试',
  'isv.BUSINESS_LIMIT_CONTROL': '发送太频繁，稍后重试',
  'LimitExceeded.PhoneNumberThirtySecondLimit': '发送太频繁，稍后重试',
  'LimitExceeded.PhoneNumberOneHourLimit': '发送太频繁，稍后重试',
  'LimitExceeded.PhoneNumberDailyLimit': '今日发送次数已达上限',
  INSUFFICIENT_BALANCE: '短信余额不足',
  'isv.AMOUNT_NOT_ENOUGH': '短信余额不足',
  'FailedOperation.InsufficientBalanceInSmsPackage': '短信余额不足',
};

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
      throw new DeliveryError(`短信网关地址不可用：${error.message}`, { permanent: true });
    }
    throw new DeliveryError(`连接短信网关失败：${(error as Error).message}`);
  }
  const { status } = response;
  if (status === 429 || status >= 500) {
    throw new DeliveryError(`短信网关暂时不可用（HTTP ${status}）`, { statusCode: status });
  }
  if (status < 200 || status >= 300) {
    throw new DeliveryError(`短信网关拒绝了请求（HTTP ${status}）`, { permanent: true, statusCode: status });
  }
  let answer: { code?: unknown; messageId?: unknown; message?: unknown };
  try {
    answer = JSON.parse(response.body);
  } catch {
    throw new DeliveryError('短信网关的回答不是合法的 JSON', { statusCode: status });
  }
  const code = typeof answer.code === 'string' ? answer.code : String(answer.code ?? '');
  if (code.toUpperCase() === 'OK' || code === '0') {
    return { providerMessageId: typeof answer.messageId === 'string' ? answer.messageId.slice(0, 200) : null };
  }
  const label = code.slice(0, 100) || '无错误码';
  const permanent = PERMANENT_CODES[code];
  if (permanent) throw new DeliveryError(`${permanent}（${label}）`, { permanent: true, statusCode: status });
  throw new DeliveryError(`${TRANSIENT_CODES[code] ?? '短信网关发送失败'}（${label}）`, { statusCode: status });
}
