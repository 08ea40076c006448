// The gateway's outbox: what durability costs per event, and how fast a backlog drains
// to a real server through the outbox compared with a bare MQTT client sending the same batches.
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { pino } from 'pino';
import { topics } from '../../protocol/index.ts';
import { GatewayConfigSchema } from '../../gateway/src/config.ts';
import { Gateway, outboxFile } from '../../gateway/src/gateway.ts';
import { Outbox } from '../../gateway/src/outbox.ts';
import { SystemClock } from '../../server/src/clock.ts';
import { connectHub, seedOrg, startHearth, tempDir } from '../helpers/hearth.ts';
import type { BenchResult } from './main.ts';

const ADDS = 3000;
const BACKLOG = 5000;
const BATCH = 100;
const WINDOW = 4;

function event(i: number, t0: number) {
  return { sensor: 'kitchen-pir', type: 'motion' as const, value: i % 2 === 0, ts: t0 + i * 1000 };
}

/** Outbox add rate (fsync per event) against the same inserts without fsync; drain rate against a bare client. */
export async function run(): Promise<BenchResult> {
  const d = tempDir('hearth-bench-gw-');
  const clock = new SystemClock();
  const t0 = Date.now() - 3600_000;
  try {
    // 1. Durable add: one committed, fsynced transaction per event.
    const ob = new Outbox({ file: path.join(d.dir, 'add', 'outbox.sqlite'), clock, maxEvents: 1_000_000 });
    let t = performance.now();
    for (let i = 0; i < ADDS; i++) ob.add(event(i, t0));
    const addMs = performance.now() - t;
    ob.close();
    // Baseline: the same rows into the same schema with synchronous=OFF (no fsync).
    const raw = new SQLite(path.join(d.dir, 'baseline.sqlite'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = OFF');
    raw.exec('CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, critical INTEGER NOT NULL, body TEXT NOT NULL, queued_at INTEGER NOT NULL)');
    const ins = raw.prepare('INSERT INTO outbox (id, critical, body, queued_at) VALUES (?, 0, ?, ?)');
    t = performance.now();
    for (let i = 0; i < ADDS; i++) ins.run(`b${i}`, JSON.stringify({ id: `b${i}`, ts: new Date(t0 + i * 1000).toISOString(), sensor: 'kitchen-pir', type: 'motion', value: i % 2 === 0 }), Date.now());
    const baseMs = performance.now() - t;
    raw.close();

    // 2. Drain a backlog to a real server, through the outbox and link, no rate limit.
    const server = await startHearth();
    const fx = await seedOrg(server.hearth, 'Bench Trust', 'hub-bench');
    const gwDir = path.join(d.dir, 'gw');
    const pre = new Outbox({ file: outboxFile(gwDir), clock, maxEvents: 1_000_000 });
    for (let i = 0; i < BACKLOG; i++) pre.add(event(i, t0));
    pre.close();
    const config = {
      ...GatewayConfigSchema.parse({
        hubId: fx.hub.hubId,
        secret: fx.hub.secret,
        server: { url: `mqtt://127.0.0.1:${server.hearth.ports.mqtt}` },
        dataDir: gwDir,
        outbox: { drainEventsPerSecond: 1_000_000, batchSize: BATCH, inFlight: WINDOW },
      }),
      secret: fx.hub.secret,
    };
    const gateway = new Gateway({ config, clock, log: pino({ level: 'silent' }) });
    t = performance.now();
    const drained = new Promise<void>((resolve) => gateway.link.on('delivered', () => gateway.outbox.size() === 0 && resolve()));
    await gateway.start();
    await drained;
    const drainMs = performance.now() - t;
    await gateway.stop();

    // Baseline: a bare hub client sends the same number of events in the same batches and window.
    const fx2 = await seedOrg(server.hearth, 'Bench Trust 2', 'hub-bench-2');
    const hub = await connectHub(server.hearth.ports.mqtt, fx2.hub.hubId, fx2.hub.secret);
    t = performance.now();
    const batches: string[] = [];
    for (let b = 0; b < BACKLOG / BATCH; b++) {
      batches.push(JSON.stringify({ events: Array.from({ length: BATCH }, (_, k) => ({ id: `x${b}-${k}`, ts: new Date(t0 + (b * BATCH + k) * 1000).toISOString(), sensor: 'kitchen-pir', type: 'motion', value: k % 2 === 0 })) }));
    }
    let next = 0;
    await Promise.all(
      Array.from({ length: WINDOW }, async () => {
        while (next < batches.length) await hub.publishAsync(topics.events(fx2.hub.hubId), batches[next++]!, { qos: 1 });
      }),
    );
    const bareMs = performance.now() - t;
    await hub.endAsync();
    await server.close();

    return {
      title: `gateway outbox: ${ADDS} durable adds; drain of ${BACKLOG} events (batches of ${BATCH}, window ${WINDOW}) to a real server`,
      figures: {
        'outbox add, events/s (fsync each)': Math.round(ADDS / (addMs / 1000)),
        'baseline insert, events/s (no fsync)': Math.round(ADDS / (baseMs / 1000)),
        'add time / baseline time': addMs / baseMs,
        'drain through outbox, events/s': Math.round(BACKLOG / (drainMs / 1000)),
        'bare MQTT client, events/s': Math.round(BACKLOG / (bareMs / 1000)),
        'drain time / bare client time': drainMs / bareMs,
      },
    };
  } finally {
    d.remove();
  }
}
