import path from 'node:path';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { SensorConfigSchema, type HubCommand, type HubEvent, type HubReply } from '../../protocol/index.ts';
import type { Clock } from '../../server/src/clock.ts';
import type { AdapterSink, AvailabilityNotice, DeviceMappingInput, SensorAdapter, SensorReading, UnmappedNotice } from './adapters/adapter.ts';
import { MqttJsonAdapter } from './adapters/mqtt-json.ts';
import { SimulatorAdapter } from './adapters/simulator.ts';
import { Zigbee2MqttAdapter } from './adapters/zigbee2mqtt.ts';
import type { GatewayConfig } from './config.ts';
import { HubReports } from './commissioning.ts';
import { ServerLink } from './link.ts';
import { WalkTest } from './walk-test.ts';
import { Outbox, type AddResult } from './outbox.ts';

type SensorConfig = z.infer<typeof SensorConfigSchema>;

/** Options for building a gateway. */
export interface GatewayOptions {
  config: GatewayConfig & { secret: string };
  clock: Clock;
  log: Logger;
  /** Print each sensor event to the installer as it happens. */
  walkTest?: boolean;
  /** Where walk-test and identify lines go (default stdout). */
  out?: (line: string) => void;
  /** Adapters to use instead of those in the config (tests, embedding). */
  adapters?: SensorAdapter[];
  /** Backoff jitter source (tests). */
  random?: () => number;
}

/** What became of a reading: queued, refused (invalid, full), or not written (storage failure). */
export type SubmitResult = AddResult | { ok: false; reason: 'storage'; detail: string };

/** The state of one sensor as the gateway last heard it. */
export interface SensorState {
  lastEventAt?: number;
  online?: boolean;
}

/** The outbox file inside a gateway data dir. */
export function outboxFile(dataDir: string): string {
  return path.join(dataDir, 'outbox.sqlite');
}

/**
 * The home hub: adapters feed readings in; each is validated, given an id and
 * committed to the outbox, then the server link drains the outbox. Commands
 * from the server (ping, identify, config) are answered here.
 */
export class Gateway {
  readonly outbox: Outbox;
  readonly link: ServerLink;
  private readonly adapters: SensorAdapter[];
  private readonly sensors = new Map<string, SensorState>();
  private commissioned = new Map<string, SensorConfig>();
  private readonly out: (line: string) => void;
  private readonly reports: HubReports;
  private readonly walk: WalkTest;
  /** Until when (clock ms) the installer's identify is showing. */
  identifyUntil = 0;

  constructor(private readonly o: GatewayOptions) {
    const c = o.config;
    this.out = o.out ?? ((line) => process.stdout.write(`${line}\n`));
    this.outbox = new Outbox({ file: outboxFile(c.dataDir), clock: o.clock, maxEvents: c.outbox.maxEvents });
    const savedHeartbeat = Number(this.outbox.getMeta('heartbeatSeconds') ?? 0);
    const savedSensors = this.outbox.getMeta('sensors');
    if (savedSensors) for (const s of JSON.parse(savedSensors) as SensorConfig[]) this.commissioned.set(s.sensor, s);
    this.link = new ServerLink({
      url: c.server.url,
      hubId: c.hubId,
      secret: c.secret,
      tls: c.server.tls,
      clock: o.clock,
      log: o.log.child({ part: 'link' }),
      outbox: this.outbox,
      heartbeatSeconds: savedHeartbeat || c.heartbeatSeconds,
      drainEventsPerSecond: c.outbox.drainEventsPerSecond,
      batchSize: c.outbox.batchSize,
      inFlight: c.outbox.inFlight,
      backoffMinMs: c.backoff.minSeconds * 1000,
      backoffMaxMs: c.backoff.maxSeconds * 1000,
      firmware: c.firmware,
      power: c.power,
      onCommand: (cmd) => this.command(cmd),
      ...(o.random ? { random: o.random } : {}),
    });
    this.reports = new HubReports(this.link, o.clock, o.log.child({ part: 'reports' }));
    this.walk = new WalkTest(this.out);
    this.walk.commissioning([...this.commissioned.values()], false);
    this.adapters =
      o.adapters ??
      c.adapters.map((a) => {
        const log = o.log.child({ adapter: a.kind });
        switch (a.kind) {
          case 'zigbee2mqtt':
            return new Zigbee2MqttAdapter(a, log);
          case 'mqtt-json':
            return new MqttJsonAdapter(a, log);
          case 'simulator':
            return new SimulatorAdapter(a, o.clock);
        }
      });
    // The installer's mappings of devices the hub could not map, as the server last sent them.
    const savedMappings = this.outbox.getMeta('mappings');
    if (savedMappings) this.applyMappings(JSON.parse(savedMappings) as DeviceMappingInput[]);
  }

