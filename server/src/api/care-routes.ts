import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ContactSchema, type ResidentDetail, type UserInfo } from '../care/directory.ts';
import { MonitoringPlanSchema, ROLES, type Role } from '../care/model.ts';
import { PlanHistory } from '../care/plan-history.ts';
import { HearthError } from '../errors.ts';
import { RoutingRuleSchema } from '../routing/router.ts';
import type { Routing } from '../routing/routing.ts';
import { DEFAULT_ROUTING, type RoutingRule } from '../routing/table.ts';
import { userOf } from './auth-plugin.ts';
import { ErrorSchema, authErrors, IdParams, Id } from './common.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time must be HH:MM');

const NeighbourhoodSchema = z.object({
  id: z.string(),
  name: z.string(),
  urgentStart: z.string(),
  urgentEnd: z.string(),
  timezone: z.string(),
  outOfHoursRoute: z.string(),
  coordinatorIds: z.array(z.string()),
});
const UserSchema = z.object({ id: z.string(), orgId: z.string(), username: z.string(), displayName: z.string(), role: z.enum(ROLES), neighbourhoodId: z.string().nullable() });
const ConsentSchema = z.object({ monitoring: z.boolean(), shareWithContacts: z.boolean(), note: z.string().optional(), recordedAt: z.string(), recordedBy: z.string() });
const ResidentSchema = z.object({
  id: z.string(),
  name: z.string(),
  neighbourhoodId: z.string(),
  hubId: z.string().nullable(),
  timezone: z.string(),
  coordinatorId: z.string().nullable(),
  away: z.boolean(),
  contacts: z.array(ContactSchema),
  consent: ConsentSchema,
  planOverrides: z.record(z.string(), z.unknown()),
  plan: z.record(z.string(), z.unknown()),
});
const RuleSchema = RoutingRuleSchema;
const ADMIN: readonly Role[] = ['admin'];
const CARE_READERS: readonly Role[] = ['admin', 'operator', 'coordinator'];
const PLAN_EDITORS: readonly Role[] = ['admin', 'coordinator'];

/** A coordinator may see and edit only their own residents; admins and operators any of their organisation's. */
function mayHandle(user: UserInfo, r: ResidentDetail): boolean {
  return user.role !== 'coordinator' || r.coordinatorId === user.id;
}

/**
 * The care organisation: neighbourhoods with their urgent response team's
 * hours and routing, users by role, residents (coordinator, contacts,
 * consent, monitoring plan, away mode). Outbound channels and each alert's
 * notifications are channel-routes.ts.
 */
