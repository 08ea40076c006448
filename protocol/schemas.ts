import { z } from 'zod';
import { SENSOR_KINDS, SENSOR_TYPES, type SensorType, type SensorValue } from './sensor-kinds.ts';
import { HUB_ID_PATTERN } from './topics.ts';
import { DeviceMappingSchema } from './hub-reports.ts';

/** Largest batch a hub may send in one message. */
export const MAX_BATCH = 500;

/** RFC 3339 time with `Z` or an offset. */
export const Timestamp = z.iso.datetime({ offset: true });

/** A hub id (3 to 64 of a-z, 0-9, '-'). */
export const HubId = z.string().regex(HUB_ID_PATTERN, 'hubId must be 3 to 64 characters of a-z, 0-9 and -');

// Printable, no slash: a sensor id becomes part of URLs and logs.
const SENSOR_ID_PATTERN = /^[^\s/\\\x00-\x1f][^/\\\x00-\x1f]*$/;
const SensorId = z.string().min(1).max(64).regex(SENSOR_ID_PATTERN, 'sensor must be printable, without slashes');

const eventBase = {
  id: z.string().min(1).max(64),
  ts: Timestamp,
  sensor: SensorId,
  battery: z.number().min(0).max(100).optional(),
};

/** A sensor event of kind T, as a hub sends it. */
export type HubEventOf<T extends SensorType> = {
  id: string;
  ts: string;
  sensor: string;
  type: T;
  value: SensorValue<T>;
  battery?: number | undefined;
};

/** Any sensor event, as a hub sends it (a union over the sensor-kind table). */
export type HubEvent = { [T in SensorType]: HubEventOf<T> }[SensorType];

const eventVariants = SENSOR_TYPES.map((type) =>
  z.object({ ...eventBase, type: z.literal(type), value: SENSOR_KINDS[type].value }),
);

/** One event; the value is checked against its type's row of the sensor-kind table. */
export const HubEventSchema = z.discriminatedUnion(
  'type',
  eventVariants as unknown as [(typeof eventVariants)[number], ...(typeof eventVariants)[number][]],
) as unknown as z.ZodType<HubEvent>;

/** The envelope of a batch; each element is then judged alone with HubEventSchema. */
export const EventBatchEnvelope = z.object({
  events: z.array(z.unknown()).min(1).max(MAX_BATCH),
});

/** The hub's retained status (and its last will, with state offline). */
export const HubStatusSchema = z.object({
  state: z.enum(['online', 'offline']),
  ts: Timestamp,
  firmware: z.string().max(64).optional(),
  power: z.enum(['mains', 'battery']).optional(),
});
/** The hub's retained status message. */
export type HubStatus = z.infer<typeof HubStatusSchema>;

/** A heartbeat, sent every heartbeatSeconds. */
export const HeartbeatSchema = z.object({
  ts: Timestamp,
  seq: z.number().int().min(0),
});
/** A heartbeat message. */
export type Heartbeat = z.infer<typeof HeartbeatSchema>;

/** What the server may tell a hub about one of its sensors. */
export const SensorConfigSchema = z.object({
  sensor: SensorId,
  type: z.enum(SENSOR_TYPES),
  room: z.string().max(64).optional(),
  role: z.string().max(64).optional(),
});

/** A command from the server to a hub. */
export const HubCommandSchema = z.discriminatedUnion('cmd', [
  z.object({ id: z.string().min(1).max(64), cmd: z.literal('ping') }),
  z.object({ id: z.string().min(1).max(64), cmd: z.literal('identify'), seconds: z.number().int().min(1).max(300).optional() }),
  z.object({
    id: z.string().min(1).max(64),
    cmd: z.literal('config'),
    heartbeatSeconds: z.number().int().min(5).max(3600).optional(),
    sensors: z.array(SensorConfigSchema).max(500).optional(),
    /** Hearth addition: the installer's mappings of devices the hub reported unmapped (protocol/hub-reports.ts). */
    mappings: z.array(DeviceMappingSchema).max(200).optional(),
  }),
]);
/** A command message. */
export type HubCommand = z.infer<typeof HubCommandSchema>;

/** A hub's answer to a command. */
export const HubReplySchema = z.object({
  id: z.string().min(1).max(64),
  ok: z.boolean(),
  error: z.string().max(500).optional(),
});
/** A reply message. */
export type HubReply = z.infer<typeof HubReplySchema>;

/** One line of the replay format: an event with its hub. */
export const ReplayLineSchema = z.intersection(z.object({ hub: HubId }), HubEventSchema);
/** A replay line. */
export type ReplayLine = HubEvent & { hub: string };

/** Why a message or event was rejected: the reason codes counted per hub. */
export type RejectReason =
  | 'HEARTH_ERR_INGEST_JSON'
  | 'HEARTH_ERR_INGEST_SCHEMA'
  | 'HEARTH_ERR_INGEST_BATCH'
  | 'HEARTH_ERR_INGEST_TOPIC'
  | 'HEARTH_ERR_INGEST_DEPTH'
  | 'HEARTH_ERR_INGEST_SIZE'
  | 'HEARTH_ERR_INGEST_INTERNAL';

/** Deepest nesting of arrays and objects a hub message may have (a batch of events needs 3). */
export const MAX_JSON_DEPTH = 32;
/** Largest payload a hub message may have, in bytes (the broker closes a connection sending a larger packet). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** A payload judged as JSON: the parsed value, or why it was not parsed. `text` is the raw text, never re-serialised. */
export type JsonVerdict =
  | { ok: true; json: unknown; text: string }
  | { ok: false; reason: RejectReason; detail: string; text: string };

