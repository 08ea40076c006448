import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { z } from 'zod';
import type { HearthServices } from '../services.ts';

/** Alert states that are still open (not resolved or cancelled). */
const CLOSED_STATES = ['resolved', 'cancelled'];

/** The broker's counters as the metric's `kind` label (data, not branches). */
const BROKER_REFUSALS = {
  auth: 'authFailures',
  acl: 'aclRefusals',
  oversized: 'oversized',
  retain: 'retainRefused',
  version: 'versionRefused',
  flood: 'floodDisconnects',
  revoked: 'revoked',
  'hook-failure': 'hookFailures',
  'pending-limit': 'pendingRefused',
} as const;

const Check = z.object({ ok: z.boolean(), detail: z.string().optional() });
const ReadyBody = z.object({
  status: z.enum(['ready', 'not-ready']),
  code: z.literal('HEARTH_ERR_NOT_READY').optional(),
  checks: z.object({
    store: Check,
    broker: Check.extend({ connectedHubs: z.number() }),
    queue: Check.extend({ depth: z.number(), max: z.number() }),
  }),
});

/** A counter whose value is read from a running total at scrape time. */
function totals(registry: Registry, name: string, help: string, labelNames: string[], read: () => Iterable<[Record<string, string>, number]>): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, v] of read()) if (v > 0) this.inc(labels, v);
    },
  });
}

/** Build the Prometheus registry: ingest, rejections, broker refusals, alerts, queues, and the process (event-loop lag among them). */
export function hearthMetrics(s: HearthServices): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const sumStats = (pick: (c: ReturnType<HearthServices['ingest']['stats']>[string]) => Record<string, number>): Map<string, number> => {
    const out = new Map<string, number>();
    for (const c of Object.values(s.ingest.stats())) for (const [k, v] of Object.entries(pick(c))) out.set(k, (out.get(k) ?? 0) + v);
    return out;
  };
  totals(registry, 'hearth_ingest_events_total', 'Events from hubs by outcome: accepted (stored), duplicate, late (stored, marked late)', ['outcome'], () =>
    [...sumStats((c) => ({ accepted: c.accepted, duplicate: c.duplicates, late: c.late }))].map(([outcome, v]) => [{ outcome }, v]),
  );
  totals(registry, 'hearth_ingest_rejections_total', 'Messages and events set aside, by reason (HEARTH_ERR_INGEST_*)', ['reason'], () =>
    [...sumStats((c) => c.rejected as Record<string, number>)].map(([reason, v]) => [{ reason }, v]),
  );
  totals(registry, 'hearth_ingest_throttled_total', 'Rejections over a hub budget: counted, not stored', [], () => [[{}, Object.values(s.ingest.stats()).reduce((n, c) => n + (c.throttled ?? 0), 0)]]);
  totals(registry, 'hearth_mqtt_refusals_total', 'Broker refusals by kind', ['kind'], () =>
    Object.entries(BROKER_REFUSALS).map(([kind, key]) => [{ kind }, s.broker.counters[key]]),
  );
  totals(registry, 'hearth_listener_failures_total', 'Bus listeners and detectors that threw (logged; the others ran)', ['part'], () => [
    [{ part: 'bus' }, s.bus.failures],
    [{ part: 'detector' }, s.core.failures],
  ]);
  new Gauge({
    name: 'hearth_mqtt_connected_hubs',
    help: 'Hubs connected now',
    registers: [registry],
    collect() {
      this.set(s.broker.connectedCount());
    },
  });
  // One query per scrape for the database-backed gauges, whichever is collected first (they are collected concurrently).
  let pending: Promise<void> | undefined;
  const fromDb = async (): Promise<void> => refresh().catch(() => undefined);
  const open = new Gauge({ name: 'hearth_alerts_open', help: 'Open alerts by state and severity', labelNames: ['state', 'severity'], registers: [registry], collect: fromDb });
  const oldest = new Gauge({ name: 'hearth_alert_oldest_open_age_seconds', help: 'Age of the oldest open alert, by severity', labelNames: ['severity'], registers: [registry], collect: fromDb });
  const queue = new Gauge({ name: 'hearth_queue_depth', help: 'Work waiting: forwarder (events not yet in InfluxDB)', labelNames: ['queue'], registers: [registry], collect: fromDb });
  const refresh = (): Promise<void> =>
    (pending ??= (async () => {
      const rows = await s.db
        .selectFrom('alerts')
        .select(['state', 'severity', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.min('raised_at').as('first')])
        .where('state', 'not in', CLOSED_STATES)
        .groupBy(['state', 'severity'])
        .execute();
      open.reset();
      oldest.reset();
      const firstBySeverity = new Map<string, number>();
      for (const r of rows) {
        open.set({ state: r.state, severity: r.severity }, Number(r.n));
        const f = Number(r.first);
        firstBySeverity.set(r.severity, Math.min(firstBySeverity.get(r.severity) ?? f, f));
      }
      for (const [severity, f] of firstBySeverity) oldest.set({ severity }, Math.max(0, (s.clock.now() - f) / 1000));
      queue.set({ queue: 'forwarder' }, await forwarderDepth(s));
    })().finally(() => (pending = undefined)));
  new Gauge({
    name: 'hearth_metrics_scrape_ok',
    help: '1 when the database-backed gauges were read',
    registers: [registry],
    async collect() {
      this.set(await refresh().then(() => 1, () => 0));
    },
  });
  return registry;
}

