import { HUB_ID_PATTERN, SENSOR_KINDS, type HomeDescription, type SensorType } from '../../../protocol/index.ts';
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
      homes: { get: (id) => homes.get(id) },
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

/** Why a replay line was refused. */
export class ReplayLineError extends Error {}

const HUB_RE = new RegExp(HUB_ID_PATTERN);
// Read once: an imported binding re-exported through protocol/index.ts is a getter call per use.
const KINDS = SENSOR_KINDS;
// Hub ids already checked: a replay has few hubs and many lines.
const knownHubs = new Set<string>();

// Two decimal digits at i, or NaN.
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

/** Epoch ms of an RFC 3339 time, or NaN (Date.parse alone would also take "2026" or "Jan 1"). */
export function parseTime(s: string): number {
  // The shape by its separators (cheaper than a regular expression); Date.parse checks the digits.
  const n = s.length;
  const zone = s.charCodeAt(n - 1);
  const sign = s.charCodeAt(n - 6);
  if (
    n < 20 ||
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    (s.charCodeAt(10) | 32) !== 116 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58 ||
    !((zone | 32) === 122 || ((sign === 43 || sign === 45) && s.charCodeAt(n - 3) === 58))
  ) {
    return NaN;
  }
  let t: number;
  if (n === 24 && zone === 90 && s.charCodeAt(19) === 46) {
    // The shape every Hearth writer uses (toISOString): read by hand, three times faster than Date.parse.
    const mo = digits2(s, 5);
    const da = digits2(s, 8);
    const h = digits2(s, 11);
    const mi = digits2(s, 14);
    const se = digits2(s, 17);
    const last = s.charCodeAt(22) - 48;
    const ms = last >= 0 && last <= 9 ? digits2(s, 20) * 10 + last : NaN;
    if (!(mo >= 1 && mo <= 12 && da >= 1 && h <= 23 && mi <= 59 && se <= 59 && ms >= 0)) return NaN;
    t = Date.UTC(digits2(s, 0) * 100 + digits2(s, 2), mo - 1, da, h, mi, se, ms);
  } else {
    t = Date.parse(s);
  }
  // Date.parse rolls 31 February over into March: check the day of the month when it could overflow.
  const day = (s.charCodeAt(8) - 48) * 10 + (s.charCodeAt(9) - 48);
  if (day > 28 && new Date(Date.parse(`${s.slice(0, 10)}T00:00:00Z`)).getUTCDate() !== day) return NaN;
  return t;
}

/**
 * One replay line (already JSON-parsed) checked and converted: hub, id, ts, sensor,
 * type and value as the hub protocol says (the value against its kind's row of
 * SENSOR_KINDS), plus optional battery and `receivedAt`. Throws ReplayLineError.
 */
export function toReplayEvent(o: unknown): ReplayEvent {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new ReplayLineError('not a JSON object');
  const r = o as Record<string, unknown>;
  const { hub, id, ts, sensor, type, value } = r;
  if (typeof hub !== 'string' || (!knownHubs.has(hub) && !HUB_RE.test(hub))) throw new ReplayLineError('"hub" must be a hub id (3 to 64 of a-z, 0-9, -)');
  if (knownHubs.size < 100_000) knownHubs.add(hub);
  if (typeof id !== 'string' || id.length < 1 || id.length > 64) throw new ReplayLineError('"id" must be 1 to 64 characters');
  if (typeof sensor !== 'string' || sensor.length < 1 || sensor.length > 64) throw new ReplayLineError('"sensor" must be 1 to 64 characters');
  if (typeof ts !== 'string') throw new ReplayLineError('"ts" must be an RFC 3339 time');
  const t = parseTime(ts);
  if (Number.isNaN(t)) throw new ReplayLineError(`"ts" is not a time: ${JSON.stringify(ts).slice(0, 40)}`);
  let rcv = t;
  if (r.receivedAt !== undefined) {
    if (typeof r.receivedAt !== 'string' || Number.isNaN((rcv = parseTime(r.receivedAt)))) throw new ReplayLineError('"receivedAt" must be an RFC 3339 time');
  }
  if (typeof type !== 'string' || !Object.hasOwn(KINDS, type)) throw new ReplayLineError(`unknown event type ${JSON.stringify(type).slice(0, 40)}`);
  const kind = KINDS[type as SensorType];
  if (!valueOk(type as SensorType, value) && !kind.value.safeParse(value).success) {
    throw new ReplayLineError(`value ${JSON.stringify(value)?.slice(0, 40)} is not valid for type "${type}" (${kind.meaning})`);
  }
  let battery: number | null = null;
  if (r.battery !== undefined) {
    if (typeof r.battery !== 'number' || !(r.battery >= 0 && r.battery <= 100)) throw new ReplayLineError('"battery" must be 0 to 100');
    battery = r.battery;
  }
  return { hubId: hub, id, ts: t, receivedAt: rcv, sensor, type: type as SensorType, value, battery, late: false, sensorInfo: undefined };
}

// Every kind's value checked without zod, for speed (the same rules as SENSOR_KINDS); a value
// refused here is still offered to the kind's zod schema, so the table stays the authority.
function valueOk(type: SensorType, v: unknown): boolean {
  switch (type) {
    case 'motion':
    case 'smoke':
    case 'water':
    case 'tamper':
      return typeof v === 'boolean';
    case 'door':
      return v === 'open' || v === 'closed';
    case 'bed':
    case 'chair':
      return v === 'in' || v === 'out';
    case 'temperature':
      return typeof v === 'number' && v >= -50 && v <= 80;
    case 'battery':
      return typeof v === 'number' && v >= 0 && v <= 100;
    case 'call':
      return v === 'pressed' || v === 'cancelled';
    case 'power':
      return v === 'mains' || v === 'battery';
    case 'fall':
      return v === true || (typeof v === 'number' && v >= 0 && v <= 1);
    default:
      return false;
  }
}
