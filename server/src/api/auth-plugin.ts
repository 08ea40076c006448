import cookie from '@fastify/cookie';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UserInfo } from '../care/directory.ts';
import type { Role } from '../care/model.ts';
import { HearthError } from '../errors.ts';

/** Name of the session cookie the dashboard uses. */
export const SESSION_COOKIE = 'hearth_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user; set on every route not marked public. */
    user?: UserInfo;
  }
  interface FastifyContextConfig {
    /** The route needs no signed-in user. */
    public?: boolean;
    /** Roles allowed on the route (default: any signed-in role). */
    roles?: readonly Role[];
  }
}

/** The session token of a request: `Authorization: Bearer`, or the session cookie. */
export function tokenOf(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return req.cookies?.[SESSION_COOKIE];
}

/** The signed-in user of a request (routes behind the auth plugin always have one). */
export function userOf(req: FastifyRequest): UserInfo {
  if (!req.user) throw new HearthError('HEARTH_ERR_AUTH_REQUIRED');
  return req.user;
}

/**
 * Authentication for every route under /api (and the WebSocket stream): a live
 * session is required unless the route is marked `config.public`, and the
 * route's `config.roles`, when set, must include the user's role.
 */
export const authPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(cookie);
    app.addHook('onRequest', async (req) => {
      if (!req.url.startsWith('/api/')) return;
      const config = req.routeOptions.config;
      if (config?.public) return;
      const token = tokenOf(req);
      const user = token ? await app.hearth.sessions.lookup(token) : undefined;
      if (!user) throw new HearthError('HEARTH_ERR_AUTH_REQUIRED');
      if (config?.roles && !config.roles.includes(user.role)) throw new HearthError('HEARTH_ERR_FORBIDDEN');
      req.user = user;
    });
  },
  { name: 'hearth-auth', dependencies: ['hearth-services'] },
);
