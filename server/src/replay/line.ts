// Replay lines (docs/replay.md, "Events"): one JSON line checked and converted into the event the core
// takes. `toReplayEvent` (on JSON.parse's object) is the authority; `parseReplayLine` reads the usual
// flat line by hand, without JSON.parse's intermediate object, and hands anything it is not sure of to
// JSON.parse + toReplayEvent, so the same lines are accepted, with the same events, and the same refused
// with the same errors (test/server/replay/line.test.ts compares the two on valid and hostile lines).
import { HUB_ID_PATTERN, SENSOR_KINDS, type SensorType } from '../../../protocol/index.ts';
import type { CoreEvent } from '../anomaly/detector.ts';

/** Why a replay line was refused. */
export class ReplayLineError extends Error {}

const HUB_RE = new RegExp(HUB_ID_PATTERN);
// Read once: an imported binding re-exported through protocol/index.ts is a getter call per use.
const KINDS = SENSOR_KINDS;
// Hub ids already checked: a replay has few hubs and many lines.
const knownHubs = new Set<string>();

// Two decimal digits at i, or NaN.
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

// Days in month mo (1 to 12) of year y, proleptic Gregorian (as Date).
function daysIn(y: number, mo: number): number {
  if (mo === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
}

/** Epoch ms of an RFC 3339 time, or NaN (Date.parse alone would also take "2026" or "Jan 1"). */
export function parseTime(s: string): number {
  return timeAt(s, 0, s.length);
}

/** parseTime of s.slice(o, o + n), reading s in place when it has the usual shape. */
function timeAt(s: string, o: number, n: number): number {
  // The shape by its separators (cheaper than a regular expression); Date.parse checks the digits.
  const zone = s.charCodeAt(o + n - 1);
  const sign = s.charCodeAt(o + n - 6);
  if (
    n < 20 ||
    s.charCodeAt(o + 4) !== 45 ||
    s.charCodeAt(o + 7) !== 45 ||
    (s.charCodeAt(o + 10) | 32) !== 116 ||
    s.charCodeAt(o + 13) !== 58 ||
    s.charCodeAt(o + 16) !== 58 ||
    !((zone | 32) === 122 || ((sign === 43 || sign === 45) && s.charCodeAt(o + n - 3) === 58))
  ) {
    return NaN;
  }
  if (n === 24 && zone === 90 && s.charCodeAt(o + 19) === 46) {
    // The shape every Hearth writer uses (toISOString): read by hand. Years before 100 go to
    // Date.parse (Date.UTC would read them as 19xx).
    const y = digits2(s, o) * 100 + digits2(s, o + 2);
    if (!(y >= 0 && y < 100)) return isoAt(s, o);
  }
  const str = o === 0 && n === s.length ? s : s.slice(o, o + n);
  const t = Date.parse(str);
  // Date.parse rolls 31 February over into March: check the day of the month when it could overflow.
  const day = (str.charCodeAt(8) - 48) * 10 + (str.charCodeAt(9) - 48);
  if (day > 28 && new Date(Date.parse(`${str.slice(0, 10)}T00:00:00Z`)).getUTCDate() !== day) return NaN;
  return t;
}

/**
 * Epoch ms of the 24 characters at o when they are a time as toISOString writes it
 * (YYYY-MM-DDTHH:MM:SS.mmmZ, year 100 or later), every character checked; NaN otherwise.
 */
function isoAt(s: string, o: number): number {
  if (
    s.charCodeAt(o + 4) !== 45 ||
    s.charCodeAt(o + 7) !== 45 ||
    (s.charCodeAt(o + 10) | 32) !== 116 ||
    s.charCodeAt(o + 13) !== 58 ||
    s.charCodeAt(o + 16) !== 58 ||
    s.charCodeAt(o + 19) !== 46 ||
    s.charCodeAt(o + 23) !== 90
  ) {
    return NaN;
  }
  const y = digits2(s, o) * 100 + digits2(s, o + 2);
  const mo = digits2(s, o + 5);
  const da = digits2(s, o + 8);
  const h = digits2(s, o + 11);
  const mi = digits2(s, o + 14);
  const se = digits2(s, o + 17);
  const last = s.charCodeAt(o + 22) - 48;
  const ms = last >= 0 && last <= 9 ? digits2(s, o + 20) * 10 + last : NaN;
  if (!(y >= 100 && mo >= 1 && mo <= 12 && da >= 1 && h <= 23 && mi <= 59 && se <= 59 && ms >= 0)) return NaN;
  if (da > daysIn(y, mo)) return NaN; // Date.UTC would roll 31 February over into March
  // Days since 1970-01-01 of the date (proleptic Gregorian, as Date.UTC; years from March, so leap days fall last).
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + da - 1;
  const days = era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
  return days * 86_400_000 + h * 3_600_000 + mi * 60_000 + se * 1000 + ms;
}

/**
 * One replay line (already JSON-parsed) checked and converted: hub, id, ts, sensor,
 * type and value as the hub protocol says (the value against its kind's row of
 * SENSOR_KINDS), plus optional battery and `receivedAt`. Throws ReplayLineError.
 */
export function toReplayEvent(o: unknown): CoreEvent {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new ReplayLineError('not a JSON object');
  const r = o as Record<string, unknown>;
  const { hub, id, ts, sensor, type, value } = r;
  if (typeof hub !== 'string' || (!knownHubs.has(hub) && !HUB_RE.test(hub))) throw new ReplayLineError('"hub" must be a hub id (3 to 64 of a-z, 0-9, -)');
  if (knownHubs.size < 100_000) knownHubs.add(hub);
  if (typeof id !== 'string' || id.length < 1 || id.length > 64) throw new ReplayLineError('"id" must be 1 to 64 characters');
  if (typeof sensor !== 'string' || sensor.length < 1 || sensor.length > 64) throw new ReplayLineError('"sensor" must be 1 to 64 characters');
  if (typeof ts !== 'string') throw new ReplayLineError('"ts" must be an RFC 3339 time');
  const t = parseTime(ts);
  if (Number.isNaN(t)) throw new ReplayLineError(`"ts" is not a time: ${JSON.stringify(ts).slice(0, 40)}`);
  let rcv = t;
  if (r.receivedAt !== undefined) {
    if (typeof r.receivedAt !== 'string' || Number.isNaN((rcv = parseTime(r.receivedAt)))) throw new ReplayLineError('"receivedAt" must be an RFC 3339 time');
  }
  if (typeof type !== 'string' || !Object.hasOwn(KINDS, type)) throw new ReplayLineError(`unknown event type ${JSON.stringify(type).slice(0, 40)}`);
  const kind = KINDS[type as SensorType];
  if (!valueOk(type as SensorType, value) && !kind.value.safeParse(value).success) {
    throw new ReplayLineError(`value ${JSON.stringify(value)?.slice(0, 40)} is not valid for type "${type}" (${kind.meaning})`);
  }
  let battery: number | null = null;
  if (r.battery !== undefined) {
    if (typeof r.battery !== 'number' || !(r.battery >= 0 && r.battery <= 100)) throw new ReplayLineError('"battery" must be 0 to 100');
    battery = r.battery;
  }
  return { hubId: hub, id, ts: t, receivedAt: rcv, sensor, type: type as SensorType, value, battery, late: false, sensorInfo: undefined };
}

/**
 * Whether a line may carry `receivedAt` (the CLI's first pass parses only those): exactly
 * `line.includes('"receivedAt"')`, but a short needle first (V8 searches for one of under
 * seven characters without a setup, four times faster on a line without it).
 */
export function mayBeLate(line: string): boolean {
  return line.includes('dAt"') && line.includes('"receivedAt"');
}

/**
 * One replay line (JSON text) parsed, checked and converted: the same event as
 * `toReplayEvent(JSON.parse(line))`, or the same error (SyntaxError for a line that
 * is not JSON, ReplayLineError for one that is not a valid event).
 */
export function parseReplayLine(line: string): CoreEvent {
  return fastLine(line) ?? toReplayEvent(JSON.parse(line));
}

// Exact powers of ten (up to 10^22, the last a double holds exactly).
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
// Where the number numAt last read ends.
let numEnd = 0;

/**
 * The JSON number at i, when it is -?(0|[1-9][0-9]*)(\.[0-9]+)? with at most 15 digits (the mantissa
 * and the power of ten are then exact, and their quotient is rounded once, as JSON.parse rounds);
 * NaN for anything else. Sets numEnd.
 */
function numAt(s: string, i: number): number {
  const neg = s.charCodeAt(i) === 45;
  let j = neg ? i + 1 : i;
  let d = s.charCodeAt(j) - 48;
  if (!(d >= 0 && d <= 9)) return NaN;
  let m = d;
  let digits = 1;
  j++;
  if (d !== 0) {
    for (; (d = s.charCodeAt(j) - 48) >= 0 && d <= 9; j++, digits++) m = m * 10 + d;
  }
  let frac = 0;
  if (s.charCodeAt(j) === 46) {
    for (j++; (d = s.charCodeAt(j) - 48) >= 0 && d <= 9; j++, digits++, frac++) m = m * 10 + d;
    if (frac === 0) return NaN;
  }
  const e = s.charCodeAt(j);
  if (digits > 15 || e === 101 || e === 69 || (e >= 48 && e <= 57)) return NaN;
  numEnd = j;
  const x = frac === 0 ? m : m / POW10[frac]!;
  return neg ? -x : x;
}

// Strings seen before (a replay has few hubs, sensors and kinds and many lines): a line's hub, sensor
// and type are these same strings, so a Map looking them up later finds their hash computed, and the
// checks are made once per string. Only checked strings are kept: hubs that are hub ids, sensors that
// are plain, kinds that are kinds.
const HUBS = new Map<string, string>();
const SENSORS = new Map<string, string>();
// Each kind's name, to itself (the table's own string, interned by the engine).
const KIND_NAMES = new Map(Object.keys(KINDS).map((k) => [k, k]));
/** Most strings kept per table (a hostile file with a new sensor on every line is read, not remembered). */
const MAX_KEPT = 10_000;

// Whether s[a, b) is 1 to 64 characters with no backslash (an escape) or control character (refused by JSON).
function plain(s: string, a: number, b: number): boolean {
  if (b - a < 1 || b - a > 64) return false;
  for (let k = a; k < b; k++) {
    const c = s.charCodeAt(k);
    if (c < 32 || c === 92) return false;
  }
  return true;
}

/**
 * The line as Hearth's writers (JSON.stringify of the replay format, in its key order) write it, read
 * in place: {"hub":…,"id":…,"ts":…,"sensor":…,"type":…,"value":… [,"battery":…] [,"receivedAt":…]},
 * times as toISOString writes them. Undefined for any other line and for any line toReplayEvent would
 * refuse or read differently: the caller then takes that path, so this only ever returns what it would.
 */
function fastLine(s: string): CoreEvent | undefined {
  // Each string's end is its first quote: a backslash before it would show in the checks below.
  if (!s.startsWith('{"hub":"', 0)) return undefined;
  const h1 = s.indexOf('"', 8);
  if (h1 < 0 || !s.startsWith('","id":"', h1)) return undefined;
  const rawHub = s.slice(8, h1);
  let hub = HUBS.get(rawHub);
  if (hub === undefined) {
    hub = rawHub;
    if (!knownHubs.has(hub)) {
      if (!HUB_RE.test(hub)) return undefined;
      if (knownHubs.size < 100_000) knownHubs.add(hub);
    }
    if (HUBS.size < MAX_KEPT) HUBS.set(hub, hub);
  }
  const i0 = h1 + 8;
  const i1 = s.indexOf('"', i0);
  if (i1 < 0 || !s.startsWith('","ts":"', i1) || !plain(s, i0, i1)) return undefined;
  const t0 = i1 + 8;
  const t = isoAt(s, t0);
  if (Number.isNaN(t) || !s.startsWith('","sensor":"', t0 + 24)) return undefined;
  const s0 = t0 + 36;
  const s1 = s.indexOf('"', s0);
  if (s1 < 0 || !s.startsWith('","type":"', s1)) return undefined;
  const rawSensor = s.slice(s0, s1);
  let sensor = SENSORS.get(rawSensor);
  if (sensor === undefined) {
    if (!plain(s, s0, s1)) return undefined;
    sensor = rawSensor;
    if (SENSORS.size < MAX_KEPT) SENSORS.set(sensor, sensor);
  }
  const y0 = s1 + 10;
  const y1 = s.indexOf('"', y0);
  if (y1 < 0 || !s.startsWith('","value":', y1)) return undefined;
  const type = KIND_NAMES.get(s.slice(y0, y1));
  if (type === undefined) return undefined;
  // The value: true, false, a string (checked against its kind's values below) or a number.
  let i = y1 + 10;
  let value: unknown;
  const c = s.charCodeAt(i);
  if (c === 116 && s.startsWith('true', i)) {
    value = true;
    i += 4;
  } else if (c === 102 && s.startsWith('false', i)) {
    value = false;
    i += 5;
  } else if (c === 34) {
    const j = s.indexOf('"', i + 1);
    if (j < 0) return undefined;
    value = s.slice(i + 1, j);
    i = j + 1;
  } else {
    value = numAt(s, i);
    if (Number.isNaN(value)) return undefined;
    i = numEnd;
  }
  let battery: number | null = null;
  if (s.startsWith(',"battery":', i)) {
    battery = numAt(s, i + 11);
    if (!(battery >= 0 && battery <= 100)) return undefined;
    i = numEnd;
  }
  let rcv = t;
  if (s.startsWith(',"receivedAt":"', i)) {
    rcv = isoAt(s, i + 15);
    if (Number.isNaN(rcv) || s.charCodeAt(i + 39) !== 34) return undefined;
    i += 40;
  }
  if (i !== s.length - 1 || s.charCodeAt(i) !== 125) return undefined;
  if (!valueOk(type as SensorType, value)) return undefined;
  return { hubId: hub, id: s.slice(i0, i1), ts: t, receivedAt: rcv, sensor, type: type as SensorType, value, battery, late: false, sensorInfo: undefined };
}

// Every kind's value checked without zod, for speed (the same rules as SENSOR_KINDS); a value
// refused here is still offered to the kind's zod schema, so the table stays the authority.
function valueOk(type: SensorType, v: unknown): boolean {
  switch (type) {
    case 'motion':
    case 'smoke':
    case 'water':
    case 'tamper':
      return typeof v === 'boolean';
    case 'door':
      return v === 'open' || v === 'closed';
    case 'bed':
    case 'chair':
      return v === 'in' || v === 'out';
    case 'temperature':
      return typeof v === 'number' && v >= -50 && v <= 80;
    case 'battery':
      return typeof v === 'number' && v >= 0 && v <= 100;
    case 'call':
      return v === 'pressed' || v === 'cancelled';
    case 'power':
      return v === 'mains' || v === 'battery';
    case 'fall':
      return v === true || (typeof v === 'number' && v >= 0 && v <= 1);
    default:
      return false;
  }
}
