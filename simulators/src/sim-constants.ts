// What the home simulator's parts share: a raw reading, time units, the plan figures labels rely on.
import type { SensorType } from '../../protocol/index.ts';

export interface Raw {
  t: number;
  sensor: string;
  type: SensorType;
  value: unknown;
}

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** Default monitoring-plan figures the labels' deadlines rely on (server/src/care/model.ts). */
export const PLAN = { notUpMarginMinutes: 120, longLieMinutes: 20, bathroomDwellMinutes: 60, nightExitMinutes: 15, coldBelowC: 16, coldForMinutes: 120, inactivityCeilingMinutes: 240 };

export const iso = (t: number): string => new Date(t).toISOString();
