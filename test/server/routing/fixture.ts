// Shared helpers for the routing, alerts, notify and reports tests: a real server in virtual time,
// a real hub over MQTT, the API through inject, and a real local HTTP receiver.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MqttClient } from 'mqtt';
import { topics } from '../../../protocol/index.ts';
import type { Hearth } from '../../../server/src/app.ts';
import type { VirtualClock } from '../../../server/src/clock.ts';
import { connectHub, ev, signIn, type Fixture } from '../../helpers/hearth.ts';

/** A JSON API client over fastify inject, signed in as one user. */
export interface Api {
  token: string;
  call(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<{ status: number; json: any; body: string; headers: Record<string, unknown> }>;
}

/** Sign in and return an API client. */
export async function apiAs(h: Hearth, user: { username: string; password: string }): Promise<Api> {
  const token = await signIn(h, user.username, user.password);
  return {
    token,
    async call(method, url, body) {
      const res = await h.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { payload: body as object }) });
      let json: unknown = undefined;
      try {
        json = res.json();
      } catch {
        /* not JSON (CSV) */
      }
      return { status: res.statusCode, json, body: res.body, headers: res.headers as Record<string, unknown> };
    },
  };
}

/** A hub connected over real MQTT that reports falls at the virtual clock's time. */
export async function hubOf(h: Hearth, hub: { hubId: string; secret: string }, clock: VirtualClock): Promise<{ client: MqttClient; fall: (id: string, tsOffsetMs?: number) => Promise<void> }> {
  const client = await connectHub(h.ports.mqtt, hub.hubId, hub.secret);
  return {
    client,
    async fall(id, tsOffsetMs = 0) {
      const ts = new Date(clock.now() + tsOffsetMs).toISOString();
      await client.publishAsync(topics.events(hub.hubId), JSON.stringify(ev({ id, ts, sensor: 'hall-fall', type: 'fall', value: true })), { qos: 1 });
      await h.settle();
    },
  };
}

/** Move virtual time to `at` and let everything it set off finish. */
export async function advanceTo(h: Hearth, clock: VirtualClock, at: number): Promise<void> {
  clock.advanceTo(at);
  await h.settle();
}

/** The open alert of a type for a resident, through the API. */
export async function openAlert(api: Api, residentId: string, type = 'fall'): Promise<any> {
  const res = await api.call('GET', '/api/alerts?state=open');
  return (res.json.alerts as any[]).find((a) => a.residentId === residentId && a.type === type);
}

/** An alert's history through the API. */
export async function historyOf(api: Api, alertId: string): Promise<{ at: string; action: string; actor: string | null; detail: any }[]> {
  const res = await api.call('GET', `/api/alerts/${alertId}`);
  if (res.status !== 200) throw new Error(`GET alert ${res.status} ${res.body}`);
  return res.json.history;
}

/** A second home (hub, sensors, resident) in the fixture's organisation and neighbourhood. */
export async function addHome(h: Hearth, fx: Fixture, hubId: string): Promise<{ hub: { hubId: string; secret: string }; residentId: string }> {
  const d = h.services.directory;
  const hub = await d.addHub({ orgId: fx.orgId, hubId });
  await d.commissionSensor({ hubId, sensorId: 'hall-fall', type: 'fall', room: 'hall' });
  const r = await d.addResident({ orgId: fx.orgId, neighbourhoodId: fx.neighbourhoodId, name: `Resident of ${hubId}`, hubId, coordinatorId: fx.users.coordinator.id });
  return { hub, residentId: r.id };
}

/** One request a receiver got. */
export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/**
 * A real local HTTP server that records every request; `statuses` are the
 * answers to give in turn (the last one repeats).
 */
export async function receiver(statuses: number[] = [200]): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Let the server's outbound channels reach a local test receiver: its host:port joins the deployment's allow-list (HEARTH_OUTBOUND_ALLOW). */
export function allowOutbound(h: Hearth, url: string): void {
  const u = new URL(url);
  (h.services.config.outboundAllow as string[]).push(`${u.hostname}:${u.port}`.toLowerCase());
}

/** A port with nothing listening (bound, then released). */
export async function deadPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
