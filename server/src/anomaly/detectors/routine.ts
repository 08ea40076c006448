import { SENSOR_KINDS } from '../../../../protocol/index.ts';
import type { HomeInfo } from '../../care/directory.ts';
import { planWithDefaults, type AlertType, type MonitoringPlan } from '../../care/model.ts';
import { loadEvent, loadNum, packArray, refOf, saveEvent, saveNum, unpackArray, type CoreEvent, type Detector, type DetectorContext } from '../detector.ts';
import { fmtDuration, minutesOf, zoneClock } from '../local-time.ts';
import { signal } from './emit.ts';
import { HubLiveness } from './hub-liveness.ts';

const MIN = 60_000;
/** Days of norms kept (quiet spells, bathroom dwell); norms are the longest seen in this window. */
const WINDOW = 14;
/** Days of daily figures kept for routine change (recent week, a week's gap, then up to four weeks of baseline). */
const HISTORY = 42;
/** Room slots per home: one per room with activity sensors, plus "in bed" and "in the chair". */
const SLOTS = 16;
const SLOT_BED = 0;
const SLOT_CHAIR = 1;
/** A quiet gap longer than this starts a new run of activity. */
const RUN_GAP_MS = 45 * 60_000;
/** A morning run that began up to this long before the night window's end counts as rising then. */
const EARLY_RISING_MS = 3 * 3_600_000;
/** A chair spell longer than this is a pad that missed its "out", not time in the chair. */
const CHAIR_MAX_MS = 6 * 3_600_000;

/**
 * The daily figures routine change watches (in this order in `checkRoutine`), with the direction
 * that is a worry and a typical daily spread (absolute, or relative to the level). A resident's
 * own spread (MAD) is drawn toward it (`routineSpreadPriorDays`): a few weeks' MAD alone is too
 * noisy, and a resident whose figure never varied would look changed by any one-off. Night visits
 * are a count, and use their standard deviation, at least a Poisson count's, instead.
 */
const FIGURES = [
  { key: 'nightVisits', worse: 1, prior: 0, priorRel: 0 },
  { key: 'activity', worse: -1, prior: 10, priorRel: 0.11 },
  { key: 'rising', worse: 1, prior: 28, priorRel: 0 },
  { key: 'chair', worse: 1, prior: 30, priorRel: 0.18 },
] as const;

/**
 * The knobs of the routine rules, in one place (docs/detection-rules.md explains each).
 * A learned norm is the longest value seen on any of the last 14 days; a threshold is
 * norm × factor + margin, never below the floor, never above the plan's ceiling.
 */
export const ROUTINE_TUNING = {
  /** Days with data before learned norms replace the plan's defaults. */
  learnAfterDays: 7,
  inactivityFactor: 1.4,
  inactivityMarginMinutes: 30,
  inactivityFloorMinutes: 60,
  /** Days of rising times before the learned (median) rising time replaces the plan's. */
  risingLearnDays: 5,
  /** Bathroom: threshold = usual × dwellFactor + margin (at least the floor), capped at the larger of the plan's dwell and usual × dwellCapFactor + margin. */
  dwellFactor: 3,
  dwellMarginMinutes: 10,
  dwellFloorMinutes: 30,
  dwellCapFactor: 1.25,
  /** After a late (buffered) event arrives, timer rules wait this long for the rest of the buffer. */
  settleMs: 30_000,
  /** Movement in the door's own room within this time of a night-time door opening is the resident leaving, not staying. */
  nightExitGraceMs: 60_000,
  /** Movement this soon after a fall or call is the fall itself, not the person getting up. */
  longLieGraceMs: 30_000,
  /** Routine change: the recent window (days, ending with the day just folded). */
  routineRecentDays: 7,
  /** Routine change: the baseline is up to this many days, ending `routineGapDays` before the recent window. */
  routineBaselineDays: 28,
  /** A week between baseline and recent window, so a slow decline is compared with how things were, not with its own start. */
  routineGapDays: 7,
  /** Fewer valid baseline days than this (beyond the gap): the gap is dropped; fewer still, no check. */
  routineBaselineMinDays: 10,
  /** Weight, in days, of the typical spread against the resident's own (MAD) spread. */
  routineSpreadPriorDays: 10,
  /** Share of days trimmed off each end before averaging (one bad night or a day out in a week moves nothing). */
  routineTrim: 0.15,
  /** A figure counts as moved (and is named in the cause) at this many standard errors of the difference. */
  routineZFigure: 1.5,
  /** Each figure's shift is clipped to ± this before combining, so one figure alone cannot carry the rest. */
  routineZClip: 4,
  /**
   * Changed when the figures' combined shift (sum of the clipped shifts over √number of figures:
   * two moderate shifts the same way count, a shift the other way offsets) reaches this, with at
   * least one figure moved; or when one figure alone has moved by `routineZSingle`.
   */
  routineZCombined: 3.15,
  routineZSingle: 4.5,
  /** Days in a row the change must hold before it is raised, and be gone before it is cleared. */
  routineDaysInRow: 3,
  /** Cleared when the combined shift against the baseline frozen at the raise is below this. */
  routineZClear: 1,
} as const;

const T = ROUTINE_TUNING;

// Which kinds are activity, read once (an imported re-export is a getter call per use).
const ACTIVITY = new Set(Object.entries(SENSOR_KINDS as Record<string, { activity: boolean }>).filter(([, k]) => k.activity).map(([t]) => t));

function isActivity(e: CoreEvent): boolean {
  if (!ACTIVITY.has(e.type)) return false;
  // A PIR clearing is the end of movement, not movement.
  return !(e.type === 'motion' && e.value !== true);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) >> 1]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** A figure's level (trimmed mean), robust spread (MAD × 1.4826), standard deviation, usual range (10th to 90th percentile) and count. */
interface Robust {
  level: number;
  mad: number;
  sd: number;
  lo: number;
  hi: number;
  n: number;
}

function robust(xs: number[], trim: number): Robust {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  const k = n >= 5 ? Math.max(1, Math.floor(n * trim)) : 0;
  const level = mean(s.slice(k, n - k));
  const med = median(s);
  const mad = 1.4826 * median(s.map((x) => Math.abs(x - med)));
  const m = mean(s);
  const sd = Math.sqrt(s.reduce((a, x) => a + (x - m) * (x - m), 0) / Math.max(1, n - 1));
  return { level, mad, sd, lo: s[Math.floor(0.1 * (n - 1))]!, hi: s[Math.ceil(0.9 * (n - 1))]!, n };
}

