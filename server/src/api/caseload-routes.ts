import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AwayMode } from '../care/away-mode.ts';
import { CASE_STATUSES, Caseload } from '../care/caseload.ts';
import type { Role } from '../care/model.ts';
import type { EventStore } from '../store/event-store.ts';
import type { TrendService } from '../trends/trend-service.ts';
import { userOf } from './auth-plugin.ts';
import { ErrorSchema, authErrors } from './common.ts';

/** Roles with a caseload: coordinators (their own residents, a lead the neighbourhood) and admins (the organisation). */
export const CASELOAD_ROLES: readonly Role[] = ['coordinator', 'admin'];

const AwaySchema = z.object({
  from: z.string(),
  until: z.string().nullable().describe('last local day away (inclusive); null: until further notice'),
  reason: z.string(),
  setBy: z.string(),
  setByName: z.string().nullable(),
  endedAt: z.string().nullable(),
  endedBy: z.string().nullable(),
});

/** A caseload entry as the API gives it. */
export const CaseloadEntrySchema = z.object({
  id: z.string(),
  name: z.string(),
  neighbourhoodId: z.string(),
  coordinatorId: z.string().nullable(),
  coordinatorName: z.string().nullable(),
  status: z.enum(Object.keys(CASE_STATUSES) as [keyof typeof CASE_STATUSES, ...(keyof typeof CASE_STATUSES)[]]).describe('alert-open, changed (something changed), no-data (no data from the home), away, fine'),
  statusText: z.string().describe('the status in words'),
  concern: z.number().describe('sort key: lower is more concerning'),
  lastActivityAt: z.string().nullable().describe('last movement at home (activity sensors), ISO time'),
  openAlerts: z.array(z.object({ id: z.string(), type: z.string(), severity: z.string(), state: z.string(), raisedAt: z.string(), summary: z.string().nullable() })),
  routineChange: z.object({ flagged: z.literal(true), since: z.string(), cause: z.string(), alertId: z.string().nullable() }).nullable().describe('the routine-change flag with its cause'),
  away: AwaySchema.nullable(),
  sparkline: z.object({ days: z.array(z.string()), activity: z.array(z.number().nullable()), unit: z.literal('count') }).describe('activity events per local day over the last 14 days; null: no data that day'),
});
export { AwaySchema };

/** The coordinator's caseload, and which coordinators lead their neighbourhood. */
export const caseloadRoutes: FastifyPluginAsyncZod<{ trends: TrendService; store: EventStore }> = async (app, { trends, store }) => {
  const { db, directory, clock, audit } = app.hearth;
  const away = new AwayMode(db, directory, () => clock.now());
  const caseload = new Caseload({ db, directory, trends, store, clock, away });

  app.get(
    '/api/caseload',
    {
      config: { roles: CASELOAD_ROLES },
      schema: {
        summary: 'Your caseload, most concerning first: status in words, last activity, open alerts, routine-change flag and cause, 14-day activity',
        tags: ['coordinator'],
        querystring: z.object({
          q: z.string().max(200).optional().describe("search: part of a resident's name"),
          neighbourhoodId: z.string().min(1).max(64).optional(),
        }),
        response: { 200: z.object({ scope: z.enum(['own', 'neighbourhood', 'organisation']), lead: z.boolean(), residents: z.array(CaseloadEntrySchema) }), ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      const { scope, entries } = await caseload.list(user, { q: req.query.q, neighbourhoodId: req.query.neighbourhoodId });
      await audit.record(user, 'caseload.read', entries.map((e) => e.id));
      return { scope: scope as 'own' | 'neighbourhood' | 'organisation', lead: user.role === 'coordinator' && (await caseload.isLead(user.id)), residents: entries };
    },
  );

  app.put(
    '/api/users/:id/lead',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: "Make a coordinator the lead of their neighbourhood (their caseload becomes the neighbourhood's), or not",
        tags: ['coordinator'],
        params: z.object({ id: z.string().min(1).max(64) }),
        body: z.object({ lead: z.boolean() }),
        response: { 200: z.object({ userId: z.string(), lead: z.boolean() }), 400: ErrorSchema, 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      await caseload.setLead(user.orgId, req.params.id, req.body.lead, user.id);
      return { userId: req.params.id, lead: req.body.lead };
    },
  );
};
