// Trend queries over one year of data for 1,000 simulated homes (SQLite): a resident's 90-day
// heatmap, timed against a plain indexed COUNT over the same rows measured in the same run.
// The data (raw events and daily summaries) is generated once into os.tmpdir() and reused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import type { SensorInfo } from '../../server/src/care/directory.ts';
import { Directory } from '../../server/src/care/directory.ts';
import { planWithDefaults } from '../../server/src/care/model.ts';
import { VirtualClock } from '../../server/src/clock.ts';
import { openDatabase, type OpenedDb } from '../../server/src/db/database.ts';
import type { StoredEvent } from '../../server/src/events.ts';
import { HubPresence } from '../../server/src/store/presence.ts';
import { SqliteStore } from '../../server/src/store/sqlite-store.ts';
import { addDays, daysFromTo, localTime } from '../../server/src/trends/local-time.ts';
import { dayWindow, summariseDay } from '../../server/src/trends/summarise.ts';
import { TrendService } from '../../server/src/trends/trend-service.ts';
import type { BenchResult } from './main.ts';
import { mulberry32 } from '../../simulators/src/prng.ts';

const HOMES = Number(process.env.BENCH_TREND_HOMES ?? 1000);
const DAYS = 366; // one year, and today
const TZ = 'Europe/London';
const FIRST = '2025-11-26';
const NOW = Date.parse('2026-11-26T10:00:00Z');
const REPEATS = 61;
const VERSION = 1;

const SENSORS: SensorInfo[] = [
  { sensorId: 'bedroom-pir', type: 'motion', room: 'bedroom', role: 'bedroom', commissioned: true },
  { sensorId: 'bathroom-pir', type: 'motion', room: 'bathroom', role: 'bathroom', commissioned: true },
  { sensorId: 'kitchen-pir', type: 'motion', room: 'kitchen', role: 'kitchen', commissioned: true },
  { sensorId: 'lounge-pir', type: 'motion', room: 'lounge', role: 'living', commissioned: true },
  { sensorId: 'hall-pir', type: 'motion', room: 'hall', role: null, commissioned: true },
  { sensorId: 'front-door', type: 'door', room: 'hall', role: 'exterior-door', commissioned: true },
  { sensorId: 'lounge-temp', type: 'temperature', room: 'lounge', role: 'living', commissioned: true },
];
const ROOM_PIRS = ['kitchen-pir', 'lounge-pir', 'lounge-pir', 'hall-pir', 'bathroom-pir', 'bedroom-pir'];

const rng = (seed: number): (() => number) => mulberry32(seed);

/** One home's year: about 40 events a day, a routine with noise. */
function homeEvents(hubId: string, seed: number): StoredEvent[] {
  const r = rng(seed);
  const out: StoredEvent[] = [];
  let n = 0;
  for (const day of daysFromTo(FIRST, addDays(FIRST, DAYS - 1))) {
    const add = (minute: number, sensor: string, type: StoredEvent['type'], value: unknown) => {
      const ts = localTime(TZ, day, 0) + Math.round(minute * 60_000);
      out.push({ hubId, id: `${day}-${String(n++).padStart(7, '0')}`, ts, receivedAt: ts + 200, sensor, type, value, battery: null, late: false });
    };
    const rise = 390 + r() * 120;
    for (let v = Math.floor(r() * 3); v > 0; v--) add(60 + r() * 300, 'bathroom-pir', 'motion', true);
    add(rise, 'bedroom-pir', 'motion', true);
    add(rise + 8, 'bathroom-pir', 'motion', true);
    add(rise + 25, 'kitchen-pir', 'motion', true);
    const bed = 1290 + r() * 90;
    for (let k = 0; k < 22; k++) add(rise + 30 + r() * (bed - rise - 40), ROOM_PIRS[Math.floor(r() * ROOM_PIRS.length)]!, 'motion', true);
    if (r() < 0.6) {
      const out1 = 600 + r() * 240;
      add(out1, 'front-door', 'door', 'open');
      add(out1 + 1, 'front-door', 'door', 'closed');
      add(out1 + 90, 'front-door', 'door', 'open');
      add(out1 + 91, 'front-door', 'door', 'closed');
      add(out1 + 92, 'hall-pir', 'motion', true);
    }
    for (let hh = 0; hh < 24; hh += 6) add(hh * 60 + 30, 'lounge-temp', 'temperature', Math.round((18 + r() * 3) * 10) / 10);
    add(bed, 'bedroom-pir', 'motion', true);
  }
  return out.filter((e) => e.ts < NOW).sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
}

