// The hand-written fast path for events (plainlyValidEvent) must never accept what zod refuses,
// and must return what zod returns for what it accepts.
import { describe, expect, it } from 'vitest';
import { HubEventSchema, parseEventsPayload, plainlyValidEvent } from '../../protocol/schemas.ts';
import { SENSOR_TYPES } from '../../protocol/sensor-kinds.ts';

/** A valid value for each kind, and values that are wrong for some kinds. */
const VALUES: unknown[] = [true, false, 0, 0.5, 1, -50, 80, 81, -51, 100, 101, 'open', 'closed', 'pressed', 'cancelled', 'in', 'out', 'mains', 'battery', 'on', null, [], {}, '1'];

const BASE = { id: 'e-1', ts: '2026-12-04T10:00:00.000Z', sensor: 'kitchen-pir' };

/** Field variants: each replaces one field of a valid event. */
const VARIANTS: Record<string, unknown[]> = {
  id: ['', 'x'.repeat(64), 'x'.repeat(65), 7, null, undefined],
  ts: ['2026-12-04T10:00:00Z', '2026-12-04T10:00:00+01:00', '2026-12-04T10:00:00.123456-05:30', '2024-02-29T00:00:00Z', '2026-02-29T00:00:00Z', '2026-12-04 10:00:00Z', '2026-12-04T10:00:00', '2026-12-04T24:00:00Z', 1733306400000, ''],
  sensor: ['a', 'hall pir', ' hall', 'hall/pir', 'hall\\pir', 'x'.repeat(64), 'x'.repeat(65), 'tab\there', 'é-capteur', '', 3],
  battery: [0, 100, 55.5, -1, 101, null, '50', undefined],
  type: ['not-a-kind', 'toString', '__proto__', 'constructor', 5, null],
};

function cases(): unknown[] {
  const out: unknown[] = [null, 'motion', 42, [], [{ ...BASE, type: 'motion', value: true }]];
  for (const type of SENSOR_TYPES) {
    for (const value of VALUES) {
      out.push({ ...BASE, type, value });
      out.push({ ...BASE, type, value, extra: 'dropped' });
      for (const [field, vs] of Object.entries(VARIANTS)) for (const v of vs) out.push({ ...BASE, type, value, [field]: v });
    }
    out.push({ id: 'e-2', ts: BASE.ts, type }); // no sensor, no value
  }
  // As hubs' payloads arrive: through JSON (an undefined field is absent, not present and undefined).
  return out.map((raw) => JSON.parse(JSON.stringify(raw)) as unknown);
}

describe('events: the fast path agrees with zod', () => {
  const all = cases();

  it('accepts only what zod accepts, and returns what zod returns', () => {
    let accepted = 0;
    let refused = 0;
    let zodAccepted = 0;
    for (const raw of all) {
      const fast = plainlyValidEvent(raw);
      const z = HubEventSchema.safeParse(raw);
      if (z.success) zodAccepted++;
      if (fast) {
        accepted++;
        expect(z.success, JSON.stringify(raw)).toBe(true);
        expect(fast).toStrictEqual(z.data);
      } else if (!z.success) refused++;
    }
    // Both kinds of case occur in numbers: the comparison is not vacuous.
    expect(accepted).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(300);
    // And it is the path valid events take: here it takes every one zod accepts.
    expect(accepted).toBe(zodAccepted);
  });

  it('falls back to zod for what is valid but not in the usual shape, so nothing valid is lost', () => {
    for (const raw of all) {
      const [verdict] = parseEventsPayload(JSON.stringify(raw));
      expect(verdict!.ok, JSON.stringify(raw)).toBe(HubEventSchema.safeParse(raw).success);
    }
  });

  it('drops unknown keys as zod does', () => {
    const e = plainlyValidEvent({ ...BASE, type: 'motion', value: true, battery: 90, note: 'x' });
    expect(e).toStrictEqual({ ...BASE, type: 'motion', value: true, battery: 90 });
  });
});
