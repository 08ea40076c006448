// Load from outside, the way an operator would load Hearth: hubs in generator processes of their
// own (MQTT.js, QoS 1, a window of in-flight messages per hub, the simulators' event mix and a
// heartbeat a minute) against a Hearth server process, and the same generator against Mosquitto
// (publishers -> broker -> one subscriber process) in the same run as the baseline.
//
//   npm run bench -- load [--hubs 20] [--rate 0] [--duration 10] [--batch 100] [--processes 2]
//                         [--idle-hubs 2000] [--idle-seconds 60] [--heartbeat-seconds 60] [--probes 100] [--phases ...]
//
// --rate is messages per second over all hubs; 0 (the default) is "as fast as PUBACKs allow".
// Results: printed, and as JSON in bench-results/load-<time>.json.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import WebSocket from 'ws';
import { topics } from '../../protocol/index.ts';
import { FEED_CHECKPOINT } from '../../server/src/ingest/core-feed.ts';
import { openDatabase } from '../../server/src/db/database.ts';
import { ROOT } from '../helpers/process.ts';
import type { GeneratorJob, GeneratorResult } from './load/generator.ts';
import { startGenerators, startSubscriber } from './load/run-generators.ts';
import { processUsage, provision, startHearthProcess, startMosquitto, type BrokerProcess, type Provisioned } from './load/servers.ts';
import type { BenchResult } from './main.ts';

const PHASES = ['single', 'batch', 'latency', 'idle'] as const;

function options(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      hubs: { type: 'string', default: '20' },
      rate: { type: 'string', default: '0' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      batch: { type: 'string', default: '100' },
      processes: { type: 'string', default: '2' },
      window: { type: 'string', default: '50' },
      'idle-hubs': { type: 'string', default: '2000' },
      'idle-seconds': { type: 'string', default: '60' },
      'heartbeat-seconds': { type: 'string', default: '60' },
      probes: { type: 'string', default: '100' },
      phases: { type: 'string', default: PHASES.join(',') },
      profile: { type: 'string' },
    },
  });
  const num = (k: keyof typeof values) => Number(values[k]);
  return {
    hubs: num('hubs'),
    rate: num('rate'),
    duration: num('duration'),
    warmup: num('warmup'),
    batch: num('batch'),
    processes: num('processes'),
    window: num('window'),
    idleHubs: num('idle-hubs'),
    idleSeconds: num('idle-seconds'),
    heartbeatSeconds: num('heartbeat-seconds'),
    probes: num('probes'),
    phases: new Set(String(values.phases).split(',')),
    profile: values.profile,
  };
}
type Options = ReturnType<typeof options>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();
const round = (n: number, d = 0) => Number(n.toFixed(d));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function job(o: Options, runId: string, over: Partial<GeneratorJob>): Omit<GeneratorJob, 'hubs'> {
  return { url: '', rate: o.rate, batch: 1, duration: o.duration, warmup: o.warmup, window: o.window, heartbeatSeconds: 60, runId, seed: 7, ...over };
}

/** Events per second Mosquitto relays to its subscriber, and Hearth acknowledges (stored), for one batch size. */
async function capacity(o: Options, p: Provisioned, hearthProcess: () => Promise<BrokerProcess>, mosq: BrokerProcess, batch: number, tag: string) {
  // Baseline: the same hubs and payloads, anonymous, counted where the subscriber receives them.
  const sub = await startSubscriber(mosq.mqttUrl);
  const mfleet = await startGenerators(job(o, `m${tag}`, { url: mosq.mqttUrl, batch }), p.hubs.map((h) => ({ id: h.id })), o.processes);
  const goAt = now();
  const mcpu0 = processUsage(mosq.pid).cpuMs;
  const mres = await mfleet.go();
  const mcpu = processUsage(mosq.pid).cpuMs - mcpu0;
  await sleep(500);
  const seen = await sub.read();
  await mfleet.end();
  sub.kill();
  const from = Math.floor((goAt + o.warmup * 1000 - seen.epoch) / 100);
  const to = from + o.duration * 10;
  const relayed = seen.buckets.slice(Math.max(0, from), to).reduce((a, b) => a + b, 0);
  const mosquittoEventsPerSec = (relayed * batch) / o.duration;

  const hearth = await hearthProcess();
  const hfleet = await startGenerators(job(o, `h${tag}`, { url: hearth.mqttUrl, batch }), p.hubs, o.processes);
  const hcpu0 = processUsage(hearth.pid).cpuMs;
  const hres = await hfleet.go();
  const hcpu = processUsage(hearth.pid).cpuMs - hcpu0;
  await hfleet.end();
  // CPU time per event: steadier than rates on a shared machine (warm-up included on both sides).
  const cpuUsPerEvent = { hearth: round((hcpu * 1000) / Math.max(1, hres.ackedEventsTotal), 2), mosquitto: round((mcpu * 1000) / Math.max(1, mres.ackedEventsTotal), 2) };
  return { cpuUsPerEvent, mosquittoEventsPerSec, mosquittoPublisherAcked: mres.ackedEvents / o.duration, hearthEventsPerSec: hres.ackedEvents / o.duration, hearth: hres, mosquitto: mres };
}