function lowerBound(events: StoredEvent[], t: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid]!.ts < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function generate(file: string): Promise<{ events: number; summaries: number; seconds: number }> {
  const started = performance.now();
  const tmp = `${file}.part`;
  fs.rmSync(tmp, { force: true });
  const opened = await openDatabase(tmp);
  const { raw } = opened;
  raw.pragma('synchronous = OFF');
  raw.pragma('cache_size = -262144');
  // One sort at the end is cheaper than keeping the (hub_id, ts) index up to date row by row.
  raw.exec('DROP INDEX events_hub_ts');
  const start = localTime(TZ, FIRST, 0);
  raw.prepare('INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?)').run('org-bench', 'Bench Alliance', start);
  raw.prepare('INSERT INTO neighbourhoods (id, org_id, name, created_at) VALUES (?, ?, ?, ?)').run('nb-bench', 'org-bench', 'Bench North', start);
  const hub = raw.prepare("INSERT INTO hubs (id, org_id, name, secret_hash, created_at) VALUES (?, 'org-bench', ?, 'x', ?)");
  const sensor = raw.prepare('INSERT INTO sensors (hub_id, sensor_id, type, room, role, commissioned) VALUES (?, ?, ?, ?, ?, 1)');
  const resident = raw.prepare("INSERT INTO residents (id, org_id, neighbourhood_id, hub_id, name, timezone, created_at) VALUES (?, 'org-bench', 'nb-bench', ?, ?, ?, ?)");
  const event = raw.prepare('INSERT INTO events (hub_id, event_id, ts, received_at, sensor, type, value, battery, late) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 0)');
  const summary = raw.prepare('INSERT INTO daily_summaries (resident_id, day, hub_id, data, computed_at) VALUES (?, ?, ?, ?, ?)');
  const run = raw.prepare("INSERT INTO job_runs (job, key, period, done_at) VALUES ('daily-summary', ?, ?, ?)");
  const plan = planWithDefaults({});
  const sensors = new Map(SENSORS.map((s) => [s.sensorId, s]));
  let events = 0;
  let summaries = 0;
  const finalDays = daysFromTo(FIRST, addDays(FIRST, DAYS - 1)).filter((d) => localTime(TZ, d, 36 * 60) <= NOW);
  for (let i = 1; i <= HOMES; i++) {
    const hubId = `hub-${String(i).padStart(5, '0')}`;
    const residentId = `res-${String(i).padStart(5, '0')}`;
    const list = homeEvents(hubId, i);
    raw.transaction(() => {
      hub.run(hubId, hubId, start);
      for (const s of SENSORS) sensor.run(hubId, s.sensorId, s.type, s.room, s.role);
      resident.run(residentId, hubId, `Resident ${i}`, TZ, start);
      for (const e of list) event.run(e.hubId, e.id, e.ts, e.receivedAt, e.sensor, e.type, JSON.stringify(e.value));
      for (const day of finalDays) {
        const w = dayWindow(TZ, plan, day);
        const windowEvents = list.slice(lowerBound(list, w.from), lowerBound(list, w.to));
        const lastBefore = new Map<string, number>();
        for (const e of list.slice(lowerBound(list, w.dayFrom - 72 * 3600_000), lowerBound(list, w.dayFrom))) lastBefore.set(e.sensor, e.ts);
        const s = summariseDay({ day, tz: TZ, plan, sensors, events: windowEvents, lastBefore, hubUptime: null, until: NOW });
        summary.run(residentId, day, hubId, JSON.stringify(s), NOW);
        run.run(residentId, day, NOW);
      }
    })();
    events += list.length;
    summaries += finalDays.length;
    if (i % 100 === 0 || i === 10) process.stdout.write(`  generated ${i}/${HOMES} homes (${Math.round((performance.now() - started) / 1000)} s)\n`);
  }
  raw.exec('CREATE INDEX events_hub_ts ON events(hub_id, ts)');
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.exec('ANALYZE');
  await opened.db.destroy();
  for (const ext of ['-wal', '-shm']) fs.rmSync(`${tmp}${ext}`, { force: true });
  fs.renameSync(tmp, file);
  return { events, summaries, seconds: (performance.now() - started) / 1000 };
}

