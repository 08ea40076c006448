import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AlertViewSchema, compareAlerts } from '../alerts/alert-view.ts';
import { OUTCOMES } from '../alerts/alert-service.ts';
import { canSeeAlert } from '../auth/policy.ts';
import { HearthError } from '../errors.ts';
import { userOf } from './auth-plugin.ts';
import { ErrorSchema, authErrors } from './common.ts';

const IdParams = z.object({ id: z.string().min(1).max(64) });

/** Alerts: list, read with history, acknowledge, dispatch, on site, resolve, cancel. */
export const alertRoutes: FastifyPluginAsyncZod = async (app) => {
  const { alerts, audit } = app.hearth;

  const visible = async (id: string, req: Parameters<typeof userOf>[0]) => {
    const user = userOf(req);
    const alert = await alerts.get(id, user.orgId);
    if (!canSeeAlert(user, alert)) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such alert');
    return { user, alert };
  };

  app.get(
    '/api/alerts',
    {
      schema: {
        summary: 'Alerts you may see, most severe and newest first',
        tags: ['alerts'],
        querystring: z.object({
          state: z.enum(['open', 'all']).default('open'),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
        response: { 200: z.object({ alerts: z.array(AlertViewSchema) }), ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      const list = (await alerts.list(user.orgId, { open: req.query.state === 'open', limit: req.query.limit }))
        .filter((a) => canSeeAlert(user, a))
        .sort(compareAlerts);
      await audit.record(user, 'alerts.list', list.map((a) => a.residentId ?? a.hubId));
      return { alerts: list };
    },
  );

  app.get(
    '/api/alerts/:id',
    {
      schema: {
        summary: 'One alert with its audit trail',
        tags: ['alerts'],
        params: IdParams,
        response: {
          200: z.object({
            alert: AlertViewSchema,
            history: z.array(z.object({ at: z.string(), action: z.string(), actor: z.string().nullable(), detail: z.unknown() })),
          }),
          404: ErrorSchema,
          ...authErrors,
        },
      },
    },
    async (req) => {
      const { user, alert } = await visible(req.params.id, req);
      await audit.record(user, 'alerts.read', [alert.residentId ?? alert.hubId]);
      return { alert, history: await alerts.history(alert.id, user.orgId) };
    },
  );

  app.post(
    '/api/alerts/:id/ack',
    {
      schema: {
        summary: 'Acknowledge an alert (who and when are recorded; repeating it changes nothing)',
        tags: ['alerts'],
        params: IdParams,
        response: { 200: z.object({ alert: AlertViewSchema }), 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const { user } = await visible(req.params.id, req);
      return { alert: await alerts.acknowledge(req.params.id, user) };
    },
  );

  app.post(
    '/api/alerts/:id/resolve',
    {
      schema: {
        summary: 'Close an alert with an outcome',
        tags: ['alerts'],
        params: IdParams,
        body: z.object({ outcome: z.enum(OUTCOMES), note: z.string().max(2000).optional() }),
        response: { 200: z.object({ alert: AlertViewSchema }), 404: ErrorSchema, 409: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const { user } = await visible(req.params.id, req);
      return { alert: await alerts.resolve(req.params.id, user, req.body.outcome, req.body.note) };
    },
  );

  // Lifecycle (issue 4): dispatch starts the two-hour clock, on site stops it; cancel stands an alert down.
  app.post(
    '/api/alerts/:id/dispatch',
    {
      config: { roles: ['operator', 'admin'] },
      schema: {
        summary: "Dispatch a response: the neighbourhood's urgent response team, one responder, or the out-of-hours route (starts the two-hour clock)",
        tags: ['alerts'],
        params: IdParams,
        body: z.object({
          to: z.enum(['team', 'responder', 'out-of-hours']),
          responderId: z.string().min(1).max(64).optional(),
          note: z.string().max(2000).optional(),
        }),
        response: { 200: z.object({ alert: AlertViewSchema }), 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const { user } = await visible(req.params.id, req);
      const { to, responderId, note } = req.body;
      if (to === 'responder' && !responderId) throw new HearthError('HEARTH_ERR_VALIDATION', 'responderId is required to dispatch to a responder');
      const request = to === 'responder' ? { to, responderId: responderId! } : { to };
      return { alert: await alerts.dispatch(req.params.id, user, request, note) };
    },
  );

  app.post(
    '/api/alerts/:id/on-site',
    {
      config: { roles: ['responder', 'operator', 'admin'] },
      schema: {
        summary: 'The responder is with the resident (stops the two-hour clock)',
        tags: ['alerts'],
        params: IdParams,
        body: z.object({ note: z.string().max(2000).optional() }).default({}),
        response: { 200: z.object({ alert: AlertViewSchema }), 404: ErrorSchema, 409: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const { user } = await visible(req.params.id, req);
      return { alert: await alerts.onSite(req.params.id, user, req.body.note) };
    },
  );

  app.post(
    '/api/alerts/:id/cancel',
    {
      config: { roles: ['operator', 'admin'] },
      schema: {
        summary: 'Stand an open alert down, with a reason',
        tags: ['alerts'],
        params: IdParams,
        body: z.object({ reason: z.string().min(1).max(2000) }),
        response: { 200: z.object({ alert: AlertViewSchema }), 404: ErrorSchema, 409: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const { user } = await visible(req.params.id, req);
      return { alert: await alerts.cancel(req.params.id, user, req.body.reason) };
    },
  );
};
