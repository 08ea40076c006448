import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../care/model.ts';
import { DEVICE_COOKIE, DEVICE_TTL_MS, KnownDevices } from '../auth/known-device.ts';
import { SignInLimiter, type LimitKind } from '../auth/sign-in-limiter.ts';
import type { TimerHandle } from '../clock.ts';
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

/** How often expired sessions are deleted, on the injected clock. */
export const SESSION_PURGE_MS = 60 * 60_000;

/** Sign in, sign out, and who am I; expired sessions are purged every hour. */
export const sessionRoutes: FastifyPluginAsyncZod = async (app) => {
  const { clock, config, sessions, directory } = app.hearth;
  const limiter = new SignInLimiter(clock);
  const devices = new KnownDevices(config.dataDir);

  let purge: TimerHandle | undefined;
  let stopped = false;
  const purgeLoop = (): void => {
    sessions
      .purgeExpired()
      .then((n) => n && app.log.info({ purged: n }, 'expired sessions purged'))
      .catch((err: unknown) => app.log.error({ err }, 'session purge failed'))
      .finally(() => {
        if (!stopped) purge = clock.setTimeout(purgeLoop, SESSION_PURGE_MS);
      });
  };
  app.addHook('onReady', async () => purgeLoop());
  app.addHook('onClose', async () => {
    stopped = true;
    if (purge) clock.clearTimeout(purge);
  });

  app.post(
    '/api/session',
    {
      config: { public: true },
      schema: {
        summary: 'Sign in with a username and password',
        tags: ['session'],
        body: z.object({ username: z.string().min(1).max(128), password: z.string().min(1).max(256) }),
        response: { 200: z.object({ token: z.string(), expiresAt: z.string(), user: UserSchema }), 401: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (req, reply) => {
      const now = clock.now();
      const name = req.body.username.toLowerCase();
      const device = devices.read(req.cookies?.[DEVICE_COOKIE], now);
      // A device this username signed in on before is held off only by its own failures, never by others'.
      const keys: [LimitKind, string][] = devices.knows(device, name)
        ? [['device', device!.d]]
        : [
            ['address', req.ip],
            ['userAddress', `${name}\u0000${req.ip}`],
            ['userNewDevice', name],
          ];
      const wait = limiter.retryAfter(keys);
      if (wait > 0) {
        const seconds = Math.ceil(wait / 1000);
        req.log.warn({ username: req.body.username, ip: req.ip, seconds }, 'sign-in slowed down after repeated failures');
        reply.header('retry-after', String(seconds));
        throw new HearthError('HEARTH_ERR_RATE_LIMITED', `Too many failed sign-ins; wait ${seconds} second${seconds === 1 ? '' : 's'} and try again`);
      }
      const user = await directory.checkPassword(req.body.username, req.body.password);
      if (!user) {
        limiter.failed(keys);
        req.log.warn({ username: req.body.username, ip: req.ip }, 'sign-in refused');
        throw new HearthError('HEARTH_ERR_AUTH_INVALID');
      }
      limiter.succeeded(keys.filter(([k]) => k !== 'address'));
      const { token, expiresAt } = await sessions.create(user.id);
      const secure = config.cookieSecure;
      reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure, expires: new Date(expiresAt) });
      reply.setCookie(DEVICE_COOKIE, devices.remember(device, name, now), { path: '/api/session', httpOnly: true, sameSite: 'strict', secure, expires: new Date(now + DEVICE_TTL_MS) });
      return { token, expiresAt: new Date(expiresAt).toISOString(), user };
    },
  );

  app.delete(
    '/api/session',
    { schema: { summary: 'Sign out', tags: ['session'], response: { 204: z.null(), ...authErrors } } },
    async (req, reply) => {
      const token = tokenOf(req);
      if (token) await sessions.revoke(token);
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
