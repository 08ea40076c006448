import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HubId } from '../../../protocol/index.ts';
import { HUB_VIEWERS } from '../auth/policy.ts';
import { HubCommands } from '../broker/commands.ts';
import { deriveHubStatus } from '../care/hub-health.ts';
import { HearthError } from '../errors.ts';
import { userOf } from './auth-plugin.ts';
import { ErrorSchema, authErrors } from './common.ts';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const RejectionCounts = z.record(z.string(), z.number().int());

/** Hubs, their sensors (commissioned or only seen) and the messages set aside. */
export const hubRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, broker } = app.hearth;
  const commands = new HubCommands(broker, app.hearth.bus, app.hearth.clock);
  const config = { roles: HUB_VIEWERS };

  const hubOfOrg = async (hubId: string, orgId: string) => {
    const hub = await db.selectFrom('hubs').selectAll().where('id', '=', hubId).executeTakeFirst();
    if (!hub || hub.org_id !== orgId) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such hub');
    return hub;
  };

  const rejectionCounts = async (orgId: string) => {
    const rows = await db
      .selectFrom('rejections')
      .innerJoin('hubs', 'hubs.id', 'rejections.hub_id')
      .where('hubs.org_id', '=', orgId)
      .select(['rejections.hub_id as hubId', 'rejections.reason as reason', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['rejections.hub_id', 'rejections.reason'])
      .execute();
    const byHub = new Map<string, Record<string, number>>();
    for (const r of rows) {
      const m = byHub.get(r.hubId) ?? {};
      m[r.reason] = Number(r.n);
      byHub.set(r.hubId, m);
    }
    return byHub;
  };

  app.get(
    '/api/hubs',
    {
      config,
      schema: {
        summary: 'Hubs of your organisation, with status and rejected-message counts',
        tags: ['hubs'],
        response: {
          200: z.object({
            hubs: z.array(
              z.object({
                id: z.string(),
                name: z.string(),
                status: z.string(),
                /** The one status to show, from connection, last status and heartbeats (`status` is only the hub's last message). */
                state: z.enum(['online', 'unresponsive', 'offline', 'never-seen']),
                stateSummary: z.string(),
                /** `commissioning` while registered from the console and not yet put live. */
                phase: z.enum(['commissioning', 'live']),
                residents: z.array(z.object({ id: z.string(), name: z.string() })),
                connected: z.boolean(),
                lastSeenAt: z.string().nullable(),
                firmware: z.string().nullable(),
                power: z.string().nullable(),
                rejected: RejectionCounts,
              }),
            ),
          }),
          ...authErrors,
        },
      },
    },
    async (req) => {
      const user = userOf(req);
      const hubs = await db.selectFrom('hubs').selectAll().where('org_id', '=', user.orgId).orderBy('id').execute();
      const counts = await rejectionCounts(user.orgId);
      const residents = await db.selectFrom('residents').select(['id', 'name', 'hub_id']).where('org_id', '=', user.orgId).where('hub_id', 'is not', null).orderBy('name').execute();
      const pending = new Set((await db.selectFrom('hub_commissioning').select('hub_id').where('live_at', 'is', null).execute()).map((r) => r.hub_id));
      // The list names whose home each hub is: a read of personal data.
      await app.hearth.audit.record(user, 'hubs.list', residents.map((r) => r.id));
      const now = app.hearth.clock.now();
      return {
        hubs: hubs.map((h) => ({
          id: h.id,
          name: h.name,
          status: h.status,
          ...(() => {
            const d = deriveHubStatus({ connected: broker.isConnected(h.id), status: h.status, lastSeenAt: h.last_seen_at, heartbeatSeconds: h.heartbeat_seconds }, now);
            return { state: d.state, stateSummary: d.summary };
          })(),
          phase: pending.has(h.id) ? ('commissioning' as const) : ('live' as const),
          residents: residents.filter((r) => r.hub_id === h.id).map((r) => ({ id: r.id, name: r.name })),
          connected: broker.isConnected(h.id),
          lastSeenAt: iso(h.last_seen_at),
          firmware: h.firmware,
          power: h.power,
          rejected: counts.get(h.id) ?? {},
        })),
      };
    },
  );

  app.get(
    '/api/hubs/:hubId/sensors',
    {
      config,
      schema: {
        summary: "A hub's sensors: commissioned, and seen but not yet commissioned",
        tags: ['hubs'],
        params: z.object({ hubId: HubId }),
        response: {
          200: z.object({
            sensors: z.array(
              z.object({
                sensorId: z.string(),
                type: z.string(),
                room: z.string().nullable(),
                role: z.string().nullable(),
                commissioned: z.boolean(),
                /** The installer's presence-or-touch override; null: the kind's own. */
                evidence: z.enum(['presence', 'touch']).nullable(),
                /** Reachability as the hub last reported it (Zigbee availability), with when; null: never reported. */
                reachable: z.object({ online: z.boolean(), at: z.string(), source: z.string() }).nullable(),
                lastSeenAt: z.string().nullable(),
                battery: z.number().nullable(),
              }),
            ),
          }),
          404: ErrorSchema,
          ...authErrors,
        },
      },
    },
    async (req) => {
      await hubOfOrg(req.params.hubId, userOf(req).orgId);
      const rows = await db.selectFrom('sensors').selectAll().where('hub_id', '=', req.params.hubId).orderBy('sensor_id').execute();
      const avail = new Map((await db.selectFrom('sensor_availability').selectAll().where('hub_id', '=', req.params.hubId).execute()).map((a) => [a.sensor_id, a]));
      const reach = (id: string) => {
        const a = avail.get(id);
        return a ? { online: a.online === 1, at: iso(a.at)!, source: a.source } : null;
      };
      return {
        sensors: rows.map((s) => ({
          sensorId: s.sensor_id,
          type: s.type,
          room: s.room,
          role: s.role,
          commissioned: s.commissioned === 1,
          evidence: s.evidence === 'presence' || s.evidence === 'touch' ? (s.evidence as 'presence' | 'touch') : null,
          // A bridge reported offline makes every sensor behind it unreachable, whatever each last said.
          reachable: avail.get('')?.online === 0 ? reach('') : reach(s.sensor_id),
          lastSeenAt: iso(s.last_seen_at),
          battery: s.battery,
        })),
      };
    },
  );

  app.get(
    '/api/hubs/:hubId/rejections',
    {
      config,
      schema: {
        summary: 'Messages and events of a hub that were set aside, newest first, with the reason',
        tags: ['hubs'],
        params: z.object({ hubId: HubId }),
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
        response: {
          200: z.object({
            counts: RejectionCounts,
            rejections: z.array(
              z.object({ id: z.number(), receivedAt: z.string(), topic: z.string(), reason: z.string(), detail: z.string(), payload: z.string() }),
            ),
          }),
          404: ErrorSchema,
          ...authErrors,
        },
      },
    },
    async (req) => {
      const user = userOf(req);
      await hubOfOrg(req.params.hubId, user.orgId);
      const rows = await db
        .selectFrom('rejections')
        .selectAll()
        .where('hub_id', '=', req.params.hubId)
        .orderBy('id', 'desc')
        .limit(req.query.limit)
        .execute();
      return {
        counts: (await rejectionCounts(user.orgId)).get(req.params.hubId) ?? {},
        rejections: rows.map((r) => ({ id: r.id, receivedAt: iso(r.received_at)!, topic: r.topic, reason: r.reason, detail: r.detail, payload: r.payload })),
      };
    },
  );

  app.post(
    '/api/hubs/:hubId/commands',
    {
      config: { roles: ['installer', 'admin'] as const },
      schema: {
        summary: "Send a command to a hub (ping, identify: the installer's \"which box is this?\") and wait for its reply",
        tags: ['hubs'],
        params: z.object({ hubId: HubId }),
        body: z.discriminatedUnion('cmd', [
          z.object({ cmd: z.literal('ping') }),
          z.object({ cmd: z.literal('identify'), seconds: z.number().int().min(1).max(300).optional() }),
        ]),
        response: {
          200: z.object({ answered: z.boolean(), ok: z.boolean().optional(), error: z.string().optional(), ms: z.number().optional(), reason: z.string().optional() }),
          404: ErrorSchema,
          ...authErrors,
        },
      },
    },
    async (req) => {
      const user = userOf(req);
      await hubOfOrg(req.params.hubId, user.orgId);
      req.log.info({ hubId: req.params.hubId, cmd: req.body.cmd, userId: user.id }, 'hub command');
      const outcome = await commands.send(req.params.hubId, req.body);
      return outcome.answered
        ? { answered: true, ok: outcome.reply.ok, ms: outcome.ms, ...(outcome.reply.error ? { error: outcome.reply.error } : {}) }
        : { answered: false, reason: outcome.reason };
    },
  );
};

