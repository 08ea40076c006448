// Presence versus touch: a PIR says the person is in that room (for as long as it keeps seeing them);
// a cupboard, fridge, appliance, flush or chair contact says they were there at that moment. The
// sensor-kind table says which a kind is; commissioning may override it per sensor. And what an event
// says about being out of bed (isUpEvidence).
import { SENSOR_KINDS, type SensorEvidence } from '../../../../../protocol/index.ts';
import type { CoreEvent } from '../../detector.ts';

// Read once (an imported re-export is a getter call per use).
const KIND_EVIDENCE = new Map<string, SensorEvidence>(Object.entries(SENSOR_KINDS as Record<string, { evidence: SensorEvidence }>).map(([t, k]) => [t, k.evidence]));

/** What an event says about where the person is: the sensor's commissioned override, else its kind's. */
export function evidenceOf(e: CoreEvent): SensorEvidence {
  const o = e.sensorInfo?.evidence;
  if (o === 'presence' || o === 'touch') return o;
  return KIND_EVIDENCE.get(e.type) ?? 'touch';
}

/** Words for a cause: how much "last seen" knows. */
export function seenWords(evidence: SensorEvidence): string {
  return evidence === 'presence' ? 'seen there' : 'touched something there';
}

/**
 * Whether an event says the resident is out of bed: the bed pad's "out", a bathroom visit, a touch
 * anywhere (the wardrobe included) or any other room; not the pad's "in", nor a PIR in the bedroom,
 * which sees someone turning over in bed as well as someone up.
 */
export function isUpEvidence(e: CoreEvent): boolean {
  if (e.type === 'bed') return e.value === 'out';
  const room = e.sensorInfo?.room ?? null;
  const role = e.sensorInfo?.role ?? null;
  return !((room === 'bedroom' || role === 'bedroom') && evidenceOf(e) === 'presence');
}
