import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { HubCommandSchema, describeIssues, topics, type HubCommand, type HubReply } from '../../protocol/index.ts';
import type { Clock, TimerHandle } from '../../server/src/clock.ts';
import type { Outbox } from './outbox.ts';

/** Options of the link to the Hearth server. */
export interface LinkOptions {
  url: string;
  hubId: string;
  secret: string;
  tls?: { ca?: string | undefined; cert?: string | undefined; key?: string | undefined; rejectUnauthorized: boolean } | undefined;
  clock: Clock;
  log: Logger;
  outbox: Outbox;
  heartbeatSeconds: number;
  drainEventsPerSecond: number;
  batchSize: number;
  inFlight: number;
  backoffMinMs: number;
  backoffMaxMs: number;
  firmware?: string | undefined;
  power?: 'mains' | 'battery' | undefined;
  /** Answer a command from the server. */
  onCommand: (cmd: HubCommand) => Promise<Omit<HubReply, 'id'>>;
  /** Random source for backoff jitter (tests may fix it). */
  random?: () => number;
}

/** Events of the link: `connecting` (an attempt starts), `online`, `offline`, `delivered` (count of events acknowledged). */
export interface LinkEvents {
  connecting: [];
  online: [];
  offline: [];
  delivered: [count: number];
}

interface InFlight {
  seqs: number[];
  lane: 'alarm' | 'routine';
}

/**
 * The hub's MQTT connection to the server: hub credentials, QoS 1, a retained
 * online status with an offline last will, heartbeats, commands and replies,
 * reconnects with jittered exponential backoff, and the outbox drain: in
 * order, in batches, a small window of messages awaiting PUBACK, rate-limited
 * by a token bucket; the alarm lane goes first, outside the bucket, with a
 * window of its own. Rows leave the outbox only when their PUBACK arrives.
 * Every timer runs on the injected clock.
 */
export class ServerLink extends EventEmitter<LinkEvents> {
  private client?: MqttClient;
  private generation = 0;
  private online = false;
  private stopped = true;
  private attempt = 0;
  private reconnectTimer?: TimerHandle;
  private heartbeatTimer?: TimerHandle;
  private pumpTimer?: TimerHandle;
  private heartbeatSeq = 0;
  private heartbeatMs: number;
  private readonly inFlight = new Set<InFlight>();
  /** Outbox seqs awaiting PUBACK on this connection. */
  private readonly sending = new Set<number>();
  private tokens: number;
  private tokensAt: number;
  private readonly random: () => number;

  constructor(private readonly o: LinkOptions) {
    super();
    this.heartbeatMs = o.heartbeatSeconds * 1000;
    this.tokens = o.batchSize;
    this.tokensAt = o.clock.now();
    this.random = o.random ?? Math.random;
  }

  /** Whether the server connection is up. */
  isOnline(): boolean {
    return this.online;
  }

  /** Where the link is: online, connecting (an attempt under way), waiting (backing off), or stopped. */
  state(): 'online' | 'connecting' | 'waiting' | 'stopped' {
    if (this.stopped) return 'stopped';
    if (this.online) return 'online';
    return this.client ? 'connecting' : 'waiting';
  }

  /** Start connecting (and keep reconnecting until stop()). */
  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Something new is in the outbox: send it if we can. */
  notify(): void {
    this.pump();
  }

  /** Publish a Hearth-added report (unmapped device, availability) at QoS 1; false when offline, so the caller keeps it for the next connection. */
  publishReport(channel: 'unmapped' | 'availability', payload: string): boolean {
    if (!this.online || !this.client) return false;
    this.client.publish(channel === 'unmapped' ? topics.unmapped(this.o.hubId) : topics.availability(this.o.hubId), payload, { qos: 1 });
    return true;
  }

  /** Change the heartbeat interval (the server's config command). */
  setHeartbeatSeconds(seconds: number): void {
    this.heartbeatMs = seconds * 1000;
    if (this.online) this.scheduleHeartbeat();
  }