export const careRoutes: FastifyPluginAsyncZod<{ routing: Routing }> = async (app, { routing }) => {
  const { directory, audit } = app.hearth;

  const resident = async (user: UserInfo, id: string): Promise<ResidentDetail> => {
    const r = await directory.getResident(user.orgId, id);
    if (!mayHandle(user, r)) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such resident');
    return r;
  };

  // --- Neighbourhoods ---
  app.get(
    '/api/neighbourhoods',
    { schema: { summary: "Your organisation's neighbourhoods, with the urgent team's hours", tags: ['care'], response: { 200: z.object({ neighbourhoods: z.array(NeighbourhoodSchema) }), ...authErrors } } },
    async (req) => ({ neighbourhoods: await directory.listNeighbourhoods(userOf(req).orgId) }),
  );

  app.post(
    '/api/neighbourhoods',
    {
      config: { roles: ADMIN },
      schema: {
        summary: 'Create a neighbourhood and its urgent response team hours',
        tags: ['care'],
        body: z.object({ name: z.string().min(1).max(200), urgentStart: hhmm.optional(), urgentEnd: hhmm.optional(), timezone: z.string().max(64).optional(), outOfHoursRoute: z.string().max(100).optional() }),
        response: { 201: z.object({ neighbourhood: NeighbourhoodSchema }), 400: ErrorSchema, ...authErrors },
      },
    },
    async (req, reply) => {
      const user = userOf(req);
      const b = req.body;
      const nb = await directory.addNeighbourhood({
        orgId: user.orgId,
        name: b.name,
        ...(b.urgentStart ? { urgentStart: b.urgentStart } : {}),
        ...(b.urgentEnd ? { urgentEnd: b.urgentEnd } : {}),
        ...(b.timezone ? { timezone: b.timezone } : {}),
        ...(b.outOfHoursRoute !== undefined ? { outOfHoursRoute: b.outOfHoursRoute } : {}),
      });
      reply.status(201);
      return { neighbourhood: await directory.getNeighbourhood(user.orgId, nb.id) };
    },
  );

  app.patch(
    '/api/neighbourhoods/:id',
    {
      config: { roles: ADMIN },
      schema: {
        summary: "Change a neighbourhood's name, urgent team hours, time zone or out-of-hours route",
        tags: ['care'],
        params: IdParams,
        body: z.object({ name: z.string().min(1).max(200).optional(), urgentStart: hhmm.optional(), urgentEnd: hhmm.optional(), timezone: z.string().max(64).optional(), outOfHoursRoute: z.string().max(100).optional() }),
        response: { 200: z.object({ neighbourhood: NeighbourhoodSchema }), 400: ErrorSchema, 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => ({ neighbourhood: await directory.updateNeighbourhood(userOf(req).orgId, req.params.id, req.body) }),
  );

  app.get(
    '/api/neighbourhoods/:id/routing',
    {
      config: { roles: ['admin', 'operator'] },
      schema: {
        summary: "A neighbourhood's routing: its own rules over the defaults, and where each alert type would go now",
        tags: ['care'],
        params: IdParams,
        response: {
          200: z.object({
            rules: z.array(RuleSchema),
            defaults: z.array(RuleSchema),
            now: z.object({ period: z.enum(['in-hours', 'out-of-hours']), targets: z.record(z.string(), z.array(z.string())) }),
          }),
          404: ErrorSchema,
          ...authErrors,
        },
      },
    },
    async (req) => {
      const user = userOf(req);
      const rules = await routing.router.rules(user.orgId, req.params.id);
      const targets: Record<string, string[]> = {};
      let period: 'in-hours' | 'out-of-hours' = 'in-hours';
      for (const type of ['fall', 'call', 'long-lie', 'night-exit', 'smoke', 'water', 'inactivity', 'not-up', 'not-home', 'cold-home', 'routine-change', 'hub-offline', 'sensor-silent', 'low-battery', 'power', 'tamper'] as const) {
        const d = await routing.router.decide(user.orgId, req.params.id, type, app.hearth.clock.now());
        period = d.period;
        targets[type] = d.targets;
      }
      return { rules, defaults: DEFAULT_ROUTING.map((r) => ({ ...r, targets: [...r.targets] })), now: { period, targets } };
    },
  );

  app.put(
    '/api/neighbourhoods/:id/routing',
    {
      config: { roles: ADMIN },
      schema: {
        summary: "Replace a neighbourhood's own routing rules (by type or severity, in or out of the urgent team's hours)",
        tags: ['care'],
        params: IdParams,
        body: z.object({ rules: z.array(RuleSchema).max(100) }),
        response: { 200: z.object({ rules: z.array(RuleSchema) }), 400: ErrorSchema, 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => ({ rules: await routing.router.setRules(userOf(req).orgId, req.params.id, req.body.rules as RoutingRule[]) }),
  );

  // --- Users ---
  app.get(
    '/api/users',
    {
      config: { roles: CARE_READERS },
      schema: {
        summary: 'Users of your organisation, optionally of one role',
        tags: ['care'],
        querystring: z.object({ role: z.enum(ROLES).optional() }),
        response: { 200: z.object({ users: z.array(UserSchema) }), ...authErrors },
      },
    },
    async (req) => ({ users: await directory.usersByRole(userOf(req).orgId, req.query.role) }),
  );

  app.post(
    '/api/users',
    {
      config: { roles: ADMIN },
      schema: {
        summary: 'Create a user with a role',
        tags: ['care'],
        body: z.object({
          username: z.string().min(3).max(128),
          password: z.string().min(8).max(256),
          role: z.enum(ROLES),
          displayName: z.string().max(200).optional(),
          neighbourhoodId: Id.optional(),
        }),
        response: { 201: z.object({ user: UserSchema }), 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, ...authErrors },
      },
    },
    async (req, reply) => {
      const user = userOf(req);
      const b = req.body;
      if (b.neighbourhoodId) await directory.getNeighbourhood(user.orgId, b.neighbourhoodId);
      const created = await directory.addUser({ orgId: user.orgId, username: b.username, password: b.password, role: b.role, ...(b.displayName ? { displayName: b.displayName } : {}), neighbourhoodId: b.neighbourhoodId ?? null });
      reply.status(201);
      return { user: created };
    },
  );

  // --- Residents ---
  app.get(
    '/api/residents',
    {
      config: { roles: CARE_READERS },
      schema: {
        summary: 'Residents you may see (a coordinator: their own)',
        tags: ['care'],
        querystring: z.object({ neighbourhoodId: Id.optional() }),
        response: { 200: z.object({ residents: z.array(ResidentSchema) }), ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      const list = await directory.listResidents(user.orgId, {
        ...(req.query.neighbourhoodId ? { neighbourhoodId: req.query.neighbourhoodId } : {}),
        ...(user.role === 'coordinator' ? { coordinatorId: user.id } : {}),
      });
      await audit.record(user, 'residents.list', list.map((r) => r.id));
      return { residents: list };
    },
  );

  app.post(
    '/api/residents',
    {
      config: { roles: ADMIN },
      schema: {
        summary: 'Add a resident: neighbourhood, named coordinator, home hub, contacts, consent and plan',
        tags: ['care'],
        body: z.object({
          name: z.string().min(1).max(200),
          neighbourhoodId: Id,
          coordinatorId: Id.optional(),
          hubId: z.string().max(64).optional(),
          timezone: z.string().max(64).optional(),
          contacts: z.array(ContactSchema).max(20).optional(),
          consent: z.object({ monitoring: z.boolean(), shareWithContacts: z.boolean().default(false), note: z.string().max(500).optional() }),
          plan: MonitoringPlanSchema.partial().optional(),
        }),
        response: { 201: z.object({ resident: ResidentSchema }), 400: ErrorSchema, 404: ErrorSchema, ...authErrors },
      },
    },
    async (req, reply) => {
      const user = userOf(req);
      const b = req.body;
      if (!b.consent.monitoring) throw new HearthError('HEARTH_ERR_VALIDATION', 'a resident is monitored only with their consent');
      await directory.getNeighbourhood(user.orgId, b.neighbourhoodId);
      if (b.hubId) {
        const hub = await app.hearth.db.selectFrom('hubs').select('org_id').where('id', '=', b.hubId).executeTakeFirst();
        if (!hub || hub.org_id !== user.orgId) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such hub');
      }
      if (b.coordinatorId) {
        const c = await directory.findUser(user.orgId, b.coordinatorId);
        if (!c) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such user');
        if (c.role !== 'coordinator') throw new HearthError('HEARTH_ERR_VALIDATION', 'that user is not a coordinator');
      }
      const r = await directory.addResident({
        orgId: user.orgId,
        neighbourhoodId: b.neighbourhoodId,
        name: b.name,
        hubId: b.hubId ?? null,
        coordinatorId: b.coordinatorId ?? null,
        ...(b.timezone ? { timezone: b.timezone } : {}),
        ...(b.plan ? { plan: b.plan } : {}),
        contacts: b.contacts ?? [],
      });
      await directory.setConsent(user.orgId, r.id, b.consent, user.id);
      reply.status(201);
      return { resident: await directory.getResident(user.orgId, r.id) };
    },
  );

  app.get(
    '/api/residents/:id',
    {
      config: { roles: CARE_READERS },
      schema: { summary: 'One resident with contacts, consent and plan', tags: ['care'], params: IdParams, response: { 200: z.object({ resident: ResidentSchema }), 404: ErrorSchema, ...authErrors } },
    },
    async (req) => {
      const user = userOf(req);
      const r = await resident(user, req.params.id);
      await audit.record(user, 'residents.read', [r.id]);
      return { resident: r };
    },
  );

  app.patch(
    '/api/residents/:id/plan',
    {
      config: { roles: PLAN_EDITORS },
      schema: {
        summary: "Change monitoring plan values (null restores a default); the resident's coordinator or an admin",
        tags: ['care'],
        params: IdParams,
        body: z.record(z.string(), z.unknown()),
        response: { 200: z.object({ resident: ResidentSchema }), 400: ErrorSchema, 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      await resident(user, req.params.id);
      const known = new Set(Object.keys(MonitoringPlanSchema.shape));
      const unknown = Object.keys(req.body).filter((k) => !known.has(k));
      if (unknown.length) throw new HearthError('HEARTH_ERR_VALIDATION', `unknown plan values: ${unknown.join(', ')}`);
      const before = (await directory.getResident(user.orgId, req.params.id)).planOverrides;
      const after = await directory.updatePlan(user.orgId, req.params.id, req.body);
      // Who changed what and when (docs/coordinator.md).
      await new PlanHistory(app.hearth.db).record({ orgId: user.orgId, residentId: req.params.id, userId: user.id, at: app.hearth.clock.now(), before, after: after.planOverrides });
      return { resident: after };
    },
  );

  app.put(
    '/api/residents/:id/contacts',
    {
      config: { roles: PLAN_EDITORS },
      schema: {
        summary: "Replace a resident's contacts (next of kin, key holder)",
        tags: ['care'],
        params: IdParams,
        body: z.object({ contacts: z.array(ContactSchema).max(20) }),
        response: { 200: z.object({ resident: ResidentSchema }), 400: ErrorSchema, 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      await resident(user, req.params.id);
      return { resident: await directory.setContacts(user.orgId, req.params.id, req.body.contacts) };
    },
  );

  app.put(
    '/api/residents/:id/consent',
    {
      config: { roles: PLAN_EDITORS },
      schema: {
        summary: "Record a resident's consent (to monitoring; whether contacts are told of alerts)",
        tags: ['care'],
        params: IdParams,
        body: z.object({ monitoring: z.boolean(), shareWithContacts: z.boolean(), note: z.string().max(500).optional() }),
        response: { 200: z.object({ resident: ResidentSchema }), 400: ErrorSchema, 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      await resident(user, req.params.id);
      return { resident: await directory.setConsent(user.orgId, req.params.id, req.body, user.id) };
    },
  );

  app.put(
    '/api/residents/:id/away',
    {
      config: { roles: ['admin', 'coordinator', 'operator'] },
      schema: {
        summary: 'Away mode: the home is empty (holiday, hospital stay); inactivity rules pause, door and fall rules do not',
        tags: ['care'],
        params: IdParams,
        body: z.object({ away: z.boolean() }),
        response: { 200: z.object({ resident: ResidentSchema }), 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      await resident(user, req.params.id);
      return { resident: await directory.setAway(user.orgId, req.params.id, req.body.away) };
    },
  );

  app.put(
    '/api/residents/:id/coordinator',
    {
      config: { roles: ADMIN },
      schema: {
        summary: "Name a resident's care coordinator",
        tags: ['care'],
        params: IdParams,
        body: z.object({ coordinatorId: Id }),
        response: { 200: z.object({ resident: ResidentSchema }), 400: ErrorSchema, 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => ({ resident: await directory.setCoordinator(userOf(req).orgId, req.params.id, req.body.coordinatorId) }),
  );
};
