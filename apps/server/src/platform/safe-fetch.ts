import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';

/*
 * Outbound HTTP to addresses a workspace admin typed in (automation webhooks, later channel callbacks). The
 * server sits inside the shop's network: a URL must not reach loopback, private, link-local or unique-local
 * addresses (SSRF). The host name is resolved once here and the connection goes to that checked address
 * (no second lookup an attacker's DNS could answer differently); redirects are not followed.
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

/** Whether an IP address is one a server-side request must never reach. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    // IPv4-mapped (::ffff:a.b.c.d): judged as the IPv4 address it carries. (A BlockList subnet over
    // ::ffff:0:0/96 would also match every plain IPv4 address, so it is not in the list.)
    if (mapped) return blocked.check(mapped[1]!, 'ipv4');
    if (/^::ffff:/i.test(address)) return true;
  }
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class UnsafeUrlError extends Error {}

/** Parses and checks the URL's form (http/https, no credentials); answers the URL or throws UnsafeUrlError. */
export function checkUrlForm(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeUrlError('网址格式不正确');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UnsafeUrlError('只支持 http 或 https 网址');
  if (url.username || url.password) throw new UnsafeUrlError('网址中不能包含用户名或密码');
  if (!url.hostname) throw new UnsafeUrlError('网址缺少主机名');
  return url;
}

/** Resolves the host and answers a public address to connect to, or throws UnsafeUrlError. */
export async function resolvePublicAddress(url: URL): Promise<{ address: string; family: 4 | 6 }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  const addresses = literal
    ? [{ address: host, family: literal }]
    : await lookup(host, { all: true, verbatim: true }).catch(() => {
        throw new UnsafeUrlError('无法解析网址的域名');
      });
  if (addresses.length === 0) throw new UnsafeUrlError('无法解析网址的域名');
  // Every answer must be public: otherwise a name with one public and one private record could pick either.
  if (addresses.some((entry) => isBlockedAddress(entry.address))) {
    throw new UnsafeUrlError('网址指向内网、本机或保留地址，已拒绝');
  }
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

export type SafeResponse = { status: number; body: string };

/**
 * POSTs a body to a public URL: resolved and checked first, connected to the checked address, 5 s timeout,
 * no redirects (a 3xx is answered as it is), at most 64 KB of the answer read.
 */
export async function safePost(
  raw: string,
  body: string,
  headers: Record<string, string>,
  options: { timeoutMs?: number; resolve?: (url: URL) => Promise<{ address: string; family: 4 | 6 }> } = {},
): Promise<SafeResponse> {
  const url = checkUrlForm(raw);
  const target = await (options.resolve ?? resolvePublicAddress)(url);
  const timeoutMs = options.timeoutMs ?? 5000;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SafeResponse>((resolve, reject) => {
    const request = send(
      url,
      {
        method: 'POST',
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
    const timer = setTimeout(() => request.destroy(new Error('请求超时（5 秒）')), timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('timeout', () => request.destroy(new Error('请求超时（5 秒）')));
    request.on('error', reject);
    request.end(body);
  });
}
