import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { AnomalyCore, SNAPSHOT_VERSION } from '../../../server/src/anomaly/core.ts';
import type { AlertSignal } from '../../../server/src/anomaly/detector.ts';
import { createHearth } from '../../../server/src/app.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import { loadConfig } from '../../../server/src/config.ts';
import { openDatabase } from '../../../server/src/db/database.ts';
import { connectHub, seedOrg, signIn, startHearth, tempDir, type Fixture } from '../../helpers/hearth.ts';
import { makeHome, rig } from './harness.ts';

const MIN = 60_000;

/** Fourteen ordinary days from 2 Nov 2026 (London is on UTC then): up at 06:00, about every 20 min until 22:30. */
function learnFortnight(r: ReturnType<typeof rig>): void {
  for (let d = 2; d <= 15; d++) r.day(`2026-11-${String(d).padStart(2, '0')}`, { rise: '06:00' });
}

/** A second core for the same home, as a restarted server would build it. */
function freshCore(r: ReturnType<typeof rig>) {
  const signals: AlertSignal[] = [];
  const core = new AnomalyCore({ clock: r.clock, homes: { get: (id) => (id === r.home.hubId ? r.home : undefined) }, sink: (s) => signals.push(s) });
  return { core, signals };
}

describe('detector snapshots (core)', () => {
  it('a restored core keeps the learned rising time; a fresh one falls back to the plan, and the snapshot is small', () => {
    const r = rig('2026-11-02T00:00:00Z');
    learnFortnight(r);
    r.to('2026-11-16T00:30:00Z');
    const snap = r.core.snapshotHome(r.home.hubId)!;
    expect(snap.version).toBe(SNAPSHOT_VERSION);
    const json = JSON.stringify(snap);
    // Eight weeks of quiet spells (the inactivity model, 2,048 × 6 bytes) are most of it.
    expect(json.length).toBeLessThan(32 * 1024);

    const restored = freshCore(r);
    expect(restored.core.restoreHome(r.home.hubId, JSON.parse(json))).toBe(true);
    const fresh = freshCore(r);
    // The fresh core must meet the home too, or it would have nothing to tick.
    fresh.core.hubStatus(r.home.hubId, true, r.clock.now());
    restored.core.start();
    fresh.core.start();
    r.core.stop();
    // Until its hub is heard again after the restart, a restored home raises nothing but a known fall's long lie.
    r.to('2026-11-16T08:30:00Z');
    expect(restored.signals.filter((s) => s.type === 'not-up')).toHaveLength(0);
    restored.core.hubConnection(r.home.hubId, true, r.clock.now());

    // Nobody stirs on the 16th: the learned 06:00 + 2 h margin says not up by 08:00; the plan's 08:00 says 10:00.
    r.to('2026-11-16T09:00:00Z');
    const notUp = restored.signals.filter((s) => s.type === 'not-up' && s.action === 'raise');
    expect(notUp).toHaveLength(1);
    expect(notUp[0]!.cause).toMatchObject({ usualRising: '06:00', learned: true });
    // Decided 30 s after the hub connected (its buffer's chance to drain), well before the plan's 10:00.
    expect(notUp[0]!.at).toBeLessThanOrEqual(Date.parse('2026-11-16T08:31:00Z'));
    expect(fresh.signals.filter((s) => s.type === 'not-up')).toHaveLength(0);
    r.to('2026-11-16T10:01:00Z');
    expect(fresh.signals.find((s) => s.type === 'not-up')!.cause).toMatchObject({ usualRising: '08:00', learned: false });
  });

  it('ignores a snapshot of another version, and restarts only the detector whose part is unreadable', () => {
    const r = rig('2026-11-02T00:00:00Z');
    learnFortnight(r);
    r.to('2026-11-16T00:30:00Z');
    const snap = r.core.snapshotHome(r.home.hubId)!;

    const other = freshCore(r);
    expect(other.core.restoreHome(r.home.hubId, { ...snap, version: SNAPSHOT_VERSION + 1 })).toBe(false);
    expect(other.core.restoreHome(r.home.hubId, 'not a snapshot')).toBe(false);
    expect(other.core.homeCount).toBe(0);

    const broken = structuredClone(snap) as typeof snap & { detectors: { routine: { arrays: Record<string, string> } } };
    broken.detectors.routine.arrays.todRing = 'AAAA'; // wrong length
    const partial = freshCore(r);
    expect(partial.core.restoreHome(r.home.hubId, broken)).toBe(true); // the other detectors came back
    const after = partial.core.snapshotHome(r.home.hubId)! as typeof broken;
    // The routine detector starts afresh: nothing learned.
    expect((after.detectors.routine as unknown as { nums: { daysLearned: number } }).nums.daysLearned).toBe(0);
    expect((snap.detectors.routine as { nums: { daysLearned: number } }).nums.daysLearned).toBe(14);

    // A snapshot from before a piece of state was added: that piece starts at its default, the rest is kept.
    const older = structuredClone(snap) as typeof broken & { detectors: { routine: { nums: Record<string, unknown> } } };
    delete older.detectors.routine.nums.chairDay;
    delete older.detectors.routine.arrays.chairRing;
    const upgraded = freshCore(r);
    expect(upgraded.core.restoreHome(r.home.hubId, older)).toBe(true);
    expect((upgraded.core.snapshotHome(r.home.hubId)!.detectors.routine as { nums: { daysLearned: number } }).nums.daysLearned).toBe(14);
  });

  it('a pending bathroom stay carries over, and events already in the snapshot are not fed twice', () => {
    const r = rig('2026-11-02T00:00:00Z', makeHome());
    learnFortnight(r);
    r.ev('kitchen-pir', true, '2026-11-16T06:00:00Z');
    r.core.process({ hubId: r.home.hubId, id: 'b1', ts: Date.parse('2026-11-16T06:10:00Z'), receivedAt: Date.parse('2026-11-16T06:10:00Z'), sensor: 'bathroom-pir', type: 'motion', value: true, battery: null, late: false, seq: 42 });
    const snap = JSON.parse(JSON.stringify(r.core.snapshotHome(r.home.hubId))) as { seq: number };
    expect(snap.seq).toBe(42);
    const restored = freshCore(r);
    restored.core.restoreHome(r.home.hubId, snap);
    restored.core.start();
    r.core.stop();
    restored.core.hubConnection(r.home.hubId, true, r.clock.now());
    // Re-fed after the restart (it was stored after the feed's checkpoint): skipped, the stay still began at 06:10.
    restored.core.process({ hubId: r.home.hubId, id: 'b1', ts: Date.parse('2026-11-16T06:10:00Z'), receivedAt: Date.parse('2026-11-16T07:00:00Z'), sensor: 'bathroom-pir', type: 'motion', value: true, battery: null, late: false, seq: 42 });
    const activity = (x: unknown): number => (x as { detectors: { routine: { nums: { activityDay: number } } } }).detectors.routine.nums.activityDay;
    expect(activity(restored.core.snapshotHome(r.home.hubId))).toBe(activity(snap));
    r.to('2026-11-16T09:00:00Z');
    const lie = restored.signals.filter((s) => s.type === 'long-lie' && s.action === 'raise');
    expect(lie).toHaveLength(1);
    expect(lie[0]!.cause.rule).toBe('bathroom-dwell');
    expect(lie[0]!.occurredAt).toBe(Date.parse('2026-11-16T06:10:00Z'));
  });

  it("the server's downtime does not count as a sensor's silence", () => {
    const r = rig('2026-11-16T09:00:00Z');
    r.ev('kitchen-pir', true, '2026-11-16T10:00:00Z');
    r.to('2026-11-17T06:00:00Z');
    const snap = JSON.parse(JSON.stringify(r.core.snapshotHome(r.home.hubId))) as unknown;
    const savedAt = r.clock.now();
    r.core.stop();
    r.to('2026-11-17T08:00:00Z'); // down for two hours
    const restored = freshCore(r);
    restored.core.restoreHome(r.home.hubId, snap, savedAt);
    restored.core.start();
    const silent = () => restored.signals.filter((s) => s.type === 'sensor-silent' && s.cause.sensor === 'kitchen-pir');
    // Heard at 10:00; motion sensors are silent after 24 h, plus the two hours nobody was listening.
    r.to('2026-11-17T11:00:00Z');
    expect(silent()).toHaveLength(0);
    r.to('2026-11-17T12:01:00Z');
    expect(silent()).toHaveLength(1);
    expect(silent()[0]!.occurredAt).toBe(Date.parse('2026-11-16T10:00:00Z'));
  });
});

