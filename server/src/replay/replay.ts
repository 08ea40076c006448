import type { HomeDescription } from '../../../protocol/index.ts';
import { AnomalyCore } from '../anomaly/core.ts';
import type { AlertSignal, CoreEvent, DetectorFactory } from '../anomaly/detector.ts';
import { HEARTBEAT_MS } from '../anomaly/detectors/hub-liveness.ts';
import type { HomeInfo, SensorInfo } from '../care/directory.ts';
import { ALERT_TYPES, planWithDefaults, type AlertType, type Severity } from '../care/model.ts';
import { VirtualClock } from '../clock.ts';

/**
 * One replay event, times parsed (`receivedAt`: when it arrived, default its `ts`).
 * Shaped as the core's event so the replay hands it over without copying;
 * `late` and `sensorInfo` are filled in by the replay.
 */
export type ReplayEvent = CoreEvent;

/** One alert the replay raised, as written to the output (one JSON line each). */
export interface ReplayAlert {
  type: AlertType;
  severity: Severity;
  hub: string;
  resident: string | null;
  /** Virtual time the alert was raised. */
  raisedAt: string;
  /** When its condition began (sensor time). */
  occurredAt: string;
  /** Raised on events that arrived late. */
  late: boolean;
  cause: AlertSignal['cause'];
}

/** Replay options; every one has a default. */
export interface ReplayOptions {
  /** An open alert counts as resolved by the operator this long after it was raised (no operator in a replay). Default 30. */
  resolveAfterMinutes?: number;
  /** Core tick (ms). Default 15 s, as live. */
  tickMs?: number;
  /** An event is late when it arrived more than this after its ts (as ingest: HEARTH_LATE_SECONDS). Default 120. */
  lateSeconds?: number;
  /** Take a late drain as the hub having been offline since its first buffered event (emulating missed heartbeats). Default true. */
  inferOutages?: boolean;
  /** Detectors; default the live server's. */
  factories?: DetectorFactory[];
}

/** What a replay produced. */
export interface ReplayResult {
  alerts: ReplayAlert[];
  stats: { events: number; unknownHub: number; signals: number; repeats: number; homes: number; detectorFailures: number };
}

/** Home descriptions (protocol HomeDescriptionSchema, already parsed) as the homes the detectors see. */
export function homesFromDescriptions(descs: readonly HomeDescription[], orgId = 'replay'): Map<string, HomeInfo> {
  const homes = new Map<string, HomeInfo>();
  for (const d of descs) {
    const sensors = new Map<string, SensorInfo>();
    for (const s of d.sensors) sensors.set(s.sensor, { sensorId: s.sensor, type: s.type, room: s.room, role: s.role ?? null, commissioned: true, ...(s.evidence ? { evidence: s.evidence } : {}) });
    homes.set(d.hub, {
      hubId: d.hub,
      orgId,
      residents: d.residents.map((r) => ({
        id: r.id,
        name: r.name,
        timezone: d.timezone,
        plan: planWithDefaults(r.plan),
        away: r.away,
        coordinatorId: null,
        neighbourhoodId: 'replay',
      })),
      sensors,
    });
  }
  return homes;
}

/**
 * The alert service's one-open-alert rule, in memory: at most one open alert per
 * (resident or hub, type); a raise while one is open is a repeat. With no operator,
 * an alert is taken as resolved `resolveAfterMs` after it was raised; a cancel
 * (within a call's cancel window) closes it at once.
 */
class ReplaySink {
  readonly alerts: ReplayAlert[] = [];
  repeats = 0;
  signals = 0;
  private readonly open = new Map<string, number>();

  constructor(
    private readonly resolveAfterMs: number,
    private readonly onAlert?: (a: ReplayAlert) => void,
  ) {}

