import { z } from 'zod';
import { SENSOR_TYPES } from '../../../protocol/index.ts';
import type { Clock, TimerHandle } from '../../../server/src/clock.ts';
import { STANDARD_LAYOUT } from '../../../simulators/src/layout.ts';
import type { AdapterSink, SensorAdapter, SensorReading } from './adapter.ts';
import { mulberry32 } from '../../../simulators/src/prng.ts';

/** Configuration of the simulated resident. */
export const SimulatorConfigSchema = z.object({
  kind: z.literal('simulator'),
  /**
   * `routine`: the simulators' resident (simulators/src/generate.ts), a seeded persona living their
   * day in local time, events sent as the clock reaches them. `walk`: a simple random walk between rooms.
   */
  mode: z.enum(['routine', 'walk']).default('walk'),
  /** Persona of the routine resident (default: chosen by the seed). */
  persona: z.string().optional(),
  timezone: z.string().default('Europe/London'),
  /** Seed of the resident's random walk: the same seed gives the same day. */
  seed: z.number().int().default(1),
  /** Seconds between the resident's moves (0: no random walk, script only). */
  stepSeconds: z.number().min(0).default(60),
  /** Scripted incidents, seconds after start (e.g. a fall). */
  script: z
    .array(z.object({ afterSeconds: z.number().min(0), sensor: z.string(), type: z.enum(SENSOR_TYPES), value: z.unknown() }))
    .default([]),
});
/** Simulator adapter configuration. */
export type SimulatorConfig = z.output<typeof SimulatorConfigSchema>;

// A seeded PRNG (the simulators' mulberry32), so a simulated day is reproducible.
const prng = (seed: number): (() => number) => mulberry32(seed);

/**
 * A simulated resident in the standard home (simulators/src/layout.ts) on the
 * injected clock: either the simulators' persona routine or a simple random
 * walk (motion on in the new room, off in the old, the front door now and
 * then), plus scripted incidents.
 */
export class SimulatorAdapter implements SensorAdapter {
  readonly name = 'simulator';
  private readonly timers: TimerHandle[] = [];
  private stepTimer?: TimerHandle;
  private readonly random: () => number;
  private room = -1;

  constructor(
    private readonly config: SimulatorConfig,
    private readonly clock: Clock,
  ) {
    this.random = prng(config.seed);
  }

  async start(sink: AdapterSink): Promise<void> {
    for (const s of this.config.script) {
      this.timers.push(this.clock.setTimeout(() => sink.reading({ sensor: s.sensor, type: s.type, value: s.value, source: 'simulator script' }), s.afterSeconds * 1000));
    }
    if (this.config.mode === 'routine') return this.startRoutine(sink);
    const pirs = STANDARD_LAYOUT.filter((s) => s.type === 'motion');
    const step = (): void => {
      const next = Math.floor(this.random() * pirs.length);
      if (next !== this.room) {
        if (this.room >= 0) sink.reading({ sensor: pirs[this.room]!.sensor, type: 'motion', value: false, source: 'simulator' });
        this.room = next;
        sink.reading({ sensor: pirs[next]!.sensor, type: 'motion', value: true, source: 'simulator' });
        if (pirs[next]!.room === 'hall' && this.random() < 0.3) {
          sink.reading({ sensor: 'front-door', type: 'door', value: 'open', source: 'simulator' });
          sink.reading({ sensor: 'front-door', type: 'door', value: 'closed', source: 'simulator' });
        }
      }
      this.stepTimer = this.clock.setTimeout(step, this.config.stepSeconds * 1000);
    };
    if (this.config.stepSeconds > 0) this.stepTimer = this.clock.setTimeout(step, this.config.stepSeconds * 1000);
  }

  // Loaded on demand: the generator is large and only this mode needs it.
  private async startRoutine(sink: AdapterSink): Promise<void> {
    const { generateHome } = await import('../../../simulators/src/generate.ts');
    let chunk = 0;
    let day = new Date(this.clock.now()).toISOString().slice(0, 10);
    const plan = (): { at: number; sensor: string; type: SensorReading['type']; value: unknown; battery?: number | undefined }[] => {
      const g = generateHome({
        hubId: 'hub-sim',
        seed: this.config.seed * 1000 + chunk++,
        start: day,
        days: 1,
        timezone: this.config.timezone,
        sensors: STANDARD_LAYOUT,
        ...(this.config.persona ? { persona: this.config.persona as never } : {}),
      });
      day = new Date(Date.parse(`${day}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      const now = this.clock.now();
      return g.events.map((e) => ({ at: Date.parse(e.ts), sensor: e.sensor, type: e.type, value: e.value, battery: e.battery })).filter((e) => e.at >= now);
    };
    let queue = plan();
    const next = (): void => {
      for (let tries = 0; !queue.length && tries < 7; tries++) queue = plan();
      const e = queue[0];
      if (!e) return; // a week without events: nothing to simulate
      this.stepTimer = this.clock.setTimeout(() => {
        queue.shift();
        sink.reading({ sensor: e.sensor, type: e.type, value: e.value, battery: e.battery, ts: e.at, source: 'simulator routine' });
        next();
      }, Math.max(0, e.at - this.clock.now()));
    };
    next();
  }

  async stop(): Promise<void> {
    for (const t of this.timers.splice(0)) this.clock.clearTimeout(t);
    if (this.stepTimer) this.clock.clearTimeout(this.stepTimer);
  }
}
