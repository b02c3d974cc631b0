// The cookie plugin's type augmentation: projects that import this file without app.ts (bench) need it too.
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../access.ts';
import { AppError } from '../errors.ts';

export const SESSION_COOKIE = 'huike_session';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// Signing in again over a stale session must work; these start a session rather than use one.
const CSRF_EXEMPT_ROUTES = new Set(['/api/v1/auth/login', '/api/v1/setup']);

export type Authenticators = {
  authenticateSession(token: string): Promise<{ actor: Actor; csrfToken: string; sessionId: string } | undefined>;
  authenticateApiToken(token: string): Promise<Actor | undefined>;
};

type RequestAuth =
  | { actor: Actor; via: 'session'; csrfToken: string; token: string; sessionId: string }
  | { actor: Actor; via: 'token' };

declare module 'fastify' {
  interface FastifyRequest {
    auth: RequestAuth | null;
  }
}

/**
 * Resolves the actor of every /api request from a Bearer token or the session cookie.
 * Cookie-authenticated writes must carry the session's CSRF token in `x-csrf-token`.
 */
export function registerRequestAuth(app: FastifyInstance, authenticators: Authenticators): void {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    const bearer = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (bearer) {
      const actor = await authenticators.authenticateApiToken(bearer);
      if (!actor) throw new AppError('auth.required', 'API 令牌无效或已失效');
      request.auth = { actor, via: 'token' };
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    if (!token) return;
    const found = await authenticators.authenticateSession(token);
    if (!found) return;
    request.auth = { ...found, via: 'session', token };
    const isExempt = CSRF_EXEMPT_ROUTES.has(request.routeOptions.url ?? '');
    if (UNSAFE_METHODS.has(request.method) && !isExempt && request.headers['x-csrf-token'] !== found.csrfToken) {
      throw new AppError('auth.csrf', '请求缺少有效的 CSRF 令牌，请刷新页面后重试');
    }
  });
}

/** The signed-in actor, or a 401. */
export function requireActor(request: FastifyRequest): Actor {
  if (!request.auth) throw new AppError('auth.required', '请先登录');
  return request.auth.actor;
}

export function setSessionCookie(reply: FastifyReply, token: string, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: 14 * 86_400,
  });
}

export const clearSessionCookie = (reply: FastifyReply): void => {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
};
