import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { connectHub, ev, seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';

/** One sample's value from Prometheus text, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}}` : `${name} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : undefined;
}

describe('operations: readiness and metrics', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  beforeAll(async () => {
    h = await startHearth({ config: { readyMaxQueue: 3 } });
    fx = await seedOrg(h.hearth, 'Org Ops', 'hub-ops');
  });
  afterAll(async () => h.close());

  it('GET /api/health answers without a session', async () => {
    const res = await h.hearth.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('ok');
  });

  it('GET /api/ready: store writable, broker accepting, queue within bound; 503 when the forwarder queue is over it', async () => {
    const ok = await h.hearth.app.inject({ method: 'GET', url: '/api/ready' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'ready', checks: { store: { ok: true }, broker: { ok: true }, queue: { ok: true, depth: 0, max: 3 } } });

    const db = h.hearth.services.db;
    await db.insertInto('store_outbox').values([1, 2, 3, 4].map((i) => ({ hub_id: fx.hub.hubId, event_id: `q-${i}` }))).execute();
    const deep = await h.hearth.app.inject({ method: 'GET', url: '/api/ready' });
    expect(deep.statusCode).toBe(503);
    expect(deep.json()).toMatchObject({ status: 'not-ready', code: 'HEARTH_ERR_NOT_READY', checks: { queue: { ok: false, depth: 4 } } });
    await db.deleteFrom('store_outbox').execute();
  });

  it('GET /metrics from loopback: ingest by outcome, rejections by reason, broker refusals, alerts by state and severity with age, queues, event-loop lag; no personal data', async () => {
    const hub = await connectHub(h.hearth.ports.mqtt, fx.hub.hubId, fx.hub.secret);
    await hub.publishAsync(topics.events(fx.hub.hubId), JSON.stringify(ev({ id: 'm-fall', sensor: 'hall-fall', type: 'fall', value: true })), { qos: 1 });
    await hub.publishAsync(topics.events(fx.hub.hubId), '{"broken', { qos: 1 });
    await hub.publishAsync(topics.events(fx.hub.hubId), '['.repeat(100) + ']'.repeat(100), { qos: 1 });
    hub.end(true);
    await h.hearth.settle();
    const res = await h.hearth.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    const text = res.body;
    expect(sample(text, 'hearth_ingest_events_total', 'outcome="accepted"')).toBe(1);
    expect(sample(text, 'hearth_ingest_rejections_total', 'reason="HEARTH_ERR_INGEST_JSON"')).toBe(1);
    expect(sample(text, 'hearth_ingest_rejections_total', 'reason="HEARTH_ERR_INGEST_DEPTH"')).toBe(1);
    expect(sample(text, 'hearth_alerts_open', 'state="raised",severity="urgent"')).toBe(1);
    expect(sample(text, 'hearth_alert_oldest_open_age_seconds', 'severity="urgent"')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'hearth_queue_depth', 'queue="forwarder"')).toBe(0);
    expect(text).toMatch(/^hearth_mqtt_refusals_total\{kind="oversized"\}|^# TYPE hearth_mqtt_refusals_total counter/m);
    expect(sample(text, 'hearth_mqtt_connected_hubs')).toBeGreaterThanOrEqual(0);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    // counts by kind only: no hub ids, residents, users or organisations
    for (const secretish of [fx.hub.hubId, `Resident of ${fx.hub.hubId}`, fx.users.operator.username, 'Org Ops', fx.residentId, fx.orgId]) expect(text).not.toContain(secretish);
  });

  it('GET /metrics from another address is refused without a token', async () => {
    const res = await h.hearth.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' });
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain('hearth_');
  });
});

describe('metrics behind a token', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  beforeAll(async () => {
    h = await startHearth({ config: { metricsToken: 'scrape-token-0123456789' } });
  });
  afterAll(async () => h.close());

  it('GET /metrics with HEARTH_METRICS_TOKEN set needs the bearer token, from anywhere (loopback included)', async () => {
    expect((await h.hearth.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await h.hearth.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
    const ok = await h.hearth.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3', headers: { authorization: 'Bearer scrape-token-0123456789' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('hearth_ingest_events_total');
  });

  it('GET /api/ready answers 503 once the broker has stopped accepting', async () => {
    await h.hearth.services.broker.stop();
    const res = await h.hearth.app.inject({ method: 'GET', url: '/api/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.broker.ok).toBe(false);
  });
});