/** Events stored but not yet forwarded to InfluxDB. */
async function forwarderDepth(s: HearthServices): Promise<number> {
  const r = await s.db.selectFrom('store_outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

function isLoopback(req: FastifyRequest): boolean {
  const a = req.socket.remoteAddress ?? '';
  return a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1' || a.startsWith('127.');
}

function tokenOk(header: string | undefined, token: string): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const a = crypto.createHash('sha256').update(header.slice(7).trim()).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * Operations: GET /api/ready (store writable, broker accepting, forwarder
 * queue under its bound; 503 otherwise) and GET /metrics (Prometheus; a bearer
 * token from HEARTH_METRICS_TOKEN, or loopback only without one). Neither
 * carries personal data: no names, hub ids or users, only counts by kind.
 */
export async function opsRoutes(app: FastifyInstance): Promise<void> {
  const s = app.hearth;
  const registry = hearthMetrics(s);
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get(
    '/api/ready',
    {
      config: { public: true },
      schema: { summary: 'Readiness: store writable, broker accepting, forwarder queue depth (503 when not ready)', tags: ['health'], response: { 200: ReadyBody, 503: ReadyBody } },
    },
    async (_req, reply) => {
      const store: z.infer<typeof Check> = { ok: true };
      try {
        await sql`INSERT INTO ready_probe (id, at) VALUES (1, ${s.clock.now()}) ON CONFLICT(id) DO UPDATE SET at = excluded.at`.execute(s.db);
      } catch (err) {
        store.ok = false;
        store.detail = String((err as Error).message).slice(0, 200);
      }
      const broker = { ok: s.broker.accepting(), connectedHubs: s.broker.connectedCount() };
      const depth = await forwarderDepth(s).catch(() => -1);
      const max = s.config.readyMaxQueue ?? 100_000;
      const queue = { ok: depth >= 0 && depth <= max, depth, max };
      const ready = store.ok && broker.ok && queue.ok;
      reply.code(ready ? 200 : 503);
      return { status: ready ? ('ready' as const) : ('not-ready' as const), ...(ready ? {} : { code: 'HEARTH_ERR_NOT_READY' as const }), checks: { store, broker, queue } };
    },
  );

  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
    const token = s.config.metricsToken;
    if (token ? !tokenOk(req.headers.authorization, token) : !isLoopback(req)) {
      reply.code(token ? 401 : 403).header('cache-control', 'no-store');
      return { code: token ? 'HEARTH_ERR_AUTH_REQUIRED' : 'HEARTH_ERR_FORBIDDEN', message: token ? 'A metrics bearer token is required' : 'Metrics are served to loopback only; set HEARTH_METRICS_TOKEN' };
    }
    reply.header('content-type', registry.contentType).header('cache-control', 'no-store');
    return registry.metrics();
  });
}
