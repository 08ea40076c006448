import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { Aedes, type AuthenticateError, type Client, type PublishPacket, type Subscription } from 'aedes';
import type { Logger } from 'pino';
import { HUB_ID_PATTERN, parseTopic, topics, type HubCommand } from '../../../protocol/index.ts';
import type { EventBus } from '../bus.ts';
import type { Clock } from '../clock.ts';
import type { Directory } from '../care/directory.ts';
import type { HearthEvents } from '../events.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { HubMessageSink } from '../ingest/hub-messages.ts';

/** Counters of the broker's refusals, for /api/health and the installer's view. */
export interface BrokerCounters {
  authFailures: number;
  aclRefusals: number;
}

/**
 * The embedded MQTT broker (aedes). Hubs sign in with their own secret and may
 * only use their own topics; everything they publish goes through ingest, and
 * a QoS 1 publish is acknowledged only after ingest has stored it.
 */
export class HubBroker {
  private aedes?: Aedes;
  private server?: net.Server;
  readonly counters: BrokerCounters = { authFailures: 0, aclRefusals: 0 };
  private readonly connected = new Map<string, Client>();
  /** Where the hubs' unmapped-device and availability reports go (set by the app). */
  hubMessages?: HubMessageSink;

  constructor(
    private readonly directory: Directory,
    private readonly ingest: Ingest,
    private readonly bus: EventBus<HearthEvents>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Start the broker; listen for MQTT over TCP on port (0 for any free one). Returns the bound port. */
  async start(port: number, host: string): Promise<number> {
    const aedes = await Aedes.createBroker({ id: 'hearth' });
    this.aedes = aedes;
    aedes.authenticate = (client, username, password, done) => {
      this.authenticate(client, username, password).then(
        (ok) => {
          if (ok) return done(null, true);
          this.counters.authFailures++;
          const err = new Error('bad hub credentials') as AuthenticateError;
          err.returnCode = 4; // bad user name or password
          done(err, false);
        },
        (err: unknown) => done(err as AuthenticateError, false),
      );
    };
    aedes.authorizePublish = (client, packet, done) => this.authorizePublish(client, packet, done);
    aedes.authorizeSubscribe = (client, sub, done) => this.authorizeSubscribe(client, sub, done);
    aedes.on('clientReady', (client) => {
      this.connected.set(client.id, client);
      this.bus.emit('hub.connection', { hubId: client.id, connected: true, at: this.clock.now() });
    });
    aedes.on('clientDisconnect', (client) => {
      // A hub that reconnects takes over its id: the old connection's goodbye must not mark it gone.
      if (this.connected.get(client.id) !== client) return;
      this.connected.delete(client.id);
      this.bus.emit('hub.connection', { hubId: client.id, connected: false, at: this.clock.now() });
    });
    aedes.on('clientError', (client, err) => this.log.debug({ hubId: client.id, err: err.message }, 'mqtt client error'));
    aedes.on('connectionError', (client, err) => this.log.debug({ err: err.message }, 'mqtt connection error'));

    this.server = net.createServer(aedes.handle as (socket: net.Socket) => void);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Hand a WebSocket stream (MQTT over WebSocket) to the broker. */
  handleStream(stream: Duplex, req?: IncomingMessage): void {
    if (!this.aedes) throw new Error('broker not started');
    (this.aedes.handle as (s: Duplex, r?: IncomingMessage) => void)(stream, req);
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

  /** Close every connection and stop listening. */
  async stop(): Promise<void> {
    const aedes = this.aedes;
    this.aedes = undefined;
    // aedes first: it drops the hubs' connections, without which server.close() would wait for ever.
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async authenticate(client: Client, username: string | undefined, password: Buffer | undefined): Promise<boolean> {
    // Client id, user name and topic prefix must all be the hub id: one identity per connection.
    if (!username || !password || client.id !== username || !HUB_ID_PATTERN.test(username)) return false;
    return (await this.directory.authenticateHub(username, password.toString('utf8'))) !== null;
  }

  private authorizePublish(client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void): void {
    const parsed = parseTopic(packet.topic);
    // A last will published after its client has gone arrives with client null; its topic names the hub.
    const hubId = client?.id ?? parsed?.hubId;
    if (!hubId || !parsed || parsed.hubId !== hubId || parsed.channel === 'commands') {
      if (client && !packet.topic.startsWith(topics.hubPrefix(client.id))) {
        this.counters.aclRefusals++;
        this.log.warn({ hubId: client.id, topic: packet.topic }, 'publish outside the hub prefix refused');
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
        return this.settle(this.ingest.submitEvents(hubId, packet.topic, payload), done);
      case 'status':
        return this.settle(this.ingest.submitStatus(hubId, packet.topic, payload), done);
      case 'heartbeat':
        return this.settle(this.ingest.submitHeartbeat(hubId, packet.topic, payload), done);
      case 'replies':
        return this.settle(this.ingest.submitReply(hubId, packet.topic, payload), done);
      case 'unmapped':
      case 'availability':
        // Hearth's additions (server/src/ingest/hub-messages.ts); without a sink they are set aside like an unknown channel.
        if (this.hubMessages) return this.settle(this.hubMessages.submit(hubId, parsed.channel, packet.topic, payload), done);
        return this.settle(this.ingest.submitUnknownTopic(hubId, packet.topic, payload), done);
    }
  }

  // A storage failure refuses the publish, so the hub keeps it and re-sends; a bad payload does not.
  private settle(p: Promise<void>, done: (err?: Error | null) => void): void {
    p.then(
      () => done(null),
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    );
  }

  private authorizeSubscribe(client: Client, sub: Subscription, done: (err: Error | null, sub?: Subscription | null) => void): void {
    if (sub.topic === topics.commands(client.id)) return done(null, sub);
    this.counters.aclRefusals++;
    this.log.warn({ hubId: client.id, topic: sub.topic }, 'subscription outside the hub commands topic refused');
    done(null, null); // negative SUBACK (0x80), the connection stays up
  }
}
