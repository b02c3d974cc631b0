import { DeliveryError } from '../../platform/outbox.ts';
import { RequestTimeoutError, safePost, signatureHeader, UnsafeUrlError } from '../../platform/safe-fetch.ts';

/** One attempt may take this long; a slower receiver counts as a failure and is retried with backoff. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * POSTs a JSON body signed with `X-Huike-Signature: t=…,v1=…` (plus the caller's headers) for the outbox, and turns
 * the answer into the outbox's terms: 2xx = delivered; 408, 429 and 5xx, timeouts and network errors = retry
 * later; any other answer (a redirect, 410 Gone, other 4xx) or a URL that is not allowed = dead at once.
 */
export async function postSigned(input: {
  url: string;
  secret: string;
  body: string;
  headers: Record<string, string>;
  allowPrivate: boolean;
}): Promise<{ statusCode: number; body: string }> {
  let status: number;
  let body: string;
  try {
    ({ status, body } = await safePost(
      input.url,
      input.body,
      { ...input.headers, 'x-huike-signature': signatureHeader(input.secret, input.body), 'user-agent': 'Huike/1' },
      { timeoutMs: DELIVERY_TIMEOUT_MS, allowPrivate: input.allowPrivate },
    ));
  } catch (error) {
    if (error instanceof UnsafeUrlError) {
      throw new DeliveryError({ code: 'delivery.url_refused', params: { problem: error.problem } }, error.message, {
        permanent: true,
      });
    }
    if (error instanceof RequestTimeoutError) {
      const seconds = Math.round(error.timeoutMs / 1000);
      throw new DeliveryError({ code: 'delivery.timeout', params: { seconds } }, `无法送达：${error.message}`);
    }
    const detail = (error as Error).message;
    throw new DeliveryError({ code: 'delivery.unreachable', params: { detail } }, `无法送达：${detail}`);
  }
  if (status >= 200 && status < 300) return { statusCode: status, body };
  if (status >= 300 && status < 400) {
    throw new DeliveryError(
      { code: 'delivery.redirect', params: { status } },
      `对方返回了 HTTP ${status}（不跟随重定向）`,
      {
        permanent: true,
        statusCode: status,
      },
    );
  }
  const retry = status === 408 || status === 429 || status >= 500;
  throw new DeliveryError({ code: 'delivery.http_status', params: { status } }, `对方返回了 HTTP ${status}`, {
    permanent: !retry,
    statusCode: status,
  });
}
