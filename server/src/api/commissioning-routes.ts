import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HubId, MappingRuleSchema, SENSOR_ROLES, SENSOR_TYPES } from '../../../protocol/index.ts';
import { HUB_VIEWERS } from '../auth/policy.ts';
import { HubCommands } from '../broker/commands.ts';
import type { Commissioning } from '../care/commissioning.ts';
import { CommissioningSync } from '../care/commissioning-sync.ts';
import { HearthError } from '../errors.ts';
import { userOf } from './auth-plugin.ts';
import { ErrorSchema, authErrors } from './common.ts';

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
const INSTALLERS = { roles: ['installer', 'admin'] as const };
const VIEWERS = { roles: HUB_VIEWERS };
/** A sensor's evidence of someone at home: presence (they are in the room) or touch (they used something). */
const Evidence = z.enum(['presence', 'touch']);
const SensorIdParam = z.string().min(1).max(64).regex(/^[^\s/\\\x00-\x1f][^/\\\x00-\x1f]*$/, 'sensor must be printable, without slashes');

/** Options: the commissioning service, and how to make the detectors re-read a home. */
export interface CommissioningRouteOptions {
  commissioning: Commissioning;
  reloadHome: (hubId: string) => Promise<void>;
  /** The broker's bound port, for the gateway config snippet. */
  mqttPort: () => number;
}

const ChecklistSchema = z.array(z.object({ id: z.string(), label: z.string(), done: z.boolean(), detail: z.string() }));
const StateSchema = z.object({
  phase: z.enum(['commissioning', 'live']),
  startedAt: z.string().nullable(),
  walkStartedAt: z.string().nullable(),
  liveAt: z.string().nullable(),
  liveBy: z.string().nullable(),
  gatewaySyncedAt: z.string().nullable(),
  gatewayInSync: z.boolean(),
});

/**
 * Commissioning from the console: register a hub (its secret shown once, with
 * the gateway's config), place each sensor (room, role, presence or touch),
 * the live walk test, the go-live checklist, and mapping devices the gateway
 * could not. Every change is sent to the gateway (`config` command).
 */