/** A server whose log lines are collected (to see what it says about snapshots). */
async function loggedHearth(clock: VirtualClock, dataDir: string) {
  const lines: { msg: string; hubId?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as { msg: string });
      done();
    },
  });
  const config = { ...loadConfig({}), httpPort: 0, mqttPort: 0, host: '127.0.0.1', dataDir, demo: 'off' as const };
  const hearth = await createHearth({ config, clock, logger: pino({ level: 'info' }, sink) });
  await hearth.start();
  return { hearth, lines };
}

describe('detector state across a server restart (VirtualClock, real MQTT)', () => {
  const dirs: { remove: () => void }[] = [];
  afterAll(() => dirs.forEach((d) => d.remove()));

  /** Start a server, seed a home, and report a fall `beforeStop` ms before stopping it; returns where and when. */
  async function fallThenStop(hubId: string, beforeStop: number, opts: { resolveFall?: boolean } = {}) {
    const tmp = tempDir();
    dirs.push(tmp);
    // A weekday morning, after rising (so "not up" and the night window are settled).
    const clock = new VirtualClock(Date.parse('2026-01-12T10:00:00Z'));
    const first = await startHearth({ clock, dataDir: tmp.dir });
    const fx: Fixture = await seedOrg(first.hearth, 'Alliance', hubId);
    const hub = await connectHub(first.hearth.ports.mqtt, fx.hub.hubId, fx.hub.secret);
    const send = async (id: string, sensor: string, type: string, value: unknown): Promise<void> => {
      await hub.publishAsync(topics.events(fx.hub.hubId), JSON.stringify({ id, ts: new Date(clock.now()).toISOString(), sensor, type, value }), { qos: 1 });
      await first.hearth.settle();
    };
    await send('up-1', 'kitchen-pir', 'motion', true);
    // The state as a periodic save just before the fall would have written it (for the crash case).
    const beforeFall = first.hearth.services.core.snapshotHome(fx.hub.hubId);
    clock.advance(30_000);
    const fallAt = clock.now();
    await send('fall-1', 'hall-fall', 'fall', true);
    clock.advance(beforeStop);
    await first.hearth.settle();
    if (opts.resolveFall) {
      // The operator spoke to the resident and closed the fall alert before the stop.
      const token = await signIn(first.hearth, fx.users.operator.username, fx.users.operator.password);
      const [fall] = await first.hearth.services.db.selectFrom('alerts').select('id').where('type', '=', 'fall').execute();
      const res = await first.hearth.app.inject({ method: 'POST', url: `/api/alerts/${fall!.id}/resolve`, headers: { authorization: `Bearer ${token}` }, payload: { outcome: 'no-harm' } });
      expect(res.statusCode).toBe(200);
    }
    await hub.endAsync();
    await first.hearth.stop();
    clock.advance(MIN); // the server is down for a minute
    return { tmp, clock, fx, fallAt, beforeFall };
  }

  const alertRows = async (h: { services: { db: import('../../../server/src/db/database.ts').Db } }) =>
    h.services.db.selectFrom('alerts').select(['type', 'repeat_count', 'cause', 'raised_at']).orderBy('raised_at').execute();

  it('the live server saves the homes that changed every 15 minutes of its clock, before any stop', async () => {
    const tmp = tempDir();
    dirs.push(tmp);
    const clock = new VirtualClock(Date.parse('2026-01-12T10:00:00Z'));
    const h = await startHearth({ clock, dataDir: tmp.dir });
    const fx = await seedOrg(h.hearth, 'Alliance', 'hub-snap-6');
    await seedOrg(h.hearth, 'Beacon', 'hub-snap-7'); // commissioned, never heard from
    const hub = await connectHub(h.hearth.ports.mqtt, fx.hub.hubId, fx.hub.secret);
    await hub.publishAsync(topics.events(fx.hub.hubId), JSON.stringify({ id: 'k-1', ts: new Date(clock.now()).toISOString(), sensor: 'kitchen-pir', type: 'motion', value: true }), { qos: 1 });
    await h.hearth.settle();
    const rows = () => h.hearth.services.db.selectFrom('detector_state').select(['hub_id', 'seq', 'saved_at']).execute();
    expect(await rows()).toEqual([]);
    clock.advance(15 * MIN);
    await h.hearth.settle();
    const saved = await rows();
    expect(saved.map((r) => r.hub_id)).toEqual([fx.hub.hubId]);
    const seq = (await h.hearth.services.db.selectFrom('events').select('seq').where('event_id', '=', 'k-1').executeTakeFirstOrThrow()).seq;
    expect(saved[0]!.seq).toBe(seq);
    expect(saved[0]!.saved_at).toBe(Date.parse('2026-01-12T10:15:00Z'));
    await hub.endAsync();
    await h.hearth.stop();
  });

  it('a fall 5 min before a restart still becomes a long lie 20 min after the fall, once', async () => {
    const { tmp, clock, fallAt } = await fallThenStop('hub-snap-1', 5 * MIN);
    const second = await startHearth({ clock, dataDir: tmp.dir });
    clock.advanceTo(fallAt + 19 * MIN);
    await second.hearth.settle();
    expect((await alertRows(second.hearth)).map((a) => a.type)).toEqual(['fall']);
    clock.advanceTo(fallAt + 21 * MIN);
    await second.hearth.settle();
    clock.advanceTo(fallAt + 40 * MIN);
    await second.hearth.settle();
    const rows = await alertRows(second.hearth);
    expect(rows.map((a) => [a.type, a.repeat_count])).toEqual([
      ['fall', 0],
      ['long-lie', 0],
    ]);
    // Decided on the first tick past 20 min (ticks are 15 s apart), not at the restart's offset.
    expect(JSON.parse(rows[1]!.cause)).toMatchObject({ rule: 'long-lie-after-fall', thresholdMinutes: 20, quietMinutes: 20 });
    await second.hearth.stop();
  });

  it('after a crash with a snapshot older than the feed checkpoint, the events in between are caught up without repeating their alerts', async () => {
    const { tmp, clock, fx, fallAt, beforeFall } = await fallThenStop('hub-snap-2', 3 * MIN, { resolveFall: true });
    // As if the process died after the fall was handled (checkpoint saved, alert stored) but before
    // the next periodic save: the saved snapshot is the one from before the fall.
    const raw = await openDatabase(path.join(tmp.dir, 'hearth.sqlite'));
    await raw.db
      .updateTable('detector_state')
      .set({ state: JSON.stringify(beforeFall), seq: beforeFall!.seq })
      .where('hub_id', '=', fx.hub.hubId)
      .execute();
    await raw.db.destroy();
    const second = await startHearth({ clock, dataDir: tmp.dir });
    clock.advanceTo(fallAt + 25 * MIN);
    await second.hearth.settle();
    // The fall re-fed in the catch-up raises nothing (its alert was handled and closed); the long lie still comes.
    const rows = await alertRows(second.hearth);
    expect(rows.map((a) => [a.type, a.repeat_count])).toEqual([
      ['fall', 0],
      ['long-lie', 0],
    ]);
    await second.hearth.stop();
  });

  it('a corrupt or old-version snapshot row is ignored and logged; the server starts with the plan\'s defaults', async () => {
    for (const [hubId, damage] of [
      ['hub-snap-3', { state: '{"version":1,"seq":3,"detec' }],
      ['hub-snap-4', { version: 0 }],
    ] as const) {
      const { tmp, clock, fx, fallAt } = await fallThenStop(hubId, 5 * MIN);
      const raw = await openDatabase(path.join(tmp.dir, 'hearth.sqlite'));
      await raw.db.updateTable('detector_state').set(damage).where('hub_id', '=', fx.hub.hubId).execute();
      await raw.db.destroy();
      const second = await loggedHearth(clock, tmp.dir);
      expect(second.lines.some((l) => l.hubId === fx.hub.hubId && /detector snapshot (unreadable|of another version)/.test(l.msg))).toBe(true);
      // No secret or state content in the log.
      expect(second.lines.some((l) => JSON.stringify(l).includes('fall-1'))).toBe(false);
      clock.advanceTo(fallAt + 30 * MIN);
      await second.hearth.settle();
      // The pending fall was forgotten with the snapshot: the plan's defaults, no long lie.
      expect((await alertRows(second.hearth)).map((a) => a.type)).toEqual(['fall']);
      await second.hearth.stop();
    }
  });

  it('a home that learned a fortnight keeps its learned rising time across stop() and start()', async () => {
    const tmp = tempDir();
    dirs.push(tmp);
    const clock = new VirtualClock(Date.parse('2026-11-01T23:00:00Z'));
    const setup = await startHearth({ clock, dataDir: tmp.dir });
    const fx = await seedOrg(setup.hearth, 'Alliance', 'hub-snap-5');
    const home = (await setup.hearth.services.directory.getHome(fx.hub.hubId))!;
    await setup.hearth.stop();
    // The fortnight is learned by an AnomalyCore of the server's own kind on the same clock, with the
    // home as the server commissioned it: a full server's virtual fortnight costs seconds of timers
    // (home refresh, routing) that have nothing to do with this. Up at 06:00, the kitchen every 30 min.
    const learner = new AnomalyCore({ clock, homes: { get: (id) => (id === home.hubId ? home : undefined) }, sink: () => {} });
    learner.start();
    let n = 0;
    for (let d = 2; d <= 15; d++) {
      for (let m = 6 * 60; m <= 22 * 60; m += 30) {
        const ts = Date.parse(`2026-11-${String(d).padStart(2, '0')}T00:00:00Z`) + m * MIN;
        clock.advanceTo(ts);
        learner.process({ hubId: home.hubId, id: `m-${++n}`, ts, receivedAt: ts, sensor: 'kitchen-pir', type: 'motion', value: true, battery: null, late: false, seq: n });
      }
    }
    clock.advanceTo(Date.parse('2026-11-16T00:30:00Z'));
    learner.stop();

    // The live server holds that state in memory (handed over as a restart would), and stop() saves it.
    const first = await startHearth({ clock, dataDir: tmp.dir });
    expect(first.hearth.services.core.restoreHome(home.hubId, learner.snapshotHome(home.hubId))).toBe(true);
    await first.hearth.stop();

    const second = await startHearth({ clock, dataDir: tmp.dir });
    const row = await second.hearth.services.db.selectFrom('detector_state').select(['state', 'seq']).where('hub_id', '=', fx.hub.hubId).executeTakeFirstOrThrow();
    expect(row.seq).toBe(n);
    expect(row.state.length).toBeLessThan(32 * 1024);
    // The hub reconnects after the restart (with nothing buffered).
    const hub = await connectHub(second.hearth.ports.mqtt, fx.hub.hubId, fx.hub.secret);
    await second.hearth.settle();
    // Nobody stirs on the 16th: learned rising 06:00 + 2 h says 08:00; the plan's 08:00 would wait until 10:00.
    clock.advanceTo(Date.parse('2026-11-16T09:00:00Z'));
    await second.hearth.settle();
    const notUp = (await alertRows(second.hearth)).filter((a) => a.type === 'not-up');
    expect(notUp).toHaveLength(1);
    expect(JSON.parse(notUp[0]!.cause)).toMatchObject({ usualRising: '06:00', learned: true });
    // Every learned day came through (inactivity norms replace the plan's ceiling after 4).
    const routine = (JSON.parse(row.state) as { detectors: { routine: { nums: { daysLearned: number } } } }).detectors.routine;
    expect(routine.nums.daysLearned).toBe(14);
    await hub.endAsync();
    await second.hearth.stop();
  });
});
