import { SENSOR_KINDS } from '../../../protocol/index.ts';
import type { Db } from '../db/database.ts';

/** A hub's one status, derived from its connection, its last status message and its heartbeats. */
export type HubState = 'online' | 'unresponsive' | 'offline' | 'never-seen';

/** The one status and its sentence. */
export interface DerivedStatus {
  state: HubState;
  /** What it means, in words. */
  summary: string;
}

/** Heartbeats a connected hub may miss before it is called unresponsive. */
const MISSED_HEARTBEATS = 3;

/**
 * One status that cannot contradict itself. The broker's connection is the
 * truth about "now" (a retained "online" outlives a dead connection); the last
 * status, heartbeat and event say whether a connected hub is still talking.
 */
export function deriveHubStatus(h: { connected: boolean; status: string; lastSeenAt: number | null; heartbeatSeconds: number }, now: number): DerivedStatus {
  if (h.connected) {
    const silentMs = h.lastSeenAt === null ? 0 : now - h.lastSeenAt;
    if (h.lastSeenAt !== null && silentMs > MISSED_HEARTBEATS * h.heartbeatSeconds * 1000) {
      return { state: 'unresponsive', summary: `Connected, but nothing heard for ${Math.round(silentMs / 60000)} min (heartbeats missed).` };
    }
    return { state: 'online', summary: 'Connected and sending heartbeats.' };
  }
  if (h.status === 'never-seen' && h.lastSeenAt === null) return { state: 'never-seen', summary: 'Registered; the hub has not connected yet.' };
  return { state: 'offline', summary: h.status === 'offline' ? 'Disconnected (the hub said goodbye or its connection dropped).' : 'Not connected to the server.' };
}

/** A battery at or below this percentage is low. */
export const LOW_BATTERY_PERCENT = 20;

/** One problem on the hub health page, with what to do about it. */
export interface HealthItem {
  hubId: string;
  hubName: string;
  residents: string[];
  /** The sensor concerned, or null for the hub (or its bridge) as a whole. */
  sensorId: string | null;
  kind: 'hub-offline' | 'hub-unresponsive' | 'bridge-offline' | 'sensor-offline' | 'sensor-silent' | 'low-battery' | 'tamper' | 'unmapped-device';
  /** 1 most pressing. */
  rank: number;
  /** Since when (ms), where known. */
  since: number | null;
  problem: string;
  whatToDo: string;
}

/** What each kind of problem means and what the installer does, as data. */
const KINDS: Record<HealthItem['kind'], { rank: number; whatToDo: string }> = {
  'hub-offline': { rank: 1, whatToDo: 'Phone the resident: is the hub plugged in and the broadband router on? If both are, visit and restart the hub.' },
  'hub-unresponsive': { rank: 1, whatToDo: 'The hub is connected but silent: restart it remotely (power cycle) or visit; check the gateway log.' },
  'bridge-offline': { rank: 2, whatToDo: 'The Zigbee bridge is down, so every Zigbee sensor is unheard: restart the hub; if it stays down, check the Zigbee USB stick.' },
  'sensor-offline': { rank: 3, whatToDo: 'The sensor dropped off the Zigbee network: replace its battery, move it nearer a mains-powered router device, or re-pair it.' },
  'sensor-silent': { rank: 3, whatToDo: 'Nothing heard for longer than its kind allows: check its battery and that it is still fitted; trigger it to test.' },
  tamper: { rank: 2, whatToDo: 'The device was opened or pulled off: visit, refit it and ask the resident what happened.' },
  'low-battery': { rank: 4, whatToDo: 'Replace the battery at the next visit (within a week; sooner under 10%).' },
  'unmapped-device': { rank: 5, whatToDo: "The hub hears a device it cannot use: map it on the hub's page, or remove it from the Zigbee network." },
};

/** Every problem of an organisation's hubs, most pressing first. */
export async function hubHealth(db: Db, orgId: string, now: number, connected: (hubId: string) => boolean): Promise<HealthItem[]> {
  const hubs = await db.selectFrom('hubs').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
  if (!hubs.length) return [];
  const ids = hubs.map((h) => h.id);
  const residents = await db.selectFrom('residents').select(['hub_id', 'name']).where('org_id', '=', orgId).where('hub_id', 'in', ids).execute();
  const sensors = await db.selectFrom('sensors').selectAll().where('hub_id', 'in', ids).execute();
  const availability = await db.selectFrom('sensor_availability').selectAll().where('hub_id', 'in', ids).execute();
  const unmapped = await db.selectFrom('unmapped_devices').selectAll().where('hub_id', 'in', ids).execute();
  // The latest tamper event of each sensor.
  const tampers = await db
    .selectFrom('events')
    .select(['hub_id', 'sensor', 'value', (eb) => eb.fn.max('ts').as('at')])
    .where('hub_id', 'in', ids)
    .where('type', '=', 'tamper')
    .groupBy(['hub_id', 'sensor'])
    .execute();

  const items: HealthItem[] = [];
  const byHub = new Map(hubs.map((h) => [h.id, h]));
  const add = (hubId: string, sensorId: string | null, kind: HealthItem['kind'], since: number | null, problem: string): void => {
    const h = byHub.get(hubId)!;
    items.push({ hubId, hubName: h.name, residents: residents.filter((r) => r.hub_id === hubId).map((r) => r.name), sensorId, kind, rank: KINDS[kind].rank, since, problem, whatToDo: KINDS[kind].whatToDo });
  };

  for (const h of hubs) {
    const st = deriveHubStatus({ connected: connected(h.id), status: h.status, lastSeenAt: h.last_seen_at, heartbeatSeconds: h.heartbeat_seconds }, now);
    if (st.state === 'offline') add(h.id, null, 'hub-offline', h.last_seen_at, st.summary);
    if (st.state === 'unresponsive') add(h.id, null, 'hub-unresponsive', h.last_seen_at, st.summary);
  }
  for (const a of availability) {
    if (a.online) continue;
    if (a.sensor_id === '') add(a.hub_id, null, 'bridge-offline', a.at, `The hub reports its bridge offline (${a.source || 'bridge'}).`);
    else add(a.hub_id, a.sensor_id, 'sensor-offline', a.at, `The hub reports the sensor unreachable (${a.source || 'availability'}).`);
  }
  for (const s of sensors) {
    if (!s.commissioned) continue;
    const hours = (SENSOR_KINDS as Record<string, { silentAfterHours: number | null }>)[s.type]?.silentAfterHours ?? null;
    if (hours !== null && s.last_seen_at !== null && now - s.last_seen_at > hours * 3600_000) {
      add(s.hub_id, s.sensor_id, 'sensor-silent', s.last_seen_at, `No ${s.type} event for ${Math.round((now - s.last_seen_at) / 3600_000)} h (a ${s.type} sensor is silent after ${hours} h).`);
    }
    if (s.battery !== null && s.battery <= LOW_BATTERY_PERCENT) add(s.hub_id, s.sensor_id, 'low-battery', s.last_seen_at, `Battery at ${s.battery}%.`);
  }
  for (const t of tampers) if (t.value === 'true') add(t.hub_id, t.sensor, 'tamper', Number(t.at), 'Tamper alarm on (the last tamper report has not cleared).');
  for (const u of unmapped) add(u.hub_id, null, 'unmapped-device', u.last_seen_at, `Device "${u.device}" (${u.adapter}) heard ${u.count} time${u.count === 1 ? '' : 's'} but not mapped: ${u.reason}.`);
  return items.sort((a, b) => a.rank - b.rank || (a.since ?? 0) - (b.since ?? 0));
}
