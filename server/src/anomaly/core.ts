import type { Logger } from 'pino';
import type { HomeInfo } from '../care/directory.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { StoredEvent } from '../events.ts';
import type { AlertSignal, CoreEvent, Detector, DetectorContext, DetectorFactory, HubSignal } from './detector.ts';
import { DEFAULT_DETECTORS } from './detectors/index.ts';

/** Where the core finds a home; synchronous, so replay runs at full speed. */
export interface HomeSource {
  get(hubId: string): HomeInfo | undefined;
  /**
   * Every home is the same object for the source's whole life (replay): the core then keeps the one
   * it was given instead of asking again each time a detector reads `ctx.home`. Default false (live:
   * a re-commissioned home is a new object, seen at once).
   */
  readonly fixed?: boolean;
}

interface HomeState {
  detectors: Detector[];
  ctx: DetectorContext;
  /** Highest store sequence number of this home's events fed so far (0: none). */
  seq: number;
  /** Events up to this sequence number are in the restored snapshot already and are skipped. */
  restoredSeq: number;
  /** Something may have changed since the last snapshot was taken. */
  changed: boolean;
  /** Earliest time any detector needs a tick. */
  due: number;
  /** The due time this home is queued under in the wake heap (Infinity: not queued). */
  queued: number;
}

/** A min-heap of homes by wake time; stale entries are skipped when popped. */
class WakeHeap {
  private readonly dues: number[] = [];
  private readonly states: HomeState[] = [];

  get size(): number {
    return this.dues.length;
  }

  peek(): number {
    return this.dues.length ? this.dues[0]! : Infinity;
  }

  push(due: number, state: HomeState): void {
    let i = this.dues.length;
    this.dues.push(due);
    this.states.push(state);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.dues[p]! <= due) break;
      this.dues[i] = this.dues[p]!;
      this.states[i] = this.states[p]!;
      i = p;
    }
    this.dues[i] = due;
    this.states[i] = state;
  }

  pop(): { due: number; state: HomeState } {
    const due = this.dues[0]!;
    const state = this.states[0]!;
    const lastDue = this.dues.pop()!;
    const lastState = this.states.pop()!;
    const n = this.dues.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && this.dues[r]! < this.dues[l]! ? r : l;
        if (this.dues[c]! >= lastDue) break;
        this.dues[i] = this.dues[c]!;
        this.states[i] = this.states[c]!;
        i = c;
      }
      this.dues[i] = lastDue;
      this.states[i] = lastState;
    }
    return { due, state };
  }
}

/** Version of the home snapshot's layout; a snapshot of another version is ignored (the plan's defaults are used). */
export const SNAPSHOT_VERSION = 1;

/** One home's detector state, as kept between runs. */
export interface HomeSnapshot {
  version: number;
  /** Highest store sequence number of the home's events the state reflects. */
  seq: number;
  /** Each detector's own state, by detector name. */
  detectors: Record<string, unknown>;
}

/** Options of the anomaly core. */
export interface AnomalyCoreOptions {
  clock: Clock;
  homes: HomeSource;
  /** Receives every signal; in the live server, the alert service. */
  sink: (signal: AlertSignal) => void;
  factories?: DetectorFactory[];
  /** How often detectors get a tick (ms). Default 15 s. */
  tickMs?: number;
  log?: Logger;
}

/**
 * The streaming anomaly core: one set of detectors per home, each with its own
 * state, fed events and clock ticks. The live server and `npm run replay` run
 * this same class; only the clock and the sink differ.
 */
export class AnomalyCore {
  private readonly homes = new Map<string, HomeState>();
  private readonly wake = new WakeHeap();
  private readonly factories: DetectorFactory[];
  private readonly tickMs: number;
  private timer: TimerHandle | undefined;
  /** Detector failures caught so far (a failing detector never stops the others). */
  failures = 0;
  /** Events processed so far. */
  processed = 0;
  /** While set, signals are dropped: a catch-up re-feeds events whose alerts were already raised. */
  private muted = false;
  /** During a catch-up, the time detectors see. */
  private pastNow: number | undefined;
  /** One sink wrapper for every home (a closure per home would cost memory across 10,000 homes). */
  private readonly emit = (signal: AlertSignal): void => {
    if (!this.muted) this.options.sink(signal);
  };

  constructor(private readonly options: AnomalyCoreOptions) {
    this.factories = options.factories ?? DEFAULT_DETECTORS;
    this.tickMs = options.tickMs ?? 15_000;
  }

  /** Start ticking on the injected clock. */
  start(): void {
    const loop = (): void => {
      this.tick();
      this.timer = this.options.clock.setTimeout(loop, this.tickMs);
    };
    this.timer = this.options.clock.setTimeout(loop, this.tickMs);
  }

