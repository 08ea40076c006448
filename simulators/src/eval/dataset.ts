// Recorded homes in the neutral format of ../shared/datasets/real-homes (its README): homes.json
// with each home's sensors (type, room, role), labelled collapses and masked outages, and
// gzipped JSON-lines events. Read at evaluation time only; nothing of it is kept in the repo.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { HomeDescription, SensorDescription } from '../../../protocol/index.ts';
import { toReplayEvent, type ReplayEvent } from '../../../server/src/replay/replay.ts';

/** A labelled collapse: from `onset`, the events of the next hours were cut. */
export interface RealLabel {
  incident: string;
  onset: string;
  removedUntil?: string;
  expect: string[];
}

/** A stretch with no recording: alerts inside it, and its days, are not scored. */
export interface RealMask {
  from: string;
  to: string;
  reason?: string;
}

/** One sensor as the neutral format writes it. */
export interface RealSensor {
  id: string;
  type: string;
  room: string;
  role: string;
  source?: string;
}

/** One home as the neutral format writes it. */
export interface RealHome {
  hub: string;
  timeZone: string;
  start: string;
  spanDays: number;
  days: number;
  sensors: RealSensor[];
  labels: RealLabel[];
  masks: RealMask[];
  events_file: string;
}

/** The neutral format's sensor roles as Hearth's role (what the rules watch) and evidence (presence or touch). */
const ROLE_MAP: Record<string, { role?: SensorDescription['role']; evidence?: SensorDescription['evidence'] }> = {
  presence: { evidence: 'presence' },
  activity: { evidence: 'touch' },
  'exterior-door': { role: 'exterior-door' },
  'internal-door': { role: 'interior-door', evidence: 'touch' },
  bed: {},
  chair: {},
  ambient: {},
};

/** Rooms whose sensors carry a Hearth role of the room's name. */
const ROOM_ROLE: Record<string, SensorDescription['role']> = { bathroom: 'bathroom', toilet: 'bathroom', bedroom: 'bedroom', kitchen: 'kitchen', lounge: 'living' };

/** A recorded home as a Hearth home description: one resident (a couple shares the rules), the plan's defaults, each sensor's role and evidence. */
export function describeRealHome(h: RealHome, plan: Record<string, unknown> = {}): HomeDescription {
  return {
    hub: h.hub,
    timezone: h.timeZone || 'UTC',
    residents: [{ id: `${h.hub}-r1`, name: `Resident of ${h.hub}`, plan, away: false }],
    sensors: h.sensors.map((s) => {
      const m = ROLE_MAP[s.role] ?? {};
      const role = m.role ?? (s.type === 'motion' || s.type === 'door' ? ROOM_ROLE[s.room] : undefined);
      return {
        sensor: s.id,
        type: s.type as SensorDescription['type'],
        room: s.room,
        ...(role ? { role } : {}),
        ...(m.evidence ? { evidence: m.evidence } : {}),
      };
    }),
  };
}

/** Read a dataset folder's homes.json. */
export function readRealHomes(dir: string): RealHome[] {
  const file = path.join(dir, 'homes.json');
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { homes?: RealHome[] };
  if (!raw || !Array.isArray(raw.homes)) throw new Error(`${file}: no "homes" array`);
  return raw.homes;
}

/** A home's events, parsed and checked as replay lines (refused lines counted, not fatal). */
export function readRealEvents(dir: string, h: RealHome): { events: ReplayEvent[]; refused: number } {
  const buf = fs.readFileSync(path.join(dir, h.events_file));
  const text = h.events_file.endsWith('.gz') ? zlib.gunzipSync(buf).toString('utf8') : buf.toString('utf8');
  const events: ReplayEvent[] = [];
  let refused = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      events.push(toReplayEvent(JSON.parse(line)));
    } catch {
      refused++;
    }
  }
  return { events, refused };
}
