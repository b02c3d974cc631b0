import type { Inbox } from '@huike/contracts';

/** The one line a shop pastes before </body> to get the chat bubble. */
export const embedSnippet = (inbox: Pick<Inbox, 'token'>, origin = window.location.origin): string =>
  `<script src="${origin}/widget.js" data-inbox="${inbox.token}" async></script>`;

/** Signing a signed-in shop user on the shop's server (the secret never goes to the browser). */
export const identitySigningExample = (): string =>
  [
    "import { createHmac } from 'node:crypto';",
    '',
    '// userId: the id of the signed-in user in your shop',
    "const identifierHash = createHmac('sha256', process.env.HUIKE_INBOX_SECRET).update(userId).digest('hex');",
  ].join('\n');

/** Posting a customer's message from another system through the API channel. */
export const apiMessageExample = (inbox: Pick<Inbox, 'token'>, origin = window.location.origin): string =>
  [
    `BODY='{"sourceId":"order-user-42","content":"你好，我的快递到哪了？","name":"张三"}'`,
    'T=$(date +%s)',
    `SIG=$(printf '%s' "$T.$BODY" | openssl dgst -sha256 -hmac "$HUIKE_INBOX_SECRET" | sed 's/^.* //')`,
    `curl -X POST '${origin}/public/v1/inboxes/${inbox.token}/messages' \\`,
    `  -H 'content-type: application/json' \\`,
    `  -H "x-huike-signature: t=$T,v1=$SIG" \\`,
    `  -d "$BODY"`,
  ].join('\n');

/** Checking, on the integrator's server, that a message Huike POSTed to the outbound URL is genuine. */
export const outboundVerifyExample = (): string =>
  [
    "import { createHmac, timingSafeEqual } from 'node:crypto';",
    '',
    '// rawBody: the request body exactly as received (before JSON.parse)',
    'function isFromHuike(rawBody, signatureHeader, secret = process.env.HUIKE_INBOX_SECRET) {',
    "  const parts = Object.fromEntries(signatureHeader.split(',').map((part) => part.split('=')));",
    '  if (Math.abs(Date.now() / 1000 - Number(parts.t)) > 300) return false; // 5 分钟内有效',
    "  const expected = createHmac('sha256', secret).update(parts.t + '.' + rawBody).digest('hex');",
    '  return expected.length === parts.v1?.length && timingSafeEqual(Buffer.from(expected), Buffer.from(parts.v1));',
    '}',
    '',
    "// isFromHuike(rawBody, req.headers['x-huike-signature'])",
  ].join('\n');
