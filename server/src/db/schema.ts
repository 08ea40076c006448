import type { Generated } from 'kysely';

// Row types of the relational store. Times are integers: milliseconds since the epoch (UTC).

/** A tenant: a provider alliance or council service. */
export interface OrganisationTable {
  id: string;
  name: string;
  created_at: number;
}

/** A place-based team area, with its urgent response team's hours. */
export interface NeighbourhoodTable {
  id: string;
  org_id: string;
  name: string;
  /** Local "HH:MM" when the urgent response team's service starts and ends. */
  urgent_start: string;
  urgent_end: string;
  timezone: string;
  /** Where urgent alerts go outside the team's hours (free text or a route id). */
  out_of_hours_route: string;
  created_at: number;
}

/** A person who signs in. */
export interface UserTable {
  id: string;
  org_id: string;
  username: string;
  display_name: string;
  role: string;
  neighbourhood_id: string | null;
  password_hash: string;
  disabled: number;
  created_at: number;
}

/** A signed-in session; only a hash of the token is kept. */
export interface SessionTable {
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

/** A home hub. */
export interface HubTable {
  id: string;
  org_id: string;
  name: string;
  /** sha256 of the hub secret (the secret is 256 random bits, so a fast hash suffices). */
  secret_hash: string;
  created_at: number;
  status: string;
  status_at: number | null;
  last_seen_at: number | null;
  last_heartbeat_seq: number | null;
  firmware: string | null;
  power: string | null;
  heartbeat_seconds: number;
}

/** A sensor of a hub: commissioned (room and role set) or only seen. */
export interface SensorTable {
  hub_id: string;
  sensor_id: string;
  type: string;
  room: string | null;
  role: string | null;
  commissioned: number;
  first_seen_at: number | null;
  last_seen_at: number | null;
  battery: number | null;
}

/** A monitored person. */
export interface ResidentTable {
  id: string;
  org_id: string;
  neighbourhood_id: string;
  hub_id: string | null;
  name: string;
  timezone: string;
  coordinator_id: string | null;
  /** JSON: the monitoring plan (overrides of the defaults). */
  plan: string;
  /** JSON: next of kin, key holder. */
  contacts: string;
  /** JSON: consent record. */
  consent: string;
  away: number;
  created_at: number;
}

/** A stored sensor event (the SQLite event store). */
export interface EventTable {
  hub_id: string;
  event_id: string;
  ts: number;
  received_at: number;
  sensor: string;
  type: string;
  /** JSON of the event's value. */
  value: string;
  battery: number | null;
  late: number;
}

/** A message or event set aside because it broke the protocol. */
export interface RejectionTable {
  id: Generated<number>;
  hub_id: string;
  received_at: number;
  topic: string;
  reason: string;
  detail: string;
  /** The offending payload, truncated to 4 KiB. */
  payload: string;
}

/** An alert; acknowledged and cleared are separate facts. */
export interface AlertTable {
  id: string;
  org_id: string;
  hub_id: string;
  resident_id: string | null;
  /** What "at most one open alert" is keyed by: resident id, or hub id for home-level alerts. */
  subject: string;
  type: string;
  severity: string;
  state: string;
  /** When the condition began (the sensor's time), and when Hearth raised the alert. */
  occurred_at: number;
  raised_at: number;
  updated_at: number;
  repeat_count: number;
  /** JSON: the rule, the events and norms behind it; repeats are appended. */
  cause: string;
  late: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  cleared_at: number | null;
  cleared_by: string | null;
  closed_at: number | null;
  outcome: string | null;
}

/** Append-only audit trail of alert transitions (who, when, what). */
export interface AlertLogTable {
  id: Generated<number>;
  alert_id: string;
  at: number;
  action: string;
  actor: string | null;
  detail: string;
}

/** Who saw whom: one row per read of personal data. */
export interface AccessLogTable {
  id: Generated<number>;
  at: number;
  user_id: string;
  org_id: string;
  action: string;
  subject: string;
}

/** The whole relational schema, for kysely. */
export interface Database {
  organisations: OrganisationTable;
  neighbourhoods: NeighbourhoodTable;
  users: UserTable;
  sessions: SessionTable;
  hubs: HubTable;
  sensors: SensorTable;
  residents: ResidentTable;
  events: EventTable;
  rejections: RejectionTable;
  alerts: AlertTable;
  alert_log: AlertLogTable;
  access_log: AccessLogTable;
}