function stats(samples: number[]): { median: number; p95: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, p95: s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]! };
}

async function time(repeats: number, fn: (i: number) => Promise<unknown> | unknown): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < 3; i++) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  return stats(samples);
}

/** The benchmark. */
export async function run(): Promise<BenchResult> {
  const file = path.join(os.tmpdir(), `hearth-trends-bench-v${VERSION}-h${HOMES}-d${DAYS}.sqlite`);
  let generated: { events: number; summaries: number; seconds: number } | null = null;
  if (!fs.existsSync(file)) generated = await generate(file);
  const opened: OpenedDb = await openDatabase(file);
  const { db, raw } = opened;
  const clock = new VirtualClock(NOW);
  const store = new SqliteStore(db);
  const trends = new TrendService(db, store, new HubPresence(db, pino({ level: 'silent' })), new Directory(db, () => clock.now()), clock);
  const r = rng(42);
  const pick = () => `res-${String(1 + Math.floor(r() * HOMES)).padStart(5, '0')}`;
  const residents = await Promise.all(Array.from({ length: REPEATS + 3 }, () => trends.resident(pick())));
  const to = localDayOfNow();
  const from = addDays(to, -89);

  const heat = await time(REPEATS, (i) => trends.heatmap(residents[i]!, from, to));
  const count = raw.prepare('SELECT count(*) AS n FROM events WHERE hub_id = ? AND ts >= ? AND ts < ?');
  const baseline = await time(REPEATS, (i) => count.get(residents[i]!.hubId, localTime(TZ, from, 0), NOW));
  const full = await time(21, (i) => trends.trends(residents[i]!, from, to));
  const year = await time(21, (i) => trends.heatmap(residents[i]!, addDays(to, -365), to));
  // Without summaries: every one of the 90 days computed from raw events (what the summaries save).
  const liveDays = async (i: number) => {
    for (const day of daysFromTo(from, to)) await trends.computeDay(residents[i]!, day);
  };
  const live = await time(5, liveDays);
  const totals = raw.prepare('SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM daily_summaries) AS summaries').get() as { events: number; summaries: number };
  await db.destroy();
  return {
    title: `Trends over one year of ${HOMES.toLocaleString('en-GB')} homes on SQLite (${file})`,
    figures: {
      'raw events in the store': totals.events,
      'daily summaries in the store': totals.summaries,
      'data generation, s': generated ? Math.round(generated.seconds) : 'cached',
      '90-day heatmap, median ms': heat.median,
      '90-day heatmap, p95 ms': heat.p95,
      'baseline: indexed COUNT of those 90 days, median ms': baseline.median,
      '90-day heatmap / baseline (median)': heat.median / baseline.median,
      '90-day trends (all figures, usual ranges), median ms': full.median,
      '365-day heatmap, median ms': year.median,
      '90 days computed from raw events (no summaries), median ms': live.median,
    },
  };

  function localDayOfNow(): string {
    return new Date(NOW).toISOString().slice(0, 10);
  }
}
