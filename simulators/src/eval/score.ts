import type { AlertType } from '../../../server/src/care/model.ts';
import { ALERT_TYPES } from '../../../server/src/care/model.ts';
import type { Label } from '../generate.ts';

/** An alert as the scorer needs it (a subset of the replay's output line). */
export interface ScoredAlert {
  type: AlertType;
  hub: string;
  raisedAt: string;
  severity: string;
}

/** Figures of one alert type. */
export interface DetectorScore {
  type: AlertType;
  /** Labelled incidents that expect this alert. */
  incidents: number;
  /** Of those, how many got it at all (after onset, before the incident's window closed). */
  caught: number;
  /** Of those, how many got it by the label's deadline. */
  onTime: number;
  /** Detection delays from onset, ms, of the caught ones. */
  delays: number[];
  /** Alerts of this type matching no incident (neither expected nor allowed). */
  falseAlerts: number;
  /** Of those, raised on a normal home-day (no incident that day in that home). */
  falseOnNormalDays: number;
}

/** The whole score of a cohort. */
export interface CohortScore {
  homes: number;
  homeDays: number;
  normalHomeDays: number;
  byType: Map<AlertType, DetectorScore>;
  /** Urgent or high alerts matching no incident, on normal days. */
  falseUrgentHighOnNormalDays: number;
  /** Each missed expectation, for the report. */
  missed: { hub: string; incident: string; type: AlertType; onset: string }[];
}

const MIN = 60_000;
const HOUR = 60 * MIN;
/** An alert raised this long before an onset can still be that incident's (clock skew between sensors). */
const EARLY_SLACK = 2 * MIN;
/** An incident's window stays open this long after its end (or its onset, when it has none). */
const WINDOW_AFTER_END = 6 * HOUR;
const WINDOW_OPEN_ENDED = 24 * HOUR;

/** The quantile q (0..1) of numbers, by nearest rank; NaN when empty. */
export function quantile(values: number[], q: number): number {
  if (!values.length) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** Local date (YYYY-MM-DD) of an instant in a time zone. */
function localDate(tz: string, t: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);
}

/**
 * Score alerts against labels. Each expected (incident, type) is matched to the
 * first alert of that type in that home raised inside the incident's window;
 * every other alert is false unless an incident of its home expects or allows
 * its type in that window. Chronic incidents (decline over weeks) span their
 * whole window and do not make their days abnormal for false-alert counting
 * unless they expect an urgent or high alert.
 */
export function scoreCohort(input: {
  /** Each home's simulated period (UTC ISO): alerts after its end are about no data, and not scored. */
  homes: { hub: string; timezone: string; days: number; start: string; end?: string }[];
  labels: Label[];
  alerts: ScoredAlert[];
}): CohortScore {
  const byType = new Map<AlertType, DetectorScore>();
  const score = (t: AlertType): DetectorScore => {
    let s = byType.get(t);
    if (!s) byType.set(t, (s = { type: t, incidents: 0, caught: 0, onTime: 0, delays: [], falseAlerts: 0, falseOnNormalDays: 0 }));
    return s;
  };
  const alertsByHub = new Map<string, (ScoredAlert & { t: number; used: boolean })[]>();
  const endOf = new Map(input.homes.filter((h) => h.end).map((h) => [h.hub, Date.parse(h.end!)]));
  for (const a of input.alerts) {
    const end = endOf.get(a.hub);
    if (end !== undefined && Date.parse(a.raisedAt) > end) continue;
    const list = alertsByHub.get(a.hub) ?? [];
    list.push({ ...a, t: Date.parse(a.raisedAt), used: false });
    alertsByHub.set(a.hub, list);
  }
  for (const list of alertsByHub.values()) list.sort((x, y) => x.t - y.t);

  const windows = new Map<string, { from: number; to: number; types: Set<AlertType> }[]>();
  const abnormalDays = new Set<string>();
  const tzOf = new Map(input.homes.map((h) => [h.hub, h.timezone]));
  const missed: CohortScore['missed'] = [];

  for (const l of input.labels) {
    const onset = Date.parse(l.onset);
    const end = l.end ? Date.parse(l.end) : null;
    const latestDeadline = Math.max(0, ...Object.values(l.deadlines).map((d) => Date.parse(d!)));
    // Open until the incident is over and its slowest expected alert was due (a decline takes weeks).
    const to = Math.max(end !== null ? Math.max(end, onset) + WINDOW_AFTER_END : onset + WINDOW_OPEN_ENDED, latestDeadline + HOUR);
    const from = onset - EARLY_SLACK;
    const w = { from, to, types: new Set<AlertType>([...l.expect, ...l.allow]) };
    windows.set(l.hub, [...(windows.get(l.hub) ?? []), w]);
    const urgentish = l.expect.some((t) => ALERT_TYPES[t].severity === 'urgent' || ALERT_TYPES[t].severity === 'high');
    if (urgentish || l.incident !== 'decline') {
      const tz = tzOf.get(l.hub) ?? 'UTC';
      for (let t = onset; t <= Math.min(to, onset + 3 * 24 * HOUR); t += HOUR) abnormalDays.add(`${l.hub}|${localDate(tz, t)}`);
    }
    for (const type of l.expect) {
      const s = score(type);
      s.incidents++;
      const hit = (alertsByHub.get(l.hub) ?? []).find((a) => a.type === type && !a.used && a.t >= from && a.t <= to);
      if (!hit) {
        missed.push({ hub: l.hub, incident: l.incident, type, onset: l.onset });
        continue;
      }
      hit.used = true;
      s.caught++;
      s.delays.push(Math.max(0, hit.t - onset));
      const deadline = l.deadlines[type];
      if (!deadline || hit.t <= Date.parse(deadline)) s.onTime++;
    }
  }

  let falseUrgentHigh = 0;
  for (const [hub, list] of alertsByHub) {
    const tz = tzOf.get(hub) ?? 'UTC';
    for (const a of list) {
      if (a.used) continue;
      const allowed = (windows.get(hub) ?? []).some((w) => w.types.has(a.type) && a.t >= w.from && a.t <= w.to);
      if (allowed) continue;
      const s = score(a.type);
      s.falseAlerts++;
      const normal = !abnormalDays.has(`${hub}|${localDate(tz, a.t)}`);
      if (normal) {
        s.falseOnNormalDays++;
        if (a.severity === 'urgent' || a.severity === 'high') falseUrgentHigh++;
      }
    }
  }

  const homeDays = input.homes.reduce((n, h) => n + h.days, 0);
  return {
    homes: input.homes.length,
    homeDays,
    normalHomeDays: Math.max(0, homeDays - abnormalDays.size),
    byType,
    falseUrgentHighOnNormalDays: falseUrgentHigh,
    missed,
  };
}
