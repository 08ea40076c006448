import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import WebSocket from 'ws';
import { createHearth, type Hearth } from '../../server/src/app.ts';
import type { Clock } from '../../server/src/clock.ts';
import { loadConfig, type HearthConfig } from '../../server/src/config.ts';
import type { Role } from '../../server/src/care/model.ts';

/** A temporary data folder, removed by the returned function. */
export function tempDir(prefix = 'hearth-test-'): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** An organisation with one neighbourhood, a user per role, and one commissioned hub with a resident. */
export interface Fixture {
  orgId: string;
  neighbourhoodId: string;
  users: Record<Role, { username: string; password: string; id: string }>;
  hub: { hubId: string; secret: string };
  residentId: string;
}

/** Seed an organisation into a running (or built) server. */
export async function seedOrg(h: Hearth, name: string, hubId: string): Promise<Fixture> {
  const d = h.services.directory;
  const org = await d.addOrganisation(name);
  const nb = await d.addNeighbourhood({ orgId: org.id, name: `${name} North` });
  const users = {} as Fixture['users'];
  for (const role of ['operator', 'responder', 'coordinator', 'installer', 'admin'] as Role[]) {
    const username = `${role}@${hubId}`;
    // Strong but deterministic (the password rules refuse passwords built from the username).
    const password = `Kettle-${role}-${hubId}-lantern-7Qv`;
    const u = await d.addUser({ orgId: org.id, username, password, role, neighbourhoodId: nb.id });
    users[role] = { username, password, id: u.id };
  }
  const hub = await d.addHub({ orgId: org.id, hubId });
  await d.commissionSensor({ hubId, sensorId: 'hall-fall', type: 'fall', room: 'hall' });
  await d.commissionSensor({ hubId, sensorId: 'pendant', type: 'call', room: 'pendant' });
  await d.commissionSensor({ hubId, sensorId: 'kitchen-pir', type: 'motion', room: 'kitchen' });
  const r = await d.addResident({ orgId: org.id, neighbourhoodId: nb.id, name: `Resident of ${hubId}`, hubId, coordinatorId: users.coordinator.id });
  return { orgId: org.id, neighbourhoodId: nb.id, users, hub, residentId: r.id };
}

/** A server on free ports in a temporary folder, stopped and removed by close(). */
export async function startHearth(opts: { clock?: Clock; dataDir?: string; mqttPort?: number; config?: Partial<HearthConfig> } = {}): Promise<{ hearth: Hearth; close: () => Promise<void>; dataDir: string }> {
  const tmp = opts.dataDir ? { dir: opts.dataDir, remove: () => {} } : tempDir();
  const config = { ...loadConfig({}), httpPort: 0, mqttPort: opts.mqttPort ?? 0, host: '127.0.0.1', dataDir: tmp.dir, demo: 'off' as const, ...opts.config };
  const hearth = await createHearth({ config, logger: pino({ level: process.env.HEARTH_TEST_LOG ?? 'silent' }), ...(opts.clock ? { clock: opts.clock } : {}) });
  await hearth.start();
  return {
    hearth,
    dataDir: tmp.dir,
    close: async () => {
      await hearth.stop();
      tmp.remove();
    },
  };
}

/** Sign in over HTTP (inject); returns the bearer token. */
export async function signIn(h: Hearth, username: string, password: string): Promise<string> {
  const res = await h.app.inject({ method: 'POST', url: '/api/session', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { token: string }).token;
}

/** Connect a real MQTT client as a hub. */
export async function connectHub(port: number, hubId: string, secret: string, extra: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: hubId, username: hubId, password: secret, reconnectPeriod: 0, connectTimeout: 5000, ...extra });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
    client.once('close', () => reject(new Error('connection closed before CONNACK')));
  });
  return client;
}

/** Open the live stream as a signed-in user; collects JSON messages. */
export async function openStream(port: number, token: string): Promise<{ ws: WebSocket; messages: unknown[]; next: (pred: (m: any) => boolean, ms?: number) => Promise<any> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/stream`, { headers: { authorization: `Bearer ${token}` } });
  const messages: unknown[] = [];
  const waiters: { pred: (m: any) => boolean; resolve: (m: unknown) => void }[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as unknown;
    messages.push(m);
    for (const w of [...waiters]) if (w.pred(m)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  const next = (pred: (m: any) => boolean, ms = 5000) =>
    new Promise<any>((resolve, reject) => {
      const found = messages.find(pred);
      if (found) return resolve(found);
      const t = setTimeout(() => reject(new Error('no matching stream message in time')), ms);
      waiters.push({ pred, resolve: (m) => { clearTimeout(t); resolve(m); } });
    });
  return { ws, messages, next };
}

/** A protocol event with defaults. */
export function ev(over: Record<string, unknown>): Record<string, unknown> {
  return { id: `e-${Math.random().toString(36).slice(2)}`, ts: new Date().toISOString(), sensor: 'kitchen-pir', type: 'motion', value: true, ...over };
}

/**
 * A second connection to a test server's database, as the CLI opens from another process: the server
 * is not told of what it writes. `foreignKeys: false` for a row the server's schema would keep.
 */
export function otherConnection(dataDir: string, opts: { foreignKeys?: boolean } = {}): Database.Database {
  const raw = new Database(path.join(dataDir, 'hearth.sqlite'));
  if (opts.foreignKeys === false) raw.pragma('foreign_keys = OFF');
  return raw;
}
