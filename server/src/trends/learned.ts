import type { MonitoringPlan } from '../care/model.ts';
import type { FigurePoint } from './trend-service.ts';
import { clockText } from './units.ts';

/** A learned value beside a plan setting: what the resident's own history says, and where it comes from. */
export interface LearnedValue {
  value: number | string;
  note: string;
}

/** The parts of a home's detector snapshot this reads (anything else in it is ignored). */
interface RoutineSnapshotLike {
  nums?: Record<string, unknown>;
  arrays?: Record<string, unknown>;
}

function num(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

function uint16s(b64: unknown): number[] | null {
  if (typeof b64 !== 'string') return null;
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.byteLength === 0 || bytes.byteLength % 2) return null;
  const out: number[] = [];
  for (let i = 0; i < bytes.byteLength; i += 2) out.push(bytes.readUInt16LE(i));
  return out;
}

/**
 * The resident's learned norms beside the plan's settings, read tolerantly:
 * from the routine detector's state (`snapshot.detectors.routine`: days
 * learned, longest bathroom visit, longest quiet spell by hour) where it has
 * them, and from the trends' usual ranges (median rising and going-to-bed
 * times, lowest home temperature). A value the detectors do not (or no longer)
 * keep is simply absent: the detectors are being reworked, and this must not break.
 */
export function learnedValues(input: { snapshot: unknown; today: Record<string, FigurePoint> | undefined }): Partial<Record<keyof MonitoringPlan, LearnedValue>> {
  const out: Partial<Record<keyof MonitoringPlan, LearnedValue>> = {};
  const detectors = (input.snapshot as { detectors?: Record<string, unknown> } | undefined)?.detectors;
  const routine = (detectors?.['routine'] ?? undefined) as RoutineSnapshotLike | undefined;
  const days = num(routine?.nums?.['daysLearned']);
  if (routine && days !== null && days >= 7) {
    const span = `learned over the last ${Math.min(days, 14)} days`;
    const dwell = num(routine.nums?.['normDwell']);
    if (dwell !== null && dwell > 0) out.bathroomDwellMinutes = { value: Math.round(dwell), note: `longest usual bathroom visit, ${span}` };
    const tod = uint16s(routine.arrays?.['normTod']);
    if (tod && tod.length === 24) {
      const longest = Math.max(...tod);
      if (longest > 0) out.inactivityCeilingMinutes = { value: longest, note: `longest usual quiet spell while up, ${span}` };
    }
  }
  const usual = (name: string) => input.today?.[name]?.usual ?? null;
  const rising = usual('rising');
  if (rising) out.usualRising = { value: clockText(rising.median), note: `median first activity of the morning over ${rising.n} days (middle half ${clockText(rising.q1)} to ${clockText(rising.q3)})` };
  const retiring = usual('retiring');
  if (retiring) out.nightStart = { value: clockText(retiring.median), note: `median last activity at night over ${retiring.n} days` };
  const cold = usual('temperatureMin');
  if (cold) out.coldBelowC = { value: cold.q1, note: `lowest home temperature: lower quartile over ${cold.n} days` };
  return out;
}
