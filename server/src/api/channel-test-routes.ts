import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sendChannelTest } from '../care/channel-test.ts';
import { HearthError } from '../errors.ts';
import type { Routing } from '../routing/routing.ts';
import { userOf } from './auth-plugin.ts';
import { ErrorSchema, authErrors, IdParams } from './common.ts';

const ADMIN = ['admin'] as const;

/** One delivery through a channel: an alert's notification attempt, or a test send. */
const DeliverySchema = z.object({
  at: z.string(),
  kind: z.enum(['alert', 'test']),
  alertId: z.string().nullable(),
  change: z.string(),
  attempt: z.number().int(),
  status: z.string(),
  response: z.string().nullable(),
  error: z.string().nullable(),
  requestedBy: z.string().nullable(),
});

/**
 * "Send a test" for an outbound channel, through the real notifier (and its outbound policy), with
 * the attempt recorded; and a channel's delivery history, alert notifications and tests together.
 */
export const channelTestRoutes: FastifyPluginAsyncZod<{ routing: Routing }> = async (app, { routing }) => {
  const { db, clock } = app.hearth;

  const channelOf = async (orgId: string, id: string) => {
    const row = await db.selectFrom('channels').selectAll().where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
    if (!row) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such channel');
    return row;
  };

  app.post(
    '/api/channels/:id/test',
    {
      config: { roles: ADMIN },
      schema: {
        summary: 'Send a test notification through a channel now, and record the attempt',
        tags: ['notifications'],
        params: IdParams,
        response: { 200: z.object({ delivery: DeliverySchema }), 404: ErrorSchema, 409: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      const delivery = await sendChannelTest(db, routing.notifier, () => clock.now(), user.orgId, req.params.id, user.id);
      req.log.info({ channelId: req.params.id, status: delivery.status }, 'channel test sent');
      return { delivery };
    },
  );

  app.get(
    '/api/channels/:id/deliveries',
    {
      config: { roles: ADMIN },
      schema: {
        summary: "A channel's delivery history, newest first: every attempt of alert notifications, and test sends",
        tags: ['notifications'],
        params: IdParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: { 200: z.object({ deliveries: z.array(DeliverySchema) }), 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      const channel = await channelOf(user.orgId, req.params.id);
      const attempts = await db
        .selectFrom('notification_attempts')
        .innerJoin('notifications', 'notifications.id', 'notification_attempts.notification_id')
        .select(['notification_attempts.at', 'notification_attempts.alert_id', 'notifications.change', 'notification_attempts.attempt', 'notification_attempts.status', 'notification_attempts.response', 'notification_attempts.error'])
        .where('notifications.channel_id', '=', channel.id)
        .orderBy('notification_attempts.id', 'desc')
        .limit(req.query.limit)
        .execute();
      const tests = await db.selectFrom('channel_tests').selectAll().where('channel_id', '=', channel.id).orderBy('id', 'desc').limit(req.query.limit).execute();
      const deliveries = [
        ...attempts.map((a) => ({ t: a.at, at: new Date(a.at).toISOString(), kind: 'alert' as const, alertId: a.alert_id, change: a.change, attempt: a.attempt, status: a.status, response: a.response, error: a.error, requestedBy: null })),
        ...tests.map((t) => ({ t: t.at, at: new Date(t.at).toISOString(), kind: 'test' as const, alertId: null, change: 'test', attempt: 1, status: t.status, response: t.response, error: t.error, requestedBy: t.requested_by })),
      ]
        .sort((a, b) => b.t - a.t)
        .slice(0, req.query.limit)
        .map(({ t: _t, ...d }) => d);
      return { deliveries };
    },
  );
};
