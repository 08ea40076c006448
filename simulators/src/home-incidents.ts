// The incidents a simulated home can act out (falls, a collapse, a cancelled call), each labelled with the alerts it expects.
import type { AlertType } from '../../server/src/care/model.ts';
import type { Room } from './devices.ts';
import type { HomeSim } from './home-sim.ts';
import { MIN, PLAN } from './sim-constants.ts';

/** The fall sensor reports a fall (a pendant call where the home has no fall sensor); the alert type that should follow. */
export function fallEvent(sim: HomeSim, t: number, value: true | number): 'fall' | 'call' {
  if (sim.dev.fall) sim.emit(t, sim.dev.fall, 'fall', value);
  else sim.emit(t, sim.dev.call, 'call', 'pressed');
  return sim.dev.fall ? 'fall' : 'call';
}

export function fallRecovered(sim: HomeSim): void {
  const r = sim.rng;
  const onset = sim.t;
  const kind = fallEvent(sim, onset, r.chance(0.5) ? true : Math.round(r.uniform(0.7, 1) * 100) / 100);
  sim.t += r.uniform(1, 4) * MIN;
  const up = sim.t;
  sim.stay(sim.room, r.uniform(3, 10), 40);
  sim.label('fall-recovered', onset, up, [kind], { [kind]: onset + MIN }, [], { room: sim.room, minutesOnFloor: Math.round((up - onset) / MIN) });
}

export function fallLongLie(sim: HomeSim): void {
  const r = sim.rng;
  const onset = sim.t;
  const room = sim.room;
  const kind = fallEvent(sim, onset, true);
  const lie = r.uniform(45, 240);
  sim.t += lie * MIN;
  const found = sim.t;
  sim.help(room);
  sim.label('fall-long-lie', onset, found, [kind, 'long-lie'], { [kind]: onset + MIN, 'long-lie': onset + (PLAN.longLieMinutes + 5) * MIN }, ['inactivity'], { room, minutesOnFloor: Math.round(lie) });
}

export function collapse(sim: HomeSim): void {
  const r = sim.rng;
  const room: Room = r.weighted({ lounge: 0.4, kitchen: 0.3, bathroom: 0.3 });
  const entered = sim.t;
  sim.stay(room, r.uniform(2, 8), 30);
  const onset = sim.t;
  const quiet = r.uniform(300, 480);
  sim.t += quiet * MIN;
  const found = sim.t;
  sim.help(room);
  const bathroom = room === 'bathroom';
  const deadlines: Partial<Record<AlertType, number>> = { inactivity: onset + (PLAN.inactivityCeilingMinutes + 15) * MIN };
  if (bathroom) deadlines['long-lie'] = entered + (PLAN.bathroomDwellMinutes + 10) * MIN;
  sim.label('collapse', onset, found, bathroom ? ['long-lie', 'inactivity'] : ['inactivity'], deadlines, bathroom ? [] : ['long-lie'], { room, minutesStill: Math.round(quiet) });
}

export function callCancelled(sim: HomeSim): void {
  const r = sim.rng;
  const onset = sim.t;
  const after = r.uniform(8, 90);
  sim.emit(onset, sim.dev.call, 'call', 'pressed');
  sim.emit(onset + after * 1000, sim.dev.call, 'call', 'cancelled');
  sim.t += after * 1000 + 5000;
  sim.stay(sim.room, r.uniform(2, 6), 30);
  sim.label('call-cancelled', onset, onset + after * 1000, ['call'], { call: onset + MIN }, [], { cancelledAfterSeconds: Math.round(after), sensor: sim.dev.call });
}

// ---- temperature and batteries ------------------------------------------
