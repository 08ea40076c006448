import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { Aedes, type AuthenticateError, type Client, type ConnectPacket, type PublishPacket, type Subscription } from 'aedes';
import type { Logger } from 'pino';
import { CHANNELS, HUB_ID_PATTERN, parseHubJson, parseTopic, topics, type HubCommand } from '../../../protocol/index.ts';
import type { EventBus } from '../bus.ts';
import type { Clock } from '../clock.ts';
import type { Directory } from '../care/directory.ts';
import type { Db } from '../db/database.ts';
import type { HearthEvents } from '../events.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { HubMessageSink } from '../ingest/hub-messages.ts';
import { CredentialWatch } from './credential-watch.ts';
import { guardHook } from './hook-guard.ts';
import { DEFAULT_PACKET_LIMITS, limitPacketSizes, type PacketLimits } from './packet-limits.ts';

/** Counters of the broker's refusals, for /api/health, /metrics and the installer's view. */
export interface BrokerCounters {
  authFailures: number;
  aclRefusals: number;
  /** A hook threw or failed; the message was set aside or the request refused, the process went on. */
  hookFailures: number;
  /** Connections closed for announcing a packet over the limit. */
  oversized: number;
  /** Retained publishes on a channel that may not retain: the flag is dropped, the message judged as usual. */
  retainRefused: number;
  /** CONNECTs refused for their protocol version (MQTT 5). */
  versionRefused: number;
  /** Hubs disconnected for sending rejected messages over their budget. */
  floodDisconnects: number;
  /** Connections dropped because the hub's secret was rotated or the hub removed. */
  revoked: number;
  /** Connections closed at once because too many were still unauthenticated. */
  pendingRefused: number;
}

/** QoS 2 publishes a connection may have awaiting PUBREL; more close the connection (aedes maxInflightInbound). */
export const MAX_QOS2_INFLIGHT = 8;

/** Largest retained status kept by the broker (a status message is about 100 bytes). */
export const STATUS_RETAIN_MAX = 1024;

/** Options of the broker beyond its collaborators. */
export interface BrokerOptions {
  /** The database, for re-checking connected hubs' credentials; without it they are checked only at CONNECT. */
  db?: Db;
  packetLimits?: PacketLimits;
  /** How long a hub disconnected for flooding is refused. Default 30 s. */
  holdOffMs?: number;
  /** How often connected hubs' credentials are re-checked. Default 5 s. */
  credentialCheckMs?: number;
  /** Connections that may be open but not yet authenticated at once; more are closed at once. Default 1000. */
  maxPending?: number;
}

/**
 * The embedded MQTT broker (aedes). Hubs sign in with their own secret and may
 * only use their own topics; everything they publish goes through ingest, and
 * a QoS 1 publish is acknowledged only after ingest has stored it. Every hook
 * is guarded: no message can end the process (docs/security-broker.md).
 */
export class HubBroker {
  private aedes?: Aedes;
  private server?: net.Server;
  readonly counters: BrokerCounters = { authFailures: 0, aclRefusals: 0, hookFailures: 0, oversized: 0, retainRefused: 0, versionRefused: 0, floodDisconnects: 0, revoked: 0, pendingRefused: 0 };
  private readonly connected = new Map<string, Client>();
  /** Where the hubs' unmapped-device and availability reports go (set by the app). */
  hubMessages?: HubMessageSink;
  private readonly heldOff = new Map<string, number>();
  private readonly lastWarn = new Map<string, number>();
  private readonly watch?: CredentialWatch;
  private readonly limits: PacketLimits;
  /** Connections open but not yet authenticated (each may hold up to totalBeforeConnect bytes). */
  private pending = 0;

  constructor(
    private readonly directory: Directory,
    private readonly ingest: Ingest,
    private readonly bus: EventBus<HearthEvents>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: BrokerOptions = {},
  ) {
    this.limits = options.packetLimits ?? DEFAULT_PACKET_LIMITS;
    if (options.db) {
      this.watch = new CredentialWatch(options.db, clock, (hubId, client) => this.revoke(hubId, client), options.credentialCheckMs);
    }
    ingest.onMisbehaving = (hubId) => this.disconnectFlooding(hubId);
  }

