// The routine detector's state: one object per home, shared by the rules (one file each).
import type { HomeInfo } from '../../../care/directory.ts';
import { planWithDefaults, type AlertType, type MonitoringPlan } from '../../../care/model.ts';
import { refOf, type CoreEvent, type DetectorContext } from '../../detector.ts';
import { zoneClock, type ZoneClock } from '../../local-time.ts';
import { signal } from '../emit.ts';
import { HubLiveness } from '../hub-liveness.ts';
import { NIGHT_DAYS, QUARTERS } from './night.ts';
import { evidenceOf } from './evidence.ts';
import { SPELLS } from './quiet.ts';
import { FIGURES } from './routine-change.ts';
import { HISTORY, SLOT_BED, SLOT_CHAIR, SLOTS, WINDOW } from './tuning.ts';

const defaultPlan = planWithDefaults({});

/** The plan of the home's first resident, as the context has it now (a reloaded home may have changed it). */
export function planOf(ctx: DetectorContext): MonitoringPlan {
  return ctx.home.residents[0]?.plan ?? defaultPlan;
}

/** Everything the routine rules know about one home: the day, where the resident is, what is raised, and what was learned. */
export class RoutineState {
  readonly zone: ZoneClock;
  /** The plan as last seen through the context. */
  plan: MonitoringPlan;
  readonly live: HubLiveness;

  // --- the current local day, as UTC bounds (recomputed once a day, not per event) ---
  day = NaN;
  dayStart = 0;
  dayEnd = -1;
  wakeStart = 0; // today's night end
  wakeEnd = 0; // tonight's night start
  notUpAt = Infinity;
  usualRisingMin = 0;
  risingLearned = false;
  nsMin = 0;
  neMin = 0;
  readonly hourBounds = new Float64Array(25);
  bucketHint = 0;

  // --- live state ---
  lastActivity = -Infinity;
  lastActivityRef: CoreEvent | null = null;
  lastSlot = -1;
  lastInside = -Infinity;
  // Start of the current run of activity (after a quiet hour): a morning run that began before night's end is the rising.
  runStart = -Infinity;
  /** The current one-sensor streak (stuck.ts): its sensor, first and last event, count and longest gap. */
  soloSensor: string | null = null;
  soloSince = NaN;
  soloLast = -Infinity;
  soloCount = 0;
  soloMaxGap = 0;
  /** The last event before the streak (another sensor's), and its place. */
  soloPrevOther = -Infinity;
  soloPrevSlot = -1;
  soloPrevRef: CoreEvent | null = null;
  /** The sensor taken as stuck (its events are not activity), or null. */
  stuckSensor: string | null = null;
  /** The current run's first activity outside the bed, the bedroom and the bathroom (NaN: none yet). */
  aboutSince = NaN;
  spellExcluded = true;
  upToday = false;
  inBathroom = false;
  bathEnteredAt = NaN;
  bathRef: CoreEvent | null = null;
  fallCallAt = NaN;
  fallCallRef: CoreEvent | null = null;
  fallCallKind: 'fall' | 'call' = 'fall';
  nightExitAt = NaN;
  /** When the pending night exit is due (nightExitAt plus the plan's wait, or later for an early departure). */
  nightExitDueAt = NaN;
  nightExitRoom: string | null = null;
  nightExitRef: CoreEvent | null = null;
  pendingOutAt = NaN;
  /** The room of the exterior door whose closing may be the resident going out. */
  pendingOutRoom: string | null = null;
  out = false;
  outSince = NaN;
  notHomeAt = Infinity;
  lastLateArrival = -Infinity;
  lastNow = -Infinity;
  // Open alerts this detector raised (so each condition is raised once and cleared once).
  longLieRaised: '' | 'after-fall' | 'bathroom' = '';
  inactivityRaisedAt = NaN;
  notUpRaised = false;
  nightExitRaised = false;
  notHomeRaised = false;
  routineRaised = 0;
  // Routine change: days in a row the change held (or, once raised, was gone), and the baseline frozen at the raise.
  routineStreak = 0;
  routineClearStreak = 0;
  readonly routineFrozen = new Float64Array(FIGURES.length * 3).fill(NaN);

