// Weeks of simulated history for the demo residents, so the coordinator's pages
// show real trends on the first start: the seeded simulator generates each home's
// past weeks; the events go into the real event store (with hub presence), the
// live server's detectors run over them on a virtual clock (their learned state
// is kept, as after a restart), and their routine-change signals reach the real
// alert service; the jobs' catch-up at start summarises the finished days.
import type { HubEvent } from '../../../protocol/index.ts';
import { generateHome, type IncidentSpec } from '../../../simulators/src/generate.ts';
import { PERSONA_NAMES } from '../../../simulators/src/personas.ts';
import { mixSeed, mulberry32 } from '../../../simulators/src/prng.ts';
import { AnomalyCore } from '../anomaly/core.ts';
import type { AlertSignal } from '../anomaly/detector.ts';
import type { Hearth } from '../app.ts';
import type { HomeInfo } from '../care/directory.ts';
import { VirtualClock } from '../clock.ts';
import type { StoredEvent } from '../events.ts';
import { SLOT_MS } from '../store/presence.ts';
import { addDays, localDay, localTime } from '../trends/local-time.ts';
import type { DemoState } from './seed.ts';

/** Options of seedDemoHistory; every one has a default. */
export interface DemoHistoryOptions {
  /** Weeks of history before today (default 8: enough for the routine-change rule's baseline, gap and recent week). */
  weeks?: number;
  /** The simulators' seed (default 1, as the live demo). */
  seed?: number;
  /** Which home (0-based) has a slow decline (default 0); -1 for none. */
  declineHome?: number;
  /** Day of the history the decline starts on (default: 3 weeks in). */
  declineDay?: number;
}

/** What seeding the history did. */
export interface DemoHistoryReport {
  homes: number;
  days: number;
  events: number;
  /** Routine-change alerts raised (and still open) from the history. */
  routineChanges: number;
}

/** Alert types of the history that reach the alert service: the slow ones a coordinator reviews. Acute alerts of past weeks would only fill the operators' live queue. */
const HISTORY_ALERT_TYPES = new Set<AlertSignal['type']>(['routine-change']);
const HISTORY_ID_PREFIX = 'hist-';
const CHUNK = 5000;
/** Rows per INSERT: 10 columns each, under SQLite's bound-parameter limit. */
const ROWS_PER_INSERT = 300;

/**
 * Give the demo's homes `weeks` weeks of simulated history ending now. Call on
 * a freshly seeded demo, before `hearth.start()` (the detectors' saved state is
 * then taken back at start, and the feed starts after the history).
 */
