import { createHearth, type Hearth } from '../../../server/src/app.ts';
import type { Clock } from '../../../server/src/clock.ts';
import { loadConfig, type HearthConfig } from '../../../server/src/config.ts';
import { addDays, localTime } from '../../../server/src/trends/local-time.ts';
import { pino } from 'pino';

/** A server with configuration overrides on free ports in a given folder (startHearth takes no config). */
export async function startWith(dataDir: string, clock: Clock, over: Partial<HearthConfig> = {}): Promise<Hearth> {
  const config = { ...loadConfig({}), httpPort: 0, mqttPort: 0, host: '127.0.0.1', dataDir, demo: 'off' as const, ...over };
  const hearth = await createHearth({ config, clock, logger: pino({ level: process.env.HEARTH_TEST_LOG ?? 'silent' }) });
  await hearth.start();
  return hearth;
}

/** The sensors of the routine, to commission. */
export const ROUTINE_SENSORS = [
  { sensorId: 'bedroom-pir', type: 'motion', room: 'bedroom', role: 'bedroom' },
  { sensorId: 'bathroom-pir', type: 'motion', room: 'bathroom', role: 'bathroom' },
  { sensorId: 'kitchen-pir', type: 'motion', room: 'kitchen', role: 'kitchen' },
  { sensorId: 'lounge-pir', type: 'motion', room: 'lounge', role: 'living' },
  { sensorId: 'hall-pir', type: 'motion', room: 'hall' },
  { sensorId: 'front-door', type: 'door', room: 'hall', role: 'exterior-door' },
  { sensorId: 'lounge-temp', type: 'temperature', room: 'lounge', role: 'living' },
] as const;

/**
 * A resident's days as protocol events, in local time: up at 07:15, out 10:00 to
 * 12:00, a night-time bathroom visit at 03:00 on even days, in bed 22:30, the lounge
 * at 19 °C (17 °C on the 10th of each month). Deterministic.
 */
export function routine(tz: string, firstDay: string, days: number): { id: string; ts: string; sensor: string; type: string; value: unknown }[] {
  const out: { id: string; ts: string; sensor: string; type: string; value: unknown }[] = [];
  for (let i = 0; i < days; i++) {
    const day = addDays(firstDay, i);
    const at = (hh: number, mm: number, sensor: string, type: string, value: unknown) =>
      out.push({ id: `${day}-${hh}-${mm}-${sensor}`, ts: new Date(localTime(tz, day, hh * 60 + mm)).toISOString(), sensor, type, value });
    if (i % 2 === 0) {
      at(3, 0, 'bathroom-pir', 'motion', true);
      at(3, 4, 'bathroom-pir', 'motion', true);
      at(3, 12, 'bedroom-pir', 'motion', true);
    }
    at(7, 15, 'bedroom-pir', 'motion', true);
    at(7, 25, 'bathroom-pir', 'motion', true);
    at(7, 45, 'kitchen-pir', 'motion', true);
    at(8, 10, 'lounge-pir', 'motion', true);
    at(9, 40, 'hall-pir', 'motion', true);
    at(10, 0, 'front-door', 'door', 'open');
    at(10, 1, 'front-door', 'door', 'closed');
    at(12, 0, 'front-door', 'door', 'open');
    at(12, 1, 'front-door', 'door', 'closed');
    at(12, 2, 'hall-pir', 'motion', true);
    at(12, 20, 'kitchen-pir', 'motion', true);
    for (let m = 0; m < 60; m += 20) at(13, m, 'lounge-pir', 'motion', true);
    at(18, 0, 'kitchen-pir', 'motion', true);
    at(19, 0, 'lounge-pir', 'motion', true);
    at(22, 30, 'bedroom-pir', 'motion', true);
    for (let h = 0; h < 24; h += 6) at(h, 30, 'lounge-temp', 'temperature', day.endsWith('-10') ? 17 : 19);
  }
  return out;
}
