import type { Logger } from 'pino';
import type { DeviceMapping, HubCommand } from '../../../protocol/index.ts';
import { SENSOR_TYPES, type SensorType } from '../../../protocol/index.ts';
import type { EventBus } from '../bus.ts';
import type { HubCommands } from '../broker/commands.ts';
import type { HubBroker } from '../broker/broker.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { HearthEvents } from '../events.ts';
import type { Commissioning } from './commissioning.ts';

/** The `config` command's commissioning part: each commissioned sensor's room and role, and the device mappings. */
export async function gatewayCommissioning(db: Db, hubId: string): Promise<{ sensors: NonNullable<Extract<HubCommand, { cmd: 'config' }>['sensors']>; mappings: DeviceMapping[] }> {
  const rows = await db.selectFrom('sensors').selectAll().where('hub_id', '=', hubId).where('commissioned', '=', 1).orderBy('sensor_id').execute();
  const sensors = rows
    .filter((s) => (SENSOR_TYPES as readonly string[]).includes(s.type))
    .map((s) => ({ sensor: s.sensor_id, type: s.type as SensorType, ...(s.room ? { room: s.room.slice(0, 64) } : {}), ...(s.role ? { role: s.role.slice(0, 64) } : {}) }));
  const maps = await db.selectFrom('hub_mappings').selectAll().where('hub_id', '=', hubId).orderBy('device').execute();
  const mappings = maps.map((m) => ({ device: m.device, sensor: m.sensor_id, fields: JSON.parse(m.rules) as DeviceMapping['fields'] }));
  return { sensors, mappings };
}

/** Delays (ms) between tries of one push: a hub just connected may not have subscribed to its commands yet. */
const RETRY_MS = [500, 1000, 2000, 4000, 8000];

/**
 * Keeps each gateway's commissioning in step with the server's: on every
 * (re)connection and every change, the server sends the hub a `config`
 * command with its sensors' rooms and roles and the installer's device
 * mappings, retrying until the hub acknowledges it. The gateway's own walk
 * test labels sensors from it, so both say the same. Also notes, for the
 * go-live checklist, when a hub says it runs on its battery.
 */
export class CommissioningSync {
  private readonly timers = new Map<string, TimerHandle>();

  constructor(
    private readonly o: { db: Db; broker: HubBroker; commands: HubCommands; bus: EventBus<HearthEvents>; clock: Clock; commissioning: Commissioning; log: Logger },
  ) {
    o.bus.on('hub.status', (s) => {
      if (s.status.state === 'online') this.schedule(s.hubId, 0);
      if (s.status.power === 'battery') void o.commissioning.batterySeen(s.hubId, s.at).catch(() => undefined);
    });
    o.bus.on('events.stored', (events) => {
      for (const e of events) if (e.type === 'power' && e.value === 'battery') void o.commissioning.batterySeen(e.hubId, e.receivedAt).catch(() => undefined);
    });
    o.bus.on('hub.connection', (c) => {
      if (!c.connected) this.cancel(c.hubId);
    });
  }

  /** The hub's commissioning changed: send it now (if it is connected). */
  changed(hubId: string): void {
    this.schedule(hubId, 0, 0);
  }

  /** Stop every pending push. */
  stop(): void {
    for (const id of [...this.timers.keys()]) this.cancel(id);
  }

  private cancel(hubId: string): void {
    const t = this.timers.get(hubId);
    if (t) this.o.clock.clearTimeout(t);
    this.timers.delete(hubId);
  }

  private schedule(hubId: string, attempt: number, delayMs = RETRY_MS[attempt] ?? -1): void {
    if (delayMs < 0) {
      this.o.log.warn({ hubId }, 'the hub did not acknowledge its commissioning; will send again when it reconnects or changes');
      return;
    }
    this.cancel(hubId);
    this.timers.set(
      hubId,
      this.o.clock.setTimeout(() => {
        this.timers.delete(hubId);
        this.push(hubId).then(
          (ok) => {
            if (!ok) this.schedule(hubId, attempt + 1);
          },
          (err: unknown) => this.o.log.error({ hubId, err }, 'commissioning push failed'),
        );
      }, delayMs),
    );
  }

  private async push(hubId: string): Promise<boolean> {
    if (!this.o.broker.isConnected(hubId)) return true; // sent on the next connection
    const version = await this.o.commissioning.version(hubId);
    const { sensors, mappings } = await gatewayCommissioning(this.o.db, hubId);
    const outcome = await this.o.commands.send(hubId, { cmd: 'config', sensors, mappings }, 3000);
    if (outcome.answered && outcome.reply.ok) {
      await this.o.commissioning.synced(hubId, version);
      return true;
    }
    if (outcome.answered) this.o.log.warn({ hubId, error: outcome.reply.error }, 'the hub refused its commissioning');
    return false;
  }
}
