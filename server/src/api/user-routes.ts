import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SignInLimiter, type LimitKind } from '../auth/sign-in-limiter.ts';
import { UserAdmin } from '../auth/user-admin.ts';
import { ROLES } from '../care/model.ts';
import { HearthError } from '../errors.ts';
import { tokenOf, userOf } from './auth-plugin.ts';
import { ErrorSchema, authErrors, IdParams, Id } from './common.ts';

const Password = z.string().min(8).max(256);
const ADMIN = ['admin'] as const;

/** A user as user management shows it. */
const ManagedUserSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES),
  neighbourhoodId: z.string().nullable(),
  disabled: z.boolean(),
});
const errors = { 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, ...authErrors };

/**
 * User management for an organisation's admin (edit, disable, enable, reset a
 * password) and changing one's own password. Disabling a user or setting their
 * password ends their sessions at once (the live stream too); every change is
 * in the access log.
 */
export const userRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, sessions, audit, clock } = app.hearth;
  const users = new UserAdmin(db);
  // Wrong current passwords slow down further tries like sign-in does (a stolen session must not become a guessing oracle).
  const guesses = new SignInLimiter(clock);

  app.patch(
    '/api/users/:id',
    {
      config: { roles: ADMIN },
      schema: {
        summary: "Change a user's role, neighbourhood or display name",
        tags: ['users'],
        params: IdParams,
        body: z.object({ role: z.enum(ROLES).optional(), neighbourhoodId: Id.nullable().optional(), displayName: z.string().min(1).max(200).optional() }).strict(),
        response: { 200: z.object({ user: ManagedUserSchema }), ...errors },
      },
    },
    async (req) => {
      const admin = userOf(req);
      const b = req.body;
      const user = await users.update(admin.orgId, req.params.id, {
        ...(b.role !== undefined ? { role: b.role } : {}),
        ...(b.neighbourhoodId !== undefined ? { neighbourhoodId: b.neighbourhoodId } : {}),
        ...(b.displayName !== undefined ? { displayName: b.displayName } : {}),
      });
      await audit.record(admin, 'user.update', [user.id]);
      return { user };
    },
  );

  for (const [verb, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post(
      `/api/users/:id/${verb}`,
      {
        config: { roles: ADMIN },
        schema: {
          summary: disabled ? 'Disable a user: their sessions end at once and sign-in is refused' : 'Enable a disabled user again',
          tags: ['users'],
          params: IdParams,
          response: { 200: z.object({ user: ManagedUserSchema }), ...errors },
        },
      },
      async (req) => {
        const admin = userOf(req);
        if (disabled && req.params.id === admin.id) throw new HearthError('HEARTH_ERR_CONFLICT', 'you cannot disable yourself');
        const user = await users.setDisabled(admin.orgId, req.params.id, disabled);
        if (disabled) await sessions.revokeUser(user.id, 'disabled');
        await audit.record(admin, `user.${verb}`, [user.id]);
        return { user };
      },
    );
  }

  app.post(
    '/api/users/:id/password',
    {
      config: { roles: ADMIN },
      schema: {
        summary: "Reset a user's password (the password rules apply); their sessions end",
        tags: ['users'],
        params: IdParams,
        body: z.object({ password: Password }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      const admin = userOf(req);
      await users.setPassword(admin.orgId, req.params.id, req.body.password);
      await sessions.revokeUser(req.params.id, 'password', req.params.id === admin.id ? tokenOf(req) : undefined);
      await audit.record(admin, 'user.password-reset', [req.params.id]);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/api/session/password',
    {
      schema: {
        summary: 'Change your own password; your other sessions end',
        tags: ['session'],
        body: z.object({ currentPassword: z.string().min(1).max(256), newPassword: Password }),
        response: { 204: z.null(), 429: ErrorSchema, ...errors },
      },
    },
    async (req, reply) => {
      const me = userOf(req);
      const key: [LimitKind, string][] = [['userAddress', `password-change\u0000${me.id}`]];
      const wait = guesses.retryAfter(key);
      if (wait > 0) {
        const seconds = Math.ceil(wait / 1000);
        reply.header('retry-after', String(seconds));
        throw new HearthError('HEARTH_ERR_RATE_LIMITED', `Too many wrong current passwords; wait ${seconds} second${seconds === 1 ? '' : 's'} and try again`);
      }
      try {
        await users.changeOwnPassword(me.orgId, me.id, req.body.currentPassword, req.body.newPassword);
      } catch (err) {
        if (err instanceof HearthError && err.code === 'HEARTH_ERR_FORBIDDEN') guesses.failed(key);
        throw err;
      }
      guesses.succeeded(key);
      await sessions.revokeUser(me.id, 'password', tokenOf(req));
      await audit.record(me, 'user.password-change', [me.id]);
      return reply.status(204).send(null);
    },
  );
};
