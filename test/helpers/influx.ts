import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './process.ts';

/** Where Debian's influxdb package puts the server. */
export const INFLUXD = process.env.HEARTH_INFLUXD ?? '/usr/bin/influxd';

/** Whether influxd can be run here; under CI=true a missing binary is a failure, not a skip. */
export function influxAvailable(): boolean {
  const ok = fs.existsSync(INFLUXD);
  if (!ok && process.env.CI === 'true') throw new Error(`${INFLUXD} is missing: install the Debian package "influxdb"`);
  if (!ok) console.warn(`skipping InfluxDB tests: ${INFLUXD} not found (install the Debian package "influxdb")`);
  return ok;
}

export { freePort } from './process.ts';

/** A running influxd of our own: its base URL, and stop/start to simulate an outage. */
export interface InfluxServer {
  url: string;
  /** Stop the server (its data stays), for outage tests. */
  stop(): Promise<void>;
  /** Start it again on the same port and data folder. */
  start(): Promise<void>;
  /** Stop and delete its folder. */
  close(): Promise<void>;
}

/**
 * Start influxd on free ports with a temporary config and data folder
 * (reporting disabled; HTTP authentication with `auth`), and wait until GET /ping answers 204.
 */
export async function startInflux(opts: { auth?: boolean } = {}): Promise<InfluxServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-influx-'));
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  const conf = path.join(dir, 'influxdb.conf');
  fs.writeFileSync(
    conf,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${dir}/meta"`,
      '[data]',
      `  dir = "${dir}/data"`,
      `  wal-dir = "${dir}/wal"`,
      '  query-log-enabled = false',
      '[http]',
      '  enabled = true',
      `  bind-address = "127.0.0.1:${httpPort}"`,
      '  log-enabled = false',
      '  max-row-limit = 0',
      ...(opts.auth ? ['  auth-enabled = true'] : []),
      '[monitor]',
      '  store-enabled = false',
      '[continuous_queries]',
      '  enabled = false',
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | null = null;
  let stderr = '';

  const start = async (): Promise<void> => {
    stderr = '';
    child = spawn(INFLUXD, ['-config', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`influxd exited (${child.exitCode}): ${stderr}`);
      try {
        const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
        if (res.status === 204) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`influxd did not answer /ping within 20 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const stop = async (): Promise<void> => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
      c.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      c.kill('SIGTERM');
    });
  };

  await start();
  return {
    url,
    start,
    stop,
    close: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
