// Shared by the gateway tests: a real Mosquitto standing in for the home's local broker,
// virtual-time pumping, and a quiet logger.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { VirtualClock } from '../../server/src/clock.ts';
import { freePort } from '../helpers/process.ts';

/** Where Debian's mosquitto package installs the broker. */
export const MOSQUITTO = '/usr/sbin/mosquitto';

/** Whether a test needing mosquitto should skip (binary missing and not in CI, where it must fail instead). */
export function skipWithoutMosquitto(): boolean {
  if (fs.existsSync(MOSQUITTO)) return false;
  if (process.env.CI === 'true') return false;
  process.stderr.write(`skipping: ${MOSQUITTO} not found; install the Debian package "mosquitto"\n`);
  return true;
}

/** A logger for tests: silent unless HEARTH_TEST_LOG is set. */
export const testLog = pino({ level: process.env.HEARTH_TEST_LOG ?? 'silent' });

export { freePort } from '../helpers/process.ts';

/** Mosquitto on a free port with a temp config (anonymous, loopback only); stop() kills it and removes the folder. */
export async function startMosquitto(opts: { tls?: { ca: string; cert: string; key: string }; port?: number } = {}): Promise<{ port: number; url: string; stop: () => Promise<void> }> {
  if (!fs.existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} not found: install the Debian package "mosquitto"`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-mosquitto-'));
  const port = opts.port ?? (await freePort());
  const conf = path.join(dir, 'mosquitto.conf');
  const tls = opts.tls ? `cafile ${opts.tls.ca}\ncertfile ${opts.tls.cert}\nkeyfile ${opts.tls.key}\n` : '';
  fs.writeFileSync(conf, `listener ${port} 127.0.0.1\n${tls}allow_anonymous true\npersistence false\nlog_dest stderr\n`);
  const proc: ChildProcess = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 5000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`mosquitto did not start: ${stderr}`);
    }
    await sleep(20);
  }
  return {
    port,
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    stop: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Wait real time (for sockets, never for domain timers). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Wait until cond() holds, letting real I/O run; when a virtual clock is given,
 * move it forward by stepMs between looks, so timers on it (backoff, drain rate)
 * fire. Fails after `realMs` of real time.
 */
export async function until(cond: () => boolean | Promise<boolean>, opts: { clock?: VirtualClock; stepMs?: number; realMs?: number; what?: string } = {}): Promise<void> {
  const deadline = Date.now() + (opts.realMs ?? 10_000);
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}`);
    if (opts.clock) opts.clock.advance(opts.stepMs ?? 100);
    await sleep(5);
  }
}

/**
 * A TCP relay standing in for the home's broadband: cut() drops every
 * connection and refuses new ones, restore() listens again on the same port.
 */
export async function startLink(target: () => number): Promise<{ port: number; cut: () => Promise<void>; restore: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const listen = async (): Promise<void> => {
    const srv = net.createServer((inbound) => {
      const outbound = net.connect(target(), '127.0.0.1');
      sockets.add(inbound);
      sockets.add(outbound);
      inbound.pipe(outbound);
      outbound.pipe(inbound);
      const drop = (): void => {
        inbound.destroy();
        outbound.destroy();
        sockets.delete(inbound);
        sockets.delete(outbound);
      };
      inbound.on('error', drop).on('close', drop);
      outbound.on('error', drop).on('close', drop);
    });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => resolve());
    });
    port = (srv.address() as net.AddressInfo).port;
    server = srv;
  };
  await listen();
  return {
    port,
    cut: async () => {
      const srv = server;
      server = undefined;
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (srv) await new Promise<void>((r) => srv.close(() => r()));
    },
    restore: listen,
  };
}

/**
 * The order in which a gateway sends a backlog that was queued before the drain began
 * (docs/gateway.md, "Alarms first"): every alarm, with whatever its sensor queued before
 * it, in queue order; then everything else, in queue order.
 */
export function alarmsFirst<E extends { sensor: string; type: string }>(queued: readonly E[], alarmTypes: ReadonlySet<string>): E[] {
  const lastAlarm = new Map<string, number>();
  queued.forEach((e, i) => {
    if (alarmTypes.has(e.type)) lastAlarm.set(e.sensor, i);
  });
  const first = queued.filter((e, i) => i <= (lastAlarm.get(e.sensor) ?? -1));
  const rest = queued.filter((e, i) => i > (lastAlarm.get(e.sensor) ?? -1));
  return [...first, ...rest];
}