export const commissioningRoutes: FastifyPluginAsyncZod<CommissioningRouteOptions> = async (app, opts) => {
  const { db, broker, directory, bus, clock, audit } = app.hearth;
  const { commissioning } = opts;
  const commands = new HubCommands(broker, bus, clock);
  const sync = new CommissioningSync({ db, broker, commands, bus, clock, commissioning, log: app.log as unknown as import('pino').Logger });
  app.addHook('onClose', async () => sync.stop());

  const hubOfOrg = async (hubId: string, orgId: string) => {
    const hub = await db.selectFrom('hubs').selectAll().where('id', '=', hubId).executeTakeFirst();
    if (!hub || hub.org_id !== orgId) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such hub');
    return hub;
  };
  const changed = async (hubId: string): Promise<void> => {
    await commissioning.bumpVersion(hubId);
    await opts.reloadHome(hubId);
    sync.changed(hubId);
  };
  const stateView = async (hubId: string) => {
    const s = await commissioning.state(hubId);
    return { phase: s.phase, startedAt: iso(s.startedAt), walkStartedAt: iso(s.walkStartedAt), liveAt: iso(s.liveAt), liveBy: s.liveBy, gatewaySyncedAt: iso(s.syncedAt), gatewayInSync: s.inSync };
  };

  app.post(
    '/api/hubs',
    {
      config: INSTALLERS,
      schema: {
        summary: "Register a hub: its secret is shown once, with the gateway's config file to copy",
        tags: ['commissioning'],
        body: z.object({ hubId: HubId, name: z.string().min(1).max(128).optional() }),
        response: {
          201: z.object({ hubId: z.string(), secret: z.string(), gatewayConfig: z.record(z.string(), z.unknown()) }),
          409: ErrorSchema,
          ...authErrors,
        },
      },
    },
    async (req, reply) => {
      const user = userOf(req);
      const { hubId, secret } = await directory.addHub({ orgId: user.orgId, hubId: req.body.hubId, ...(req.body.name ? { name: req.body.name } : {}) });
      await commissioning.start(hubId, user.id);
      req.log.info({ hubId, userId: user.id }, 'hub registered from the console');
      // The address the installer's browser used, with the broker's port: what the gateway can reach too, in most set-ups.
      const host = req.hostname.replace(/:\d+$/, '');
      const gatewayConfig = { hubId, secret, server: { url: `mqtt://${host}:${opts.mqttPort() || app.hearth.config.mqttPort}` }, power: 'mains', dataDir: './gateway-data', adapters: [] };
      return reply.code(201).send({ hubId, secret, gatewayConfig });
    },
  );

  app.put(
    '/api/hubs/:hubId/sensors/:sensorId',
    {
      config: INSTALLERS,
      schema: {
        summary: 'Commission a sensor: its kind, room and role, and whether it is evidence of presence or of touch',
        tags: ['commissioning'],
        params: z.object({ hubId: HubId, sensorId: SensorIdParam }),
        body: z.object({
          type: z.enum(SENSOR_TYPES),
          room: z.string().trim().min(1).max(64),
          role: z.enum(SENSOR_ROLES).nullable().optional(),
          evidence: Evidence.nullable().optional(),
        }),
        response: { 200: z.object({ ok: z.literal(true) }), 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      await hubOfOrg(req.params.hubId, user.orgId);
      const b = req.body;
      await directory.commissionSensor({ hubId: req.params.hubId, sensorId: req.params.sensorId, type: b.type, room: b.room, ...(b.role ? { role: b.role } : {}) });
      if (b.role === null) await db.updateTable('sensors').set({ role: null }).where('hub_id', '=', req.params.hubId).where('sensor_id', '=', req.params.sensorId).execute();
      if (b.evidence !== undefined) await setEvidence(req.params.hubId, req.params.sensorId, b.evidence);
      await changed(req.params.hubId);
      return { ok: true as const };
    },
  );

  // The installer's override of the kind's evidence (sensors.evidence, 0013); the detectors read it from the home.
  const setEvidence = async (hubId: string, sensorId: string, evidence: string | null): Promise<void> => {
    await db.updateTable('sensors').set({ evidence }).where('hub_id', '=', hubId).where('sensor_id', '=', sensorId).execute();
  };

  app.post(
    '/api/hubs/:hubId/walk-test',
    {
      config: INSTALLERS,
      schema: {
        summary: 'Start (or restart) the walk test: sensors heard from now on are ticked off',
        tags: ['commissioning'],
        params: z.object({ hubId: HubId }),
        response: { 200: z.object({ startedAt: z.string() }), 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      await hubOfOrg(req.params.hubId, userOf(req).orgId);
      return { startedAt: iso(await commissioning.startWalkTest(req.params.hubId))! };
    },
  );

  app.get(
    '/api/hubs/:hubId/walk-test',
    {
      config: VIEWERS,
      schema: {
        summary: 'The walk test as it stands: each sensor ticked off when heard, and the events since it began (poll it every second)',
        tags: ['commissioning'],
        params: z.object({ hubId: HubId }),
        response: {
          200: z.object({
            startedAt: z.string().nullable(),
            sensors: z.array(z.object({ sensorId: z.string(), type: z.string(), room: z.string().nullable(), role: z.string().nullable(), commissioned: z.boolean(), testedAt: z.string().nullable() })),
            events: z.array(z.object({ id: z.string(), receivedAt: z.string(), sensor: z.string(), type: z.string(), value: z.unknown() })),
            gatewayInSync: z.boolean(),
          }),
          404: ErrorSchema,
          ...authErrors,
        },
      },
    },
    async (req) => {
      const hubId = req.params.hubId;
      await hubOfOrg(hubId, userOf(req).orgId);
      const state = await commissioning.state(hubId);
      const since = state.walkStartedAt;
      const heard = since === null ? new Map<string, number>() : await commissioning.heardSince(hubId, since);
      const sensors = await db.selectFrom('sensors').selectAll().where('hub_id', '=', hubId).orderBy('sensor_id').execute();
      const events =
        since === null
          ? []
          : await db.selectFrom('events').select(['event_id', 'received_at', 'sensor', 'type', 'value']).where('hub_id', '=', hubId).where('received_at', '>=', since).orderBy('seq', 'desc').limit(50).execute();
      return {
        startedAt: iso(since),
        sensors: sensors.map((s) => ({ sensorId: s.sensor_id, type: s.type, room: s.room, role: s.role, commissioned: s.commissioned === 1, testedAt: iso(heard.get(s.sensor_id)) })),
        events: events.map((e) => ({ id: e.event_id, receivedAt: iso(e.received_at)!, sensor: e.sensor, type: e.type, value: JSON.parse(e.value) as unknown })),
        gatewayInSync: state.inSync,
      };
    },
  );

  app.get(
    '/api/hubs/:hubId/commissioning',
    {
      config: VIEWERS,
      schema: {
        summary: "A hub's commissioning: live or not, whether the gateway has it, the go-live checklist and whose home it is",
        tags: ['commissioning'],
        params: z.object({ hubId: HubId }),
        response: {
          200: z.object({ state: StateSchema, checklist: ChecklistSchema, residents: z.array(z.object({ id: z.string(), name: z.string() })) }),
          404: ErrorSchema,
          ...authErrors,
        },
      },
    },
    async (req) => {
      const user = userOf(req);
      await hubOfOrg(req.params.hubId, user.orgId);
      const residents = await db.selectFrom('residents').select(['id', 'name']).where('hub_id', '=', req.params.hubId).where('org_id', '=', user.orgId).execute();
      // The hub page names whose home it is: a read of personal data.
      await audit.record(user, 'hub.commissioning', residents.map((r) => r.id));
      return { state: await stateView(req.params.hubId), checklist: await commissioning.checklist(req.params.hubId, user.orgId), residents };
    },
  );

  app.post(
    '/api/hubs/:hubId/go-live',
    {
      config: INSTALLERS,
      schema: {
        summary: "Put the home's monitoring live; refused, saying what is missing, until the checklist is complete",
        tags: ['commissioning'],
        params: z.object({ hubId: HubId }),
        response: { 200: z.object({ state: StateSchema, checklist: ChecklistSchema }), 404: ErrorSchema, 409: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      await hubOfOrg(req.params.hubId, user.orgId);
      const checklist = await commissioning.goLive(req.params.hubId, user.orgId, user.id);
      req.log.info({ hubId: req.params.hubId, userId: user.id }, 'home put live');
      return { state: await stateView(req.params.hubId), checklist };
    },
  );

  app.get(
    '/api/hubs/:hubId/unmapped',
    {
      config: VIEWERS,
      schema: {
        summary: 'Devices the gateway hears but cannot map, with their latest raw payload, and the mappings made so far',
        tags: ['commissioning'],
        params: z.object({ hubId: HubId }),
        response: {
          200: z.object({
            devices: z.array(z.object({ device: z.string(), adapter: z.string(), reason: z.string(), payload: z.string(), firstSeenAt: z.string(), lastSeenAt: z.string(), count: z.number() })),
            mappings: z.array(z.object({ device: z.string(), sensor: z.string(), fields: z.array(z.record(z.string(), z.unknown())) })),
          }),
          404: ErrorSchema,
          ...authErrors,
        },
      },
    },
    async (req) => {
      await hubOfOrg(req.params.hubId, userOf(req).orgId);
      const rows = await db.selectFrom('unmapped_devices').selectAll().where('hub_id', '=', req.params.hubId).orderBy('last_seen_at', 'desc').execute();
      const maps = await db.selectFrom('hub_mappings').selectAll().where('hub_id', '=', req.params.hubId).orderBy('device').execute();
      return {
        devices: rows.map((d) => ({ device: d.device, adapter: d.adapter, reason: d.reason, payload: d.payload, firstSeenAt: iso(d.first_seen_at)!, lastSeenAt: iso(d.last_seen_at)!, count: d.count })),
        mappings: maps.map((m) => ({ device: m.device, sensor: m.sensor_id, fields: JSON.parse(m.rules) as Record<string, unknown>[] })),
      };
    },
  );

  app.put(
    '/api/hubs/:hubId/mappings',
    {
      config: INSTALLERS,
      schema: {
        summary: 'Map a device the gateway could not: which payload property becomes which Hearth event; sent to the gateway',
        tags: ['commissioning'],
        params: z.object({ hubId: HubId }),
        body: z.object({ device: z.string().min(1).max(128), sensor: SensorIdParam, fields: z.array(MappingRuleSchema).min(1).max(16) }),
        response: { 200: z.object({ ok: z.literal(true) }), 404: ErrorSchema, ...authErrors },
      },
    },
    async (req) => {
      const user = userOf(req);
      const hubId = req.params.hubId;
      await hubOfOrg(hubId, user.orgId);
      const b = req.body;
      await db
        .insertInto('hub_mappings')
        .values({ hub_id: hubId, device: b.device, sensor_id: b.sensor, rules: JSON.stringify(b.fields), created_at: clock.now(), created_by: user.id })
        .onConflict((oc) => oc.columns(['hub_id', 'device']).doUpdateSet({ sensor_id: b.sensor, rules: JSON.stringify(b.fields), created_at: clock.now(), created_by: user.id }))
        .execute();
      await db.deleteFrom('unmapped_devices').where('hub_id', '=', hubId).where('device', '=', b.device).execute();
      await changed(hubId);
      return { ok: true as const };
    },
  );
};