  /** Open the server link and start every adapter. */
  async start(): Promise<void> {
    this.link.start();
    const sink: AdapterSink = { reading: (r) => void this.submit(r), availability: (n) => this.availability(n), unmapped: (n) => this.unmappedDevice(n) };
    for (const a of this.adapters) {
      // One broken adapter (a bridge misconfigured) must not keep the others, or the outbox drain, from running.
      await a.start(sink).catch((err: unknown) => this.o.log.error({ adapter: a.name, err: (err as Error).message }, 'adapter failed to start'));
    }
    if (this.o.walkTest) this.out(`walk test: hub ${this.o.config.hubId}, ${this.outbox.size()} events queued; trigger each sensor in turn`);
  }

  /** Stop adapters, say goodbye to the server, close the outbox. */
  async stop(): Promise<void> {
    for (const a of this.adapters) await a.stop().catch(() => undefined);
    await this.link.stop();
    this.outbox.close();
  }

  /** Take one reading: validate, commit to the outbox, then try to send. */
  submit(r: SensorReading): SubmitResult {
    let result: AddResult;
    try {
      result = this.outbox.add({ sensor: r.sensor, type: r.type, value: r.value, battery: r.battery, ts: r.ts });
    } catch (err) {
      // Disk full or failing: say so loudly; the adapter's device will report again.
      this.o.log.error({ sensor: r.sensor, type: r.type, err: (err as Error).message }, 'outbox write failed: event not queued');
      return { ok: false, reason: 'storage', detail: (err as Error).message };
    }
    if (!result.ok) {
      this.o.log.warn({ sensor: r.sensor, type: r.type, source: r.source, reason: result.reason, detail: result.detail }, 'reading not queued');
      if (this.o.walkTest) this.out(`  ! ${r.sensor} ${r.type}: not queued (${result.reason}: ${result.detail})`);
      return result;
    }
    if (result.evicted) this.o.log.warn({ evicted: result.evicted }, 'outbox full: oldest routine event dropped');
    const st = this.sensors.get(r.sensor) ?? {};
    st.lastEventAt = this.o.clock.now();
    this.sensors.set(r.sensor, st);
    if (this.o.walkTest) this.out(this.describe(result.event, r.source));
    this.link.notify();
    return result;
  }

  /** What the gateway last heard of each sensor. */
  sensorStates(): ReadonlyMap<string, SensorState> {
    return this.sensors;
  }

  /** Sensors as the server last configured them. */
  commissionedSensors(): SensorConfig[] {
    return [...this.commissioned.values()];
  }

  private availability(n: AvailabilityNotice): void {
    const who = n.sensor ?? 'bridge (all its sensors)';
    if (n.sensor) {
      const st = this.sensors.get(n.sensor) ?? {};
      st.online = n.online;
      this.sensors.set(n.sensor, st);
    }
    this.o.log[n.online ? 'info' : 'warn']({ sensor: who, online: n.online, source: n.source }, 'sensor availability');
    this.reports.reportAvailability(n);
    if (this.o.walkTest) this.out(`${new Date(this.o.clock.now()).toISOString().slice(11, 19)}  ${who}: ${n.online ? 'online' : 'OFFLINE'}  [${n.source}]`);
  }

  private describe(e: HubEvent, source: string): string {
    return this.walk.line(e, source);
  }

  private unmappedDevice(n: UnmappedNotice): void {
    this.reports.reportUnmapped(n);
    if (this.o.walkTest) this.out(`  ? ${n.device} [${n.adapter}]: ${n.reason === 'unknown-device' ? 'unknown model' : 'properties no rule reads'}: ${n.properties.join(', ')}; reported to the server for the installer to map`);
  }

  private applyMappings(mappings: DeviceMappingInput[]): void {
    for (const a of this.adapters) a.setMappings?.(mappings);
  }

  private async command(cmd: HubCommand): Promise<Omit<HubReply, 'id'>> {
    switch (cmd.cmd) {
      case 'ping':
        return { ok: true };
      case 'identify': {
        const seconds = cmd.seconds ?? 30;
        this.identifyUntil = this.o.clock.now() + seconds * 1000;
        this.out(`*** IDENTIFY: this is hub ${this.o.config.hubId} (${seconds} s) ***`);
        this.o.log.info({ seconds }, 'identify requested');
        return { ok: true };
      }
      case 'config': {
        if (cmd.heartbeatSeconds !== undefined) {
          this.outbox.setMeta('heartbeatSeconds', String(cmd.heartbeatSeconds));
          this.link.setHeartbeatSeconds(cmd.heartbeatSeconds);
        }
        if (cmd.sensors) {
          this.commissioned = new Map(cmd.sensors.map((s) => [s.sensor, s]));
          this.outbox.setMeta('sensors', JSON.stringify(cmd.sensors));
          this.walk.commissioning(cmd.sensors, this.o.walkTest === true);
        }
        if (cmd.mappings) {
          this.outbox.setMeta('mappings', JSON.stringify(cmd.mappings));
          this.applyMappings(cmd.mappings);
        }
        this.o.log.info({ heartbeatSeconds: cmd.heartbeatSeconds, sensors: cmd.sensors?.length, mappings: cmd.mappings?.length }, 'configuration from the server');
        return { ok: true };
      }
    }
  }
}
