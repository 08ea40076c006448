// The generator's public types: the incidents it can inject, their labels, a home's options and what it returns.
import type { HomeDescription, HubEvent, SensorDescription } from '../../protocol/index.ts';
import type { AlertType } from '../../server/src/care/model.ts';
import type { PersonaName } from './personas.ts';

/** The incidents the generator can inject (see docs/simulators.md). */
export const INCIDENT_TYPES = [
  'fall-recovered',
  'fall-long-lie',
  'collapse',
  'not-up',
  'night-exit',
  'cold-home',
  'hub-outage',
  'flat-battery',
  'call-cancelled',
  'decline',
] as const;
/** An incident type. */
export type IncidentType = (typeof INCIDENT_TYPES)[number];

/** Incidents that happen within one day (the cohort draws these per home-day). */
export const ACUTE_INCIDENTS: readonly IncidentType[] = ['fall-recovered', 'fall-long-lie', 'collapse', 'not-up', 'night-exit', 'cold-home', 'hub-outage', 'call-cancelled'];

/** An incident to inject: its type, the day (0 = the first day), and optionally the local time it starts. */
export interface IncidentSpec {
  type: IncidentType;
  day: number;
  /** Local HH:MM of the start (for night-exit: the door opening; for not-up it is ignored). */
  at?: string;
  /** For flat-battery: which sensor dies (default: a motion sensor chosen by the seed). */
  sensor?: string;
}

/**
 * The ground truth of one incident: what happened, when, and which alerts a
 * good detector (with the default plan plus the home's overrides) should raise
 * and by when. Days without a label are normal days.
 */
export interface Label {
  hub: string;
  resident: string;
  incident: IncidentType;
  /** Local date (YYYY-MM-DD) of the onset, in the home's time zone. */
  day: string;
  /** When the situation began (UTC ISO). */
  onset: string;
  /** When it ended (help arrived, resident got up, heating back...), or null when it lasts. */
  end: string | null;
  /** Alert types a good detector should raise for it. */
  expect: AlertType[];
  /** For each expected type, the latest time (UTC ISO) a timely detector raises it. */
  deadlines: Partial<Record<AlertType, string>>;
  /** Alert types that are also fair to raise for it (not counted as false alerts). */
  allow: AlertType[];
  /** Incident-specific facts (room, sensor, durations, ...). */
  detail: Record<string, unknown>;
}

/** The resident's persona and the actual means the generator used. */
export interface ResidentProfile {
  persona: PersonaName;
  name: string;
  wakeWeekday: string;
  wakeWeekend: string;
  bedWeekday: string;
  bedWeekend: string;
}

/** Options of generateHome. */
export interface GenerateHomeOptions {
  hubId: string;
  seed: number;
  /** First local date, YYYY-MM-DD (the period starts at local midnight). */
  start: string;
  days: number;
  /** IANA time zone of the home (default Europe/London). */
  timezone?: string;
  incidents?: IncidentSpec[];
  /** Force a persona (default: chosen by the seed). */
  persona?: PersonaName;
  /** Resident name (default: made up from the seed). */
  resident?: string;
  /** The home's sensors (default: the standard layout). */
  sensors?: readonly SensorDescription[];
  /** Prefix of event ids (default "e"); ids are prefix + a base-36 counter. */
  idPrefix?: string;
  /** Scales how often PIRs see movement (default 1; the live demo uses more, to be lively). */
  motionScale?: number;
}

/** One simulated home: its description, its events in time order, the late arrivals and the labels. */
export interface GeneratedHome {
  home: HomeDescription;
  profile: ResidentProfile;
  /** Every event, ordered by `ts`; each valid against HubEventSchema, ids unique in the home. */
  events: HubEvent[];
  /** Events that reached the server late (hub outage): event id to arrival time (UTC ISO). */
  late: Record<string, string>;
  labels: Label[];
  /**
   * The simulated span (UTC ISO): local midnight of the first day to local midnight after the
   * last. There are no events outside it, so alerts a replay raises after `end` are artefacts.
   */
  period: { start: string; end: string };
}
