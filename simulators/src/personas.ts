import type { Rng } from './prng.ts';

/** The persona names: each is a different kind of daily life. */
export const PERSONA_NAMES = ['early-riser', 'night-owl', 'frail-sedentary', 'active-out', 'steady'] as const;
/** A persona name. */
export type PersonaName = (typeof PERSONA_NAMES)[number];

/** A persona: the shape of a resident's days, in local minutes after midnight. */
export interface Persona {
  name: PersonaName;
  /** Mean wake time on weekdays and weekends, and its day-to-day spread (sd, minutes). */
  wake: { weekday: number; weekend: number; sd: number };
  /** Mean time into bed (may pass 1440: after midnight). */
  bed: { weekday: number; weekend: number; sd: number };
  /** Scales how often the PIRs see movement. */
  activity: number;
  /** Mean night-time bathroom trips. */
  nightTrips: number;
  /** Chance of going out on a day (first outing), and of a second one. */
  outing: { weekday: number; weekend: number; second: number; minMinutes: number; maxMinutes: number };
  /** Chance of a visitor on a day. */
  visitor: { weekday: number; weekend: number };
  /** Chance of a spell in the garden through the back door. */
  garden: number;
  /** Afternoon in the chair, minutes. */
  chair: { min: number; max: number };
  /** Carers come twice a day (morning and teatime). */
  carers: boolean;
  /** Care-plan overrides that fit this routine (night window and rising time). */
  plan: { nightStart: string; nightEnd: string; usualRising: string };
}

const h = (hh: number, mm = 0): number => hh * 60 + mm;

/** The personas the generator chooses from. */
export const PERSONAS: Record<PersonaName, Persona> = {
  'early-riser': {
    name: 'early-riser',
    wake: { weekday: h(6), weekend: h(6, 30), sd: 15 },
    bed: { weekday: h(21, 45), weekend: h(22), sd: 20 },
    activity: 1,
    nightTrips: 0.8,
    outing: { weekday: 0.55, weekend: 0.35, second: 0.15, minMinutes: 40, maxMinutes: 150 },
    visitor: { weekday: 0.15, weekend: 0.4 },
    garden: 0.25,
    chair: { min: 40, max: 90 },
    carers: false,
    plan: { nightStart: '22:30', nightEnd: '06:00', usualRising: '06:00' },
  },
  'night-owl': {
    name: 'night-owl',
    wake: { weekday: h(9, 15), weekend: h(9, 45), sd: 25 },
    bed: { weekday: h(24, 45), weekend: h(25, 15), sd: 25 },
    activity: 0.9,
    nightTrips: 0.6,
    outing: { weekday: 0.4, weekend: 0.45, second: 0.1, minMinutes: 45, maxMinutes: 180 },
    visitor: { weekday: 0.2, weekend: 0.35 },
    garden: 0.1,
    chair: { min: 45, max: 100 },
    carers: false,
    plan: { nightStart: '01:30', nightEnd: '09:00', usualRising: '09:15' },
  },
  'frail-sedentary': {
    name: 'frail-sedentary',
    wake: { weekday: h(7, 45), weekend: h(8), sd: 20 },
    bed: { weekday: h(21, 30), weekend: h(21, 30), sd: 20 },
    activity: 0.55,
    nightTrips: 1.8,
    outing: { weekday: 0.1, weekend: 0.15, second: 0, minMinutes: 30, maxMinutes: 75 },
    visitor: { weekday: 0.1, weekend: 0.35 },
    garden: 0,
    chair: { min: 120, max: 200 },
    carers: true,
    plan: { nightStart: '22:30', nightEnd: '07:00', usualRising: '07:45' },
  },
  'active-out': {
    name: 'active-out',
    wake: { weekday: h(7), weekend: h(7, 45), sd: 20 },
    bed: { weekday: h(22, 45), weekend: h(23, 15), sd: 20 },
    activity: 1.3,
    nightTrips: 0.5,
    outing: { weekday: 0.85, weekend: 0.7, second: 0.45, minMinutes: 60, maxMinutes: 240 },
    visitor: { weekday: 0.2, weekend: 0.3 },
    garden: 0.3,
    chair: { min: 30, max: 60 },
    carers: false,
    plan: { nightStart: '23:30', nightEnd: '07:00', usualRising: '07:00' },
  },
  steady: {
    name: 'steady',
    wake: { weekday: h(7, 30), weekend: h(8), sd: 20 },
    bed: { weekday: h(22, 30), weekend: h(22, 45), sd: 20 },
    activity: 1,
    nightTrips: 1,
    outing: { weekday: 0.5, weekend: 0.4, second: 0.15, minMinutes: 45, maxMinutes: 150 },
    visitor: { weekday: 0.2, weekend: 0.4 },
    garden: 0.15,
    chair: { min: 60, max: 120 },
    carers: false,
    plan: { nightStart: '23:00', nightEnd: '07:00', usualRising: '07:30' },
  },
};

const FIRST = ['Edith', 'Arthur', 'Margaret', 'Stanley', 'Joan', 'Harold', 'Dorothy', 'Albert', 'Winifred', 'Leonard', 'Irene', 'Kenneth', 'Gladys', 'Norman', 'Sheila', 'Ravi', 'Amina', 'Tomasz', 'Siobhan', 'Kwame'];
const LAST = ['Clarke', 'Hughes', 'Patel', 'Okafor', 'Evans', 'Wright', 'Singh', 'Moore', 'Kowalski', 'Murphy', 'Ahmed', 'Jones', 'Taylor', 'Mensah', 'Campbell'];

/** A made-up resident name. */
export function residentName(rng: Rng): string {
  return `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
}
