/**
 * The one way the web app talks HTTP to the server: same-origin cookies, JSON in and out,
 * the session's CSRF token on unsafe methods, and a typed ApiError for every failure.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds from a Retry-After header, when the server sent one. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const isApiError = (error: unknown, code?: string): error is ApiError =>
  error instanceof ApiError && (code === undefined || error.code === code);

type Query = Record<string, string | number | boolean | null | undefined>;

type RequestOptions = {
  query?: Query;
  body?: unknown;
  /** A file sent as the raw request body (uploads), instead of JSON. */
  raw?: { data: Blob; contentType: string };
  signal?: AbortSignal;
  /** Extra request headers (If-Match). */
  headers?: Record<string, string>;
};

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken: string | null = null;
let refreshCsrf: (() => Promise<string | null>) | null = null;

/** Remembers the CSRF token of the current session (from login, setup or GET /auth/session). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** The current session's CSRF token, for requests made outside `api` (uploads with progress). */
export const currentCsrfToken = (): string | null => csrfToken;

/** How to get a fresh CSRF token when the server says ours is stale (one retry per request). */
export function setCsrfRefresher(refresher: () => Promise<string | null>): void {
  refreshCsrf = refresher;
}

export function buildUrl(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

async function toApiError(response: Response): Promise<ApiError> {
  const retryHeader = response.headers.get('retry-after');
  const retryAfter = retryHeader && /^\d+$/.test(retryHeader) ? Number(retryHeader) : undefined;
  let payload: unknown;
  try {
    payload = await response.json();
  } catch {
    payload = undefined;
  }
  if (payload && typeof payload === 'object' && 'error' in payload) {
    const error = (payload as { error: unknown }).error;
    if (error && typeof error === 'object') {
      const { code, message, details } = error as { code?: unknown; message?: unknown; details?: unknown };
      return new ApiError(
        response.status,
        typeof code === 'string' ? code : 'http.error',
        typeof message === 'string' ? message : response.statusText,
        details,
        retryAfter,
      );
    }
  }
  return new ApiError(
    response.status,
    `http.${response.status}`,
    response.statusText || 'Request failed',
    undefined,
    retryAfter,
  );
}

async function send(method: string, path: string, options: RequestOptions, allowCsrfRetry: boolean): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers, accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.raw) headers['content-type'] = options.raw.contentType;
  if (unsafeMethods.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      credentials: 'include',
      headers,
      body: options.raw ? options.raw.data : options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network.unreachable', '无法连接服务器，请检查网络后重试');
  }
  if (response.ok) return response;
  const apiError = await toApiError(response);
  if (apiError.code === 'auth.csrf' && allowCsrfRetry && refreshCsrf) {
    const fresh = await refreshCsrf().catch(() => null);
    if (fresh) {
      csrfToken = fresh;
      return send(method, path, options, false);
    }
  }
  throw apiError;
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  return (await versionedRequest<T>(method, path, options)).data;
}

/** A response body with the version the server tagged it with (ETag), for a later write's If-Match. */
export type Versioned<T> = { data: T; etag: string | null };

async function versionedRequest<T>(method: string, path: string, options: RequestOptions): Promise<Versioned<T>> {
  const response = await send(method, path, options, true);
  const etag = response.headers.get('etag');
  if (response.status === 204) return { data: undefined as T, etag };
  const text = await response.text();
  return { data: (text ? JSON.parse(text) : undefined) as T, etag };
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  delete: <T>(path: string) => request<T>('DELETE', path),
  getVersioned: <T>(path: string, signal?: AbortSignal) => versionedRequest<T>('GET', path, { signal }),
  /** A PATCH refused with 412 when `etag` (If-Match) is no longer the resource's version; no etag: unconditional. */
  patchVersioned: <T>(path: string, body: unknown, etag: string | undefined) =>
    versionedRequest<T>('PATCH', path, { body, headers: etag ? { 'if-match': etag } : undefined }),
  /** POSTs a file as the raw body (e.g. text/csv), with `query` in the URL. */
  upload: <T>(path: string, query: Query, data: Blob, contentType: string) =>
    request<T>('POST', path, { query, raw: { data, contentType } }),
};

export type Page<T> = { items: T[]; nextCursor: string | null };

/** Walks every page of a list endpoint (for small lists: users, teams, inboxes). */
export async function fetchAllPages<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null | undefined;
  for (let guard = 0; guard < 50; guard += 1) {
    const page = await api.get<Page<T>>(path, { ...query, limit: 100, cursor: cursor ?? undefined }, signal);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return items;
}
