// The real gateway as one of the chaos suite's hubs: readings go through its durable outbox
// (alarm lane first) and its own reconnects, across every server kill.
import { GatewayConfigSchema } from '../../gateway/src/config.ts';
import { Gateway } from '../../gateway/src/gateway.ts';
import { SystemClock } from '../../server/src/clock.ts';
import type { Rng } from '../../simulators/src/prng.ts';
import { testLog } from '../gateway/helpers.ts';
import type { ChaosEvent } from './chaos-hub.ts';

/** A Gateway fed 1 to 3 readings every `tickMs`, a fall with probability `fallChance` each; the same books as ChaosHub. */
export class ChaosGateway {
  /** Every event queued, in order. */
  readonly made: ChaosEvent[] = [];
  /** Not counted for the gateway: its outbox re-sends from its head after each reconnect. */
  readonly resent = 0;
  /** Connections made. */
  connections = 0;
  /** Called when a PUBACK empties part of the outbox (the events are not told). */
  onAck: ((events: readonly ChaosEvent[]) => void) | undefined;
  private readonly gateway: Gateway;
  private tick: NodeJS.Timeout | undefined;

  constructor(private readonly o: { url: string; hubId: string; secret: string; dataDir: string; rng: Rng; tickMs: number; fallChance: number }) {
    const config = {
      ...GatewayConfigSchema.parse({
        hubId: o.hubId,
        secret: o.secret,
        server: { url: o.url },
        dataDir: o.dataDir,
        backoff: { minSeconds: 0.1, maxSeconds: 1 },
        outbox: { drainEventsPerSecond: 2000, batchSize: 50, inFlight: 4 },
      }),
      secret: o.secret,
    };
    this.gateway = new Gateway({ config, clock: new SystemClock(), log: testLog, adapters: [] });
    this.gateway.link.on('online', () => void this.connections++);
    this.gateway.link.on('delivered', () => this.onAck?.([]));
  }

  /** Ids of events the server acknowledged: queued and no longer in the outbox. */
  get acked(): Set<string> {
    const waiting = new Set(this.gateway.outbox.next(0, 1_000_000).map((r) => r.event.id));
    return new Set(this.made.map((e) => e.id).filter((id) => !waiting.has(id)));
  }

  /** Start the gateway and the readings. */
  start(): void {
    void this.gateway.start();
    this.tick = setInterval(() => this.make(), this.o.tickMs);
  }

  /** Queue no more readings. */
  stopMaking(): void {
    if (this.tick) clearInterval(this.tick);
    this.tick = undefined;
  }

  /** Events still in the outbox. */
  unacknowledged(): number {
    return this.gateway.outbox.size();
  }

  /** Stop the gateway. */
  async close(): Promise<void> {
    this.stopMaking();
    await this.gateway.stop().catch(() => undefined);
  }

  private make(): void {
    const { rng } = this.o;
    for (let i = rng.int(1, 3); i > 0; i--) {
      const fall = rng.chance(this.o.fallChance);
      const r = fall
        ? this.gateway.submit({ sensor: 'hall-fall', type: 'fall', value: true, source: 'chaos' })
        : this.gateway.submit({ sensor: 'kitchen-pir', type: 'motion', value: rng.chance(0.5), source: 'chaos' });
      if (!r.ok) throw new Error(`gateway refused a reading: ${r.reason}`);
      this.made.push({ id: r.event.id, sensor: r.event.sensor, type: r.event.type });
    }
  }
}
