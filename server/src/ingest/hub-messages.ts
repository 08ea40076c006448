import type { Logger } from 'pino';
import type { z } from 'zod';
import { AvailabilityReportSchema, UnmappedReportSchema, describeIssues, type AvailabilityReport, type UnmappedReport } from '../../../protocol/index.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';

const PAYLOAD_KEEP = 4096;

/** The Hearth-added hub channels this file takes (protocol/topics.ts CHANNELS). */
export type HubReportChannel = 'unmapped' | 'availability';

/** What the broker hands the additions to. */
export interface HubMessageSink {
  submit(hubId: string, channel: HubReportChannel, topic: string, payload: Buffer | string): Promise<void>;
}

const SCHEMAS: Record<HubReportChannel, z.ZodType> = { unmapped: UnmappedReportSchema, availability: AvailabilityReportSchema };

/**
 * The hub's reports beyond the contract's events (docs/protocol.md): devices it
 * hears but cannot map (kept, newest payload per device, for the installer to
 * map) and sensors' or the bridge's reachability (kept per sensor, shown at
 * once on the hub health page). A bad report is set aside in the rejections
 * table with its reason, like any other bad message.
 */
export class HubMessages implements HubMessageSink {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Judge and store one report; resolves once written (the PUBACK waits for it). */
  async submit(hubId: string, channel: HubReportChannel, topic: string, payload: Buffer | string): Promise<void> {
    const text = payload.toString();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      return this.reject(hubId, topic, 'HEARTH_ERR_INGEST_JSON', `not valid JSON: ${(err as Error).message}`, text);
    }
    const r = SCHEMAS[channel].safeParse(json);
    if (!r.success) return this.reject(hubId, topic, 'HEARTH_ERR_INGEST_SCHEMA', describeIssues(r.error), text);
    if (channel === 'unmapped') return this.unmapped(hubId, r.data as UnmappedReport);
    return this.availability(hubId, r.data as AvailabilityReport);
  }

  private async unmapped(hubId: string, u: UnmappedReport): Promise<void> {
    const now = this.clock.now();
    const raw = JSON.stringify(u.payload) ?? 'null';
    const payload = raw.length > PAYLOAD_KEEP ? `${raw.slice(0, PAYLOAD_KEEP)}…` : raw;
    const reason = u.reason === 'unknown-device' ? 'unknown-device' : `unmapped-property: ${u.properties.join(', ')}`;
    await this.db
      .insertInto('unmapped_devices')
      .values({ hub_id: hubId, device: u.device, adapter: u.adapter, reason, payload, first_seen_at: now, last_seen_at: now, count: 1 })
      .onConflict((oc) => oc.columns(['hub_id', 'device']).doUpdateSet((eb) => ({ reason, payload, adapter: u.adapter, last_seen_at: now, count: eb('unmapped_devices.count', '+', 1) })))
      .execute();
    this.log.info({ hubId, device: u.device, reason }, 'hub reports a device it cannot map');
  }

  private async availability(hubId: string, a: AvailabilityReport): Promise<void> {
    const at = this.clock.now();
    await this.db
      .insertInto('sensor_availability')
      .values({ hub_id: hubId, sensor_id: a.sensor ?? '', online: a.online ? 1 : 0, at, source: a.source })
      .onConflict((oc) => oc.columns(['hub_id', 'sensor_id']).doUpdateSet({ online: a.online ? 1 : 0, at, source: a.source }))
      .execute();
    this.log[a.online ? 'info' : 'warn']({ hubId, sensor: a.sensor ?? 'bridge', online: a.online }, 'sensor availability');
  }

  private async reject(hubId: string, topic: string, reason: string, detail: string, payload: string): Promise<void> {
    await this.db
      .insertInto('rejections')
      .values({ hub_id: hubId, received_at: this.clock.now(), topic, reason, detail, payload: payload.slice(0, PAYLOAD_KEEP) })
      .execute();
    this.log.warn({ hubId, reason, detail }, 'hub report rejected');
  }
}
