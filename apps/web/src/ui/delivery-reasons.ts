import type { DeliveryReason } from '@huike/contracts';
import i18n, { type TFunction } from 'i18next';

/** A stored delivery failure: the reason as a code and its values, and the server's Chinese sentence. */
export type DeliveryFailure = {
  reason?: DeliveryReason | null;
  error?: string | null;
};

const CODE = /^[a-z]+\.[a-z_]+$/;

/**
 * Why a delivery failed, in the user's language: the one place that words a failure (a message's 发送失败 and 退信,
 * a webhook delivery log, the dead-letter list, a test ping). Worded from the reason's code when this app knows it;
 * else the stored sentence, which is all that rows written before reasons had codes carry. Null when there is neither.
 */
export function deliveryFailureText({ reason, error }: DeliveryFailure, t: TFunction): string | null {
  const key = reason && CODE.test(reason.code) ? `deliveryReasons.${reason.code}` : undefined;
  if (!reason || !key || !i18n.exists(key)) return error?.trim() || null;
  const { problem, reply, ...params } = reason.params;
  const problemKey = `deliveryReasons.urlProblems.${String(problem)}`;
  const values = {
    ...params,
    ...(problem === undefined ? {} : { problem: i18n.exists(problemKey) ? t(problemKey as never) : String(problem) }),
  };
  const sentence = t(key as never, values);
  const said = typeof reply === 'string' ? reply.trim() : '';
  return said ? `${sentence}${t('deliveryReasons.replySuffix', { reply: said })}` : sentence;
}
