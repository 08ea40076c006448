import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../care/model.ts';
import { DEFAULT_SIGN_IN_LIMITS, SignInLimiter } from '../auth/sign-in-limiter.ts';
import { HearthError } from '../errors.ts';
import { SESSION_COOKIE, tokenOf, userOf } from './auth-plugin.ts';
import { ErrorSchema, authErrors } from './common.ts';

const UserSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES),
  neighbourhoodId: z.string().nullable(),
});

/** Sign in, sign out, and who am I. */
export const sessionRoutes: FastifyPluginAsyncZod = async (app) => {
  // Per username: 5 failures. Per address, more: a monitoring centre signs in from behind one NAT,
  // and one person's typos must not lock the whole centre out.
  const byUser = new SignInLimiter(app.hearth.clock);
  const byAddress = new SignInLimiter(app.hearth.clock, { ...DEFAULT_SIGN_IN_LIMITS, maxFailures: 50 });
  app.post(
    '/api/session',
    {
      config: { public: true },
      schema: {
        summary: 'Sign in with a username and password',
        tags: ['session'],
        body: z.object({ username: z.string().min(1).max(128), password: z.string().min(1).max(256) }),
        response: { 200: z.object({ token: z.string(), expiresAt: z.string(), user: UserSchema }), 401: ErrorSchema, 429: ErrorSchema },
      },
    },
    async (req, reply) => {
      const userKey = req.body.username.toLowerCase();
      const wait = Math.max(byUser.retryAfter([userKey]), byAddress.retryAfter([req.ip]));
      if (wait > 0) {
        req.log.warn({ username: req.body.username, ip: req.ip }, 'sign-in held off after repeated failures');
        reply.header('retry-after', String(Math.ceil(wait / 1000)));
        throw new HearthError('HEARTH_ERR_RATE_LIMITED');
      }
      const user = await app.hearth.directory.checkPassword(req.body.username, req.body.password);
      if (!user) {
        byUser.failed([userKey]);
        byAddress.failed([req.ip]);
        req.log.warn({ username: req.body.username, ip: req.ip }, 'sign-in refused');
        throw new HearthError('HEARTH_ERR_AUTH_INVALID');
      }
      byUser.succeeded(userKey);
      const { token, expiresAt } = await app.hearth.sessions.create(user.id);
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: app.hearth.config.cookieSecure,
        expires: new Date(expiresAt),
      });
      return { token, expiresAt: new Date(expiresAt).toISOString(), user };
    },
  );

  app.delete(
    '/api/session',
    { schema: { summary: 'Sign out', tags: ['session'], response: { 204: z.null(), ...authErrors } } },
    async (req, reply) => {
      const token = tokenOf(req);
      if (token) await app.hearth.sessions.revoke(token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/session',
    { schema: { summary: 'The signed-in user', tags: ['session'], response: { 200: z.object({ user: UserSchema }), ...authErrors } } },
    async (req) => ({ user: userOf(req) }),
  );
};