  /** Say goodbye (retained offline status) and close. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of [this.reconnectTimer, this.heartbeatTimer, this.pumpTimer]) if (t) this.o.clock.clearTimeout(t);
    const client = this.client;
    this.client = undefined;
    this.generation++;
    if (client && this.online) {
      // A half-dead connection would never PUBACK: wait at most 3 s (real time: a socket, not a domain timer).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        client.publishAsync(topics.status(this.o.hubId), this.statusPayload('offline'), { qos: 1, retain: true }).catch(() => undefined),
        new Promise<void>((r) => (timer = setTimeout(r, 3000))),
      ]);
      clearTimeout(timer); // the broker's will says the same if this goodbye was lost
    }
    this.online = false;
    if (client) await client.endAsync(true).catch(() => undefined);
  }

  private statusPayload(state: 'online' | 'offline'): string {
    return JSON.stringify({
      state,
      ts: new Date(this.o.clock.now()).toISOString(),
      ...(this.o.firmware ? { firmware: this.o.firmware } : {}),
      ...(this.o.power ? { power: this.o.power } : {}),
    });
  }

  private connect(): void {
    if (this.stopped) return;
    const gen = ++this.generation;
    const { hubId } = this.o;
    const opts: IClientOptions = {
      clientId: hubId,
      username: hubId,
      password: this.o.secret,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0, // reconnects are ours: backoff with jitter on the injected clock
      connectTimeout: 10_000,
      keepalive: 30,
      will: { topic: topics.status(hubId), payload: Buffer.from(this.statusPayload('offline')), qos: 1, retain: true },
    };
    if (this.o.tls) {
      if (this.o.tls.ca) opts.ca = fs.readFileSync(this.o.tls.ca);
      if (this.o.tls.cert) opts.cert = fs.readFileSync(this.o.tls.cert);
      if (this.o.tls.key) opts.key = fs.readFileSync(this.o.tls.key);
      opts.rejectUnauthorized = this.o.tls.rejectUnauthorized;
    }
    const client = mqtt.connect(this.o.url, opts);
    this.client = client;
    this.emit('connecting');
    client.on('connect', () => {
      if (gen !== this.generation) return;
      this.onConnect(client, gen);
    });
    client.on('message', (topic, payload) => {
      if (gen !== this.generation || topic !== topics.commands(hubId)) return;
      void this.onCommand(client, payload.toString('utf8'));
    });
    client.on('error', (err) => {
      if (gen === this.generation) this.o.log.warn({ err: err.message }, 'server connection error');
    });
    client.on('close', () => {
      if (gen !== this.generation) return;
      this.onClose();
    });
  }

  private onConnect(client: MqttClient, gen: number): void {
    // The backoff resets only once this connection proves itself (a PUBACK or a heartbeat),
    // so a server that accepts connections but refuses our events is not hammered.
    this.online = true;
    this.inFlight.clear();
    this.sending.clear();
    this.tokens = this.o.batchSize;
    this.tokensAt = this.o.clock.now();
    this.o.log.info({ hubId: this.o.hubId, queued: this.o.outbox.size() }, 'connected to the server');
    client.publish(topics.status(this.o.hubId), this.statusPayload('online'), { qos: 1, retain: true });
    client.subscribe(topics.commands(this.o.hubId), { qos: 1 }, (err) => {
      if (err && gen === this.generation) this.o.log.warn({ err: err.message }, 'commands subscription refused');
    });
    this.scheduleHeartbeat();
    this.emit('online');
    this.pump();
  }

  private onClose(): void {
    const wasOnline = this.online;
    this.online = false;
    // Whatever was awaiting PUBACK is still in the outbox: start again from its head.
    this.inFlight.clear();
    this.sending.clear();
    this.generation++;
    const old = this.client;
    this.client = undefined;
    old?.end(true);
    for (const t of [this.heartbeatTimer, this.pumpTimer]) if (t) this.o.clock.clearTimeout(t);
    this.heartbeatTimer = undefined;
    this.pumpTimer = undefined;
    if (wasOnline) {
      this.o.log.warn({ queued: this.o.outbox.size() }, 'server connection lost; events stay in the outbox');
      this.emit('offline');
    }
    if (this.stopped) return;
    // Exponential backoff with "equal jitter": half fixed, half random, so a street of hubs
    // that lost broadband together does not reconnect in lockstep.
    const ceiling = Math.min(this.o.backoffMaxMs, this.o.backoffMinMs * 2 ** Math.min(this.attempt, 20));
    const delay = ceiling / 2 + this.random() * (ceiling / 2);
    this.attempt++;
    this.reconnectTimer = this.o.clock.setTimeout(() => this.connect(), delay);
  }

  private scheduleHeartbeat(): void {
    if (this.heartbeatTimer) this.o.clock.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = this.o.clock.setTimeout(() => {
      if (!this.online || !this.client) return;
      this.client.publish(topics.heartbeat(this.o.hubId), JSON.stringify({ ts: new Date(this.o.clock.now()).toISOString(), seq: this.heartbeatSeq++ }), { qos: 0 });
      this.attempt = 0;
      this.scheduleHeartbeat();
    }, this.heartbeatMs);
  }

  private refill(): void {
    const now = this.o.clock.now();
    const capacity = Math.max(1, Math.min(this.o.batchSize, this.o.drainEventsPerSecond));
    this.tokens = Math.min(capacity, this.tokens + ((now - this.tokensAt) / 1000) * this.o.drainEventsPerSecond);
    this.tokensAt = now;
  }

  private pump(): void {
    const client = this.client;
    if (!this.online || !client) return;
    const gen = this.generation;
    for (;;) {
      // The alarm lane while it holds anything unsent; the routine lane only after it, so no
      // sensor's later routine event overtakes its alarm (or the events queued before that alarm).
      const next = this.o.outbox.nextBatch(this.o.batchSize, this.sending);
      if (!next) return;
      const busy = [...this.inFlight].filter((m) => m.lane === next.lane).length;
      if (busy >= this.o.inFlight) return;
      let rows = next.rows;
      if (next.lane === 'routine') {
        this.refill();
        const allowance = Math.floor(this.tokens);
        if (allowance < 1) {
          // Wait (on the clock) until one more event's worth of tokens is in the bucket.
          if (!this.pumpTimer) {
            const wait = Math.ceil(((1 - this.tokens) / this.o.drainEventsPerSecond) * 1000);
            this.pumpTimer = this.o.clock.setTimeout(() => {
              this.pumpTimer = undefined;
              this.pump();
            }, Math.max(1, wait));
          }
          return;
        }
        rows = rows.slice(0, allowance);
        this.tokens -= rows.length;
      }
      const msg: InFlight = { seqs: rows.map((r) => r.seq), lane: next.lane };
      this.inFlight.add(msg);
      for (const s of msg.seqs) this.sending.add(s);
      const payload = rows.length === 1 ? JSON.stringify(rows[0]!.event) : JSON.stringify({ events: rows.map((r) => r.event) });
      client.publish(topics.events(this.o.hubId), payload, { qos: 1 }, (err) => {
        if (gen !== this.generation) return; // a closed connection's late news: its rows are re-sent anyway
        this.inFlight.delete(msg);
        for (const s of msg.seqs) this.sending.delete(s);
        if (err) {
          this.o.log.warn({ err: err.message }, 'events not acknowledged; reconnecting');
          client.end(true);
          return;
        }
        this.o.outbox.remove(msg.seqs);
        this.attempt = 0;
        this.emit('delivered', msg.seqs.length);
        this.pump();
      });
    }
  }

  private async onCommand(client: MqttClient, text: string): Promise<void> {
    let raw: unknown;
    let reply: HubReply;
    try {
      raw = JSON.parse(text);
    } catch {
      this.o.log.warn('command is not JSON; ignored');
      return;
    }
    const id = raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id.slice(0, 64) : null;
    const parsed = HubCommandSchema.safeParse(raw);
    if (!parsed.success) {
      if (!id) return;
      reply = { id, ok: false, error: `bad command: ${describeIssues(parsed.error)}`.slice(0, 500) };
    } else {
      try {
        reply = { id: parsed.data.id, ...(await this.o.onCommand(parsed.data)) };
      } catch (err) {
        reply = { id: parsed.data.id, ok: false, error: (err as Error).message.slice(0, 500) };
      }
    }
    client.publish(topics.replies(this.o.hubId), JSON.stringify(reply), { qos: 1 });
  }
}
