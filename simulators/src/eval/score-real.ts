// Scoring recorded homes with the dataset README's rules: after each home's first 14 days
// (learning), a serious urgent or high alert not within 8 h after a labelled onset and not
// inside a mask is false; a collapse is caught by an expected alert within 8 h of its onset.
import { ALERT_TYPES, type AlertType } from '../../../server/src/care/model.ts';
import type { RealLabel, RealMask } from './dataset.ts';
import type { ScoredAlert } from './score.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The serious alert types a false alarm is counted for. */
export const SERIOUS: readonly AlertType[] = ['fall', 'call', 'long-lie', 'inactivity', 'not-up', 'not-home', 'night-exit'];

/** One home's period, labels and masks. */
export interface ScoredHome {
  hub: string;
  /** First event (ISO). */
  start: string;
  /** End of the recording (ISO). */
  end: string;
  labels: RealLabel[];
  masks: RealMask[];
  /** Days recorded (span less masked days), as the dataset gives it: scored days are these less the learning days. */
  days?: number;
}

/** One home's figures. */
export interface HomeScore {
  hub: string;
  /** Home-days after learning, less masked time. */
  scoredDays: number;
  collapses: number;
  caught: number;
  /** Delay (ms) from onset to the first expected alert, per caught collapse. */
  delays: number[];
  /** False urgent/high alerts by type. */
  falseByType: Partial<Record<AlertType, number>>;
  falseAlerts: number;
  /** The false alerts themselves, for reading. */
  falseList: (ScoredAlert & { summary?: string })[];
  missed: string[];
}

/** Every home's figures and the totals. */
export interface RealScore {
  homes: HomeScore[];
  scoredDays: number;
  collapses: number;
  caught: number;
  delays: number[];
  falseAlerts: number;
  falseByType: Partial<Record<AlertType, number>>;
  /** False alerts per home-month (30 days). */
  falsePerHomeMonth: number;
}

/** Options of the scoring (the README's figures by default). */
export interface RealScoreOptions {
  learnDays?: number;
  catchHours?: number;
}

const overlap = (a0: number, a1: number, b0: number, b1: number): number => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

/** Score alerts (with an optional cause summary) against each home's labels and masks. */
export function scoreRealHomes(homes: ScoredHome[], alerts: (ScoredAlert & { summary?: string })[], o: RealScoreOptions = {}): RealScore {
  const learnMs = (o.learnDays ?? 14) * DAY;
  const catchMs = (o.catchHours ?? 8) * HOUR;
  const out: HomeScore[] = [];
  for (const h of homes) {
    const start = Date.parse(h.start);
    const end = Date.parse(h.end);
    const scoredFrom = start + learnMs;
    const masks = h.masks.map((m) => [Date.parse(m.from), Date.parse(m.to)] as const);
    const masked = masks.reduce((n, [a, b]) => n + overlap(a, b, scoredFrom, end), 0);
    const onsets = h.labels.map((l) => Date.parse(l.onset));
    const mine = alerts.filter((a) => a.hub === h.hub).map((a) => ({ ...a, t: Date.parse(a.raisedAt) })).sort((x, y) => x.t - y.t);
    const scoredDays = h.days !== undefined ? Math.max(0, h.days - learnMs / DAY) : Math.max(0, end - scoredFrom - masked) / DAY;
    const s: HomeScore = { hub: h.hub, scoredDays, collapses: h.labels.length, caught: 0, delays: [], falseByType: {}, falseAlerts: 0, falseList: [], missed: [] };
    h.labels.forEach((l, i) => {
      const onset = onsets[i]!;
      const hit = mine.find((a) => l.expect.includes(a.type) && a.t >= onset && a.t <= onset + catchMs);
      if (hit) {
        s.caught++;
        s.delays.push(hit.t - onset);
      } else s.missed.push(l.onset);
    });
    for (const a of mine) {
      if (!SERIOUS.includes(a.type)) continue;
      const sev = ALERT_TYPES[a.type].severity;
      if (sev !== 'urgent' && sev !== 'high') continue;
      if (a.t < scoredFrom || a.t > end) continue;
      if (masks.some(([m0, m1]) => a.t >= m0 && a.t <= m1)) continue;
      if (onsets.some((t) => a.t >= t && a.t <= t + catchMs)) continue;
      s.falseAlerts++;
      s.falseByType[a.type] = (s.falseByType[a.type] ?? 0) + 1;
      s.falseList.push(a);
    }
    out.push(s);
  }
  const scoredDays = out.reduce((n, h) => n + h.scoredDays, 0);
  const falseAlerts = out.reduce((n, h) => n + h.falseAlerts, 0);
  const falseByType: Partial<Record<AlertType, number>> = {};
  for (const h of out) for (const [t, n] of Object.entries(h.falseByType)) falseByType[t as AlertType] = (falseByType[t as AlertType] ?? 0) + n;
  return {
    homes: out,
    scoredDays,
    collapses: out.reduce((n, h) => n + h.collapses, 0),
    caught: out.reduce((n, h) => n + h.caught, 0),
    delays: out.flatMap((h) => h.delays),
    falseAlerts,
    falseByType,
    falsePerHomeMonth: scoredDays ? (falseAlerts / scoredDays) * 30 : 0,
  };
}