  handle(s: AlertSignal): void {
    this.signals++;
    const key = `${s.residentId ?? s.hubId}\u0000${s.type}`;
    const raisedAt = this.open.get(key);
    const isOpen = raisedAt !== undefined && s.at < raisedAt + this.resolveAfterMs;
    if (s.action === 'raise') {
      if (isOpen) {
        this.repeats++;
        return;
      }
      this.open.set(key, s.at);
      const alert: ReplayAlert = {
        type: s.type,
        severity: ALERT_TYPES[s.type].severity,
        hub: s.hubId,
        resident: s.residentId,
        raisedAt: new Date(s.at).toISOString(),
        occurredAt: new Date(s.occurredAt).toISOString(),
        late: s.late,
        cause: s.cause,
      };
      this.alerts.push(alert);
      this.onAlert?.(alert);
    } else if (s.action === 'cancel' && isOpen && ALERT_TYPES[s.type].cancellable) {
      this.open.delete(key);
    }
  }
}

/** A hub status the replay feeds the core (an outage read from a late drain). */
export interface ReplayOutage {
  at: number;
  hub: string;
  online: boolean;
}

/**
 * One replay in progress, fed events one at a time in arrival order (so a large file
 * streams through without being held in memory). Before each event the virtual clock
 * is advanced to its arrival, firing the core's ticks on the way: the same grid as
 * core.start() lays (every tickMs from the first arrival), but only the ticks at which
 * some home has something due. An event arriving before the one before it (a file
 * out of arrival order) is taken at the current virtual time, as the live server would.
 */
export class ReplayRun {
  private readonly sink: ReplaySink;
  private readonly clock = new VirtualClock(0);
  private readonly core: AnomalyCore;
  private readonly lateMs: number;
  private first = NaN;
  private o = 0;
  private unknownHub = 0;
  private processed = 0;
  /** Events that arrived before the event before them. */
  outOfOrder = 0;

  constructor(
    private readonly homes: Map<string, HomeInfo>,
    options: ReplayOptions = {},
    onAlert?: (a: ReplayAlert) => void,
    /** Hub statuses to feed, sorted by time (see inferOutages). */
    private readonly outages: ReplayOutage[] = [],
  ) {
    this.lateMs = (options.lateSeconds ?? 120) * 1000;
    this.sink = new ReplaySink((options.resolveAfterMinutes ?? 30) * 60_000, onAlert);
    this.core = new AnomalyCore({
      clock: this.clock,
      // A replay's homes do not change while it runs.
      homes: { get: (id) => homes.get(id), fixed: true },
      sink: (s) => this.sink.handle(s),
      ...(options.factories ? { factories: options.factories } : {}),
      ...(options.tickMs ? { tickMs: options.tickMs } : {}),
    });
  }

  /** Feed the next event (its `late` and `sensorInfo` are filled in here). */
  push(e: ReplayEvent): void {
    const rcv = e.receivedAt;
    if (Number.isNaN(this.first)) {
      this.first = rcv;
      this.clock.advanceTo(rcv);
    }
    if (rcv < this.clock.now()) this.outOfOrder++;
    this.statusesUntil(rcv);
    this.tickUntil(rcv);
    if (rcv > this.clock.now()) this.clock.advanceTo(rcv);
    if (!this.homes.has(e.hubId)) {
      this.unknownHub++;
      return;
    }
    e.late = rcv - e.ts > this.lateMs;
    this.core.processCore(e);
    this.processed++;
  }

  /** Run the clock on to `until` (default: the last arrival: the recording ends there) and report. */
  finish(until?: number): ReplayResult {
    const end = until ?? this.clock.now();
    if (!Number.isNaN(this.first)) {
      this.statusesUntil(end);
      this.tickUntil(end);
      if (end > this.clock.now()) this.clock.advanceTo(end);
    }
    const { sink, core } = this;
    return {
      alerts: sink.alerts,
      stats: { events: this.processed, unknownHub: this.unknownHub, signals: sink.signals, repeats: sink.repeats, homes: core.homeCount, detectorFailures: core.failures },
    };
  }

