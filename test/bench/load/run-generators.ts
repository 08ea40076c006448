// Starting generator and subscriber processes, and reading their one-line JSON answers.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../helpers/process.ts';
import type { GeneratorJob, GeneratorResult } from './generator.ts';

/** A child process that answers in JSON lines. */
export interface JsonChild {
  child: ChildProcess;
  /** The next JSON line it prints that has `key`. */
  next<T>(key: string, timeoutMs?: number): Promise<T>;
  send(line: string): void;
  kill(): void;
}

function jsonChild(args: string[]): JsonChild {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let buf = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => {
    buf += b.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // Not ours (a library's warning): ignored.
      }
      for (const w of waiters.splice(0)) w();
    }
  });
  child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
  child.on('exit', () => {
    for (const w of waiters.splice(0)) w();
  });
  return {
    child,
    async next<T>(key: string, timeoutMs = 600_000): Promise<T> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const i = lines.findIndex((l) => key in l);
        if (i >= 0) return lines.splice(i, 1)[0] as T;
        if (child.exitCode !== null) throw new Error(`${args[0]} exited (${child.exitCode}) before answering "${key}": ${err}`);
        if (Date.now() > until) throw new Error(`${args[0]} did not answer "${key}" in time: ${err}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 1000);
        });
      }
    },
    send(line: string) {
      child.stdin!.write(`${line}\n`);
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
}

/** Generators started and connected, waiting for go(). */
export interface GeneratorFleet {
  connected: number;
  /** Start publishing in every process at once; resolves with the merged result. */
  go(): Promise<GeneratorResult>;
  /** Disconnect and end the processes. */
  end(): Promise<void>;
}

/** Split `job.hubs` over `processes` generator processes and connect them all. */
export async function startGenerators(job: Omit<GeneratorJob, 'hubs'>, hubs: GeneratorJob['hubs'], processes: number): Promise<GeneratorFleet> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-gen-'));
  const n = Math.max(1, Math.min(processes, hubs.length));
  const children: JsonChild[] = [];
  for (let p = 0; p < n; p++) {
    const share = hubs.filter((_, i) => i % n === p);
    const file = path.join(dir, `job-${p}.json`);
    fs.writeFileSync(file, JSON.stringify({ ...job, rate: job.rate / n, hubs: share } satisfies GeneratorJob));
    children.push(jsonChild([path.join(ROOT, 'test/bench/load/generator.ts'), file]));
  }
  const ready = await Promise.all(children.map((c) => c.next<{ connected: number }>('ready')));
  return {
    connected: ready.reduce((a, r) => a + r.connected, 0),
    async go() {
      for (const c of children) c.send('go');
      const results = await Promise.all(children.map((c) => c.next<{ result: GeneratorResult }>('result')));
      const sum = (k: keyof GeneratorResult) => results.reduce((a, r) => a + r.result[k], 0);
      return {
        connected: sum('connected'),
        connectFailures: sum('connectFailures'),
        ackedMessages: sum('ackedMessages'),
        ackedEvents: sum('ackedEvents'),
        unacked: sum('unacked'),
        errors: sum('errors'),
        heartbeats: sum('heartbeats'),
        ackedEventsTotal: sum('ackedEventsTotal'),
        seconds: results[0]!.result.seconds,
      };
    },
    async end() {
      for (const c of children) c.send('end');
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.child.exitCode !== null) return resolve();
              const t = setTimeout(() => {
                c.kill();
                resolve();
              }, 20_000);
              c.child.once('exit', () => {
                clearTimeout(t);
                resolve();
              });
            }),
        ),
      );
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The baseline's subscriber: counts what Mosquitto relays. */
export async function startSubscriber(url: string): Promise<{ read(): Promise<{ epoch: number; buckets: number[]; probes: Record<string, number> }>; kill(): void }> {
  const c = jsonChild([path.join(ROOT, 'test/bench/load/subscriber.ts'), url]);
  await c.next('ready', 30_000);
  return {
    async read() {
      c.send('read');
      return c.next('buckets');
    },
    kill: () => c.kill(),
  };
}
