import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AlertHistory } from '../alerts/alert-history.ts';
import { AlertViewSchema, type AlertView } from '../alerts/alert-view.ts';
import type { AlertWork } from '../alerts/alert-work.ts';
import { Presence } from '../alerts/operator-presence.ts';
import { RoutingOutcomeSchema, routingOutcomes } from '../alerts/routing-outcome.ts';
import type { UserInfo } from '../care/directory.ts';
import { rolesFor, type AlertAction } from '../care/alert-permissions.ts';
import { OUTCOME_NAMES, OUTCOME_TABLE, callScriptFor, kindOf, outcomesFor } from '../care/call-scripts.ts';
import type { Role } from '../care/model.ts';
import { userOf } from './auth-plugin.ts';
import { ErrorSchema, authErrors, IdParams } from './common.ts';

const SHIFT_ROLES: readonly Role[] = ['operator', 'admin'];
const HISTORY_ROLES: readonly Role[] = ['operator', 'admin', 'coordinator', 'installer', 'responder'];

/** What the alert routes hand over: the work service and the visibility check. */
export interface AlertWorkOptions {
  work: AlertWork;
  visible: (id: string, req: FastifyRequest, action?: AlertAction) => Promise<{ user: UserInfo; alert: AlertView }>;
}

const isoDate = z.string().max(40).refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date or date-time (ISO 8601)');

/**
 * Working an alert (issue 11): notes, assigning one responder, "on my way",
 * dispatch options (is the team on duty), the call script and outcomes for
 * its type, the routing outcome; closed-alert history, the shift handover
 * and operator presence. Registered by the alert routes.
 */
