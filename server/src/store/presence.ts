import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { EventBus } from '../bus.ts';
import type { Db } from '../db/database.ts';
import type { HearthEvents } from '../events.ts';

const HOUR = 3600_000;
/** Presence is kept per five-minute slot: a hub heard at any time in a slot counts the slot as up. */
export const SLOT_MS = 5 * 60_000;
/** How long heard hubs are gathered before one write. */
const GROUP_MS = 1000;

/**
 * When each hub was heard from (heartbeats, status "online", events), as a
 * bitmask of five-minute slots per hour: hub uptime for the trends. Writes are
 * grouped per turn of the event loop, like ingest.
 */
export class HubPresence {
  private pending = new Map<string, { hubId: string; hour: number; slots: number }>();
  /** The slots already written for each hub's latest hour: a heartbeat in a known slot writes nothing. */
  private readonly known = new Map<string, { hour: number; slots: number }>();
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  /** Listen to the bus for signs of life. */
  attach(bus: EventBus<HearthEvents>): void {
    bus.on('hub.heartbeat', (h) => this.heard(h.hubId, h.at));
    bus.on('hub.status', (s) => {
      if (s.status.state === 'online') this.heard(s.hubId, s.at);
    });
    bus.on('hub.connection', (c) => {
      if (c.connected) this.heard(c.hubId, c.at);
    });
    bus.on('events.stored', (events) => {
      for (const e of events) this.heard(e.hubId, e.receivedAt);
    });
  }

  /** Record that a hub was heard at an instant. */
  heard(hubId: string, at: number): void {
    const hour = Math.floor(at / HOUR) * HOUR;
    const bit = 1 << Math.floor((at - hour) / SLOT_MS);
    const k = this.known.get(hubId);
    if (k && k.hour === hour && (k.slots & bit) !== 0) return;
    const key = `${hubId}\u0000${hour}`;
    const p = this.pending.get(key);
    if (p) p.slots |= bit;
    else this.pending.set(key, { hubId, hour, slots: bit });
    if (!this.scheduled) {
      this.scheduled = true;
      // Grouped over a second, not a turn: presence is history in five-minute slots, and 20,000
      // heartbeating hubs would otherwise each cost a transaction of their own. drain() writes at once.
      setTimeout(() => {
        this.scheduled = false;
        this.chain = this.chain.then(() => this.write()).catch((err: unknown) => this.log.error({ err }, 'hub presence write failed'));
      }, GROUP_MS).unref();
    }
  }

  /** Wait until everything heard so far is written. */
  async drain(): Promise<void> {
    if (this.pending.size) {
      this.chain = this.chain.then(() => this.write());
    }
    await this.chain;
  }

  private async write(): Promise<void> {
    const rows = [...this.pending.values()];
    this.pending = new Map();
    if (!rows.length) return;
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 300) {
        await trx
          .insertInto('hub_presence')
          .values(rows.slice(i, i + 300).map((r) => ({ hub_id: r.hubId, hour: r.hour, slots: r.slots })))
          .onConflict((oc) => oc.columns(['hub_id', 'hour']).doUpdateSet({ slots: sql`hub_presence.slots | excluded.slots` }))
          .execute();
      }
    });
    for (const r of rows) {
      const k = this.known.get(r.hubId);
      if (!k || k.hour < r.hour) this.known.set(r.hubId, { hour: r.hour, slots: r.slots });
      else if (k.hour === r.hour) k.slots |= r.slots;
    }
  }

  /** Share of the five-minute slots starting in [from, to) in which the hub was heard; null for an empty span. */
  async uptime(hubId: string, from: number, to: number): Promise<number | null> {
    const first = Math.ceil(from / SLOT_MS) * SLOT_MS;
    const total = Math.max(0, Math.ceil((to - first) / SLOT_MS));
    if (!total) return null;
    const rows = await this.db
      .selectFrom('hub_presence')
      .select(['hour', 'slots'])
      .where('hub_id', '=', hubId)
      .where('hour', '>=', Math.floor(from / HOUR) * HOUR)
      .where('hour', '<', to)
      .execute();
    let heard = 0;
    for (const r of rows) {
      for (let i = 0; i < 12; i++) {
        if (!(r.slots & (1 << i))) continue;
        const s = r.hour + i * SLOT_MS;
        if (s >= first && s < to) heard++;
      }
    }
    return Math.round((heard / total) * 10_000) / 10_000;
  }

  /** Forget presence before an instant (retention). */
  async deleteBefore(before: number): Promise<void> {
    await this.db.deleteFrom('hub_presence').where('hour', '<', Math.floor(before / HOUR) * HOUR).execute();
  }
}
