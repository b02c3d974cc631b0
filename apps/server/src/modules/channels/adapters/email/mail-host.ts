import { isIP } from 'node:net';
import { resolvePublicAddress, UnsafeUrlError } from '../../../../platform/safe-fetch.ts';

/*
 * Mail servers are reached like webhooks: never loopback, private or link-local addresses unless the deployment
 * allows them (HUIKE_ALLOW_PRIVATE_WEBHOOKS, for on-premise mail servers and tests). The host is resolved at every
 * connection and the checked address is what we connect to (TLS still verifies the certificate against the host
 * name), so a name that later resolves elsewhere (DNS rebinding) cannot lead a connection inside.
 */

export type MailEndpoint = {
  /** The checked IP address to connect to. */
  address: string;
  /** The name for TLS (SNI, certificate check); undefined when the host is an IP literal. */
  servername: string | undefined;
};

/** A mail host refused before connecting; `problem` says why (the address form, its name, or where it points). */
export class BlockedMailHostError extends Error {
  constructor(
    message: string,
    readonly problem: 'invalid' | 'unresolvable' | 'private',
  ) {
    super(message);
  }
}

export async function resolveMailHost(host: string, allowPrivate: boolean): Promise<MailEndpoint> {
  const bare = host.replace(/^\[|\]$/g, '');
  let url: URL;
  try {
    url = new URL(`http://${isIP(bare) === 6 ? `[${bare}]` : bare}`);
  } catch {
    throw new BlockedMailHostError('服务器地址格式不正确', 'invalid');
  }
  try {
    const { address } = await resolvePublicAddress(url, { allowPrivate });
    return { address, servername: isIP(bare) ? undefined : bare };
  } catch (error) {
    if (error instanceof UnsafeUrlError) {
      throw new BlockedMailHostError(
        error.message.replace('网址的域名', '服务器地址').replace('网址指向', '服务器地址指向'),
        error.problem === 'dns_failed' ? 'unresolvable' : error.problem === 'private_address' ? 'private' : 'invalid',
      );
    }
    throw error;
  }
}
