import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import type { UrlProblem } from '@huike/contracts';

/*
 * Outbound HTTP to addresses a workspace admin typed in (automation webhooks, later channel callbacks). The
 * server sits inside the shop's network: a URL must not reach loopback, private, link-local or unique-local
 * addresses (SSRF). The host name is resolved once here and the connection goes to that checked address
 * (no second lookup an attacker's DNS could answer differently); redirects are not followed.
 *
 * `allowPrivate` (env HUIKE_ALLOW_PRIVATE_WEBHOOKS=1, off by default) lets loopback and private networks through
 * for tests, benchmarks and on-premise gateways; link-local (cloud metadata), multicast and reserved stay refused.
 */

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** Loopback and private networks: what the explicit opt-in (`allowPrivate`) lets through. */
const privateNetworks = new BlockList();
for (const [network, prefix] of [
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  privateNetworks.addSubnet(network, prefix, 'ipv4');
}
privateNetworks.addSubnet('::1', 128, 'ipv6');
privateNetworks.addSubnet('fc00::', 7, 'ipv6');

export type AddressPolicy = { allowPrivate?: boolean };

/** Whether an IP address is one a server-side request must never reach. */
export function isBlockedAddress(address: string, policy: AddressPolicy = {}): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  let ip = address;
  let type: 'ipv4' | 'ipv6' = family === 4 ? 'ipv4' : 'ipv6';
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    // IPv4-mapped (::ffff:a.b.c.d): judged as the IPv4 address it carries. (A BlockList subnet over
    // ::ffff:0:0/96 would also match every plain IPv4 address, so it is not in the list.)
    if (mapped) {
      ip = mapped[1]!;
      type = 'ipv4';
    } else if (/^::ffff:/i.test(address)) return true;
  }
  if (!blocked.check(ip, type)) return false;
  return !(policy.allowPrivate && privateNetworks.check(ip, type));
}

/** An address refused before any request; `problem` says why as a code (UrlProblem in @huike/contracts). */
export class UnsafeUrlError extends Error {
  constructor(
    message: string,
    readonly problem: UrlProblem = 'private_address',
  ) {
    super(message);
  }
}

/** No answer within the time allowed (`timeoutMs`). */
export class RequestTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`请求超时（${Math.round(timeoutMs / 1000)} 秒）`);
  }
}

/** Parses and checks the URL's form (http/https, no credentials); answers the URL or throws UnsafeUrlError. */
export function checkUrlForm(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeUrlError('网址格式不正确', 'invalid_url');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UnsafeUrlError('只支持 http 或 https 网址', 'protocol');
  if (url.username || url.password) throw new UnsafeUrlError('网址中不能包含用户名或密码', 'credentials');
  if (!url.hostname) throw new UnsafeUrlError('网址缺少主机名', 'no_host');
  return url;
}

/** Resolves the host and answers a public address to connect to, or throws UnsafeUrlError. */
export async function resolvePublicAddress(
  url: URL,
  policy: AddressPolicy = {},
): Promise<{ address: string; family: 4 | 6 }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  const addresses = literal
    ? [{ address: host, family: literal }]
    : await lookup(host, { all: true, verbatim: true }).catch(() => {
        throw new UnsafeUrlError('无法解析网址的域名', 'dns_failed');
      });
  if (addresses.length === 0) throw new UnsafeUrlError('无法解析网址的域名', 'dns_failed');
  // Every answer must be public: otherwise a name with one public and one private record could pick either.
  if (addresses.some((entry) => isBlockedAddress(entry.address, policy))) {
    throw new UnsafeUrlError('网址指向内网、本机或保留地址，已拒绝', 'private_address');
  }
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/**
 * Checks a URL an admin typed in before it is saved (webhook endpoints, channel callback URLs): its form, and
 * that every address its host resolves to now is allowed. Throws UnsafeUrlError with a message for people.
 */
export async function checkUrlAllowed(raw: string, policy: AddressPolicy = {}): Promise<URL> {
  const url = checkUrlForm(raw);
  await resolvePublicAddress(url, policy);
  return url;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`: the signature on webhooks and API-channel posts. */
export function signatureHeader(secret: string, body: string, unixSeconds = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

export type SafeResponse = { status: number; body: string };

// Connections are kept open between deliveries to the same host (a busy integrator gets hundreds a second).
// A pooled connection was opened to an address checked when it was made.
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 });

/**
 * POSTs a body to a public URL: resolved and checked first, connected to the checked address, 5 s timeout
 * (`timeoutMs`), no redirects (a 3xx is answered as it is), at most 64 KB of the answer read.
 */
export async function safePost(
  raw: string,
  body: string | Buffer,
  headers: Record<string, string>,
  options: {
    timeoutMs?: number;
    resolve?: (url: URL) => Promise<{ address: string; family: 4 | 6 }>;
    allowPrivate?: boolean;
  } = {},
): Promise<SafeResponse> {
  const url = checkUrlForm(raw);
  const target = await (options.resolve ?? ((checked: URL) => resolvePublicAddress(checked, options)))(url);
  const timeoutMs = options.timeoutMs ?? 5000;
  const isHttps = url.protocol === 'https:';
  const send = isHttps ? httpsRequest : httpRequest;
  return new Promise<SafeResponse>((resolve, reject) => {
    const request = send(
      url,
      {
        method: 'POST',
        agent: isHttps ? httpsAgent : httpAgent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
        // Connect to the address checked above, whatever the name would resolve to now.
        lookup: (_hostname, lookupOptions, callback) => {
          if ((lookupOptions as { all?: boolean }).all) {
            (callback as (error: null, addresses: { address: string; family: number }[]) => void)(null, [
              { address: target.address, family: target.family },
            ]);
          } else callback(null, target.address, target.family);
        },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= 65_536) chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    const timer = setTimeout(() => request.destroy(new RequestTimeoutError(timeoutMs)), timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('timeout', () => request.destroy(new RequestTimeoutError(timeoutMs)));
    request.on('error', reject);
    request.end(body);
  });
}