async function signIn(httpUrl: string, user: Provisioned['user']): Promise<string> {
  const res = await fetch(`${httpUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

async function connectAll(url: string, hubs: { id: string; secret?: string }[]): Promise<MqttClient[]> {
  return Promise.all(hubs.map((h) => mqtt.connectAsync(url, { clientId: h.id, ...(h.secret ? { username: h.id, password: h.secret } : {}), reconnectPeriod: 0 })));
}

function probeEvent(i: number): string {
  return JSON.stringify({ id: `probe-${i}-${Date.now().toString(36)}`, ts: new Date().toISOString(), sensor: 'pendant-fall', type: 'fall', value: true });
}

/** Fall-to-console at a background load of `rate` messages/s: Hearth (hub publish -> /api/stream) and Mosquitto (publish -> subscriber). */
async function latency(o: Options, p: Provisioned, hearth: BrokerProcess, mosq: BrokerProcess, rate: number) {
  const probeSeconds = Math.ceil(o.probes / 10) + 2;
  const duration = probeSeconds + 1;
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { n: s.length, p50: round(percentile(s, 50), 1), p99: round(percentile(s, 99), 1), max: round(s[s.length - 1] ?? NaN, 1) };
  };

  // Baseline.
  const sub = await startSubscriber(mosq.mqttUrl);
  const mprobes = await connectAll(mosq.mqttUrl, p.fallHubs.map((h) => ({ id: h.id })));
  const mfleet = await startGenerators(job(o, 'ml', { url: mosq.mqttUrl, rate, duration }), p.hubs.map((h) => ({ id: h.id })), o.processes);
  const mgo = mfleet.go();
  await sleep(o.warmup * 1000);
  const sentM: Record<string, number> = {};
  for (let i = 0; i < mprobes.length && i < o.probes; i++) {
    const payload = probeEvent(i);
    sentM[(JSON.parse(payload) as { id: string }).id] = now();
    mprobes[i]!.publish(topics.events(p.fallHubs[i]!.id), payload, { qos: 1 });
    await sleep(100);
  }
  await mgo;
  const seen = await sub.read();
  await mfleet.end();
  sub.kill();
  await Promise.all(mprobes.map((c) => c.endAsync(true)));
  const mosquitto = stats(Object.entries(sentM).flatMap(([id, t]) => (seen.probes[id] ? [seen.probes[id]! - t] : [])));

  // Hearth: a fall on a probe hub, until the signed-in console's stream shows the alert raised.
  const token = await signIn(hearth.httpUrl!, p.user);
  const ws = new WebSocket(`${hearth.httpUrl!.replace('http', 'ws')}/api/stream`, { headers: { authorization: `Bearer ${token}` } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const sentAt = new Map<string, number>();
  const lat: number[] = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { type: string; change?: string; alert?: { hubId?: string; type?: string } };
    if (msg.type !== 'alert' || msg.alert?.type !== 'fall' || !msg.alert.hubId) return;
    const t = sentAt.get(msg.alert.hubId);
    if (t !== undefined) {
      lat.push(now() - t);
      sentAt.delete(msg.alert.hubId);
    }
  });
  const hprobes = await connectAll(hearth.mqttUrl, p.fallHubs);
  const hfleet = await startGenerators(job(o, 'hl', { url: hearth.mqttUrl, rate, duration }), p.hubs, o.processes);
  const hgo = hfleet.go();
  await sleep(o.warmup * 1000);
  for (let i = 0; i < hprobes.length && i < o.probes; i++) {
    sentAt.set(p.fallHubs[i]!.id, now());
    hprobes[i]!.publish(topics.events(p.fallHubs[i]!.id), probeEvent(i), { qos: 1 });
    await sleep(100);
  }
  const hres = await hgo;
  await sleep(1000);
  await hfleet.end();
  ws.close();
  await Promise.all(hprobes.map((c) => c.endAsync(true)));
  return { rate, hearth: { ...stats(lat), missing: sentAt.size }, mosquitto, backgroundAckedPerSec: hres.ackedEvents / duration };
}

/** Hubs held connected and heartbeating: memory per hub and CPU, against Mosquitto holding the same clients. */
async function idle(o: Options, p: Provisioned, broker: BrokerProcess, withSecrets: boolean) {
  await sleep(3000);
  const before = processUsage(broker.pid);
  const hubs = p.idleHubs.map((h) => (withSecrets ? h : { id: h.id }));
  const fleet = await startGenerators(job(o, 'idle', { url: broker.mqttUrl, idle: true, warmup: 5, duration: o.idleSeconds, heartbeatSeconds: o.heartbeatSeconds }), hubs, Math.max(o.processes, Math.ceil(hubs.length / 9000)));
  const go = fleet.go();
  await sleep(5000);
  const start = processUsage(broker.pid);
  await sleep(o.idleSeconds * 1000);
  const end = processUsage(broker.pid);
  const res: GeneratorResult = await go;
  await fleet.end();
  return {
    connected: fleet.connected,
    heartbeatsSent: res.heartbeats,
    rssBeforeMB: round(before.rss / 2 ** 20, 1),
    rssConnectedMB: round(end.rss / 2 ** 20, 1),
    kibPerHub: round((end.rss - before.rss) / 1024 / Math.max(1, fleet.connected), 2),
    cpuPercentOfOneCore: round(((end.cpuMs - start.cpuMs) / (o.idleSeconds * 1000)) * 100, 2),
  };
}

/** Count what Hearth stored and what the detectors were fed, from its database after it stopped. */
async function storedAndAnalysed(p: Provisioned): Promise<{ stored: number; maxSeq: number; analysedSeq: number }> {
  const { db } = await openDatabase(path.join(p.dataDir, 'hearth.sqlite'));
  const row = await db.selectFrom('events').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('seq').as('m')]).executeTakeFirstOrThrow();
  const cp = await db.selectFrom('checkpoints').select('value').where('name', '=', FEED_CHECKPOINT).executeTakeFirst();
  await db.destroy();
  return { stored: Number(row.n), maxSeq: Number(row.m ?? 0), analysedSeq: Number(cp?.value ?? 0) };
}

/** How many durable commits a second this disk takes (WAL, synchronous=FULL), in the data folder: the floor under every acknowledged moment. */
async function commitsPerSecond(dir: string): Promise<number> {
  const { default: SQLite } = await import('better-sqlite3');
  const file = path.join(dir, 'commit-probe.sqlite');
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (a INTEGER)');
  const tx = db.transaction((i: number) => db.prepare('INSERT INTO t VALUES (?)').run(i));
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < 1000) tx(n++);
  const rate = n / ((performance.now() - t0) / 1000);
  db.close();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  return rate;
}

/** Run the load benchmark (options as on the command line). */
export async function run(argv: string[] = []): Promise<BenchResult> {
  const o = options(argv);
  const p = await provision({ hubs: o.hubs, fallHubs: o.phases.has('latency') ? o.probes : 0, idleHubs: o.phases.has('idle') ? o.idleHubs : 0 });
  const figures: Record<string, number | string> = {};
  const detail: Record<string, unknown> = { options: { ...o, phases: [...o.phases] } };
  figures['disk: durable SQLite commits/s (synchronous=FULL)'] = round(await commitsPerSecond(p.dataDir));
  const mosq = await startMosquitto();
  // Started at its first use, so a profile (--profile DIR) holds Hearth's work and not the baseline's wait.
  let hearth: BrokerProcess | undefined;
  const hearthProcess = async () => (hearth ??= await startHearthProcess(p, o.profile ? { cpuProfDir: o.profile } : {}));
  let acked = 0;
  try {
    if (o.phases.has('single') || o.phases.has('latency')) {
      const single = await capacity(o, p, hearthProcess, mosq, 1, 's');
      acked += single.hearth.ackedEventsTotal;
      detail.single = single;
      figures['one event/message: Mosquitto pub->sub, msg/s'] = round(single.mosquittoEventsPerSec);
      figures['one event/message: Hearth acknowledged (stored), events/s'] = round(single.hearthEventsPerSec);
      figures['one event/message: ratio Hearth / Mosquitto'] = round(single.hearthEventsPerSec / single.mosquittoEventsPerSec, 3);
      figures['one event/message: broker CPU µs per event (Hearth / Mosquitto)'] = `${single.cpuUsPerEvent.hearth} / ${single.cpuUsPerEvent.mosquitto}`;
      if (o.phases.has('latency')) {
        const rate = o.rate > 0 ? o.rate : Math.round(single.hearthEventsPerSec / 2);
        const lat = await latency(o, p, await hearthProcess(), mosq, rate);
        detail.latency = lat;
        figures['fall-to-console at msg/s (half capacity)'] = rate;
        figures['fall-to-console Hearth p50 / p99 / max, ms'] = `${lat.hearth.p50} / ${lat.hearth.p99} / ${lat.hearth.max} (${lat.hearth.n} probes, ${lat.hearth.missing} missing)`;
        figures['baseline Mosquitto pub->sub p50 / p99 / max, ms'] = `${lat.mosquitto.p50} / ${lat.mosquitto.p99} / ${lat.mosquitto.max} (${lat.mosquitto.n} probes)`;
      }
    }
    if (o.phases.has('batch')) {
      const b = await capacity(o, p, hearthProcess, mosq, o.batch, 'b');
      acked += b.hearth.ackedEventsTotal;
      detail.batch = b;
      figures[`${o.batch}-event batches: Mosquitto pub->sub, events/s`] = round(b.mosquittoEventsPerSec);
      figures[`${o.batch}-event batches: Hearth acknowledged, events/s`] = round(b.hearthEventsPerSec);
      figures[`${o.batch}-event batches: ratio Hearth / Mosquitto`] = round(b.hearthEventsPerSec / b.mosquittoEventsPerSec, 3);
      figures[`${o.batch}-event batches: broker CPU µs per event (Hearth / Mosquitto)`] = `${b.cpuUsPerEvent.hearth} / ${b.cpuUsPerEvent.mosquitto}`;
    }
    if (o.phases.has('idle')) {
      // A fresh server process, so the figure is what the hubs cost and not the heap left by the load.
      await hearth?.stop();
      hearth = await startHearthProcess(p, o.profile ? { cpuProfDir: o.profile } : {});
      const h = await idle(o, p, hearth, true);
      const m = await idle(o, p, mosq, false);
      detail.idle = { hearth: h, mosquitto: m };
      figures['connected heartbeating hubs (Hearth / Mosquitto)'] = `${h.connected} / ${m.connected}`;
      figures['memory per connected hub, KiB (Hearth / Mosquitto)'] = `${h.kibPerHub} / ${m.kibPerHub}`;
      figures['server RSS with the hubs, MB (Hearth / Mosquitto)'] = `${h.rssConnectedMB} / ${m.rssConnectedMB}`;
      figures['CPU holding them, % of one core (Hearth / Mosquitto)'] = `${h.cpuPercentOfOneCore} / ${m.cpuPercentOfOneCore}`;
    }
  } finally {
    await hearth?.stop();
    await mosq.stop();
  }
  const check = await storedAndAnalysed(p);
  detail.check = { ...check, ackedEvents: acked };
  figures['check: events acknowledged / stored / fed to detectors (seq)'] = `${acked} / ${check.stored} / ${check.analysedSeq} of ${check.maxSeq}`;
  p.remove();
  const out = path.join(ROOT, 'bench-results');
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, `load-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify({ machine: machine(), figures, detail }, null, 2));
  figures['results file'] = path.relative(ROOT, file);
  return { title: `Load from outside: ${o.hubs} hubs in ${o.processes} processes, QoS 1, ${o.window} in flight per hub, against Mosquitto in the same run`, figures };
}

function machine(): Record<string, string | number> {
  const cpus = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/g) ?? []).map((l) => l.split(':')[1]!.trim());
  return { cpus: cpus.length, model: cpus[0] ?? 'unknown', node: process.version, memGiB: round(Number(/MemTotal:\s+(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 2 ** 20, 1) };
}
