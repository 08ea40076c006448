import type { SensorDescription } from '../../protocol/index.ts';

/** The rooms a simulated resident moves between. */
export const ROOMS = ['bedroom', 'bathroom', 'kitchen', 'lounge', 'hall'] as const;
/** A room of the simulated home. */
export type Room = (typeof ROOMS)[number];

/** Which sensor id plays each part in a home (absent parts are simply not reported). */
export interface Devices {
  motion: Partial<Record<Room, string>>;
  frontDoor?: string | undefined;
  backDoor?: string | undefined;
  bed?: string | undefined;
  chair?: string | undefined;
  temperature?: string | undefined;
  call?: string | undefined;
  fall?: string | undefined;
  /** Sensors that send a daily battery report (every battery-powered device). */
  battery: string[];
}

const ROOM_BY_ROLE: Record<string, Room> = { bedroom: 'bedroom', bathroom: 'bathroom', kitchen: 'kitchen', living: 'lounge' };
const ROOM_BY_NAME: Record<string, Room> = {
  bedroom: 'bedroom',
  bathroom: 'bathroom',
  toilet: 'bathroom',
  kitchen: 'kitchen',
  lounge: 'lounge',
  'living room': 'lounge',
  living: 'lounge',
  hall: 'hall',
  hallway: 'hall',
  landing: 'hall',
};

/**
 * Map a home's commissioned sensors to the parts the resident model drives:
 * motion sensors by role, else by room name; the first exterior door in the
 * hall is the front door, another exterior door the back door.
 */
export function devicesFor(sensors: readonly SensorDescription[]): Devices {
  const dev: Devices = { motion: {}, battery: [] };
  const exterior = sensors.filter((s) => s.type === 'door' && s.role === 'exterior-door');
  const front = exterior.find((s) => s.room.toLowerCase() === 'hall') ?? exterior[0];
  dev.frontDoor = front?.sensor;
  dev.backDoor = exterior.find((s) => s !== front)?.sensor;
  for (const s of sensors) {
    if (s.type === 'motion') {
      const room = (s.role && ROOM_BY_ROLE[s.role]) ?? ROOM_BY_NAME[s.room.toLowerCase()];
      if (room && !dev.motion[room]) dev.motion[room] = s.sensor;
    }
    if (s.type === 'bed') dev.bed ??= s.sensor;
    if (s.type === 'chair') dev.chair ??= s.sensor;
    if (s.type === 'temperature') dev.temperature ??= s.sensor;
    if (s.type === 'call') dev.call ??= s.sensor;
    if (s.type === 'fall') dev.fall ??= s.sensor;
    if (s.type !== 'power' && s.type !== 'battery') dev.battery.push(s.sensor);
  }
  return dev;
}