  private statusesUntil(t: number): void {
    while (this.o < this.outages.length && this.outages[this.o]!.at <= t) {
      const x = this.outages[this.o++]!;
      this.tickUntil(x.at);
      if (x.at > this.clock.now()) this.clock.advanceTo(x.at);
      this.core.hubStatus(x.hub, x.online, x.at);
    }
  }

  private tickUntil(t: number): void {
    const tickMs = this.core.tickPeriod;
    const first = this.first;
    for (;;) {
      const due = this.core.nextDue();
      if (due > t) return;
      const at = Math.max(first + tickMs, first + Math.ceil((due - first) / tickMs) * tickMs);
      if (at > t) return;
      if (at > this.clock.now()) this.clock.advanceTo(at);
      this.core.tick();
    }
  }
}

/**
 * Run the live server's detectors over recorded events in virtual time, as fast
 * as they go, with the same AnomalyCore. Events are taken in arrival order (a
 * stable sort by `receivedAt` if they are not in it); outages are read from late
 * drains unless `inferOutages` is false.
 */
export function replay(input: {
  homes: Map<string, HomeInfo>;
  events: ReplayEvent[];
  options?: ReplayOptions;
  /** Called with each alert as it is raised (e.g. to stream it out). */
  onAlert?: (a: ReplayAlert) => void;
  /** Run the clock on to this time after the last event (default: the last arrival; recorded data ends there). */
  until?: number;
}): ReplayResult {
  const opts = input.options ?? {};
  let events = input.events;
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.receivedAt < events[i - 1]!.receivedAt) {
      events = [...events].sort((a, b) => a.receivedAt - b.receivedAt);
      break;
    }
  }
  const outages = opts.inferOutages === false ? [] : inferOutages(events, (opts.lateSeconds ?? 120) * 1000, input.homes);
  const run = new ReplayRun(input.homes, opts, input.onAlert, outages);
  for (const e of events) run.push(e);
  return run.finish(input.until);
}

/**
 * Outages read from late drains: when events of a hub arrive late after a gap in
 * its arrivals, the live server would have missed the hub's heartbeats from about
 * the first buffered event on. Emulate that: offline at the first buffered event's
 * time plus the missed heartbeats, online at the drain's arrival. Takes events in
 * arrival order; the late ones alone are enough (the CLI's first pass reads only those).
 */
export function inferOutages(events: Iterable<Pick<ReplayEvent, 'hubId' | 'ts' | 'receivedAt'>>, lateMs: number, homes: Map<string, HomeInfo>): ReplayOutage[] {
  const lastArrival = new Map<string, number>();
  const out: ReplayOutage[] = [];
  // Per hub, the drain being read: its arrival time and first buffered ts.
  const drains = new Map<string, { at: number; from: number; prev: number }>();
  const flush = (hub: string): void => {
    const d = drains.get(hub);
    if (!d) return;
    drains.delete(hub);
    const missed = homes.get(hub)?.residents[0]?.plan.heartbeatMissed ?? 3;
    const offlineAt = Math.max(d.from, d.prev) + missed * HEARTBEAT_MS + 15_000;
    if (offlineAt < d.at) {
      out.push({ at: offlineAt, hub, online: false });
      out.push({ at: d.at, hub, online: true });
    }
  };
  for (const e of events) {
    const hub = e.hubId;
    const prev = lastArrival.get(hub) ?? -Infinity;
    const d = drains.get(hub);
    if (d && e.receivedAt !== d.at) flush(hub);
    if (e.receivedAt - e.ts > lateMs) {
      const cur = drains.get(hub);
      if (cur) cur.from = Math.min(cur.from, e.ts);
      else drains.set(hub, { at: e.receivedAt, from: e.ts, prev: Number.isFinite(prev) ? prev : e.ts });
    }
    lastArrival.set(hub, e.receivedAt);
  }
  for (const hub of [...drains.keys()]) flush(hub);
  return out.sort((a, b) => a.at - b.at);
}

// Lines: checked and converted (line.ts); re-exported for the library's users.
export { mayBeLate, parseReplayLine, parseTime, ReplayLineError, toReplayEvent } from './line.ts';
