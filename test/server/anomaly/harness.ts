import { SENSOR_KINDS, type SensorType } from '../../../protocol/index.ts';
import { AnomalyCore } from '../../../server/src/anomaly/core.ts';
import type { AlertSignal } from '../../../server/src/anomaly/detector.ts';
import type { HomeInfo, SensorInfo } from '../../../server/src/care/directory.ts';
import { planWithDefaults } from '../../../server/src/care/model.ts';
import { VirtualClock } from '../../../server/src/clock.ts';

/** The standard home's sensors with their rooms and roles (as simulators/src/layout.ts commissions them). */
export const SENSORS: [string, SensorType, string, string | null][] = [
  ['hall-pir', 'motion', 'hall', null],
  ['kitchen-pir', 'motion', 'kitchen', 'kitchen'],
  ['lounge-pir', 'motion', 'lounge', 'living'],
  ['bedroom-pir', 'motion', 'bedroom', 'bedroom'],
  ['bathroom-pir', 'motion', 'bathroom', 'bathroom'],
  ['front-door', 'door', 'hall', 'exterior-door'],
  ['bed-pad', 'bed', 'bedroom', 'bedroom'],
  ['chair-pad', 'chair', 'lounge', 'living'],
  ['lounge-temp', 'temperature', 'lounge', 'living'],
  ['pendant', 'call', 'worn', 'pendant'],
  ['pendant-fall', 'fall', 'worn', 'worn'],
  ['hall-smoke', 'smoke', 'hall', null],
];

/** A home with one resident (plan overrides and time zone as given). */
export function makeHome(opts: { hubId?: string; timezone?: string; plan?: Record<string, unknown>; away?: boolean } = {}): HomeInfo {
  const sensors = new Map<string, SensorInfo>();
  for (const [sensorId, type, room, role] of SENSORS) sensors.set(sensorId, { sensorId, type, room, role, commissioned: true });
  return {
    hubId: opts.hubId ?? 'hub-test',
    orgId: 'org-1',
    residents: [
      { id: 'res-1', name: 'Ada', timezone: opts.timezone ?? 'Europe/London', plan: planWithDefaults(opts.plan ?? {}), away: opts.away ?? false, coordinatorId: null, neighbourhoodId: 'nb-1' },
    ],
    sensors,
  };
}

let seq = 0;

/** An AnomalyCore on a VirtualClock with one home, collecting every signal. */
export function rig(start: string, home = makeHome()) {
  const clock = new VirtualClock(Date.parse(start));
  const signals: AlertSignal[] = [];
  const core = new AnomalyCore({ clock, homes: { get: (id) => (id === home.hubId ? home : undefined) }, sink: (s) => signals.push(s) });
  core.start();
  const r = {
    clock,
    core,
    home,
    signals,
    /** Advance virtual time to an ISO time (ticks fire on the way). */
    to(iso: string): void {
      clock.advanceTo(Date.parse(iso));
    },
    /** Deliver an event seen at `ts`, arriving at `receivedAt` (default: ts); the clock moves to the arrival. */
    ev(sensor: string, value: unknown, ts: string, receivedAt?: string): void {
      const s = home.sensors.get(sensor);
      const type = (s?.type ?? 'motion') as SensorType;
      if (!(type in SENSOR_KINDS)) throw new Error(`unknown type ${type}`);
      const t = Date.parse(ts);
      const rcv = receivedAt ? Date.parse(receivedAt) : t;
      if (rcv > clock.now()) clock.advanceTo(rcv);
      core.process({ hubId: home.hubId, id: `e${++seq}`, ts: t, receivedAt: rcv, sensor, type, value, battery: null, late: rcv - t > 120_000 });
    },
    /** Signals of one type (optionally one action). */
    of(type: string, action?: AlertSignal['action']): AlertSignal[] {
      return signals.filter((s) => s.type === type && (!action || s.action === action));
    },
    /** Care alerts raised (technical ones left out: the test home has sensors it never exercises). */
    raisedCare(): AlertSignal[] {
      return signals.filter((s) => s.action === 'raise' && !['sensor-silent', 'low-battery', 'hub-offline', 'power', 'tamper'].includes(s.type));
    },
    /** A normal day: up at `rise`, moving about every `every` minutes until bed at `bed` (local London times in UTC offset given). */
    day(date: string, opts: { offset?: string; rise?: string; bed?: string; every?: number; nightBathroom?: string[] } = {}): void {
      const off = opts.offset ?? 'Z';
      const rise = Date.parse(`${date}T${opts.rise ?? '07:30'}:00${off}`);
      const bed = Date.parse(`${date}T${opts.bed ?? '22:30'}:00${off}`);
      const every = (opts.every ?? 20) * 60_000;
      for (const nb of opts.nightBathroom ?? []) {
        const t = Date.parse(`${date}T${nb}:00${off}`);
        r.ev('bedroom-pir', true, new Date(t).toISOString());
        r.ev('bathroom-pir', true, new Date(t + 60_000).toISOString());
        r.ev('bedroom-pir', true, new Date(t + 6 * 60_000).toISOString());
        r.ev('bed-pad', 'in', new Date(t + 7 * 60_000).toISOString());
      }
      r.ev('bed-pad', 'out', new Date(rise).toISOString());
      const rooms = ['kitchen-pir', 'lounge-pir', 'hall-pir', 'bathroom-pir', 'kitchen-pir', 'lounge-pir'];
      let i = 0;
      for (let t = rise + 60_000; t < bed; t += every) {
        const sensor = rooms[i++ % rooms.length]!;
        r.ev(sensor, true, new Date(t).toISOString());
        // Leave the bathroom again shortly after.
        if (sensor === 'bathroom-pir') r.ev('hall-pir', true, new Date(t + 5 * 60_000).toISOString());
      }
      r.ev('bedroom-pir', true, new Date(bed).toISOString());
      r.ev('bed-pad', 'in', new Date(bed + 60_000).toISOString());
    },
  };
  return r;
}