function hhmmOf(minutes: number): string {
  const m = ((Math.round(minutes) % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/**
 * The resident's routine: long lie (after a fall or call, and bathroom dwell),
 * inactivity, not up, night exit, out of home and not home, and routine change
 * over days; with the norms they use learned online from the resident's own
 * history (cold start: the plan's defaults). Every rule works in the resident's
 * local time. While the hub is offline, or a buffer is still draining, nothing is
 * raised: buffered events fill in the picture first, so an alert is raised only if
 * its condition still holds, and a condition the buffer shows had ended is cleared.
 */
export function routineDetector(home: HomeInfo): Detector {
  const resident0 = home.residents[0];
  const zone = zoneClock(resident0?.timezone ?? 'Europe/London');
  const defaultPlan = planWithDefaults({});
  const planOf = (ctx: DetectorContext): MonitoringPlan => ctx.home.residents[0]?.plan ?? defaultPlan;
  // The plan as last seen through the context (a reloaded home may have changed it).
  let plan: MonitoringPlan = resident0?.plan ?? defaultPlan;
  const live = new HubLiveness(() => plan.heartbeatMissed);

  // --- the current local day, as UTC bounds (recomputed once a day, not per event) ---
  let day = NaN;
  let dayStart = 0;
  let dayEnd = -1;
  let wakeStart = 0; // today's night end
  let wakeEnd = 0; // tonight's night start
  let notUpAt = Infinity;
  let usualRisingMin = 0;
  let risingLearned = false;
  let nsMin = 0;
  let neMin = 0;
  const hourBounds = new Float64Array(25);
  let bucketHint = 0;

  // --- live state ---
  let lastActivity = -Infinity;
  let lastActivityRef: CoreEvent | null = null;
  let lastSlot = -1;
  let lastInside = -Infinity;
  // Start of the current run of activity (after a quiet hour): a morning run that began before night's end is the rising.
  let runStart = -Infinity;
  let spellExcluded = true;
  let upToday = false;
  let inBathroom = false;
  let bathEnteredAt = NaN;
  let bathRef: CoreEvent | null = null;
  let fallCallAt = NaN;
  let fallCallRef: CoreEvent | null = null;
  let fallCallKind: 'fall' | 'call' = 'fall';
  let nightExitAt = NaN;
  let nightExitRoom: string | null = null;
  let nightExitRef: CoreEvent | null = null;
  let pendingOutAt = NaN;
  let out = false;
  let outSince = NaN;
  let notHomeAt = Infinity;
  let lastLateArrival = -Infinity;
  let lastNow = -Infinity;
  // Open alerts this detector raised (so each condition is raised once and cleared once).
  let longLieRaised: '' | 'after-fall' | 'bathroom' = '';
  let inactivityRaisedAt = NaN;
  let notUpRaised = false;
  let nightExitRaised = false;
  let notHomeRaised = false;
  let routineRaised = 0;
  // Routine change: days in a row the change held (or, once raised, was gone), and the baseline frozen at the raise.
  let routineStreak = 0;
  let routineClearStreak = 0;
  const routineFrozen = new Float64Array(FIGURES.length * 3).fill(NaN);

  // --- learning: today's figures, and rings of past days ---
  const rooms = new Map<string, number>();
  const roomNames: string[] = ['in bed', 'in the chair'];
  const todDay = new Uint16Array(24);
  const roomDay = new Uint16Array(SLOTS);
  let dwellDay = 0;
  let risingDay = -1;
  let nightVisitsDay = 0;
  let nightVisitsNext = 0;
  let activityDay = 0;
  let chairDay = 0;
  let chairSince = NaN;
  const todRing = new Uint16Array(24 * WINDOW);
  const roomRing = new Uint16Array(SLOTS * WINDOW);
  const dwellRing = new Uint16Array(WINDOW);
  const validRing = new Uint8Array(HISTORY);
  const risingRing = new Int16Array(HISTORY).fill(-1);
  const nightRing = new Uint8Array(HISTORY);
  const activityRing = new Uint16Array(HISTORY);
  const chairRing = new Uint16Array(HISTORY);
  let daysLearned = 0;
  const normTod = new Uint16Array(24);
  const normRoom = new Uint16Array(SLOTS);
  let normDwell = 0;

  const slotOf = (e: CoreEvent): number => {
    if (e.type === 'bed' && e.value === 'in') return SLOT_BED;
    if (e.type === 'chair' && e.value === 'in') return SLOT_CHAIR;
    const room = e.sensorInfo?.room ?? '?';
    let s = rooms.get(room);
    if (s === undefined) {
      s = Math.min(SLOTS - 1, rooms.size + 2);
      rooms.set(room, s);
      roomNames[s] ??= `in the ${room}`;
    }
    return s;
  };

  const isNightMinute = (m: number): boolean => (nsMin > neMin ? m >= nsMin || m < neMin : m >= nsMin && m < neMin);
  const isNight = (t: number): boolean => isNightMinute(zone.localMinute(t));

  const setDay = (d: number, plan: MonitoringPlan): void => {
    day = d;
    nsMin = minutesOf(plan.nightStart);
    neMin = minutesOf(plan.nightEnd);
    dayStart = zone.utcOf(d, 0);
    dayEnd = zone.utcOf(d + 1, 0);
    for (let h = 0; h < 24; h++) hourBounds[h] = zone.utcOf(d, h * 60);
    hourBounds[24] = dayEnd;
    wakeStart = zone.utcOf(d, neMin);
    wakeEnd = nsMin > neMin ? zone.utcOf(d, nsMin) : zone.utcOf(d + 1, nsMin);
    const risings: number[] = [];
    for (let i = 0; i < WINDOW; i++) {
      const r = risingRing[(((d - 1 - i) % HISTORY) + HISTORY) % HISTORY]!;
      if (validRing[(((d - 1 - i) % HISTORY) + HISTORY) % HISTORY] && r >= 0) risings.push(r);
    }
    risingLearned = risings.length >= T.risingLearnDays;
    usualRisingMin = risingLearned ? median(risings) : minutesOf(plan.usualRising);
    notUpAt = zone.utcOf(d, Math.min(1439, usualRisingMin + plan.notUpMarginMinutes));
    upToday = lastActivity >= wakeStart;
    risingDay = -1;
    bucketHint = 0;
  };

  const bucketOf = (t: number): number => {
    let h = bucketHint;
    if (t < hourBounds[h]!) h = 0;
    while (h < 23 && t >= hourBounds[h + 1]!) h++;
    bucketHint = h;
    return h;
  };

  /** Record a quiet spell from p to t (both sensor times) in today's norms. */
  const learnSpell = (p: number, t: number): void => {
    if (p < wakeStart || p >= wakeEnd || p < dayStart) return;
    const end = Math.min(t, wakeEnd, dayEnd);
    const v = Math.min(65_535, (end - p) / MIN);
    if (lastSlot >= 0 && v > roomDay[lastSlot]!) roomDay[lastSlot] = v;
    for (let h = bucketOf(p); h < 24 && hourBounds[h]! < end; h++) {
      const w = Math.min(65_535, (Math.min(end, hourBounds[h + 1]!) - p) / MIN);
      if (w > todDay[h]!) todDay[h] = w;
    }
  };

  const fold = (ctx: DetectorContext, now: number): void => {
    // The spell still running at day's end counts too.
    if (!spellExcluded && lastActivity > -Infinity && Number.isNaN(inactivityRaisedAt) && longLieRaised === '') learnSpell(lastActivity, Math.min(now, dayEnd));
    const plan = planOf(ctx);
    const away = ctx.home.residents[0]?.away ?? false;
    const hr = ((day % HISTORY) + HISTORY) % HISTORY;
    const wr = ((day % WINDOW) + WINDOW) % WINDOW;
    const valid = activityDay > 0 && !away;
    validRing[hr] = valid ? 1 : 0;
    if (valid) {
      todRing.set(todDay, wr * 24);
      roomRing.set(roomDay, wr * SLOTS);
      dwellRing[wr] = dwellDay;
      risingRing[hr] = risingDay;
      nightRing[hr] = Math.min(255, nightVisitsDay);
      activityRing[hr] = Math.min(65_535, activityDay);
      chairRing[hr] = Math.min(1440, Math.round(chairDay));
      daysLearned++;
    } else {
      // A day without data must not teach "no quiet spells".
      todRing.fill(0, wr * 24, wr * 24 + 24);
      roomRing.fill(0, wr * SLOTS, wr * SLOTS + SLOTS);
      dwellRing[wr] = 0;
      risingRing[hr] = -1;
    }
    normTod.fill(0);
    normRoom.fill(0);
    normDwell = 0;
    for (let i = 0; i < WINDOW; i++) {
      for (let h = 0; h < 24; h++) if (todRing[i * 24 + h]! > normTod[h]!) normTod[h] = todRing[i * 24 + h]!;
      for (let s = 0; s < SLOTS; s++) if (roomRing[i * SLOTS + s]! > normRoom[s]!) normRoom[s] = roomRing[i * SLOTS + s]!;
      if (dwellRing[i]! > normDwell) normDwell = dwellRing[i]!;
    }
    if (valid) checkRoutine(ctx, now);
    todDay.fill(0);
    roomDay.fill(0);
    dwellDay = 0;
    nightVisitsDay = nightVisitsNext;
    nightVisitsNext = 0;
    activityDay = 0;
    chairDay = 0;
    setDay(day + 1, plan);
  };

  const ensureDay = (ctx: DetectorContext, t: number): void => {
    if (Number.isNaN(day)) {
      const p = planOf(ctx);
      setDay(zone.localDay(t), p);
      // Watching began after this morning's night end (a server start, a new home): the morning
      // was not seen, so "not up" waits for a margin of watching, not for a deadline already past.
      if (t > wakeStart) notUpAt = Math.max(notUpAt, t + p.notUpMarginMinutes * MIN);
      return;
    }
    // Many empty days (a long gap) fold one by one; cheap, and keeps the rings honest.
    let guard = 0;
    while (t >= dayEnd && guard++ < 400) fold(ctx, t);
    if (guard >= 400) setDay(zone.localDay(t), planOf(ctx));
  };

  /** One figure's values on the given ring slots (rising: only days with a rising time). */
  const figureValues = (f: number, slots: number[]): number[] => {
    const out: number[] = [];
    for (const i of slots) {
      if (f === 0) out.push(nightRing[i]!);
      else if (f === 1) out.push(activityRing[i]!);
      else if (f === 2) {
        if (risingRing[i]! >= 0) out.push(risingRing[i]!);
      } else out.push(chairRing[i]!);
    }
    return out;
  };

  /** A figure's wording in a cause: recent level against the baseline's level and usual range. */
  const describeFigure = (f: number, r: Robust, b: Robust): string => {
    if (f === 0) return `night-time bathroom visits up to ${r.level.toFixed(1)} a night from ${b.level.toFixed(1)} (usual range ${b.lo} to ${b.hi})`;
    if (f === 1) return `daily activity down to ${Math.round((100 * r.level) / Math.max(1, b.level))}% of usual (${Math.round(r.level)} sensor events a day, usually ${Math.round(b.level)}, range ${b.lo} to ${b.hi})`;
    if (f === 2) return `rising later: ${hhmmOf(r.level)} lately against ${hhmmOf(b.level)} before (usual range ${hhmmOf(b.lo)} to ${hhmmOf(b.hi)})`;
    return `longer in the chair: ${fmtDuration(r.level * MIN)} a day against ${fmtDuration(b.level * MIN)} before (usual range ${fmtDuration(b.lo * MIN)} to ${fmtDuration(b.hi * MIN)})`;
  };

  /**
   * Routine change, once a day at the fold: each figure's recent week (trimmed mean) against
   * the resident's own baseline (trimmed mean, spread from the MAD) a week earlier, as a
   * shift in standard errors. One figure far out, or two or more moderately out the same
   * (worrying) way, for `routineDaysInRow` days in a row, raises; the baseline is then
   * frozen, and the alert cleared once every figure is back near it for as many days.
   */
  const checkRoutine = (ctx: DetectorContext, now: number): void => {
    const recent: number[] = [];
    const near: number[] = [];
    const far: number[] = [];
    const R = T.routineRecentDays;
    const gapEnd = R + T.routineGapDays;
    for (let i = 0; i < Math.min(HISTORY, gapEnd + T.routineBaselineDays); i++) {
      const idx = (((day - i) % HISTORY) + HISTORY) % HISTORY;
      if (!validRing[idx]) continue;
      if (i < R) recent.push(idx);
      else if (i < gapEnd) near.push(idx);
      else far.push(idx);
    }
    // Early on (a new home), the baseline starts right after the recent week.
    const base = far.length >= T.routineBaselineMinDays ? far : [...near, ...far].slice(0, T.routineBaselineDays);
    if (recent.length < R - 1 || base.length < T.routineBaselineMinDays) return;
    const z = new Float64Array(FIGURES.length).fill(NaN);
    const shift = new Float64Array(FIGURES.length);
    const stats: ({ r: Robust; b: Robust; spread: number } | null)[] = [];
    for (let f = 0; f < FIGURES.length; f++) {
      const fig = FIGURES[f]!;
      const rv = figureValues(f, recent);
      const bv = figureValues(f, base);
      // Too few days of the figure, or a chair never sat in (no chair pad): the figure is left out.
      if (rv.length < Math.min(5, R - 1) || bv.length < Math.min(5, T.routineBaselineMinDays) || (f === 3 && !routineRaised && bv.every((v) => v === 0))) {
        stats.push(null);
        continue;
      }
      const r = robust(rv, T.routineTrim);
      let b = r;
      let spread: number;
      let nb: number;
      if (routineRaised) {
        // Judged against the routine as it was when the change was raised, not a baseline the change has since entered.
        b = { level: routineFrozen[f * 3]!, lo: NaN, hi: NaN, mad: 0, sd: 0, n: routineFrozen[f * 3 + 2]! };
        spread = routineFrozen[f * 3 + 1]!;
        nb = b.n;
        if (Number.isNaN(spread)) {
          stats.push(null);
          continue;
        }
      } else {
        b = robust(bv, T.routineTrim);
        if (f === 0) {
          // A count (night visits, mostly 0, 1 or 2): the MAD jumps between 0 and 1.5 as the median
          // crosses a whole number, so its spread is the standard deviation, and at least a Poisson count's.
          spread = Math.max(Math.sqrt(Math.max(b.level, 0.25)), b.sd);
        } else {
          const prior = Math.max(fig.prior, fig.priorRel * Math.abs(b.level));
          const k = T.routineSpreadPriorDays;
          spread = Math.max(0.5 * prior, Math.sqrt((b.n * b.mad * b.mad + k * prior * prior) / (b.n + k)));
        }
        nb = b.n;
      }
      stats.push({ r, b, spread });
      shift[f] = (fig.worse * (r.level - b.level)) / spread;
      z[f] = shift[f]! / Math.sqrt(1 / r.n + 1 / nb);
    }

    // Combined shift in the worrying direction; figures without data are left out.
    let sum = 0;
    let m = 0;
    let mask = 0;
    for (let f = 0; f < FIGURES.length; f++) {
      const zf = z[f]!;
      if (Number.isNaN(zf)) continue;
      sum += Math.max(-T.routineZClip, Math.min(T.routineZClip, zf));
      m++;
      if (zf >= T.routineZFigure) mask |= 1 << f;
    }
    const combined = m >= 2 ? sum / Math.sqrt(m) : 0;

    if (routineRaised) {
      routineClearStreak = combined < T.routineZClear ? routineClearStreak + 1 : 0;
      if (routineClearStreak >= T.routineDaysInRow) {
        routineRaised = 0;
        routineClearStreak = 0;
        routineStreak = 0;
        routineFrozen.fill(NaN);
        signal(ctx, 'clear', 'routine-change', now, false, {
          rule: 'routine-back-to-usual',
          summary: `Routine back within its usual range for ${T.routineDaysInRow} days in a row`,
          events: [],
        });
      }
      return;
    }

    let single = false;
    for (let f = 0; f < FIGURES.length; f++) if (z[f]! >= T.routineZSingle) single = true;
    routineStreak = (combined >= T.routineZCombined && mask !== 0) || single ? routineStreak + 1 : 0;
    if (routineStreak < T.routineDaysInRow) return;

    routineRaised = mask;
    routineClearStreak = 0;
    routineFrozen.fill(NaN);
    const findings: [number, string][] = [];
    const detail: Record<string, unknown> = {};
    for (let f = 0; f < FIGURES.length; f++) {
      const st = stats[f];
      if (!st) continue;
      routineFrozen[f * 3] = st.b.level;
      routineFrozen[f * 3 + 1] = st.spread;
      routineFrozen[f * 3 + 2] = st.b.n;
      if (!(mask & (1 << f))) continue;
      findings.push([z[f]!, describeFigure(f, st.r, st.b)]);
      detail[FIGURES[f]!.key] = {
        recent: +st.r.level.toFixed(2),
        baseline: +st.b.level.toFixed(2),
        usualLow: st.b.lo,
        usualHigh: st.b.hi,
        spread: +st.spread.toFixed(2),
        shiftInStandardErrors: +z[f]!.toFixed(1),
      };
    }
    const gap = base === far && near.length > 0 ? `, ending ${T.routineGapDays} days before them` : '';
    signal(ctx, 'raise', 'routine-change', zone.utcOf(day - R + 1, 0), false, {
      rule: 'routine-change',
      summary: `Routine changed over the last ${recent.length} days against the ${base.length} days before${gap}, for ${routineStreak} days in a row: ${findings
        .sort((x, y) => y[0] - x[0])
        .map(([, text]) => text)
        .join('; ')}`,
      events: [],
      ...detail,
      recentDays: recent.length,
      baselineDays: base.length,
      daysInRow: routineStreak,
    });
  };

  /** Inactivity threshold now, with the norms behind it. */
  const inactivityThreshold = (plan: MonitoringPlan, t: number) => {
    const ceiling = plan.inactivityCeilingMinutes;
    const h = bucketOf(t);
    // Resting in bed (the pad says so): only the ceiling applies, as before the routine is learned.
    if (daysLearned < T.learnAfterDays || lastSlot === SLOT_BED) return { minutes: ceiling, h, tod: 0, room: 0, learned: false, ceiling };
    const tod = normTod[h]!;
    const room = lastSlot >= 0 ? normRoom[lastSlot]! : 0;
    const norm = room > 0 ? Math.min(tod, room) : tod;
    const minutes = Math.min(ceiling, Math.max(T.inactivityFloorMinutes, norm * T.inactivityFactor + T.inactivityMarginMinutes));
    return { minutes, h, tod, room, learned: true, ceiling };
  };

  const dwellThreshold = (plan: MonitoringPlan) => {
    if (daysLearned < T.learnAfterDays || normDwell === 0) return { minutes: plan.bathroomDwellMinutes, learned: false };
    // Learning mostly shortens the wait for residents whose visits are short; a resident whose usual
    // visits are long is given that usual plus a margin, beyond the plan's figure.
    const cap = Math.max(plan.bathroomDwellMinutes, normDwell * T.dwellCapFactor + T.dwellMarginMinutes);
    const m = Math.min(cap, Math.max(T.dwellFloorMinutes, normDwell * T.dwellFactor + T.dwellMarginMinutes));
    return { minutes: m, learned: true };
  };

  const computeNotHomeAt = (plan: MonitoringPlan, since: number): number => {
    if (isNight(since)) return Infinity; // left in the night: the night-exit rule's case
    const d = zone.localDay(since);
    const ns = minutesOf(plan.nightStart);
    const start = ns > minutesOf(plan.nightEnd) ? zone.utcOf(d, ns) : zone.utcOf(d + 1, ns);
    return start + plan.notHomeGraceMinutes * MIN;
  };

  const learnedNote = (learned: boolean): string => (learned ? `learned over ${Math.min(daysLearned, WINDOW)} days` : 'plan default until the routine is learned');

  const check = (ctx: DetectorContext, now: number): void => {
    lastNow = now;
    plan = planOf(ctx);
    ensureDay(ctx, now);
    live.check(now);
    if (now - lastLateArrival < T.settleMs) return; // a buffer is draining: let it fill in the picture first
    const away = ctx.home.residents[0]?.away ?? false;
    const late = lastLateArrival > -Infinity && now - lastLateArrival < 3_600_000;

    // Long lie after a fall or a call: no movement since. The fall is known, so this one is raised
    // even while the hub is offline: no news after a fall is not good news.
    if (!Number.isNaN(fallCallAt) && longLieRaised === '' && now >= fallCallAt + plan.longLieMinutes * MIN) {
      longLieRaised = 'after-fall';
      signal(ctx, 'raise', 'long-lie', fallCallAt, late, {
        rule: `long-lie-after-${fallCallKind}`,
        summary: `No movement for ${fmtDuration(now - fallCallAt)} after the ${fallCallKind} at ${zone.hhmm(fallCallAt)}; the plan allows ${plan.longLieMinutes} min`,
        events: fallCallRef ? [refOf(fallCallRef)] : [],
        quietMinutes: Math.round((now - fallCallAt) / MIN),
        thresholdMinutes: plan.longLieMinutes,
        exceededByMinutes: Math.round((now - fallCallAt) / MIN - plan.longLieMinutes),
      });
    }
    if (live.offline) return; // blind: nothing else is raised until the hub is back
    // Long lie in the bathroom: there beyond the resident's usual.
    if (inBathroom && longLieRaised === '' && !away && !out) {
      const thr = dwellThreshold(plan);
      if (now >= bathEnteredAt + thr.minutes * MIN) {
        longLieRaised = 'bathroom';
        const usual = thr.learned ? `usual longest bathroom visit ${fmtDuration(normDwell * MIN)} (${learnedNote(true)}); threshold ${fmtDuration(thr.minutes * MIN)}` : `threshold ${fmtDuration(thr.minutes * MIN)} (${learnedNote(false)})`;
        signal(ctx, 'raise', 'long-lie', bathEnteredAt, late, {
          rule: 'bathroom-dwell',
          summary: `In the bathroom for ${fmtDuration(now - bathEnteredAt)} since ${zone.hhmm(bathEnteredAt)} with no movement elsewhere; ${usual}`,
          events: bathRef ? [refOf(bathRef)] : [],
          dwellMinutes: Math.round((now - bathEnteredAt) / MIN),
          usualMinutes: thr.learned ? normDwell : null,
          thresholdMinutes: Math.round(thr.minutes),
          exceededByMinutes: Math.round((now - bathEnteredAt) / MIN - (thr.learned ? normDwell : thr.minutes)),
          learned: thr.learned,
        });
      }
    }
    // Night exit: an exterior door opened in the night and no movement inside since.
    if (!Number.isNaN(nightExitAt) && !nightExitRaised && now >= nightExitAt + plan.nightExitMinutes * MIN) {
      nightExitRaised = true;
      signal(ctx, 'raise', 'night-exit', nightExitAt, late, {
        rule: 'night-exit',
        summary: `Exterior door opened at ${zone.hhmm(nightExitAt)} in the night window (${plan.nightStart} to ${plan.nightEnd}) and no movement inside for ${fmtDuration(now - nightExitAt)}; the plan allows ${plan.nightExitMinutes} min`,
        events: nightExitRef ? [refOf(nightExitRef)] : [],
        quietMinutes: Math.round((now - nightExitAt) / MIN),
        thresholdMinutes: plan.nightExitMinutes,
      });
    }
    // Out of home: a door closed and no movement followed.
    if (!Number.isNaN(pendingOutAt) && now >= pendingOutAt + plan.outOfHomeMinutes * MIN) {
      out = true;
      outSince = pendingOutAt;
      pendingOutAt = NaN;
      spellExcluded = true;
      notHomeAt = computeNotHomeAt(plan, outSince);
    }
    if (out && !notHomeRaised && !away && now >= notHomeAt) {
      notHomeRaised = true;
      signal(ctx, 'raise', 'not-home', outSince, late, {
        rule: 'not-home',
        summary: `Out since ${zone.hhmm(outSince)} and not back ${fmtDuration(now - (notHomeAt - plan.notHomeGraceMinutes * MIN))} after the night window began (${plan.nightStart}); the plan allows ${plan.notHomeGraceMinutes} min`,
        events: lastActivityRef ? [refOf(lastActivityRef)] : [],
        outSince: new Date(outSince).toISOString(),
        graceMinutes: plan.notHomeGraceMinutes,
      });
    }
    // Not up: nothing by usual rising time plus margin.
    if (!upToday && !notUpRaised && !away && !out && now >= notUpAt && now < wakeEnd) {
      notUpRaised = true;
      const since = lastActivity > -Infinity ? `no activity since ${zone.hhmm(lastActivity)}${lastActivity < dayStart ? ' yesterday' : ''}` : 'no activity yet';
      signal(ctx, 'raise', 'not-up', notUpAt - plan.notUpMarginMinutes * MIN, late, {
        rule: 'not-up',
        summary: `Not up: ${since}; usual rising time ${hhmmOf(usualRisingMin)} (${learnedNote(risingLearned)}) + margin ${fmtDuration(plan.notUpMarginMinutes * MIN)} = ${zone.hhmm(notUpAt)}, now ${fmtDuration(now - notUpAt)} past it`,
        events: lastActivityRef ? [refOf(lastActivityRef)] : [],
        usualRising: hhmmOf(usualRisingMin),
        learned: risingLearned,
        marginMinutes: plan.notUpMarginMinutes,
        exceededByMinutes: Math.round((now - notUpAt) / MIN + plan.notUpMarginMinutes),
      });
    }
    // Inactivity in waking hours, once up.
    if (upToday && Number.isNaN(inactivityRaisedAt) && !away && !out && now >= wakeStart && now < wakeEnd && lastActivity >= wakeStart) {
      const thr = inactivityThreshold(plan, now);
      const quiet = now - lastActivity;
      if (quiet >= thr.minutes * MIN) {
        inactivityRaisedAt = lastActivity;
        const usualMin = thr.room > 0 ? Math.min(thr.tod, thr.room) : thr.tod;
        const where = lastSlot >= 0 ? roomNames[lastSlot] ?? '' : '';
        const norms = thr.learned
          ? `usual longest quiet spell at this time of day ${fmtDuration(thr.tod * MIN)}${thr.room > 0 ? `, ${where} ${fmtDuration(thr.room * MIN)}` : ''} (${learnedNote(true)}); threshold ${fmtDuration(thr.minutes * MIN)}`
          : `threshold ${fmtDuration(thr.minutes * MIN)} (the ceiling: ${learnedNote(false)})`;
        signal(ctx, 'raise', 'inactivity', lastActivity, late, {
          rule: 'inactivity',
          summary: `No movement for ${fmtDuration(quiet)} (since ${zone.hhmm(lastActivity)}${where ? `, last ${where}` : ''}); ${norms}; ceiling ${fmtDuration(thr.ceiling * MIN)}`,
          events: lastActivityRef ? [refOf(lastActivityRef)] : [],
          quietMinutes: Math.round(quiet / MIN),
          usualMinutes: thr.learned ? usualMin : null,
          usualAtTimeOfDayMinutes: thr.learned ? thr.tod : null,
          usualInRoomMinutes: thr.learned && thr.room > 0 ? thr.room : null,
          thresholdMinutes: Math.round(thr.minutes),
          ceilingMinutes: thr.ceiling,
          exceededByMinutes: Math.round(quiet / MIN - (thr.learned ? usualMin : thr.minutes)),
          learned: thr.learned,
          hourOfDay: thr.h,
        });
      }
    }
  };

  const clearIf = (ctx: DetectorContext, type: AlertType, e: CoreEvent, rule: string, summary: string): void => {
    signal(ctx, 'clear', type, e.ts, e.late, { rule, summary, events: [refOf(e)] });
  };

  return {
    name: 'routine',
    onEvent(e, ctx) {
      const now = ctx.now();
      live.onEvent(e);
      if (e.late) lastLateArrival = now;
      if (now > lastNow) lastNow = now;
      plan = planOf(ctx);
      // A hub whose clock runs ahead must not push "last seen" into the future (and so hold off every alert).
      const t = e.ts > e.receivedAt ? e.receivedAt : e.ts;
      ensureDay(ctx, Math.max(now, lastNow));

      if (e.type === 'fall' || e.type === 'call') {
        const plan = planOf(ctx);
        if (e.type === 'fall') {
          const c = e.value === true ? 1 : Number(e.value);
          if (c >= plan.fallConfidenceMin && (Number.isNaN(fallCallAt) || t > fallCallAt)) {
            fallCallAt = t;
            fallCallKind = 'fall';
            fallCallRef = e;
          }
        } else if (e.value === 'pressed') {
          if (Number.isNaN(fallCallAt) || t > fallCallAt) {
            fallCallAt = t;
            fallCallKind = 'call';
            fallCallRef = e;
          }
        } else if (fallCallKind === 'call' && t >= fallCallAt) {
          // "I'm OK": the resident is responsive.
          fallCallAt = NaN;
          if (longLieRaised === 'after-fall') {
            longLieRaised = '';
            clearIf(ctx, 'long-lie', e, 'resident-ok', `Resident pressed "I'm OK"`);
          }
        }
        return;
      }
      if (!isActivity(e)) return;

      const inDay = t >= dayStart && t < dayEnd;
      if (inDay) activityDay++;
      if (e.type === 'chair') {
        // Time in the chair, for routine change: "in" to "out" (a pad that misses its "out" counts 6 h at most).
        if (e.value === 'in') {
          if (Number.isNaN(chairSince) || t > chairSince + CHAIR_MAX_MS) chairSince = t;
        } else if (!Number.isNaN(chairSince) && t > chairSince) {
          if (inDay) chairDay += Math.min(t - chairSince, CHAIR_MAX_MS) / MIN;
          chairSince = NaN;
        }
      }
      const role = e.sensorInfo?.role ?? null;
      const room = e.sensorInfo?.room ?? null;
      const isDoor = e.type === 'door';

      if (t > lastActivity) {
        if (t - lastActivity > RUN_GAP_MS) runStart = t;
        // A spell that ended an alert (a collapse, a long lie) is an incident, not the routine: never learned.
        if (!spellExcluded && inDay && Number.isNaN(inactivityRaisedAt) && longLieRaised === '') learnSpell(lastActivity, t);
        spellExcluded = false;
        lastActivity = t;
        lastActivityRef = e;
        lastSlot = slotOf(e);
        if (!Number.isNaN(inactivityRaisedAt)) {
          inactivityRaisedAt = NaN;
          clearIf(ctx, 'inactivity', e, 'movement-again', `Movement again${room ? ` in the ${room}` : ''} at ${zone.hhmm(t)}`);
        }
        if (!upToday && t >= wakeStart && t < wakeEnd) {
          upToday = true;
          risingDay = zone.localMinute(runStart >= wakeStart - EARLY_RISING_MS ? runStart : t);
          if (notUpRaised) {
            notUpRaised = false;
            clearIf(ctx, 'not-up', e, 'up', `Up at ${zone.hhmm(t)}`);
          }
        }
      }

      if (isDoor) {
        if (role === 'exterior-door') {
          if (e.value === 'open' && Number.isNaN(nightExitAt) && isNight(t)) {
            nightExitAt = t;
            nightExitRoom = room;
            nightExitRef = e;
          } else if (e.value === 'closed' && (Number.isNaN(pendingOutAt) || t > pendingOutAt) && t >= lastInside) {
            pendingOutAt = t;
          }
        }
        return;
      }

      // Movement inside the home.
      if (t > lastInside) lastInside = t;
      if (!Number.isNaN(pendingOutAt) && t > pendingOutAt) pendingOutAt = NaN;
      if (out && t > outSince) {
        out = false;
        outSince = NaN;
        notHomeAt = Infinity;
        if (notHomeRaised) {
          notHomeRaised = false;
          clearIf(ctx, 'not-home', e, 'back-home', `Back home: movement${room ? ` in the ${room}` : ''} at ${zone.hhmm(t)}`);
        }
      }
      if (!Number.isNaN(nightExitAt) && t > nightExitAt && (room !== nightExitRoom || t - nightExitAt >= T.nightExitGraceMs)) {
        nightExitAt = NaN;
        if (nightExitRaised) {
          nightExitRaised = false;
          clearIf(ctx, 'night-exit', e, 'movement-inside', `Movement inside${room ? ` in the ${room}` : ''} at ${zone.hhmm(t)}`);
        }
      }
      if (!Number.isNaN(fallCallAt) && t > fallCallAt + T.longLieGraceMs) {
        fallCallAt = NaN;
        if (longLieRaised === 'after-fall') {
          longLieRaised = '';
          clearIf(ctx, 'long-lie', e, 'movement-after-fall', `Movement${room ? ` in the ${room}` : ''} at ${zone.hhmm(t)}`);
        }
      }
      if (t < lastInside) return; // an older position: where the resident is now is already known
      if (role === 'bathroom') {
        if (!inBathroom) {
          inBathroom = true;
          bathEnteredAt = t;
          bathRef = e;
          if (t < wakeStart && t >= dayStart) nightVisitsDay++;
          else if (t >= wakeEnd && t < dayEnd) nightVisitsNext++;
        }
      } else if (inBathroom && t > bathEnteredAt) {
        inBathroom = false;
        // A stay that raised a long lie is not a usual bathroom visit: the next collapse must not look normal.
        if (inDay && longLieRaised !== 'bathroom') {
          const dwell = Math.min(65_535, (t - bathEnteredAt) / MIN);
          if (dwell > dwellDay) dwellDay = dwell;
        }
        if (longLieRaised === 'bathroom') {
          longLieRaised = '';
          clearIf(ctx, 'long-lie', e, 'left-bathroom', `Left the bathroom at ${zone.hhmm(t)}`);
        }
      }
    },
    onHub(s, ctx) {
      const change = live.onSignal(s);
      if (change === 'online') lastLateArrival = Math.max(lastLateArrival, s.at); // let the buffer drain first
      // Any sign of the hub starts the day's watch (a home whose resident has not stirred still needs "not up").
      if (change !== null || Number.isNaN(day)) ensureDay(ctx, Math.max(s.at, lastNow));
    },
    onTick(now, ctx) {
      check(ctx, now);
    },
    due() {
      let d = Math.min(dayEnd, live.deadline());
      if (lastLateArrival + T.settleMs > lastNow) return Math.min(d, lastLateArrival + T.settleMs);
      if (!Number.isNaN(fallCallAt) && longLieRaised === '') d = Math.min(d, fallCallAt + plan.longLieMinutes * MIN);
      if (live.offline) return d;
      if (inBathroom && longLieRaised === '' && !out) d = Math.min(d, bathEnteredAt + dwellThreshold(plan).minutes * MIN);
      if (!Number.isNaN(nightExitAt) && !nightExitRaised) d = Math.min(d, nightExitAt + plan.nightExitMinutes * MIN);
      if (!Number.isNaN(pendingOutAt)) d = Math.min(d, pendingOutAt + plan.outOfHomeMinutes * MIN);
      if (out && !notHomeRaised) d = Math.min(d, notHomeAt);
      if (!upToday && !notUpRaised && !out && notUpAt < wakeEnd) d = Math.min(d, notUpAt);
      if (upToday && Number.isNaN(inactivityRaisedAt) && !out && lastActivity >= wakeStart) {
        const at = Math.max(lastNow, lastActivity);
        if (at < wakeEnd) {
          const thr = inactivityThreshold(plan, at);
          d = Math.min(d, lastActivity + thr.minutes * MIN, hourBounds[thr.h + 1]!, wakeEnd);
        }
      }
      return d;
    },
    // --- snapshot: the state list. A new piece of state joins one of these lists (arrays, numbers,
    // flags, events), or it restarts from its default after a server restart. ---
    snapshot() {
      const arrays = { todDay, roomDay, todRing, roomRing, dwellRing, validRing, risingRing, nightRing, activityRing, chairRing, normTod, normRoom, routineFrozen };
      const nums = {
        day, lastActivity, lastSlot, lastInside, runStart, bathEnteredAt, fallCallAt, nightExitAt, pendingOutAt, outSince, notHomeAt, lastLateArrival, lastNow,
        inactivityRaisedAt, routineRaised, routineStreak, routineClearStreak, dwellDay, risingDay, nightVisitsDay, nightVisitsNext, activityDay, chairDay, chairSince,
        daysLearned, normDwell, notUpAt,
      };
      const flags = { spellExcluded, upToday, inBathroom, out, notUpRaised, nightExitRaised, notHomeRaised };
      const events = { lastActivityRef, bathRef, fallCallRef, nightExitRef };
      return {
        arrays: Object.fromEntries(Object.entries(arrays).map(([k, a]) => [k, packArray(a)])),
        nums: Object.fromEntries(Object.entries(nums).map(([k, n]) => [k, saveNum(n)])),
        flags,
        events: Object.fromEntries(Object.entries(events).map(([k, e]) => [k, saveEvent(e)])),
        fallCallKind,
        longLieRaised,
        nightExitRoom,
        rooms: [...rooms],
        live: live.snapshot(),
      };
    },
    restore(state, ctx) {
      const s = state as { arrays: Record<string, unknown>; nums: Record<string, unknown>; flags: Record<string, unknown>; events: Record<string, unknown>; [k: string]: unknown };
      if (typeof s !== 'object' || !s || typeof s.arrays !== 'object' || typeof s.nums !== 'object' || typeof s.flags !== 'object' || typeof s.events !== 'object') throw new Error('bad routine state');
      // A piece of state the snapshot does not have (it was added since) keeps its default:
      // an upgrade that adds state must not cost every home its learned history.
      const d0 = this.snapshot!() as typeof s;
      const pick = (group: 'arrays' | 'nums' | 'flags', k: string): unknown => (s[group][k] === undefined ? d0[group][k] : s[group][k]);
      const n = (k: string): number => loadNum(pick('nums', k));
      const f = (k: string): boolean => {
        const x = pick('flags', k);
        if (typeof x !== 'boolean') throw new Error(`bad routine flag ${k}`);
        return x;
      };
      if (!['fall', 'call'].includes(s.fallCallKind as string) || !['', 'after-fall', 'bathroom'].includes(s.longLieRaised as string) || !Array.isArray(s.rooms)) throw new Error('bad routine state');
      // Read and check everything before changing anything: a bad snapshot leaves the detector as it was.
      const arrays = { todDay, roomDay, todRing, roomRing, dwellRing, validRing, risingRing, nightRing, activityRing, chairRing, normTod, normRoom, routineFrozen };
      const copies = Object.entries(arrays).map(([k, a]) => {
        const copy = new Uint8Array(a.byteLength);
        unpackArray(copy, pick('arrays', k));
        return [new Uint8Array(a.buffer, a.byteOffset, a.byteLength), copy] as const;
      });
      const refs = [loadEvent(s.events.lastActivityRef), loadEvent(s.events.bathRef), loadEvent(s.events.fallCallRef), loadEvent(s.events.nightExitRef)] as const;
      const roomList = (s.rooms as unknown[]).map((r) => {
        if (!Array.isArray(r) || typeof r[0] !== 'string' || typeof r[1] !== 'number' || r[1] < 2 || r[1] >= SLOTS) throw new Error('bad routine room');
        return [r[0], r[1]] as [string, number];
      });
      const v = {
        day: n('day'), lastActivity: n('lastActivity'), lastSlot: n('lastSlot'), lastInside: n('lastInside'), runStart: n('runStart'), bathEnteredAt: n('bathEnteredAt'),
        fallCallAt: n('fallCallAt'), nightExitAt: n('nightExitAt'), pendingOutAt: n('pendingOutAt'), outSince: n('outSince'), notHomeAt: n('notHomeAt'),
        lastLateArrival: n('lastLateArrival'), lastNow: n('lastNow'), inactivityRaisedAt: n('inactivityRaisedAt'), routineRaised: n('routineRaised'),
        routineStreak: n('routineStreak'), routineClearStreak: n('routineClearStreak'), dwellDay: n('dwellDay'), risingDay: n('risingDay'),
        nightVisitsDay: n('nightVisitsDay'), nightVisitsNext: n('nightVisitsNext'), activityDay: n('activityDay'), chairDay: n('chairDay'), chairSince: n('chairSince'),
        daysLearned: n('daysLearned'), normDwell: n('normDwell'), notUpAt: n('notUpAt'),
        spellExcluded: f('spellExcluded'), upToday: f('upToday'), inBathroom: f('inBathroom'), out: f('out'), notUpRaised: f('notUpRaised'),
        nightExitRaised: f('nightExitRaised'), notHomeRaised: f('notHomeRaised'),
      };
      live.restore(s.live, ctx.now());
      // The server was blind while it was down: nothing but a known fall's long lie is raised until the hub is heard again.
      live.markRestart(ctx.now());

      for (const [a, copy] of copies) a.set(copy);
      [lastActivityRef, bathRef, fallCallRef, nightExitRef] = refs;
      rooms.clear();
      roomNames.length = 2;
      for (const [room, slot] of roomList) {
        rooms.set(room, slot);
        roomNames[slot] ??= `in the ${room}`;
      }
      lastActivity = v.lastActivity;
      lastSlot = v.lastSlot;
      lastInside = v.lastInside;
      runStart = v.runStart;
      bathEnteredAt = v.bathEnteredAt;
      fallCallAt = v.fallCallAt;
      nightExitAt = v.nightExitAt;
      pendingOutAt = v.pendingOutAt;
      outSince = v.outSince;
      notHomeAt = v.notHomeAt;
      lastLateArrival = v.lastLateArrival;
      lastNow = v.lastNow;
      inactivityRaisedAt = v.inactivityRaisedAt;
      routineRaised = v.routineRaised;
      routineStreak = v.routineStreak;
      routineClearStreak = v.routineClearStreak;
      dwellDay = v.dwellDay;
      nightVisitsDay = v.nightVisitsDay;
      nightVisitsNext = v.nightVisitsNext;
      activityDay = v.activityDay;
      chairDay = v.chairDay;
      chairSince = v.chairSince;
      daysLearned = v.daysLearned;
      normDwell = v.normDwell;
      spellExcluded = v.spellExcluded;
      inBathroom = v.inBathroom;
      out = v.out;
      notUpRaised = v.notUpRaised;
      nightExitRaised = v.nightExitRaised;
      notHomeRaised = v.notHomeRaised;
      fallCallKind = s.fallCallKind as 'fall' | 'call';
      longLieRaised = s.longLieRaised as '' | 'after-fall' | 'bathroom';
      nightExitRoom = typeof s.nightExitRoom === 'string' ? s.nightExitRoom : null;
      plan = planOf(ctx);
      // The day's bounds follow from the day (and the plan as it is now); what setDay resets is set after it.
      day = NaN;
      if (!Number.isNaN(v.day)) setDay(v.day, plan);
      upToday = v.upToday;
      risingDay = v.risingDay;
      notUpAt = v.notUpAt;
    },
  };
}
