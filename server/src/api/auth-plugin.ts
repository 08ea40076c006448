import cookie from '@fastify/cookie';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UserInfo } from '../care/directory.ts';
import type { Role } from '../care/model.ts';
import { HearthError } from '../errors.ts';
import { accessAudit } from './access-audit.ts';
import { securityHeaders } from './security-headers.ts';

/** Name of the session cookie the dashboard uses. */
export const SESSION_COOKIE = 'hearth_session';

/** A route as registered: method, URL and its config (public, roles); the security suite is driven by this list. */
export interface RegisteredRoute {
  method: string;
  url: string;
  public: boolean;
  roles: readonly Role[] | undefined;
  websocket: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered after the auth plugin (all of the API), for the security suite. */
    hearthRoutes: RegisteredRoute[];
  }
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

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The origins the console is served from: the request's own host (http or https) and HEARTH_PUBLIC_ORIGIN. */
function ownOrigins(req: FastifyRequest, configured: string[]): string[] {
  const host = req.headers.host;
  return [...(host ? [`http://${host}`, `https://${host}`] : []), ...configured].map((o) => o.toLowerCase().replace(/\/+$/, ''));
}

/** Whether the browser says the request comes from the console's own origin (Origin, else Fetch Metadata); undefined when it says nothing. */
export function fromOwnOrigin(req: FastifyRequest, configured: string[]): boolean | undefined {
  const origin = req.headers.origin;
  if (origin !== undefined) return ownOrigins(req, configured).includes(origin.toLowerCase());
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  return undefined;
}

/**
 * Cross-site request forgery (docs/security.md): a state change carried by the
 * session cookie must come from the console's own origin, and its body (if any)
 * must be JSON, which a form or a "simple" cross-site request cannot send.
 * Bearer-token requests (scripts) carry no ambient credential and pass.
 */
function checkCsrf(req: FastifyRequest, configured: string[]): void {
  if (!STATE_CHANGING.has(req.method)) return;
  if (req.headers.authorization?.startsWith('Bearer ')) return;
  const withCookie = !!req.cookies?.[SESSION_COOKIE];
  const own = fromOwnOrigin(req, configured);
  if (own === false) throw new HearthError('HEARTH_ERR_CSRF');
  if (!withCookie) return;
  if (own === undefined) throw new HearthError('HEARTH_ERR_CSRF');
  const type = req.headers['content-type'];
  const hasBody = type !== undefined || (req.headers['content-length'] ?? '0') !== '0' || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !/^application\/json\s*(;|$)/i.test(type ?? '')) throw new HearthError('HEARTH_ERR_CSRF');
}

/**
 * Authentication for every route under /api (and the WebSocket stream): a live
 * session is required unless the route is marked `config.public`, and the
 * route's `config.roles`, when set, must include the user's role. Before that,
 * the CSRF checks, and the WebSocket's Origin must be the console's.
 */
export const authPlugin = fp(
  async (app: FastifyInstance) => {
    const routes: RegisteredRoute[] = [];
    app.decorate('hearthRoutes', routes);
    app.addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) {
        if (method === 'HEAD') continue;
        routes.push({ method, url: r.url, public: !!r.config?.public, roles: r.config?.roles, websocket: !!(r as { websocket?: boolean }).websocket });
      }
    });
    await app.register(cookie);
    await app.register(securityHeaders);
    await app.register(accessAudit);
    const configured = app.hearth.config.publicOrigins;
    app.addHook('onRequest', async (req) => {
      if (!req.url.startsWith('/api/')) return;
      checkCsrf(req, configured);
      if (req.headers.upgrade && fromOwnOrigin(req, configured) === false) throw new HearthError('HEARTH_ERR_CSRF', 'The stream accepts connections from the console itself only');
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
