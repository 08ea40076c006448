// What the installer picks from: sensor kinds (protocol/sensor-kinds.ts) and roles (protocol/home.ts), with labels.
// The kind table straight from its file: the protocol index would also bundle every message schema.
import { SENSOR_KINDS } from '../../../../protocol/sensor-kinds.ts';
import type { SENSOR_ROLES } from '../../../../protocol/home.ts';

type SensorRole = (typeof SENSOR_ROLES)[number];

/** Roles a sensor can have, with labels (the list is checked against protocol/home.ts both ways). */
export const ROLE_LABELS = {
  'exterior-door': 'exterior door',
  'interior-door': 'interior door',
  bathroom: 'bathroom',
  bedroom: 'bedroom',
  living: 'living room',
  kitchen: 'kitchen',
  pendant: 'pendant',
  worn: 'worn',
  fridge: 'fridge',
} as const satisfies Record<SensorRole, string>;
// Every protocol role has a label (a new role without one fails the type check).
const _allRoles: Exclude<SensorRole, keyof typeof ROLE_LABELS> extends never ? true : false = true;
void _allRoles;

/** Sensor kinds, in table order. */
export const KIND_NAMES = Object.keys(SENSOR_KINDS);

/** What a kind means, for the installer. */
export function kindMeaning(type: string): string {
  return (SENSOR_KINDS as Record<string, { meaning: string }>)[type]?.meaning ?? 'unknown sensor kind';
}

/** The kind's own evidence of someone at home (presence or touch), where the table says. */
export function kindEvidence(type: string): 'presence' | 'touch' | null {
  return (SENSOR_KINDS as Record<string, { evidence?: 'presence' | 'touch' }>)[type]?.evidence ?? null;
}

/** A role's label. */
export function roleLabel(role: string | null): string {
  return role ? ((ROLE_LABELS as Record<string, string>)[role] ?? role) : '';
}
