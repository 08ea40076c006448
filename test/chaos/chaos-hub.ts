// A simulated hub for the chaos suite: steady QoS 1 traffic with falls mixed in, its own
// reconnects, and exact books of what the server acknowledged (PUBACK) and what it re-sent.
import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '../../protocol/index.ts';
import type { Rng } from '../../simulators/src/prng.ts';

/** One event the hub made, as the books keep it. */
export interface ChaosEvent {
  id: string;
  sensor: string;
  type: string;
}

interface Message {
  key: number;
  payload: string;
  events: ChaosEvent[];
}

/** Sensors every chaos hub has commissioned (the fall one is where falls come from). */
export const CHAOS_SENSORS = [
  { sensorId: 'hall-fall', type: 'fall' },
  { sensorId: 'kitchen-pir', type: 'motion' },
  { sensorId: 'front-door', type: 'door' },
  { sensorId: 'lounge-temp', type: 'temperature' },
] as const;

/**
 * A hub sending a message every `tickMs` (1 to 4 events, a fall with probability
 * `fallChance` per event), at most `window` messages awaiting PUBACK. Like a real
 * hub it keeps every unacknowledged message and sends it again on each new
 * connection, with the same event ids, until a PUBACK arrives.
 */
export class ChaosHub {
  /** Every event made, in order. */
  readonly made: ChaosEvent[] = [];
  /** Ids of events whose message the server acknowledged. */
  readonly acked = new Set<string>();
  /** Messages sent again on a later connection because no PUBACK had come. */
  resent = 0;
  /** Connections made (the first and every reconnect). */
  connections = 0;
  /** Called at each PUBACK with the message's events, before anything else happens (the chaos suite kills the server there). */
  onAck: ((events: readonly ChaosEvent[]) => void) | undefined;
  private readonly pending = new Map<number, Message>();
  private inFlight = new Set<number>();
  private sentBefore = new Set<number>();
  private client: MqttClient | undefined;
  private online = false;
  private generating = true;
  private closed = false;
  private nextKey = 0;
  private tick: NodeJS.Timeout | undefined;
  private reconnect: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: { url: string; hubId: string; secret: string; rng: Rng; tickMs: number; window: number; fallChance: number },
  ) {}

  /** Connect and start sending. */
  start(): void {
    this.connect();
    this.tick = setInterval(() => this.make(), this.o.tickMs);
  }

  /** Make no more events (pending ones are still sent until acknowledged). */
  stopMaking(): void {
    this.generating = false;
    if (this.tick) clearInterval(this.tick);
  }

  /** Messages not yet acknowledged. */
  unacknowledged(): number {
    return this.pending.size;
  }

  /** Close the connection for good. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopMaking();
    if (this.reconnect) clearTimeout(this.reconnect);
    await this.client?.endAsync(true).catch(() => undefined);
  }

  private connect(): void {
    if (this.closed) return;
    const client = mqtt.connect(this.o.url, { clientId: this.o.hubId, username: this.o.hubId, password: this.o.secret, reconnectPeriod: 0, connectTimeout: 3000, clean: true });
    this.client = client;
    client.on('error', () => {}); // refused while the server restarts: the close handler retries
    client.on('connect', () => {
      if (client !== this.client) return;
      this.online = true;
      this.connections++;
      this.inFlight = new Set();
      this.pump();
    });
    client.on('close', () => {
      if (client !== this.client) return;
      this.online = false;
      client.end(true);
      if (!this.closed) this.reconnect = setTimeout(() => this.connect(), 150 + this.o.rng() * 250);
    });
  }

  private make(): void {
    if (!this.generating) return;
    const n = this.o.rng.int(1, 4);
    const events: Record<string, unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const id = `${this.o.hubId}-${this.made.length}`;
      const ts = new Date().toISOString();
      let e: Record<string, unknown>;
      if (this.o.rng.chance(this.o.fallChance)) e = { id, ts, sensor: 'hall-fall', type: 'fall', value: true };
      else {
        const s = this.o.rng.int(0, 2);
        e = s === 0 ? { id, ts, sensor: 'kitchen-pir', type: 'motion', value: this.o.rng.chance(0.5) } : s === 1 ? { id, ts, sensor: 'front-door', type: 'door', value: this.o.rng.pick(['open', 'closed']) } : { id, ts, sensor: 'lounge-temp', type: 'temperature', value: Math.round(this.o.rng.uniform(15, 23) * 10) / 10 };
      }
      events.push(e);
      this.made.push({ id, sensor: e.sensor as string, type: e.type as string });
    }
    const key = this.nextKey++;
    const payload = events.length === 1 ? JSON.stringify(events[0]) : JSON.stringify({ events });
    this.pending.set(key, { key, payload, events: events.map((e) => ({ id: e.id as string, sensor: e.sensor as string, type: e.type as string })) });
    this.pump();
  }

  private pump(): void {
    const client = this.client;
    if (!this.online || !client) return;
    for (const m of this.pending.values()) {
      if (this.inFlight.size >= this.o.window) return;
      if (this.inFlight.has(m.key)) continue;
      this.inFlight.add(m.key);
      if (this.sentBefore.has(m.key)) this.resent++;
      this.sentBefore.add(m.key);
      const flight = this.inFlight;
      client.publish(topics.events(this.o.hubId), m.payload, { qos: 1 }, (err) => {
        flight.delete(m.key);
        if (err) return; // the connection went: sent again on the next one
        this.onAck?.(m.events);
        for (const e of m.events) this.acked.add(e.id);
        this.pending.delete(m.key);
        if (client === this.client) this.pump();
      });
    }
  }
}
