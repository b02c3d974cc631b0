import type { PublicInboxStatus, PublicMessage, VisitorSession } from '@huike/contracts';

export type MessagePage = { items: PublicMessage[]; nextCursor: string | null };

export type CreateVisitorBody = {
  sourceId?: string;
  visitorToken?: string;
  identifier?: string;
  identifierHash?: string;
  name?: string;
  locale?: string;
};

/** status 0 = the request never got an answer (offline, DNS, timeout). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 15_000;
/** A 10 MB photo on a slow phone connection. */
const UPLOAD_TIMEOUT_MS = 120_000;

/**
 * The public channel API of one inbox, on the origin that served this page. `locale` (the widget's language) goes
 * with the visitor and every message, so the server's own lines to this buyer (hand-off, surveys) speak it too.
 */
export function createApi(inboxToken: string, locale: string) {
  const base = `/public/v1/inboxes/${encodeURIComponent(inboxToken)}`;

  async function request<T>(method: string, path: string, visitorToken?: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    const isForm = body instanceof FormData;
    if (body !== undefined && !isForm) headers['content-type'] = 'application/json';
    if (visitorToken) headers['x-huike-visitor-token'] = visitorToken;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), isForm ? UPLOAD_TIMEOUT_MS : TIMEOUT_MS);
    let response: Response;
    try {
      response = await fetch(base + path, {
        method,
        headers,
        body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'omit',
        signal: abort.signal,
      });
    } catch (error) {
      throw new ApiError(0, 'network', String(error));
    } finally {
      clearTimeout(timer);
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = (data as { error?: { code?: string; message?: string } } | null)?.error;
      throw new ApiError(response.status, error?.code ?? `http.${response.status}`, error?.message ?? '');
    }
    return data as T;
  }

  return {
    locale,

    createVisitor: (body: CreateVisitorBody) =>
      request<VisitorSession>('POST', '/visitors', undefined, { ...body, locale }),

    listMessages(session: VisitorSession, cursor?: string | null) {
      const query = new URLSearchParams({ limit: '30' });
      if (cursor) query.set('cursor', cursor);
      const path = `/conversations/${encodeURIComponent(session.sourceId)}/messages?${query}`;
      return request<MessagePage>('GET', path, session.visitorToken);
    },

    sendMessage: (session: VisitorSession, content: string, clientMsgId: string) =>
      request<PublicMessage>('POST', '/messages', session.visitorToken, {
        sourceId: session.sourceId,
        content,
        clientMsgId,
        locale,
      }),

    /** Sends one image or file as a message; the clientMsgId makes a resend store it once. */
    sendFile(session: VisitorSession, file: Blob, name: string, clientMsgId: string) {
      const form = new FormData();
      form.append('file', file, name);
      const path = `/conversations/${encodeURIComponent(session.sourceId)}/attachments?clientMsgId=${encodeURIComponent(clientMsgId)}`;
      return request<PublicMessage>('POST', path, session.visitorToken, form);
    },

    status: () => request<PublicInboxStatus>('GET', '/status'),

    socketUrl(session: VisitorSession) {
      const query = new URLSearchParams({ sourceId: session.sourceId, token: session.visitorToken });
      return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${base}/ws?${query}`;
    },
  };
}

export type Api = ReturnType<typeof createApi>;