  /** Start the broker; listen for MQTT over TCP on port (0 for any free one). Returns the bound port. */
  async start(port: number, host: string): Promise<number> {
    // Hubs publish at QoS 1 (QoS 2 is not in the protocol); aedes keeps a QoS 2 publish until its PUBREL,
    // so a hub may have only a few outstanding, or one connection could hold 1,000 packets of 257 KiB.
    const aedes = await Aedes.createBroker({ id: 'hearth', connectTimeout: 10_000, maxInflightInbound: MAX_QOS2_INFLIGHT });
    this.aedes = aedes;
    // A hub's own messages are judged and stored in authorizePublish, and nobody may subscribe to
    // them (a hub's ACL is its commands topic), so relaying them through aedes' subscription
    // matching and queues is work for no one: about a tenth of the server's time per event under
    // load (docs/benchmarks.md). Retained statuses and the server's commands take the usual path.
    const relay = aedes.publish.bind(aedes) as unknown as (p: PublishPacket, c: Client | null, d: (err?: Error) => void) => void;
    (aedes as unknown as { publish: (p: PublishPacket, c: unknown, d?: (err?: Error) => void) => void }).publish = (packet, client, done) => {
      if (typeof client === 'function') return relay(packet, null, client as (err?: Error) => void);
      if (client && !packet.retain && isHubToServer(packet.topic)) return done?.();
      relay(packet, (client as Client | null) ?? null, done ?? (() => {}));
    };
    const failed = (name: string, err: unknown): void => {
      this.counters.hookFailures++;
      this.log.error({ err, hook: name }, 'broker hook failed; answered safely');
    };
    aedes.preConnect = guardHook('preConnect', (client: Client, packet: ConnectPacket, done: (e: Error | null, ok: boolean) => void) => this.preConnect(client, packet, done), (_e, _c, _p, done) => done(null, false), failed);
    aedes.authenticate = guardHook(
      'authenticate',
      (client: Client, username: string | undefined, password: Buffer | undefined, done: (e: AuthenticateError | null, ok: boolean | null) => void) =>
        this.authenticate(client, username, password).then((code) => {
          if (code === 0) return done(null, true);
          if (code === 4) this.counters.authFailures++;
          const err = new Error(code === 3 ? 'hub held off after flooding; try later' : 'bad hub credentials') as AuthenticateError;
          err.returnCode = code; // 4: bad user name or password; 3: server unavailable (held off)
          done(err, false);
        }),
      (_e, _c, _u, _p, done) => done(Object.assign(new Error('authentication failed'), { returnCode: 3 }) as AuthenticateError, false),
      failed,
    );
    aedes.authorizePublish = guardHook(
      'authorizePublish',
      (client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void) => this.authorizePublish(client, packet, done),
      (err, client, packet, done) => this.setAsideAfterFailure(err, client, packet, done),
      failed,
    );
    aedes.authorizeSubscribe = guardHook(
      'authorizeSubscribe',
      (client: Client, sub: Subscription, done: (err: Error | null, sub?: Subscription | null) => void) => this.authorizeSubscribe(client, sub, done),
      (_e, _c, _s, done) => done(null, null),
      failed,
    );
    aedes.on('clientReady', (client) => {
      this.connected.set(client.id, client);
      this.bus.emit('hub.connection', { hubId: client.id, connected: true, at: this.clock.now() });
    });
    aedes.on('clientDisconnect', (client) => {
      this.watch?.forget(client);
      // A hub that reconnects takes over its id: the old connection's goodbye must not mark it gone.
      if (this.connected.get(client.id) !== client) return;
      this.connected.delete(client.id);
      this.bus.emit('hub.connection', { hubId: client.id, connected: false, at: this.clock.now() });
    });
    aedes.on('clientError', (client, err) => this.log.debug({ hubId: client.id, err: err.message }, 'mqtt client error'));
    aedes.on('connectionError', (_client, err) => this.log.debug({ err: err.message }, 'mqtt connection error'));
    // aedes emits 'error' for persistence failures; unheard, an EventEmitter error ends the process.
    (aedes as unknown as NodeJS.EventEmitter).on('error', (err: Error) => failed('aedes', err));

    this.server = net.createServer((socket) => this.handle(socket));
    this.server.on('error', (err) => this.log.error({ err }, 'mqtt listener error'));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    this.watch?.start();
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Hand a WebSocket stream (MQTT over WebSocket) to the broker. */
  handleStream(stream: Duplex, req?: IncomingMessage): void {
    if (!this.aedes) throw new Error('broker not started');
    stream.on('error', (err) => this.log.debug({ err: err.message }, 'mqtt websocket stream error'));
    this.handle(stream, req);
  }

  private handle(conn: Duplex, req?: IncomingMessage): void {
    const aedes = this.aedes;
    if (!aedes) return void conn.destroy();
    if (this.pending >= (this.options.maxPending ?? 1000)) {
      // Memory before authentication is bounded in all, not only per connection.
      this.counters.pendingRefused++;
      this.warnSampled('pending', { pending: this.pending }, 'too many unauthenticated MQTT connections; new ones closed');
      return void conn.destroy();
    }
    this.pending++;
    let counted = true;
    const settled = (): void => {
      if (counted) this.pending--;
      counted = false;
    };
    conn.once('close', settled);
    try {
      const client = (aedes.handle as (s: Duplex, r?: IncomingMessage) => Client)(conn, req);
      client.once('connected', settled);
      limitPacketSizes(client, this.limits, (err) => {
        this.counters.oversized++;
        this.warnSampled('oversized', { hubId: client.id ?? undefined, announced: err.announced, limit: err.limit }, 'packet over the size limit; connection closed');
      });
    } catch (err) {
      // Without its size guard a connection is not taken (fail closed); the process goes on.
      this.counters.hookFailures++;
      this.log.error({ err }, 'could not guard an MQTT connection; closed it');
      conn.destroy();
    }
  }

  /** Publish a command to a hub (QoS 1, not retained). */
  sendCommand(hubId: string, command: HubCommand): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.aedes) return reject(new Error('broker not started'));
      this.aedes.publish(
        { cmd: 'publish', topic: topics.commands(hubId), payload: Buffer.from(JSON.stringify(command)), qos: 1, retain: false, dup: false },
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }

