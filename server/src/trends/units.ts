import type { FigureName } from './trend-service.ts';

/** The unit of a trend figure. */
export type TrendUnit = 'count' | 'minutes' | 'clock' | 'celsius' | 'ratio';

/** What each unit means, for the OpenAPI description and docs/coordinator.md. */
export const UNIT_MEANING: Record<TrendUnit, string> = {
  count: 'a count of events or visits in the day',
  minutes: 'minutes',
  clock: "a local clock time in the resident's time zone, as minutes after local midnight (1440 and more: after the next midnight); `local` gives it as HH:MM",
  celsius: 'degrees Celsius',
  ratio: 'a share from 0 to 1',
};

/** Each daily figure's unit, label and meaning, as data. */
export const FIGURE_UNITS: Record<FigureName, { unit: TrendUnit; label: string; description: string }> = {
  activity: { unit: 'count', label: 'Activity', description: 'activity events (movement, doors, bed and chair pads) in the local day' },
  rising: { unit: 'clock', label: 'Rising', description: 'first activity of the morning (04:00 to 14:00 local)' },
  retiring: { unit: 'clock', label: 'Going to bed', description: 'last activity at night (18:00 to 04:00 next day, local)' },
  nightBathroomVisits: { unit: 'count', label: 'Night-time bathroom visits', description: "bathroom visits in the plan's night window that ended this morning" },
  exits: { unit: 'count', label: 'Times out', description: 'exterior door closings with no movement inside soon after' },
  outMinutes: { unit: 'minutes', label: 'Time out of the home', description: 'minutes from going out (as for `exits`) to the next movement inside' },
  chairMinutes: { unit: 'minutes', label: 'Time in the chair', description: 'minutes on the chair pad' },
  temperatureMean: { unit: 'celsius', label: 'Home temperature (mean)', description: 'mean indoor temperature' },
  temperatureMin: { unit: 'celsius', label: 'Home temperature (lowest)', description: 'lowest indoor temperature' },
  hubUptime: { unit: 'ratio', label: 'Hub heard', description: "share of the day's five-minute slots in which the hub was heard" },
};

/** Minutes after local midnight as HH:MM (wrapping past midnight). */
export function clockText(minutes: number): string {
  const m = ((Math.round(minutes) % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** A figure's value in words with its unit ("07:45", "12 min", "3", "18.5 °C", "96%"). */
export function formatFigure(name: FigureName, value: number): string {
  const unit = FIGURE_UNITS[name].unit;
  switch (unit) {
    case 'clock':
      return clockText(value);
    case 'minutes':
      return `${Math.round(value)} min`;
    case 'celsius':
      return `${Math.round(value * 10) / 10} °C`;
    case 'ratio':
      return `${Math.round(value * 100)}%`;
    default:
      return String(Math.round(value * 10) / 10);
  }
}

/** The units block of a trends answer: every figure's unit and meaning, rooms and the heatmap. */
export function unitsBlock(): { figures: Record<string, { unit: TrendUnit; label: string; description: string }>; rooms: { unit: 'minutes' }; heatmap: { unit: 'count' }; units: Record<TrendUnit, string> } {
  return { figures: FIGURE_UNITS, rooms: { unit: 'minutes' }, heatmap: { unit: 'count' }, units: UNIT_MEANING };
}
