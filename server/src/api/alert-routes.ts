import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AlertViewSchema, compareAlerts } from '../alerts/alert-view.ts';
import { AlertWork } from '../alerts/alert-work.ts';
import { assertMay, canSeeAlert } from '../auth/policy.ts';
import { allowedActions, mayDo, rolesFor, type AlertAction } from '../care/alert-permissions.ts';
import { OUTCOME_NAMES, outcomesFor } from '../care/call-scripts.ts';
import { ALERT_STATES, OPEN_STATES } from '../care/model.ts';
import { HearthError } from '../errors.ts';
import { alertWorkRoutes } from './alert-work-routes.ts';
import { userOf } from './auth-plugin.ts';
import { ErrorSchema, authErrors, IdParams } from './common.ts';


/**
 * Alerts: list, read with history, acknowledge, dispatch, on site, resolve,
 * cancel; who may do each is the care model's permission table
 * (server/src/care/alert-permissions.ts): a role without the action gets 403,
 * an alert outside the user's scope is "not found".
 */
export const alertRoutes: FastifyPluginAsyncZod = async (app) => {
  const { alerts, audit, db, clock } = app.hearth;
  const work = new AlertWork(db, alerts, clock);

  const visible = async (id: string, req: Parameters<typeof userOf>[0], action: AlertAction = 'see') => {
    const user = userOf(req);
    const alert = await alerts.get(id, user.orgId);
    assertMay(user, action, alert);
    return { user, alert };
  };
  await app.register(alertWorkRoutes, { work, visible });

  app.get(
    '/api/alerts',
    {
      schema: {
        summary: 'Alerts you may see, in queue order: most severe first, then waiting longest first; filters by state, type and neighbourhood; counts of open alerts per state',
        tags: ['alerts'],
        querystring: z.object({
          state: z.enum(['open', 'all', ...ALERT_STATES]).default('open'),
          type: z.string().max(64).optional(),
          neighbourhoodId: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
        response: { 200: z.object({ alerts: z.array(AlertViewSchema), counts: z.record(z.string(), z.number().int()) }), ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      const { state, type, neighbourhoodId, limit } = req.query;
      const open = state === 'open' || OPEN_STATES.includes(state as never);
      const mine = (await alerts.list(user.orgId, { open, limit: state === 'all' ? limit : 1000 })).filter((a) => canSeeAlert(user, a));
      const counts: Record<string, number> = Object.fromEntries(OPEN_STATES.map((s) => [s, 0]));
      for (const a of mine) if (OPEN_STATES.includes(a.state)) counts[a.state] = (counts[a.state] ?? 0) + 1;
      const list = mine
        .filter((a) => (state === 'open' || state === 'all' || a.state === state) && (!type || a.type === type) && (!neighbourhoodId || a.neighbourhoodId === neighbourhoodId))
        .sort(compareAlerts)
        .slice(0, limit);
      await audit.record(user, 'alerts.list', list.map((a) => a.residentId ?? a.livesHere?.id ?? a.hubId));
      return { alerts: list, counts };
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
            /** What the signed-in user may do to it (the console offers only these). */
            actions: z.array(z.string()).optional(),
          }),
          404: ErrorSchema,
          ...authErrors,
        },
      },
    },
    async (req) => {
      const { user, alert } = await visible(req.params.id, req);
      await audit.record(user, 'alerts.read', [alert.residentId ?? alert.hubId]);
      return { alert, history: await alerts.history(alert.id, user.orgId), actions: allowedActions(user, alert) };
    },
  );

  app.post(
    '/api/alerts/:id/ack',
    {
      config: { roles: rolesFor('acknowledge') },
      schema: {
        summary: 'Acknowledge an alert (who and when are recorded; repeating it changes nothing); stops the escalation clocks',
        tags: ['alerts'],
        params: IdParams,
        response: { 200: z.object({ alert: AlertViewSchema }), 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const { user, alert } = await visible(req.params.id, req, 'acknowledge');
      await audit.record(user, 'alerts.acknowledge', [alert.residentId ?? alert.hubId]);
      return { alert: await alerts.acknowledge(req.params.id, user) };
    },
  );

  app.post(
    '/api/alerts/:id/resolve',
    {
      config: { roles: rolesFor('resolve') },
      schema: {
        summary: "Close an alert with an outcome that fits its type (welfare or technical: GET /api/alerts/:id/script lists them)",
        tags: ['alerts'],
        params: IdParams,
        body: z.object({ outcome: z.enum(OUTCOME_NAMES), note: z.string().max(2000).optional() }),
        response: { 200: z.object({ alert: AlertViewSchema }), 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const { user, alert } = await visible(req.params.id, req, 'resolve');
      if (!outcomesFor(alert.type).includes(req.body.outcome)) {
        throw new HearthError('HEARTH_ERR_VALIDATION', `outcome ${req.body.outcome} does not fit a ${alert.type} alert; use one of ${outcomesFor(alert.type).join(', ')}`);
      }
      return { alert: await alerts.resolve(req.params.id, user, req.body.outcome, req.body.note) };
    },
  );

  // Lifecycle (issue 4): dispatch starts the two-hour clock, on site stops it; cancel stands an alert down.
  app.post(
    '/api/alerts/:id/dispatch',
    {
      config: { roles: rolesFor('dispatch') },
      schema: {
        summary: "Dispatch a response: the neighbourhood's urgent response team, one responder, or the out-of-hours route (starts the two-hour clock); the team off duty is refused (HEARTH_ERR_OFF_DUTY, naming who is on duty) unless confirmOffDuty is true",
        tags: ['alerts'],
        params: IdParams,
        body: z.object({
          to: z.enum(['team', 'responder', 'out-of-hours']),
          responderId: z.string().min(1).max(64).optional(),
          note: z.string().max(2000).optional(),
          confirmOffDuty: z.boolean().optional(),
        }),
        response: { 200: z.object({ alert: AlertViewSchema }), 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const { user, alert } = await visible(req.params.id, req, 'dispatch');
      const { to, responderId, note } = req.body;
      if (to === 'responder' && !responderId) throw new HearthError('HEARTH_ERR_VALIDATION', 'responderId is required to dispatch to a responder');
      const request = to === 'responder' ? { to, responderId: responderId! } : { to };
      await work.checkOnDuty(alert, request, req.body.confirmOffDuty === true);
      return { alert: await alerts.dispatch(req.params.id, user, request, note) };
    },
  );

  app.post(
    '/api/alerts/:id/on-site',
    {
      config: { roles: [...new Set([...rolesFor('on-site'), ...rolesFor('on-site-for-responder')])] },
      schema: {
        summary: "The responder is with the resident (stops the two-hour clock). Recorded by the responder themself; an operator recording it on a responder's behalf gives a reason (kept apart in the service report)",
        tags: ['alerts'],
        params: IdParams,
        body: z.object({ note: z.string().max(2000).optional(), reason: z.string().trim().min(3).max(2000).optional() }).default({}),
        response: { 200: z.object({ alert: AlertViewSchema }), 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const { user, alert } = await visible(req.params.id, req);
      if (mayDo(user, 'on-site', alert)) return { alert: await alerts.onSite(req.params.id, user, req.body.note) };
      assertMay(user, 'on-site-for-responder', alert);
      if (!req.body.reason) throw new HearthError('HEARTH_ERR_VALIDATION', "recording on site on a responder's behalf needs a reason (e.g. the responder phoned it in)");
      const responderId = alert.assignedTo ?? (alert.dispatchTarget?.kind === 'responder' ? alert.dispatchTarget.userId : null);
      return { alert: await alerts.onSite(req.params.id, user, req.body.note, { reason: req.body.reason, responderId }) };
    },
  );

  app.post(
    '/api/alerts/:id/cancel',
    {
      config: { roles: rolesFor('stand-down') },
      schema: {
        summary: 'Stand an open alert down, with a reason',
        tags: ['alerts'],
        params: IdParams,
        body: z.object({ reason: z.string().min(1).max(2000) }),
        response: { 200: z.object({ alert: AlertViewSchema }), 404: ErrorSchema, 409: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const { user } = await visible(req.params.id, req, 'stand-down');
      return { alert: await alerts.cancel(req.params.id, user, req.body.reason) };
    },
  );
};