  /** Whether a hub is connected right now. */
  isConnected(hubId: string): boolean {
    return this.connected.has(hubId);
  }

  /** How many hubs are connected. */
  connectedCount(): number {
    return this.connected.size;
  }

  /** Whether the broker is taking connections (for /api/ready). */
  accepting(): boolean {
    return !!this.aedes && !this.aedes.closed && !!this.server?.listening;
  }

  /** Topics of the retained messages the broker keeps (tests, operations). */
  async retainedTopics(): Promise<string[]> {
    const out: string[] = [];
    if (!this.aedes) return out;
    const stream = (this.aedes as unknown as { persistence: { createRetainedStream(p: string): AsyncIterable<{ topic: string }> } }).persistence.createRetainedStream('#');
    for await (const p of stream) out.push(p.topic);
    return out;
  }

  /** Re-check every connected hub's credentials now; how many connections were dropped. */
  recheckCredentials(): Promise<number> {
    return this.watch?.check() ?? Promise.resolve(0);
  }

  /** Connections whose secrets the credential checks have read again, in all. */
  get credentialsRead(): number {
    return this.watch?.secretsRead ?? 0;
  }

  /** Close every connection and stop listening. */
  async stop(): Promise<void> {
    this.watch?.stop();
    const aedes = this.aedes;
    this.aedes = undefined;
    // aedes first: it drops the hubs' connections, without which server.close() would wait for ever.
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private preConnect(client: Client, packet: ConnectPacket, done: (e: Error | null, ok: boolean) => void): void {
    if (packet.protocolVersion !== 3 && packet.protocolVersion !== 4) {
      // aedes answers CONNACK 1 (unacceptable protocol version); say why in the log.
      this.counters.versionRefused++;
      this.warnSampled('version', { clientId: String(packet.clientId ?? '').slice(0, 64), protocolVersion: packet.protocolVersion }, 'MQTT version refused: Hearth speaks MQTT 3.1.1 only (docs/protocol.md)');
    }
    done(null, true);
  }

  /** 0 to accept, else the CONNACK return code. */
  private async authenticate(client: Client, username: string | undefined, password: Buffer | undefined): Promise<0 | 3 | 4> {
    // Client id, user name and topic prefix must all be the hub id: one identity per connection.
    if (!username || !password || client.id !== username || !HUB_ID_PATTERN.test(username)) return 4;
    const until = this.heldOff.get(username);
    if (until !== undefined) {
      if (this.clock.now() < until) return 3;
      this.heldOff.delete(username);
    }
    const secret = password.toString('utf8');
    if ((await this.directory.authenticateHub(username, secret)) === null) return 4;
    this.watch?.remember(client, username, secret);
    return 0;
  }

  private authorizePublish(client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void): void {
    const parsed = parseTopic(packet.topic);
    // A last will published after its client has gone arrives with client null; its topic names the hub.
    const hubId = client?.id ?? parsed?.hubId;
    if (packet.retain && !(parsed?.channel === 'status' && (packet.payload as Buffer).length <= STATUS_RETAIN_MAX)) {
      // Only a hub's (small) status is retained; the flag is dropped, the message judged as if it were not retained.
      packet.retain = false;
      this.counters.retainRefused++;
      this.warnSampled('retain', { hubId, topic: packet.topic.slice(0, 200) }, 'retain flag refused: only the status channel retains');
    }
    if (!hubId || !parsed || parsed.hubId !== hubId || parsed.channel === 'commands') {
      if (client && !packet.topic.startsWith(topics.hubPrefix(client.id))) {
        this.counters.aclRefusals++;
        this.warnSampled('acl', { hubId: client.id, topic: packet.topic.slice(0, 200) }, 'publish outside the hub prefix refused');
        return done(new Error('topic not allowed for this hub'));
      }
      if (client && parsed?.channel === 'commands') {
        this.counters.aclRefusals++;
        return done(new Error('hubs may not publish commands'));
      }
      if (!client || !hubId) return done(new Error('no hub for this publish'));
      // Under the hub's own prefix but not a protocol channel: acknowledged and set aside.
      this.settle(this.ingest.submitUnknownTopic(hubId, packet.topic, packet.payload as Buffer), done);
      return;
    }
    const payload = packet.payload as Buffer;
    switch (parsed.channel) {
      case 'events':
        // Answered directly, without a promise per message (the hottest path).
        return this.ingest.takeEvents(hubId, packet.topic, payload, done);
      case 'status':
        return this.settle(this.ingest.submitStatus(hubId, packet.topic, payload), done);
      case 'heartbeat':
        // QoS 0 and nothing to answer: the hub's next packet does not wait for the moment its heartbeat
        // rides in (gathered for up to a second: ingest.ts, HEARTBEAT_GATHER_MS).
        this.ingest.submitHeartbeat(hubId, packet.topic, payload).catch((err: unknown) => {
          this.counters.hookFailures++;
          this.log.error({ err, hubId }, 'a heartbeat could not be taken');
        });
        return done(null);
      case 'replies':
        return this.settle(this.ingest.submitReply(hubId, packet.topic, payload), done);
      case 'unmapped':
      case 'availability':
        // Hearth's additions (server/src/ingest/hub-messages.ts); without a sink they are set aside like an unknown channel.
        if (this.hubMessages) {
          // The size and depth guard first: nothing nested without bound reaches a parser or serialiser.
          const guard = parseHubJson(payload);
          if (!guard.ok) return this.settle(this.ingest.submitRejected(hubId, packet.topic, guard.reason, guard.detail, guard.text), done);
          return this.settle(this.hubMessages.submit(hubId, parsed.channel, packet.topic, payload), done);
        }
        return this.settle(this.ingest.submitUnknownTopic(hubId, packet.topic, payload), done);
      default:
        // A channel in the table without a handler here: acknowledged and set aside, never left unanswered.
        return this.settle(this.ingest.submitUnknownTopic(hubId, packet.topic, payload), done);
    }
  }

  /** authorizePublish threw: keep the message as a rejection and acknowledge it; if even that fails, refuse it. */
  private setAsideAfterFailure(err: unknown, client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void): void {
    const hubId = client?.id ?? parseTopic(packet.topic)?.hubId;
    if (!hubId) return done(new Error('publish could not be judged'));
    packet.retain = false;
    const detail = `could not be judged: ${String((err as Error)?.message ?? err).slice(0, 200)}`;
    this.settle(this.ingest.submitRejected(hubId, packet.topic, 'HEARTH_ERR_INGEST_INTERNAL', detail, packet.payload as Buffer), done);
  }

  // A storage failure refuses the publish, so the hub keeps it and re-sends; a bad payload does not.
  private settle(p: Promise<void>, done: (err?: Error | null) => void): void {
    p.then(
      () => done(null),
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    ).catch((err: unknown) => {
      this.counters.hookFailures++;
      this.log.error({ err }, 'answering a publish failed');
    });
  }

  private authorizeSubscribe(client: Client, sub: Subscription, done: (err: Error | null, sub?: Subscription | null) => void): void {
    if (sub.topic === topics.commands(client.id)) return done(null, sub);
    this.counters.aclRefusals++;
    this.warnSampled('acl', { hubId: client.id, topic: String(sub.topic).slice(0, 200) }, 'subscription outside the hub commands topic refused');
    done(null, null); // negative SUBACK (0x80), the connection stays up
  }

  private disconnectFlooding(hubId: string): void {
    this.counters.floodDisconnects++;
    this.heldOff.set(hubId, this.clock.now() + (this.options.holdOffMs ?? 30_000));
    this.connected.get(hubId)?.close();
  }

  private revoke(hubId: string, client: Client): void {
    this.counters.revoked++;
    this.log.warn({ hubId }, 'hub secret rotated or hub removed; live connection dropped');
    client.close();
  }

  /** At most one warning a minute per kind; the rest are counted. */
  private warnSampled(kind: string, fields: Record<string, unknown>, msg: string): void {
    const now = this.clock.now();
    const last = this.lastWarn.get(kind);
    if (last !== undefined && now - last < 60_000) return this.log.debug(fields, msg);
    this.lastWarn.set(kind, now);
    this.log.warn(fields, msg);
  }
}

/** Whether a topic is one of the channels a hub publishes to the server (the topic table's direction). */
function isHubToServer(topic: string): boolean {
  const parsed = parseTopic(topic);
  return parsed !== null && CHANNELS[parsed.channel].direction === 'hub-to-server';
}
