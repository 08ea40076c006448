// A load-generator process: connects its share of the hubs (MQTT.js, QoS 1) and publishes the
// simulators' event mix, at a fixed total rate or as fast as PUBACKs allow (a window of in-flight
// messages per hub), with a heartbeat per hub every minute. Started by load.bench.ts; reads its
// job from the JSON file named as its argument, prints one JSON line of results on stdout.
import fs from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '../../../protocol/index.ts';
import { eventMix, hubEvents } from './mix.ts';

/** What one generator process is asked to do. */
export interface GeneratorJob {
  url: string;
  hubs: { id: string; secret?: string }[];
  /** Total messages per second for this process; 0 = as fast as acknowledgements allow. */
  rate: number;
  /** Events per message (1 = one event per message). */
  batch: number;
  /** Seconds to publish for, after the warm-up. */
  duration: number;
  /** Seconds of publishing before counting starts. */
  warmup: number;
  /** Messages in flight per hub, at most. */
  window: number;
  /** Seconds between each hub's heartbeats (0 = none). */
  heartbeatSeconds: number;
  /** Only connect and heartbeat (the connected-hubs figure); publish no events. */
  idle?: boolean;
  runId: string;
  seed: number;
}

/** What a generator process reports. */
export interface GeneratorResult {
  connected: number;
  connectFailures: number;
  /** Messages and events acknowledged inside the measured window. */
  ackedMessages: number;
  ackedEvents: number;
  /** Messages published in the window and not acknowledged by its end. */
  unacked: number;
  errors: number;
  seconds: number;
  heartbeats: number;
  /** Events acknowledged over the whole run, warm-up included (to check against what was stored). */
  ackedEventsTotal: number;
}

const job = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as GeneratorJob;
const mix = eventMix(job.seed);
const result: GeneratorResult = { connected: 0, connectFailures: 0, ackedMessages: 0, ackedEvents: 0, unacked: 0, errors: 0, seconds: 0, heartbeats: 0, ackedEventsTotal: 0 };

async function connect(h: GeneratorJob['hubs'][number]): Promise<MqttClient | null> {
  try {
    const c = await mqtt.connectAsync(job.url, {
      clientId: h.id,
      ...(h.secret ? { username: h.id, password: h.secret } : {}),
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      keepalive: 120,
    });
    c.on('error', () => result.errors++);
    result.connected++;
    return c;
  } catch {
    result.connectFailures++;
    return null;
  }
}

// Connect in waves, so a thousand CONNECTs do not all wait on one another's handshakes.
const clients: { id: string; client: MqttClient; next: () => ReturnType<ReturnType<typeof hubEvents>> }[] = [];
const WAVE = 200;
for (let i = 0; i < job.hubs.length; i += WAVE) {
  const wave = await Promise.all(job.hubs.slice(i, i + WAVE).map((h) => connect(h)));
  wave.forEach((c, j) => {
    if (c) clients.push({ id: job.hubs[i + j]!.id, client: c, next: hubEvents(mix, job.runId, i + j) });
  });
}
process.stdout.write(`${JSON.stringify({ ready: true, connected: result.connected })}\n`);

// Wait for the parent's go (one line on stdin), so every process starts together.
await new Promise<void>((resolve) => {
  process.stdin.once('data', () => resolve());
});

const start = Date.now();
const countFrom = start + job.warmup * 1000;
const stopAt = countFrom + job.duration * 1000;
let inWindowUnacked = 0;

const heartbeatTimers: NodeJS.Timeout[] = [];
if (job.heartbeatSeconds > 0) {
  clients.forEach((c, i) => {
    let seq = 0;
    const beat = (): void => {
      c.client.publish(topics.heartbeat(c.id), JSON.stringify({ seq: seq++, ts: new Date().toISOString() }), { qos: 0 });
      result.heartbeats++;
    };
    // Spread over the period, as real hubs' minutes are not aligned.
    const first = setTimeout(() => {
      beat();
      heartbeatTimers.push(setInterval(beat, job.heartbeatSeconds * 1000));
    }, Math.floor((i / clients.length) * job.heartbeatSeconds * 1000));
    heartbeatTimers.push(first);
  });
}

function message(c: (typeof clients)[number]): string {
  if (job.batch <= 1) return JSON.stringify(c.next());
  const events = [];
  for (let i = 0; i < job.batch; i++) events.push(c.next());
  return JSON.stringify({ events });
}

function publishOne(c: (typeof clients)[number], onDone: () => void): void {
  const counted = Date.now() >= countFrom;
  if (counted) inWindowUnacked++;
  c.client.publish(topics.events(c.id), message(c), { qos: 1 }, (err) => {
    if (counted) inWindowUnacked--;
    if (err) result.errors++;
    else result.ackedEventsTotal += job.batch;
    if (!err && counted && Date.now() <= stopAt) {
      result.ackedMessages++;
      result.ackedEvents += job.batch;
    }
    onDone();
  });
}

if (!job.idle) {
  if (job.rate === 0) {
    // As fast as acknowledgements allow: keep `window` messages in flight per hub.
    await new Promise<void>((resolve) => {
      let live = clients.length;
      for (const c of clients) {
        let inflight = 0;
        const pump = (): void => {
          while (inflight < job.window && Date.now() < stopAt) {
            inflight++;
            publishOne(c, () => {
              inflight--;
              if (Date.now() < stopAt) pump();
              else if (inflight === 0 && --live === 0) resolve();
            });
          }
        };
        pump();
      }
      if (clients.length === 0) resolve();
    });
  } else {
    // A fixed rate: every 10 ms, the messages due since the start, round-robin over the hubs
    // (a hub at its window skips its turn: the rate is then not met, which the result shows).
    await new Promise<void>((resolve) => {
      let sent = 0;
      let turn = 0;
      const inflight = new Map<string, number>();
      const timer = setInterval(() => {
        const now = Date.now();
        if (now >= stopAt) {
          clearInterval(timer);
          return resolve();
        }
        const due = Math.floor(((now - start) / 1000) * job.rate);
        let tries = 0;
        while (sent < due && tries < clients.length) {
          const c = clients[turn++ % clients.length]!;
          const n = inflight.get(c.id) ?? 0;
          if (n >= job.window) {
            tries++;
            continue;
          }
          tries = 0;
          inflight.set(c.id, n + 1);
          sent++;
          publishOne(c, () => inflight.set(c.id, (inflight.get(c.id) ?? 1) - 1));
        }
      }, 10);
    });
  }
} else {
  await new Promise((r) => setTimeout(r, (job.warmup + job.duration) * 1000));
}
result.seconds = job.duration;
result.unacked = inWindowUnacked;
for (const t of heartbeatTimers) clearTimeout(t);
process.stdout.write(`${JSON.stringify({ result })}\n`);
// Leave the connections to the parent's SIGTERM, so an idle run can be measured after it reports.
await new Promise<void>((resolve) => {
  process.stdin.once('data', () => resolve());
});
await Promise.all(clients.map((c) => c.client.endAsync(true).catch(() => {})));
process.exit(0);
