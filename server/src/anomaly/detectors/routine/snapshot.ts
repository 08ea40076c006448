// The routine detector's snapshot: its state as plain JSON (typed arrays as base64), and back.
// A new piece of state joins one of these lists, or it restarts from its default after a restart.
import { loadEvent, loadNum, packArray, saveEvent, saveNum, unpackArray, type CoreEvent, type DetectorContext } from '../../detector.ts';
import { setDay } from './day.ts';
import { planOf, type RoutineState } from './state.ts';
import { SLOTS } from './tuning.ts';

/** Typed arrays kept (learned rings and norms). */
const ARRAYS = ['todDay', 'roomDay', 'todRing', 'roomRing', 'dwellRing', 'validRing', 'risingRing', 'nightRing', 'activityRing', 'chairRing', 'normTod', 'normRoom', 'routineFrozen', 'awakeRing', 'lateReturnRing', 'spellDay', 'spellLen', 'spellWhere'] as const;
/** Numbers kept (NaN and Infinity as strings). */
const NUMS = [
  'day', 'lastActivity', 'lastSlot', 'lastInside', 'runStart', 'aboutSince', 'bathEnteredAt', 'fallCallAt', 'nightExitAt', 'nightExitDueAt', 'pendingOutAt', 'outSince', 'notHomeAt', 'lastLateArrival', 'lastNow',
  'inactivityRaisedAt', 'routineRaised', 'routineStreak', 'routineClearStreak', 'dwellDay', 'risingDay', 'nightVisitsDay', 'nightVisitsNext', 'activityDay', 'chairDay', 'chairSince',
  'daysLearned', 'normDwell', 'notUpAt', 'lastBathAt', 'spellHead', 'quietScale', 'quietDays', 'bathScale',
  'soloSince', 'soloLast', 'soloCount', 'soloMaxGap', 'soloPrevOther', 'soloPrevSlot',
] as const;
/** Flags kept. */
const FLAGS = ['spellExcluded', 'upToday', 'inBathroom', 'out', 'notUpRaised', 'nightExitRaised', 'notHomeRaised'] as const;
/** Events kept (for the causes of alerts still to come). */
const EVENTS = ['lastActivityRef', 'bathRef', 'fallCallRef', 'nightExitRef', 'soloPrevRef'] as const;

type Rec = Record<string, unknown>;

/** The state as JSON. */
export function snapshotRoutine(st: RoutineState): unknown {
  const r = st as unknown as Rec;
  return {
    arrays: Object.fromEntries(ARRAYS.map((k) => [k, packArray(r[k] as ArrayBufferView)])),
    nums: Object.fromEntries(NUMS.map((k) => [k, saveNum(r[k] as number)])),
    flags: Object.fromEntries(FLAGS.map((k) => [k, r[k]])),
    events: Object.fromEntries(EVENTS.map((k) => [k, saveEvent(r[k] as CoreEvent | null)])),
    fallCallKind: st.fallCallKind,
    longLieRaised: st.longLieRaised,
    nightExitRoom: st.nightExitRoom,
    pendingOutRoom: st.pendingOutRoom,
    soloSensor: st.soloSensor,
    stuckSensor: st.stuckSensor,
    rooms: [...st.rooms],
    live: st.live.snapshot(),
  };
}

/**
 * Take back a snapshot. A piece of state the snapshot does not have (it was added since) keeps its
 * default: an upgrade that adds state must not cost every home its learned history. Everything is
 * read and checked before anything changes: a bad snapshot throws and leaves the state as it was.
 */
export function restoreRoutine(st: RoutineState, state: unknown, ctx: DetectorContext): void {
  const s = state as { arrays: Rec; nums: Rec; flags: Rec; events: Rec; [k: string]: unknown };
  if (typeof s !== 'object' || !s || typeof s.arrays !== 'object' || typeof s.nums !== 'object' || typeof s.flags !== 'object' || typeof s.events !== 'object') throw new Error('bad routine state');
  const d0 = snapshotRoutine(st) as typeof s;
  const pick = (group: 'arrays' | 'nums' | 'flags', k: string): unknown => (s[group][k] === undefined ? d0[group][k] : s[group][k]);
  if (!['fall', 'call'].includes(s.fallCallKind as string) || !['', 'after-fall', 'bathroom'].includes(s.longLieRaised as string) || !Array.isArray(s.rooms)) throw new Error('bad routine state');
  const r = st as unknown as Rec;
  const copies = ARRAYS.map((k) => {
    const a = r[k] as ArrayBufferView;
    const copy = new Uint8Array(a.byteLength);
    unpackArray(copy, pick('arrays', k));
    return [new Uint8Array(a.buffer, a.byteOffset, a.byteLength), copy] as const;
  });
  const refs = EVENTS.map((k) => loadEvent(s.events[k]));
  const roomList = (s.rooms as unknown[]).map((x) => {
    if (!Array.isArray(x) || typeof x[0] !== 'string' || typeof x[1] !== 'number' || x[1] < 2 || x[1] >= SLOTS) throw new Error('bad routine room');
    return [x[0], x[1]] as [string, number];
  });
  const nums = NUMS.map((k) => loadNum(pick('nums', k)));
  const flags = FLAGS.map((k) => {
    const x = pick('flags', k);
    if (typeof x !== 'boolean') throw new Error(`bad routine flag ${k}`);
    return x;
  });
  st.live.restore(s.live, ctx.now());
  // The server was blind while it was down: nothing but a known fall's long lie is raised until the hub is heard again.
  st.live.markRestart(ctx.now());

  for (const [a, copy] of copies) a.set(copy);
  EVENTS.forEach((k, i) => (r[k] = refs[i]));
  st.rooms.clear();
  st.slotBySensor = new WeakMap();
  st.roomNames.length = 2;
  for (const [room, slot] of roomList) {
    st.rooms.set(room, slot);
    st.roomNames[slot] ??= `in the ${room.split('|')[0]}`;
  }
  NUMS.forEach((k, i) => (r[k] = nums[i]));
  FLAGS.forEach((k, i) => (r[k] = flags[i]));
  st.fallCallKind = s.fallCallKind as 'fall' | 'call';
  st.longLieRaised = s.longLieRaised as '' | 'after-fall' | 'bathroom';
  st.nightExitRoom = typeof s.nightExitRoom === 'string' ? s.nightExitRoom : null;
  st.pendingOutRoom = typeof s.pendingOutRoom === 'string' ? s.pendingOutRoom : null;
  st.soloSensor = typeof s.soloSensor === 'string' ? s.soloSensor : null;
  st.stuckSensor = typeof s.stuckSensor === 'string' ? s.stuckSensor : null;
  st.plan = planOf(ctx);
  // The day's bounds follow from the day (and the plan as it is now); what setDay resets is set after it.
  const day = st.day;
  const { upToday, risingDay, notUpAt } = st;
  st.day = NaN;
  if (!Number.isNaN(day)) setDay(st, day, st.plan);
  st.upToday = upToday;
  st.risingDay = risingDay;
  st.notUpAt = notUpAt;
}