  /** Stop ticking. */
  stop(): void {
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Feed one stored event to its home's detectors. Unknown hubs are ignored (and counted by ingest). */
  process(event: StoredEvent): void {
    const seq = event.seq;
    if (seq !== undefined) {
      const st = this.homes.get(event.hubId);
      if (st && seq <= st.restoredSeq) return; // already in the restored snapshot
    }
    this.feedOne(event);
    if (seq !== undefined) {
      const st = this.homes.get(event.hubId);
      if (st && seq > st.seq) st.seq = seq;
    }
  }

  private feedOne(event: StoredEvent): void {
    // One fixed shape for every event keeps the detectors' property reads monomorphic (replay speed).
    this.processCore({
      hubId: event.hubId,
      id: event.id,
      ts: event.ts,
      receivedAt: event.receivedAt,
      sensor: event.sensor,
      type: event.type,
      value: event.value,
      battery: event.battery,
      late: event.late,
      sensorInfo: undefined,
    });
  }

  /**
   * Feed an event the caller owns (replay): its `sensorInfo` is filled in here, in
   * place, so nothing is allocated per event.
   */
  processCore(core: CoreEvent): void {
    const state = this.stateOf(core.hubId);
    if (!state) return;
    this.processed++;
    state.changed = true;
    core.sensorInfo = state.ctx.home.sensors.get(core.sensor);
    for (const d of state.detectors) {
      try {
        d.onEvent(core, state.ctx);
      } catch (err) {
        this.fail(d, err);
      }
    }
    this.reschedule(state);
  }

  /** A hub's heartbeat, status (or last will) or broker connection, for its home's detectors. */
  hubSignal(signal: HubSignal): void {
    const state = this.stateOf(signal.hubId);
    if (!state) return;
    state.changed = true;
    for (const d of state.detectors) {
      if (!d.onHub) continue;
      try {
        d.onHub(signal, state.ctx);
      } catch (err) {
        this.fail(d, err);
      }
    }
    this.reschedule(state);
  }

  /** A hub's heartbeat. */
  hubHeartbeat(hubId: string, seq: number, at: number): void {
    this.hubSignal({ kind: 'heartbeat', hubId, seq, at });
  }

  /** A hub's status message (its last will arrives as offline). */
  hubStatus(hubId: string, online: boolean, at: number, power?: 'mains' | 'battery'): void {
    this.hubSignal({ kind: 'status', hubId, online, at, power });
  }

  /** A hub connected to or left the broker. */
  hubConnection(hubId: string, connected: boolean, at: number): void {
    this.hubSignal({ kind: 'connection', hubId, connected, at });
  }

  /** Give the detectors of every home with something due a clock tick now. */
  tick(): void {
    const now = this.options.clock.now();
    while (this.wake.peek() <= now) {
      const { due, state } = this.wake.pop();
      if (due !== state.queued) continue; // superseded entry
      state.queued = Infinity;
      this.tickHome(state, now);
    }
  }

  /** The earliest time a home's detectors need a tick (Infinity: none). Replay ticks only then. */
  nextDue(): number {
    return this.wake.peek();
  }

  /** The tick period (ms). */
  get tickPeriod(): number {
    return this.tickMs;
  }

  /** Number of homes with detector state. */
  get homeCount(): number {
    return this.homes.size;
  }

  /** Forget a home's detector state (e.g. the hub was decommissioned). */
  forget(hubId: string): void {
    const state = this.homes.get(hubId);
    if (state) state.queued = NaN; // its heap entries become stale
    this.homes.delete(hubId);
  }

  /** The hubs of every home with detector state. */
  homeIds(): string[] {
    return [...this.homes.keys()];
  }

  /** Hubs whose state may have changed since the last call (the marks are cleared): the homes to save. */
  takeChanged(): string[] {
    const out: string[] = [];
    for (const [id, st] of this.homes) {
      if (!st.changed) continue;
      st.changed = false;
      out.push(id);
    }
    return out;
  }

  /** Mark homes changed again (their snapshot could not be saved). */
  markChanged(hubIds: Iterable<string>): void {
    for (const id of hubIds) {
      const st = this.homes.get(id);
      if (st) st.changed = true;
    }
  }

  /** A home's detector state as plain JSON, or undefined for a home the core does not know. */
  snapshotHome(hubId: string): HomeSnapshot | undefined {
    const state = this.homes.get(hubId);
    if (!state) return undefined;
    const detectors: Record<string, unknown> = {};
    for (const d of state.detectors) {
      if (!d.snapshot) continue;
      try {
        detectors[d.name] = d.snapshot();
      } catch (err) {
        this.fail(d, err);
      }
    }
    return { version: SNAPSHOT_VERSION, seq: state.seq, detectors };
  }

  /**
   * Take back a home's snapshot before any of its events are fed. A snapshot of
   * another version, or one that is not a snapshot at all, is ignored with a log
   * line; a detector that cannot read its part starts afresh. Returns whether any
   * state was restored. Events up to the snapshot's sequence number are then skipped.
   * `savedAt`: when the server last confirmed this state (default: now, no downtime).
   */
  restoreHome(hubId: string, snapshot: unknown, savedAt = this.options.clock.now()): boolean {
    const snap = snapshot as Partial<HomeSnapshot> | null;
    if (typeof snap !== 'object' || snap === null || snap.version !== SNAPSHOT_VERSION || typeof snap.seq !== 'number' || typeof snap.detectors !== 'object' || snap.detectors === null) {
      const version = typeof snap === 'object' && snap !== null ? snap.version : undefined;
      this.options.log?.warn({ hubId, version, expected: SNAPSHOT_VERSION }, 'detector snapshot ignored: not of this version; the home starts from its plan');
      return false;
    }
    const state = this.stateOf(hubId);
    if (!state) return false;
    let restored = false;
    state.detectors = state.detectors.map((d, i) => {
      const part = snap.detectors![d.name];
      if (part === undefined || !d.restore) return d;
      try {
        d.restore(part, state.ctx, savedAt);
        restored = true;
        return d;
      } catch (err) {
        this.options.log?.warn({ hubId, detector: d.name, err: String(err) }, 'detector snapshot part unreadable; that detector starts afresh');
        // A half-restored detector is worse than a fresh one.
        return this.factories[i]!(state.ctx.home);
      }
    });
    if (restored) {
      state.seq = Math.max(state.seq, snap.seq);
      state.restoredSeq = snap.seq;
    }
    this.reschedule(state);
    return restored;
  }

  /**
   * Re-feed events a home had already seen before a crash but its saved snapshot
   * predates (their alerts are durable already, so every signal is dropped), ticking
   * the home on the way as it was ticked live, so conditions raised then are raised now too.
   */
  catchUp(events: StoredEvent[]): void {
    this.muted = true;
    try {
      for (const e of events) {
        const state = this.homes.get(e.hubId);
        if (!state) continue;
        // Detectors see the time the event was first handled, not the restart's.
        for (let guard = 0; state.due <= e.receivedAt && guard < 100; guard++) {
          const at = Number.isFinite(state.due) ? state.due : e.receivedAt;
          this.pastNow = at;
          this.tickHome(state, at);
        }
        this.pastNow = e.receivedAt;
        this.process(e);
      }
    } finally {
      this.muted = false;
      this.pastNow = undefined;
    }
  }

  private tickHome(state: HomeState, now: number): void {
    state.changed = true;
    for (const d of state.detectors) {
      if (!d.onTick) continue;
      try {
        d.onTick(now, state.ctx);
      } catch (err) {
        this.fail(d, err);
      }
    }
    this.reschedule(state, now);
  }

  private reschedule(state: HomeState, tickedAt?: number): void {
    let due = Infinity;
    for (const d of state.detectors) {
      if (d.due) {
        let t: number;
        try {
          t = d.due();
        } catch (err) {
          this.fail(d, err);
          continue;
        }
        if (t < due) due = t;
      } else if (d.onTick) {
        due = -Infinity; // no due(): ticked every tick
      }
    }
    // A detector that is still due right after its tick would spin: wait for the next tick instead.
    if (tickedAt !== undefined && due <= tickedAt) due = tickedAt + 1;
    state.due = due;
    if (due < state.queued) {
      state.queued = due;
      this.wake.push(due, state);
    }
  }

  private stateOf(hubId: string): HomeState | undefined {
    const existing = this.homes.get(hubId);
    if (existing) return existing;
    const { clock, homes } = this.options;
    const home = homes.get(hubId);
    if (!home) return undefined;
    const now = (): number => this.pastNow ?? clock.now();
    const ctx: DetectorContext = homes.fixed
      ? { home, now, emit: this.emit }
      : {
          // A getter, so a re-commissioned home is seen at once without losing detector state.
          get home() {
            return homes.get(hubId)!;
          },
          now,
          emit: this.emit,
        };
    const state: HomeState = { detectors: this.factories.map((f) => f(ctx.home)), ctx, due: Infinity, queued: Infinity, seq: 0, restoredSeq: 0, changed: true };
    this.homes.set(hubId, state);
    return state;
  }

  private fail(d: Detector, err: unknown): void {
    this.failures++;
    this.options.log?.error({ err, detector: d.name }, 'detector failed');
  }
}
