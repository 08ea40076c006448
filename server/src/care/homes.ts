import type { Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ResidentTable } from '../db/schema.ts';
import { planWithDefaults, type MonitoringPlan } from './model.ts';

/** A resident as the detectors see them. */
export interface ResidentInfo {
  id: string;
  name: string;
  timezone: string;
  plan: MonitoringPlan;
  away: boolean;
  coordinatorId: string | null;
  neighbourhoodId: string;
}

/** A commissioned (or only seen) sensor: where it is and what it watches. */
export interface SensorInfo {
  sensorId: string;
  type: string;
  room: string | null;
  role: string | null;
  commissioned: boolean;
  /** Commissioning override of the kind's evidence (protocol SENSOR_KINDS `evidence`): presence or touch; absent or null: the kind's. */
  evidence?: 'presence' | 'touch' | null;
}

/** A home: its hub, organisation, residents and sensors. What the anomaly core needs to know. */
export interface HomeInfo {
  hubId: string;
  orgId: string;
  residents: ResidentInfo[];
  sensors: Map<string, SensorInfo>;
}

/** A residents row as the detectors see it. */
export function toResident(row: Selectable<ResidentTable>): ResidentInfo {
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
    plan: planWithDefaults(JSON.parse(row.plan)),
    away: row.away === 1,
    coordinatorId: row.coordinator_id,
    neighbourhoodId: row.neighbourhood_id,
  };
}


/**
 * The homes of the given hubs (every hub when none are given), in three
 * queries whatever their number: the detectors' view is reloaded every
 * minute, and 20,000 hubs a query each was a steady cost of its own.
 */
export async function loadHomes(db: Db, hubIds?: readonly string[]): Promise<Map<string, HomeInfo>> {
  const out = new Map<string, HomeInfo>();
  if (hubIds && hubIds.length === 0) return out;
  // SQLite binds at most 32,766 parameters; chunk long lists.
  if (hubIds && hubIds.length > 5000) {
    for (let i = 0; i < hubIds.length; i += 5000) for (const [k, v] of await loadHomes(db, hubIds.slice(i, i + 5000))) out.set(k, v);
    return out;
  }
  let hq = db.selectFrom('hubs').select(['id', 'org_id']);
  // Residents whose monitoring ended (disabled, 0016) are not watched.
  let rq = db.selectFrom('residents').selectAll().where('disabled', '=', 0).where('hub_id', 'is not', null).orderBy('created_at');
  let sq = db.selectFrom('sensors').selectAll();
  if (hubIds) {
    hq = hq.where('id', 'in', hubIds);
    rq = rq.where('hub_id', 'in', hubIds);
    sq = sq.where('hub_id', 'in', hubIds);
  }
  for (const hub of await hq.execute()) out.set(hub.id, { hubId: hub.id, orgId: hub.org_id, residents: [], sensors: new Map() });
  for (const r of await rq.execute()) out.get(r.hub_id!)?.residents.push(toResident(r));
  for (const s of await sq.execute()) {
    out.get(s.hub_id)?.sensors.set(s.sensor_id, {
      sensorId: s.sensor_id,
      type: s.type,
      room: s.room,
      role: s.role,
      commissioned: s.commissioned === 1 && s.disabled !== 1,
      ...(s.evidence === 'presence' || s.evidence === 'touch' ? { evidence: s.evidence } : {}),
    });
  }
  return out;
}