  // --- learning: today's figures, and rings of past days ---
  readonly rooms = new Map<string, number>();
  readonly roomNames: string[] = ['in bed', 'in the chair'];
  readonly todDay = new Uint16Array(24);
  readonly roomDay = new Uint16Array(SLOTS);
  dwellDay = 0;
  risingDay = -1;
  nightVisitsDay = 0;
  nightVisitsNext = 0;
  activityDay = 0;
  chairDay = 0;
  chairSince = NaN;
  readonly todRing = new Uint16Array(24 * WINDOW);
  readonly roomRing = new Uint16Array(SLOTS * WINDOW);
  readonly dwellRing = new Uint16Array(WINDOW);
  readonly validRing = new Uint8Array(HISTORY);
  readonly risingRing = new Int16Array(HISTORY).fill(-1);
  readonly nightRing = new Uint8Array(HISTORY);
  readonly activityRing = new Uint16Array(HISTORY);
  readonly chairRing = new Uint16Array(HISTORY);
  daysLearned = 0;
  readonly normTod = new Uint16Array(24);
  readonly normRoom = new Uint16Array(SLOTS);
  /** Quarter hours with someone up and about, per day of the last fortnight (the learned night's data). */
  readonly awakeRing = new Uint8Array(QUARTERS * NIGHT_DAYS);
  /** A hall mark waiting for the next activity (markAwake), as an index into awakeRing; -1: none. Not kept in snapshots: a lost mark is one quarter hour of one day. */
  passageMark = -1;
  /** Whether today's night window is learned (else the plan's). */
  nightLearned = false;
  /** The third latest rising (minute of the day) of the last four weeks, or -1 before it is learned. */
  latestRisingMin = -1;
  /** The last bathroom event of any kind (sensor time). */
  lastBathAt = -Infinity;
  /** The quiet spells of the last weeks (quiet.ts): day, length, and start minute with place and night flag packed. */
  readonly spellDay = new Uint16Array(SPELLS);
  readonly spellLen = new Uint16Array(SPELLS);
  readonly spellWhere = new Uint16Array(SPELLS);
  spellHead = 0;
  /** The day's scale (chosen by the budget) and the days of spells behind it. */
  quietScale = 3;
  bathScale = 8;
  quietDays = 0;
  /** The current spell's threshold, cached (not kept in snapshots). */
  /** What the cached thresholds were computed for (inactivity: start, slot, presence, scale, spells, day, ceiling; bathroom: start, scale, spells, day). */
  readonly thresholdKey = new Float64Array(7).fill(NaN);
  /** Each sensor's place slot, once worked out (not kept in snapshots: the rooms map is). */
  slotBySensor = new WeakMap<object, number>();
  readonly bathKey = new Float64Array(4).fill(NaN);
  bathMinutes = 0;
  bathUsual = 0;
  thresholdCache: ({ minutes: number; usual: number; scale: number; learned: boolean; ceiling: number; days: number; presence: boolean; inBed: boolean }) | null = null;
  /** Per day, how many minutes past the night's start the resident came back from an outing (0: not late). */
  readonly lateReturnRing = new Int16Array(HISTORY);
  normDwell = 0;


  constructor(home: HomeInfo) {
    const resident0 = home.residents[0];
    this.zone = zoneClock(resident0?.timezone ?? 'Europe/London');
    this.plan = resident0?.plan ?? defaultPlan;
    this.live = new HubLiveness(() => this.plan.heartbeatMissed);
  }
}

/**
 * The place slot of an event: in bed, in the chair, or its room and what the sensor says of it (a PIR
 * seeing them there, or a touch: a fridge, a cupboard). The two are apart because what follows differs:
 * after a PIR by the bed, a long quiet is a nap; after the fridge, they move on, and the next room's
 * PIR sees them. The room is the part before the "|".
 */
export function slotOf(st: RoutineState, e: CoreEvent): number {
  if (e.type === 'bed' && e.value === 'in') return SLOT_BED;
  if (e.type === 'chair' && e.value === 'in') return SLOT_CHAIR;
  const info = e.sensorInfo;
  // Remembered per commissioned sensor (a re-commissioned one is a new object): no key string per event.
  const known = info ? st.slotBySensor.get(info) : undefined;
  if (known !== undefined) return known;
  const room = info?.room ?? '?';
  const key = `${room}|${evidenceOf(e)}`;
  let s = st.rooms.get(key);
  if (s === undefined) {
    s = Math.min(SLOTS - 1, st.rooms.size + 2);
    st.rooms.set(key, s);
    st.roomNames[s] ??= `in the ${room}`;
  }
  if (info) st.slotBySensor.set(info, s);
  return s;
}

/** The slots of a room (every kind of evidence in it), as a bit mask. */
export function roomMask(st: RoutineState, room: string): number {
  let m = 0;
  // Keys are "room|evidence" (a snapshot from before the split has the room alone).
  for (const [key, slot] of st.rooms) if (key.split('|')[0] === room) m |= 1 << slot;
  return m;
}

/** How a norm came about, for a cause. */
export function learnedNote(st: RoutineState, learned: boolean): string {
  return (learned ? `learned over ${Math.min(st.daysLearned, WINDOW)} days` : 'plan default until the routine is learned');
}

/** Clear an alert with a rule and sentence. */
export function clearIf(st: RoutineState, ctx: DetectorContext, type: AlertType, e: CoreEvent, rule: string, summary: string): void {
  signal(ctx, 'clear', type, e.ts, e.late, { rule, summary, events: [refOf(e)] });
}