export async function seedDemoHistory(hearth: Hearth, demo: DemoState, options: DemoHistoryOptions = {}): Promise<DemoHistoryReport> {
  const { db, directory, clock, alerts } = hearth.services;
  const { store, presence } = hearth.history;
  const weeks = options.weeks ?? 8;
  const seed = options.seed ?? 1;
  const declineHome = options.declineHome ?? 0;
  const days = weeks * 7;
  const now = clock.now();
  const report: DemoHistoryReport = { homes: 0, days, events: 0, routineChanges: 0 };
  const homes = new Map<string, HomeInfo>();
  const all: StoredEvent[] = [];

  for (const [index, h] of demo.homes.entries()) {
    const home = await directory.getHome(h.hubId);
    if (!home) continue;
    homes.set(h.hubId, home);
    const start = addDays(localDay(h.timezone, now), -days);
    // The same persona the live simulation gives this home (simulators/src/live.ts), so live days continue the history.
    const persona = mulberry32(mixSeed('live', seed, h.hubId)).pick(PERSONA_NAMES);
    const incidents: IncidentSpec[] = index === declineHome ? [{ type: 'decline', day: options.declineDay ?? 21 }] : [];
    const g = generateHome({ hubId: h.hubId, seed: mixSeed('demo-history', seed, index), start, days: days + 1, timezone: h.timezone, incidents, persona, resident: h.resident, sensors: h.sensors, idPrefix: HISTORY_ID_PREFIX, motionScale: 3 });
    const events: StoredEvent[] = [];
    for (const e of g.events as HubEvent[]) {
      const ts = Date.parse(e.ts);
      if (ts >= now) break;
      events.push({ hubId: h.hubId, id: e.id, ts, receivedAt: ts, sensor: e.sensor, type: e.type, value: e.value, battery: (e as { battery?: number }).battery ?? null, late: false });
    }
    all.push(...events);
    // The hub was heard all along (heartbeats every minute, as live).
    const from = localTime(h.timezone, start, 0);
    for (let t = from; t < now; t += SLOT_MS) presence.heard(h.hubId, t);
    // The resident (and so the trends) begin with the history.
    await db.updateTable('residents').set({ created_at: from }).where('hub_id', '=', h.hubId).where('org_id', '=', home.orgId).execute();
    report.homes++;
    report.events += events.length;
  }
  await presence.drain();
  const feed = await storeHistory(hearth, all);

  // The live detectors over the history, in virtual time; their state is saved as the live server saves it.
  const signals: AlertSignal[] = [];
  const vclock = new VirtualClock(0);
  const core = new AnomalyCore({ clock: vclock, homes: { get: (id) => homes.get(id) }, sink: (s) => signals.push(s) });
  let first = NaN;
  const tickUntil = (t: number): void => {
    for (;;) {
      const due = core.nextDue();
      if (due > t) return;
      const at = Math.max(first + core.tickPeriod, first + Math.ceil((due - first) / core.tickPeriod) * core.tickPeriod);
      if (at > t) return;
      if (at > vclock.now()) vclock.advanceTo(at);
      core.tick();
    }
  };
  for (const e of feed) {
    if (Number.isNaN(first)) {
      first = e.receivedAt;
      vclock.advanceTo(first);
    }
    tickUntil(e.receivedAt);
    if (e.receivedAt > vclock.now()) vclock.advanceTo(e.receivedAt);
    core.process(e);
  }
  if (!Number.isNaN(first)) {
    tickUntil(now);
    if (now > vclock.now()) vclock.advanceTo(now);
  }
  for (const s of signals) {
    if (!HISTORY_ALERT_TYPES.has(s.type)) continue;
    await alerts.handleSignal(s);
  }
  await alerts.drain();
  if (store.kind === 'sqlite') {
    for (const hubId of homes.keys()) {
      const snap = core.snapshotHome(hubId);
      if (!snap) continue;
      const row = { hub_id: hubId, version: snap.version, seq: snap.seq, state: JSON.stringify(snap), saved_at: now };
      await db
        .insertInto('detector_state')
        .values(row)
        .onConflict((oc) => oc.column('hub_id').doUpdateSet({ version: row.version, seq: row.seq, state: row.state, saved_at: row.saved_at }))
        .execute();
    }
  }
  report.routineChanges = Number(
    (await db.selectFrom('alerts').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'routine-change').where('state', 'in', ['raised', 'acknowledged', 'dispatched', 'on-site']).executeTakeFirst())?.n ?? 0,
  );

  // The finished days are summarised by the jobs' catch-up when the server starts (server/src/jobs/jobs.ts).
  return report;
}

/**
 * Store the history in time order. In SQLite each event gets the next arrival
 * sequence number, as ingest would have given it (the detectors' saved state
 * and the feed's checkpoint are sequence numbers); other stores take them
 * through the EventStore interface.
 */
async function storeHistory(hearth: Hearth, events: StoredEvent[]): Promise<StoredEvent[]> {
  const { db } = hearth.services;
  events.sort((a, b) => a.ts - b.ts || (a.hubId < b.hubId ? -1 : a.hubId > b.hubId ? 1 : 0));
  if (hearth.history.store.kind !== 'sqlite') {
    for (let i = 0; i < events.length; i += CHUNK) await hearth.history.store.append(events.slice(i, i + CHUNK));
    return events;
  }
  const max = await db.selectFrom('events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
  let seq = Number(max?.m ?? 0);
  for (const e of events) e.seq = ++seq;
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < events.length; i += ROWS_PER_INSERT) {
      await trx
        .insertInto('events')
        .values(
          events.slice(i, i + ROWS_PER_INSERT).map((e) => ({
            seq: e.seq!,
            hub_id: e.hubId,
            event_id: e.id,
            ts: e.ts,
            received_at: e.receivedAt,
            sensor: e.sensor,
            type: e.type,
            value: JSON.stringify(e.value),
            battery: e.battery,
            late: 0,
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  });
  return events;
}
