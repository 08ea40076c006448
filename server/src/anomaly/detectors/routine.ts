import { SENSOR_KINDS } from '../../../../protocol/index.ts';
import type { HomeInfo } from '../../care/directory.ts';
import { planWithDefaults, type AlertType, type MonitoringPlan } from '../../care/model.ts';
import { refOf, type CoreEvent, type Detector, type DetectorContext } from '../detector.ts';
import { fmtDuration, minutesOf, zoneClock } from '../local-time.ts';
import { signal } from './emit.ts';
import { HubLiveness } from './hub-liveness.ts';

const MIN = 60_000;
/** Days of norms kept (quiet spells, bathroom dwell); norms are the longest seen in this window. */
const WINDOW = 14;
/** Days of daily figures kept for routine change (recent week against the weeks before). */
const HISTORY = 28;
/** Room slots per home: one per room with activity sensors, plus "in bed" and "in the chair". */
const SLOTS = 16;
const SLOT_BED = 0;
const SLOT_CHAIR = 1;
/** A quiet gap longer than this starts a new run of activity. */
const RUN_GAP_MS = 45 * 60_000;
/** A morning run that began up to this long before the night window's end counts as rising then. */
const EARLY_RISING_MS = 3 * 3_600_000;

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
  routineRecentDays: 7,
  routineBaselineMinDays: 7,
  /** Night bathroom visits: recent mean at least this much above the baseline mean (and 1.5 × it). */
  nightVisitsRise: 1.5,
  /** Activity: recent daily mean at most this fraction of the baseline. */
  activityFallRatio: 0.6,
  /** Rising: recent median at least this many minutes later than the baseline median. */
  risingLaterMinutes: 60,
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
  const todRing = new Uint16Array(24 * WINDOW);
  const roomRing = new Uint16Array(SLOTS * WINDOW);
  const dwellRing = new Uint16Array(WINDOW);
  const validRing = new Uint8Array(HISTORY);
  const risingRing = new Int16Array(HISTORY).fill(-1);
  const nightRing = new Uint8Array(HISTORY);
  const activityRing = new Uint16Array(HISTORY);
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

  const checkRoutine = (ctx: DetectorContext, now: number): void => {
    const recent: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < HISTORY; i++) {
      const idx = (((day - i) % HISTORY) + HISTORY) % HISTORY;
      if (!validRing[idx]) continue;
      (i < T.routineRecentDays ? recent : base).push(idx);
    }
    if (recent.length < T.routineRecentDays - 1 || base.length < T.routineBaselineMinDays) return;
    const findings: string[] = [];
    const detail: Record<string, unknown> = {};
    let mask = 0;
    const nvR = mean(recent.map((i) => nightRing[i]!));
    const nvB = mean(base.map((i) => nightRing[i]!));
    if (nvR - nvB >= T.nightVisitsRise && nvR >= 1.5 * nvB) {
      mask |= 1;
      findings.push(`night-time bathroom visits up to ${nvR.toFixed(1)} a night from ${nvB.toFixed(1)}`);
      detail.nightVisits = { recent: +nvR.toFixed(2), baseline: +nvB.toFixed(2) };
    }
    const acR = mean(recent.map((i) => activityRing[i]!));
    const acB = mean(base.map((i) => activityRing[i]!));
    if (acB > 0 && acR <= T.activityFallRatio * acB) {
      mask |= 2;
      findings.push(`daily activity down to ${Math.round((100 * acR) / acB)}% of usual (${Math.round(acR)} sensor events a day, usually ${Math.round(acB)})`);
      detail.activity = { recent: Math.round(acR), baseline: Math.round(acB) };
    }
    const rR = recent.map((i) => risingRing[i]!).filter((r) => r >= 0);
    const rB = base.map((i) => risingRing[i]!).filter((r) => r >= 0);
    if (rR.length >= 3 && rB.length >= 3) {
      const mR = median(rR);
      const mB = median(rB);
      if (mR - mB >= T.risingLaterMinutes) {
        mask |= 4;
        findings.push(`rising later: ${hhmmOf(mR)} lately against ${hhmmOf(mB)} before`);
        detail.rising = { recent: hhmmOf(mR), baseline: hhmmOf(mB) };
      }
    }
    if (mask & ~routineRaised) {
      routineRaised |= mask;
      signal(ctx, 'raise', 'routine-change', dayStart, false, {
        rule: 'routine-change',
        summary: `Routine changed over the last ${recent.length} days against the ${base.length} days before: ${findings.join('; ')}`,
        events: [],
        ...detail,
        recentDays: recent.length,
        baselineDays: base.length,
      });
    } else if (mask === 0 && routineRaised) {
      routineRaised = 0;
      signal(ctx, 'clear', 'routine-change', now, false, { rule: 'routine-back-to-usual', summary: 'Routine back within its usual range', events: [] });
    }
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
  };
}
