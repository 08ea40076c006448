// A simulated home's temperatures (and cold spells) and batteries, over its whole period.
import type { HomeSim } from './home-sim.ts';
import { SENSOR_KINDS } from '../../protocol/index.ts';
import { DAY, HOUR, iso, MIN, PLAN } from './sim-constants.ts';
import { addDays, localToUtc, utcToLocal, weekday, type YMD } from './tz.ts';

export function environment(sim: HomeSim, start: YMD, days: number): void {
  const r = sim.rng;
  const p = sim.persona;
  const tz = sim.tz;
  const temp = sim.dev.temperature;
  if (temp) {
    const setpoint = r.uniform(19.5, 21.5);
    const setback = Math.max(17.2, setpoint - r.uniform(1.5, 3));
    const heatFrom = p.wake.weekday - 30;
    const heatTo = p.bed.weekday;
    let T = setpoint - 1;
    let last = sim.startT;
    let t = sim.startT + r.uniform(0, 15) * MIN;
    const coldState = sim.cold.map(() => ({ onset: undefined as number | undefined, end: undefined as number | undefined }));
    while (t < sim.endT) {
      const local = utcToLocal(tz, t).minutes;
      const m = local < heatFrom - 120 ? local + 1440 : local;
      let target = m >= heatFrom && m <= heatTo ? setpoint : setback;
      let tau = 1.2;
      const ci = sim.cold.findIndex((c) => t >= c.from && t < c.to);
      if (ci >= 0) {
        target = sim.cold[ci]!.outdoor;
        tau = 3;
      }
      const dtH = (t - last) / HOUR;
      T += (target - T) * (1 - Math.exp(-dtH / tau));
      last = t;
      const sun = 0.5 * Math.sin(((local - 540) / 1440) * 2 * Math.PI);
      const value = Math.round((T + sun + r.normal(0, 0.1)) * 10) / 10;
      sim.emit(t, temp, 'temperature', value);
      sim.cold.forEach((c, i) => {
        const s = coldState[i]!;
        if (t >= c.from && s.onset === undefined && value < PLAN.coldBelowC) s.onset = t;
        if (t >= c.to && s.onset !== undefined && s.end === undefined && value >= PLAN.coldBelowC) s.end = t;
      });
      t += r.uniform(15, 30) * MIN;
    }
    sim.cold.forEach((c, i) => {
      const s = coldState[i]!;
      if (s.onset === undefined) return;
      sim.label('cold-home', s.onset, s.end ?? null, ['cold-home'], { 'cold-home': s.onset + (PLAN.coldForMinutes + 35) * MIN }, [], {
        sensor: temp,
        heatingOff: iso(c.from),
        heatingBack: iso(c.to),
        coldestC: Math.round(c.outdoor * 10) / 10,
      });
    });
  }
  for (const o of sim.outages) {
    sim.label('hub-outage', o.from, o.to, ['hub-offline'], { 'hub-offline': o.from + 4 * MIN }, [], {
      hours: Math.round(((o.to - o.from) / HOUR) * 10) / 10,
      note: 'live: the hub disconnects; replay: its events arrive late, drained at the end',
    });
  }
  // Daily battery reports; the flat-battery sensor sinks to 0, falls silent, and
  // comes back with a new battery once the installer has been.
  const flatLevels = [18, 11, 6, 2, 0];
  for (const s of sim.dev.battery) {
    const level0 = r.uniform(55, 100);
    const rate = r.uniform(0.03, 0.15);
    const at = r.uniform(0, 1440);
    const flat = sim.flat?.sensor === s ? sim.flat : undefined;
    for (let d = 0; d < days; d++) {
      const t = localToUtc(tz, addDays(start, d), at);
      let level = level0 - rate * d;
      if (flat) {
        if (d < flat.day) level = level0 + ((25 - level0) * d) / Math.max(1, flat.day);
        else if (d - flat.day < flatLevels.length) level = flatLevels[d - flat.day]!;
        else if (sim.dead && t > sim.dead.back) level = 100 - rate * ((t - sim.dead.back) / DAY);
        else continue;
        if (d === flat.day) {
          const dies = localToUtc(tz, addDays(start, d + flatLevels.length - 1), at);
          const back = dies + (SENSOR_KINDS.motion.silentAfterHours + r.uniform(12, 60)) * HOUR;
          sim.dead = { sensor: s, at: dies, back };
          const silentH = SENSOR_KINDS.motion.silentAfterHours;
          // A dead PIR hides the resident in its room, so quiet-spell alerts are fair until it is fixed.
          sim.label('flat-battery', t, back < sim.endT ? back : null, ['low-battery', 'sensor-silent'], { 'low-battery': t + 5 * MIN, 'sensor-silent': dies + (silentH + 0.5) * HOUR }, ['inactivity', 'long-lie', 'not-up'], {
            sensor: s,
            levels: flatLevels,
            silentFrom: iso(dies),
            replacedAt: iso(back),
          });
        }
      }
      sim.emit(t, s, 'battery', Math.round(level));
    }
  }
}
