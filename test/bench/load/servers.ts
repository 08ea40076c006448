// The two brokers the load benchmark compares, each started on free ports as a process of its
// own: Hearth (`server/src/main.ts`, demo off, a provisioned temporary data folder) and Debian's
// Mosquitto (anonymous, no persistence, no queue limits: a pure relay).
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Directory } from '../../../server/src/care/directory.ts';
import { openDatabase } from '../../../server/src/db/database.ts';
import { STANDARD_LAYOUT } from '../../../simulators/src/layout.ts';
import { exited, freePort, ROOT, waitFor } from '../../helpers/process.ts';

/** Where Debian's package puts the broker. */
export const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => fs.existsSync(p));

/** A broker process under test. */
export interface BrokerProcess {
  name: 'hearth' | 'mosquitto';
  pid: number;
  mqttUrl: string;
  httpUrl?: string;
  stop(): Promise<void>;
}

/** The hubs, the probe's fall hubs and a user, provisioned into a Hearth data folder. */
export interface Provisioned {
  dataDir: string;
  hubs: { id: string; secret: string }[];
  fallHubs: { id: string; secret: string }[];
  /** Hubs that only connect and heartbeat (no resident): the connected-hubs figure. */
  idleHubs: { id: string; secret: string }[];
  user: { username: string; password: string };
  remove(): void;
}

/**
 * Create an organisation; `hubs` load hubs and `fallHubs` probe hubs, each a home with a resident
 * and the standard layout commissioned (so their events go through every detector); and
 * `idleHubs` hubs with no home, for the connected-hubs figure.
 */
export async function provision(opts: { hubs: number; fallHubs: number; idleHubs: number }): Promise<Provisioned> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-load-'));
  const { db, raw } = await openDatabase(path.join(dataDir, 'hearth.sqlite'));
  // Provisioning only: thousands of hubs need not each wait for an fsync.
  raw.pragma('synchronous = OFF');
  const d = new Directory(db, () => Date.now());
  const org = await d.addOrganisation('Load test');
  const nb = await d.addNeighbourhood({ orgId: org.id, name: 'Load' });
  const user = { username: 'load-operator', password: `Load-${crypto.randomBytes(12).toString('base64url')}` };
  await d.addUser({ orgId: org.id, username: user.username, password: user.password, role: 'operator', neighbourhoodId: nb.id });
  const make = async (prefix: string, n: number, withResident: boolean) => {
    const out: { id: string; secret: string }[] = [];
    for (let i = 0; i < n; i++) {
      const hub = await d.addHub({ orgId: org.id, hubId: `${prefix}-${i.toString().padStart(5, '0')}` });
      if (withResident) {
        for (const s of STANDARD_LAYOUT) await d.commissionSensor({ hubId: hub.hubId, sensorId: s.sensor, type: s.type, room: s.room, ...(s.role ? { role: s.role } : {}) });
        await d.addResident({ orgId: org.id, neighbourhoodId: nb.id, name: `Probe ${i}`, hubId: hub.hubId });
      }
      out.push({ id: hub.hubId, secret: hub.secret });
    }
    return out;
  };
  const hubs = await make('load', opts.hubs, true);
  const fallHubs = await make('fall', opts.fallHubs, true);
  const idleHubs = await make('idle', opts.idleHubs, false);
  await db.destroy();
  return { dataDir, hubs, fallHubs, idleHubs, user, remove: () => fs.rmSync(dataDir, { recursive: true, force: true }) };
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const code = await Promise.race([exited(child), new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
    if (code === 'timeout') child.kill('SIGKILL');
  };
}

/** Start Hearth on a provisioned data folder; `cpuProfDir` runs it under --cpu-prof. */
export async function startHearthProcess(p: Provisioned, opts: { cpuProfDir?: string } = {}): Promise<BrokerProcess> {
  const [http, mqtt] = [await freePort(), await freePort()];
  const args = [...(opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : []), '--import', 'tsx', path.join(ROOT, 'server/src/main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, HEARTH_DATA_DIR: p.dataDir, HEARTH_HTTP_PORT: String(http), HEARTH_MQTT_PORT: String(mqtt), HEARTH_DEMO: 'off', HEARTH_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
  await waitFor(() => out.includes('Hearth is running') || child.exitCode !== null, 60_000, 'Hearth to start');
  if (child.exitCode !== null) throw new Error(`Hearth exited at start:\n${out}`);
  return { name: 'hearth', pid: child.pid!, mqttUrl: `mqtt://127.0.0.1:${mqtt}`, httpUrl: `http://127.0.0.1:${http}`, stop: stopper(child) };
}

/** Start Mosquitto as a plain relay on a free port. */
export async function startMosquitto(): Promise<BrokerProcess> {
  if (!MOSQUITTO) throw new Error('mosquitto is missing: install the Debian package "mosquitto"');
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-mosq-'));
  const conf = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(
    conf,
    [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'max_queued_messages 0', 'max_inflight_messages 0', 'log_type error', 'log_dest stderr', 'max_connections -1', ''].join('\n'),
  );
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-5000)));
  const net = await import('node:net');
  await waitFor(
    () =>
      child.exitCode === null &&
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      }),
    10_000,
    `mosquitto to listen (${err})`,
  );
  const stop = stopper(child);
  return {
    name: 'mosquitto',
    pid: child.pid!,
    mqttUrl: `mqtt://127.0.0.1:${port}`,
    stop: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A process's resident memory (bytes) and CPU time so far (ms), from /proc. */
export function processUsage(pid: number): { rss: number; cpuMs: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  return { rss: rssKb * 1024, cpuMs: (ticks * 1000) / 100 };
}
