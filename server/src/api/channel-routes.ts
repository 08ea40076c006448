// Outbound channels (admins) and each alert's notifications with every delivery attempt.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { canSeeAlert } from '../auth/policy.ts';
import type { Role } from '../care/model.ts';
import { HearthError } from '../errors.ts';
import { CHANNEL_KINDS, ChannelViewSchema, OWNER_TYPES } from '../notify/channels.ts';
import type { Routing } from '../routing/routing.ts';
import { userOf } from './auth-plugin.ts';
import { ErrorSchema, authErrors, IdParams } from './common.ts';

const AttemptSchema = z.object({
  notificationId: z.string(),
  channel: z.string(),
  target: z.string(),
  change: z.string(),
  attempt: z.number().int(),
  at: z.string(),
  status: z.enum(['delivered', 'failed', 'retrying']),
  response: z.string().nullable(),
  error: z.string().nullable(),
});
const NotificationSchema = z.object({
  id: z.string(),
  channel: z.string(),
  channelId: z.string(),
  target: z.string(),
  change: z.string(),
  state: z.string(),
  attempts: z.number().int(),
  nextAt: z.string().nullable(),
  createdAt: z.string(),
});

const ADMIN: readonly Role[] = ['admin'];

/** Outbound channels (list, add, change, remove: admins) and an alert's notifications with their attempts. */
export const channelRoutes: FastifyPluginAsyncZod<{ routing: Routing }> = async (app, { routing }) => {
  const { alerts } = app.hearth;

  // --- Outbound channels ---
  app.get(
    '/api/channels',
    {
      config: { roles: ADMIN },
      schema: {
        summary: 'Outbound channels (webhook, e-mail, SMS) of teams, routes, users and residents; secrets are never shown',
        tags: ['notifications'],
        querystring: z.object({ ownerType: z.enum(OWNER_TYPES).optional(), ownerId: z.string().max(100).optional() }),
        response: { 200: z.object({ channels: z.array(ChannelViewSchema) }), ...authErrors },
      },
    },
    async (req) => {
      const { ownerType, ownerId } = req.query;
      return { channels: await routing.channels.list(userOf(req).orgId, ownerType && ownerId ? { ownerType, ownerId } : undefined) };
    },
  );

  app.post(
    '/api/channels',
    {
      config: { roles: ADMIN },
      schema: {
        summary: 'Add an outbound channel: owner team (neighbourhood id), route (name), user or resident',
        tags: ['notifications'],
        body: z.object({ ownerType: z.enum(OWNER_TYPES), ownerId: z.string().min(1).max(100), kind: z.enum(CHANNEL_KINDS), name: z.string().max(200).optional(), config: z.record(z.string(), z.unknown()) }),
        response: { 201: z.object({ channel: ChannelViewSchema }), 400: ErrorSchema, 404: ErrorSchema, ...authErrors },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const channel = await routing.channels.add({ orgId: userOf(req).orgId, ownerType: b.ownerType, ownerId: b.ownerId, kind: b.kind, ...(b.name ? { name: b.name } : {}), config: b.config });
      reply.status(201);
      return { channel };
    },
  );

  app.patch(
    '/api/channels/:id',
    {
      config: { roles: ADMIN },
      schema: { summary: 'Enable or disable a channel', tags: ['notifications'], params: IdParams, body: z.object({ enabled: z.boolean() }), response: { 200: z.object({ channel: ChannelViewSchema }), 404: ErrorSchema, ...authErrors } },
    },
    async (req) => ({ channel: await routing.channels.setEnabled(userOf(req).orgId, req.params.id, req.body.enabled) }),
  );

  app.delete(
    '/api/channels/:id',
    {
      config: { roles: ADMIN },
      schema: { summary: 'Remove a channel (its past notifications stay)', tags: ['notifications'], params: IdParams, response: { 204: z.null(), 404: ErrorSchema, ...authErrors } },
    },
    async (req, reply) => {
      await routing.channels.remove(userOf(req).orgId, req.params.id);
      return reply.status(204).send(null);
    },
  );

  // --- Notifications of an alert ---
  app.get(
    '/api/alerts/:id/notifications',
    {
      schema: {
        summary: "An alert's outbound notifications and every delivery attempt with its result",
        tags: ['alerts', 'notifications'],
        params: IdParams,
        response: { 200: z.object({ notifications: z.array(NotificationSchema), attempts: z.array(AttemptSchema) }), 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      const alert = await alerts.get(req.params.id, user.orgId);
      if (!canSeeAlert(user, alert)) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such alert');
      return { notifications: await routing.notifier.list(alert.id), attempts: await routing.notifier.attempts(alert.id) };
    },
  );
};