export const alertWorkRoutes: FastifyPluginAsyncZod<AlertWorkOptions> = async (app, { work, visible }) => {
  const { db, alerts, clock, audit } = app.hearth;
  const history = new AlertHistory(db, alerts, clock);
  const presence = new Presence(db, clock);
  const subject = (a: AlertView) => [a.residentId ?? a.livesHere?.id ?? a.hubId];
  const one = { 200: z.object({ alert: AlertViewSchema }), 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, ...authErrors };

  app.post(
    '/api/alerts/:id/notes',
    {
      config: { roles: rolesFor('note') },
      schema: { summary: "Add a note to an alert's timeline (kept in its append-only log)", tags: ['alerts'], params: IdParams, body: z.object({ text: z.string().trim().min(1).max(4000) }), response: { 201: z.object({ alert: AlertViewSchema }), 400: ErrorSchema, 404: ErrorSchema, ...authErrors } },
    },
    async (req, reply) => {
      const { user, alert } = await visible(req.params.id, req, 'note');
      await audit.record(user, 'alerts.note', subject(alert));
      reply.status(201);
      return { alert: await work.note(alert.id, user, req.body.text) };
    },
  );

  app.post(
    '/api/alerts/:id/assign',
    {
      config: { roles: rolesFor('assign') },
      schema: { summary: 'Assign one responder to an open alert (they then see it on their phone)', tags: ['alerts'], params: IdParams, body: z.object({ responderId: z.string().min(1).max(64) }), response: one },
    },
    async (req) => {
      const { user, alert } = await visible(req.params.id, req, 'assign');
      return { alert: await work.assign(alert.id, user, req.body.responderId) };
    },
  );

  app.post(
    '/api/alerts/:id/en-route',
    {
      config: { roles: rolesFor('en-route') },
      schema: { summary: '"On my way": recorded by the responder themself', tags: ['alerts'], params: IdParams, body: z.object({ note: z.string().max(2000).optional() }).default({}), response: one },
    },
    async (req) => {
      const { user, alert } = await visible(req.params.id, req, 'en-route');
      return { alert: await work.enRoute(alert.id, user, req.body.note) };
    },
  );

  app.get(
    '/api/alerts/:id/dispatch-options',
    {
      config: { roles: rolesFor('dispatch') },
      schema: {
        summary: "Where an alert can be dispatched: its neighbourhood's team (on duty now or not, and who is on duty instead) and the responders",
        tags: ['alerts'],
        params: IdParams,
        response: {
          200: z.object({
            team: z.object({ neighbourhoodId: z.string(), name: z.string(), hours: z.string(), timezone: z.string(), onDuty: z.boolean() }).nullable(),
            outOfHours: z.string(),
            responders: z.array(z.object({ id: z.string(), displayName: z.string(), neighbourhoodId: z.string().nullable(), sameTeam: z.boolean() })),
          }),
          404: ErrorSchema,
          ...authErrors,
        },
      },
    },
    async (req) => {
      const { alert } = await visible(req.params.id, req, 'dispatch');
      return work.dispatchOptions(alert);
    },
  );

  app.get(
    '/api/alerts/:id/script',
    {
      schema: {
        summary: 'The call script for the alert type, and the outcomes that fit it (welfare or technical)',
        tags: ['alerts'],
        params: IdParams,
        response: {
          200: z.object({ kind: z.enum(['welfare', 'technical']), script: z.object({ title: z.string(), steps: z.array(z.string()) }), outcomes: z.array(z.object({ id: z.enum(OUTCOME_NAMES), label: z.string() })) }),
          404: ErrorSchema,
          ...authErrors,
        },
      },
    },
    async (req) => {
      const { alert } = await visible(req.params.id, req);
      return { kind: kindOf(alert.type), script: callScriptFor(alert.type), outcomes: outcomesFor(alert.type).map((id) => ({ id, label: OUTCOME_TABLE[id].label })) };
    },
  );

  app.get(
    '/api/alerts/:id/routing',
    {
      schema: {
        summary: 'What routing did for an alert: for each routed change, who was meant to be told, over which channel, and whether it was delivered ("no channel configured" when nobody could be told)',
        tags: ['alerts', 'notifications'],
        params: IdParams,
        response: { 200: z.object({ routing: z.array(RoutingOutcomeSchema) }), 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const { user, alert } = await visible(req.params.id, req);
      await audit.record(user, 'alerts.routing', subject(alert));
      return { routing: await routingOutcomes(db, alert.id) };
    },
  );

  app.get(
    '/api/alerts/history',
    {
      config: { roles: HISTORY_ROLES },
      schema: {
        summary: 'Closed alerts you may see, newest closed first: search by resident (name or id), type, outcome and date range; paged',
        tags: ['alerts'],
        querystring: z.object({
          residentId: z.string().max(64).optional(),
          resident: z.string().max(100).optional(),
          type: z.string().max(64).optional(),
          outcome: z.string().max(64).optional(),
          from: isoDate.optional(),
          to: isoDate.optional(),
          page: z.coerce.number().int().min(1).max(100_000).default(1),
          pageSize: z.coerce.number().int().min(1).max(200).default(25),
        }),
        response: { 200: z.object({ alerts: z.array(AlertViewSchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }), 400: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      const q = req.query;
      const page = await history.search(user, { ...q, from: q.from ? Date.parse(q.from) : undefined, to: q.to ? Date.parse(q.to) : undefined });
      await audit.record(user, 'alerts.history', page.alerts.flatMap(subject));
      return page;
    },
  );

  app.get(
    '/api/alerts/handover',
    {
      config: { roles: SHIFT_ROLES },
      schema: {
        summary: 'Shift handover: what happened in the last N hours (raised, escalated, breached, closed by outcome, notes) and what is still open',
        tags: ['alerts'],
        querystring: z.object({ hours: z.coerce.number().int().min(1).max(72).default(8) }),
        response: {
          200: z.object({
            from: z.string(),
            to: z.string(),
            open: z.array(AlertViewSchema),
            closed: z.array(AlertViewSchema),
            raised: z.number().int(),
            escalated: z.number().int(),
            breached: z.number().int(),
            byOutcome: z.record(z.string(), z.number().int()),
            notes: z.array(z.object({ alertId: z.string(), at: z.string(), actor: z.string().nullable(), text: z.string() })),
          }),
          ...authErrors,
        },
      },
    },
    async (req) => {
      const user = userOf(req);
      const h = await history.handover(user, req.query.hours);
      await audit.record(user, 'alerts.handover', [...h.open, ...h.closed].flatMap(subject));
      return h;
    },
  );

  const PresenceSchema = z.object({ id: z.string(), displayName: z.string(), role: z.string(), signedIn: z.boolean(), onShift: z.boolean(), changedAt: z.string().nullable() });
  app.get(
    '/api/presence',
    {
      config: { roles: SHIFT_ROLES },
      schema: { summary: 'Operators and admins: who is signed in, and who is on shift', tags: ['alerts'], response: { 200: z.object({ operators: z.array(PresenceSchema) }), ...authErrors } },
    },
    async (req) => ({ operators: await presence.list(userOf(req).orgId) }),
  );

  app.put(
    '/api/presence',
    {
      config: { roles: SHIFT_ROLES },
      schema: { summary: 'Put yourself on shift or off shift', tags: ['alerts'], body: z.object({ onShift: z.boolean() }), response: { 200: z.object({ operators: z.array(PresenceSchema) }), 400: ErrorSchema, ...authErrors } },
    },
    async (req) => {
      const user = userOf(req);
      await presence.setOnShift(user, req.body.onShift);
      return { operators: await presence.list(user.orgId) };
    },
  );
};
