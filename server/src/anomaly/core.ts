import type { Logger } from 'pino';
import type { HomeInfo } from '../care/directory.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { StoredEvent } from '../events.ts';
import type { AlertSignal, CoreEvent, Detector, DetectorContext, DetectorFactory } from './detector.ts';
import { DEFAULT_DETECTORS } from './detectors/index.ts';

/** Where the core finds a home; synchronous, so replay runs at full speed. */
export interface HomeSource {
  get(hubId: string): HomeInfo | undefined;
}

interface HomeState {
  detectors: Detector[];
  ctx: DetectorContext;
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
  private readonly factories: DetectorFactory[];
  private readonly tickMs: number;
  private timer: TimerHandle | undefined;
  /** Detector failures caught so far (a failing detector never stops the others). */
  failures = 0;
  /** Events processed so far. */
  processed = 0;

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
    const state = this.stateOf(event.hubId);
    if (!state) return;
    this.processed++;
    const core: CoreEvent = { ...event, sensorInfo: state.ctx.home.sensors.get(event.sensor) };
    for (const d of state.detectors) {
      try {
        d.onEvent(core, state.ctx);
      } catch (err) {
        this.fail(d, err);
      }
    }
  }

  /** Give every home's detectors a clock tick now. */
  tick(): void {
    const now = this.options.clock.now();
    for (const state of this.homes.values()) {
      for (const d of state.detectors) {
        if (!d.onTick) continue;
        try {
          d.onTick(now, state.ctx);
        } catch (err) {
          this.fail(d, err);
        }
      }
    }
  }

  /** Forget a home's detector state (e.g. the hub was decommissioned). */
  forget(hubId: string): void {
    this.homes.delete(hubId);
  }

  private stateOf(hubId: string): HomeState | undefined {
    const existing = this.homes.get(hubId);
    if (existing) return existing;
    if (!this.options.homes.get(hubId)) return undefined;
    const { clock, sink, homes } = this.options;
    const ctx: DetectorContext = {
      // A getter, so a re-commissioned home is seen at once without losing detector state.
      get home() {
        return homes.get(hubId)!;
      },
      now: () => clock.now(),
      emit: sink,
    };
    const state: HomeState = { detectors: this.factories.map((f) => f(ctx.home)), ctx };
    this.homes.set(hubId, state);
    return state;
  }

  private fail(d: Detector, err: unknown): void {
    this.failures++;
    this.options.log?.error({ err, detector: d.name }, 'detector failed');
  }
}