/**
 * Whether JSON text nests arrays and objects deeper than limit, found by
 * scanning the text (strings skipped), so a hostile payload is never handed
 * to a recursive parser or serialiser.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  // No more opening brackets in all (strings included) than the limit: it cannot be deeper. Counted
  // with the native search, so a hub's usual payload (one event, two or three brackets) skips the scan.
  if (openingsAtMost(text, limit)) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: jump to its closing quote with the native search (most of a hub's text is
      // strings), skipping quotes escaped by an odd run of backslashes. Unterminated: not deep.
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j === -1) return false;
        let backslashes = 0;
        while (text.charCodeAt(j - 1 - backslashes) === 0x5c) backslashes++;
        if ((backslashes & 1) === 0) break;
      }
      i = j;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Whether `text` holds at most `limit` of '{' and '[' together. */
function openingsAtMost(text: string, limit: number): boolean {
  let n = 0;
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) if (++n > limit) return false;
  for (let i = text.indexOf('['); i !== -1; i = text.indexOf('[', i + 1)) if (++n > limit) return false;
  return true;
}

/** Parse a hub's JSON payload with a size and depth guard; never throws. */
export function parseHubJson(payload: Buffer | string): JsonVerdict {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size > MAX_PAYLOAD_BYTES) {
    const text = (typeof payload === 'string' ? payload : payload.subarray(0, 8192).toString('utf8')).slice(0, 8192);
    return { ok: false, reason: 'HEARTH_ERR_INGEST_SIZE', detail: `payload of ${size} bytes is over the ${MAX_PAYLOAD_BYTES} byte limit`, text };
  }
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    return { ok: false, reason: 'HEARTH_ERR_INGEST_DEPTH', detail: `nested deeper than ${MAX_JSON_DEPTH} levels`, text };
  }
  try {
    return { ok: true, json: JSON.parse(text) as unknown, text };
  } catch (err) {
    return { ok: false, reason: 'HEARTH_ERR_INGEST_JSON', detail: `not valid JSON: ${(err as Error).message}`.slice(0, 300), text };
  }
}

/** A judged event: the valid event, or the reason it was rejected. */
export type EventVerdict =
  | { ok: true; event: HubEvent }
  | { ok: false; reason: RejectReason; detail: string; raw: unknown };

/** Render zod issues as one line a person can read. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/**
 * Judge an events payload (one event or a batch), element by element: a batch's
 * valid events are kept even when some of its neighbours are not.
 */
export function parseEventsPayload(payload: Buffer | string): EventVerdict[] {
  const parsed = parseHubJson(payload);
  if (!parsed.ok) return [{ ok: false, reason: parsed.reason, detail: parsed.detail, raw: parsed.text }];
  const { json, text } = parsed;
  if (json !== null && typeof json === 'object' && !Array.isArray(json) && Object.hasOwn(json, 'events')) {
    const env = EventBatchEnvelope.safeParse(json);
    if (!env.success) {
      return [{ ok: false, reason: 'HEARTH_ERR_INGEST_BATCH', detail: describeIssues(env.error), raw: text }];
    }
    return env.data.events.map(judgeEvent);
  }
  return [judgeEvent(json)];
}

/** zod's own pattern for Timestamp, so the fast path below accepts exactly the times zod does. */
const TIMESTAMP_PATTERN = (Timestamp as unknown as { _zod: { def: { pattern: RegExp } } })._zod.def.pattern;

/**
 * The event as HubEventSchema would return it, when it is plainly valid; otherwise undefined, and
 * zod judges it (and words the reason). The same checks by hand, without zod's object machinery:
 * about a sixth of its cost, on the path every event takes (docs/benchmarks.md). Unknown keys are
 * dropped, as zod drops them; test/protocol/event-fast-path.test.ts holds it to zod's verdicts.
 */
export function plainlyValidEvent(raw: unknown): HubEvent | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const { id, ts, sensor, type, value, battery } = raw as Record<string, unknown>;
  if (typeof id !== 'string' || id.length < 1 || id.length > 64) return undefined;
  if (typeof ts !== 'string' || !TIMESTAMP_PATTERN.test(ts)) return undefined;
  if (typeof sensor !== 'string' || sensor.length < 1 || sensor.length > 64 || !SENSOR_ID_PATTERN.test(sensor)) return undefined;
  if (battery !== undefined && (typeof battery !== 'number' || !(battery >= 0 && battery <= 100))) return undefined;
  if (typeof type !== 'string' || !Object.hasOwn(SENSOR_KINDS, type)) return undefined;
  const v = SENSOR_KINDS[type as SensorType].value.safeParse(value);
  if (!v.success) return undefined;
  const event = { id, ts, sensor, type, value: v.data } as HubEvent;
  if (battery !== undefined) event.battery = battery;
  return event;
}

function judgeEvent(raw: unknown): EventVerdict {
  const event = plainlyValidEvent(raw);
  if (event) return { ok: true, event };
  const r = HubEventSchema.safeParse(raw);
  if (r.success) return { ok: true, event: r.data };
  return { ok: false, reason: 'HEARTH_ERR_INGEST_SCHEMA', detail: describeIssues(r.error), raw };
}
