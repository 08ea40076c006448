import type { Generated } from 'kysely';
import type { DailySummaryTable, JobRunTable, HubPresenceTable, StoreOutboxTable, StoreStateTable, ServiceReportTable, PlanChangeTable, MdtNoteTable, AwayPeriodTable, CoordinatorLeadTable } from './schema-records.ts';
import type { ChannelTestTable, DeadlineTable, ChannelTable, RoutingRuleTable, NotificationTable, NotificationAttemptTable } from './schema-routing.ts';

// Row types of the relational store. Times are integers: milliseconds since the epoch (UTC). The care
// directory, hubs, events, alerts and logs are here; routing's tables and the records' tables in their
// own files, re-exported, and the whole schema (Database) below.
export type * from './schema-records.ts';
export type * from './schema-routing.ts';

/** A tenant: a provider alliance or council service. */
export interface OrganisationTable {
  id: string;
  name: string;
  created_at: number;
  /** JSON: organisation settings (0016): default time zone and urgent team hours for new records. */
  settings: Generated<string>;
  /** 1: nobody of the organisation signs in and none of its hubs connects (0016). */
  disabled: Generated<number>;
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
  /** 1: the hub may not connect (0016). */
  disabled: Generated<number>;
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
  /** The installer's override of the kind's evidence, 'presence' or 'touch'; null: the kind's own (0013). */
  evidence?: string | null;
  /** 1: taken out of service; its events do not count (0016). */
  disabled: Generated<number>;
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
  /** 1: monitoring ended (moved out, discharged); the detectors no longer watch for them (0016). */
  disabled: Generated<number>;
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
  /** Arrival order, assigned by ingest (0007); 0 for events written by other paths. */
  seq: Generated<number>;
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
  /** Routing (0004): the resident's neighbourhood when raised, the response lifecycle and its clocks. */
  neighbourhood_id: string | null;
  dispatched_at: number | null;
  dispatched_by: string | null;
  /** JSON: `{ "kind": "team", "neighbourhoodId" }` or `{ "kind": "responder", "userId" }`. */
  dispatch_target: string | null;
  on_site_at: number | null;
  on_site_by: string | null;
  escalated_at: number | null;
  escalation_level: number;
  response_warning_at: number | null;
  response_breached_at: number | null;
  // Working an alert (migration 0011-operator). Optional in the type so rows built before it still fit.
  assigned_to?: string | null;
  assigned_at?: number | null;
  assigned_by?: string | null;
  en_route_at?: number | null;
  en_route_by?: string | null;
  on_site_proxy?: number;
}

/** A resident's record: address, key safe, health warnings... as JSON (migration 0011-operator). */
export interface ResidentRecordTable {
  resident_id: string;
  org_id: string;
  data: string;
  updated_at: number;
  updated_by: string | null;
}

/** An operator's "on shift" flag (migration 0011-operator). */
export interface OperatorShiftTable {
  user_id: string;
  org_id: string;
  on_shift: number;
  changed_at: number;
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

/** One row (id 1): moved by triggers whenever a hub's secret, disabled flag or row changes (0019). */
export interface HubCredentialEpochTable {
  id: number;
  n: number;
}

/** A hub whose home (organisation, residents, sensors' places) changed since the detectors read it (0020). */
export interface HomeChangeTable {
  hub_id: string;
}

/** A named value kept between runs, e.g. the anomaly core's checkpoint. */
export interface CheckpointTable {
  name: string;
  value: number;
  updated_at: number;
}

/** One home's saved detector state (0008): a JSON snapshot of `version`, reflecting events up to `seq`. */
export interface DetectorStateTable {
  hub_id: string;
  version: number;
  seq: number;
  state: string;
  saved_at: number;
}

/** A hub registered from the console (0013): being commissioned until live_at is set. Hubs without a row are live. */
export interface HubCommissioningTable {
  hub_id: string;
  started_at: number;
  started_by: string | null;
  /** When the current walk test began; sensors heard since then count as tested. */
  walk_started_at: number | null;
  live_at: number | null;
  live_by: string | null;
  /** JSON: the checklist as it stood when the home went live. */
  checklist: string | null;
  /** When the gateway last acknowledged the commissioning (`config` command), and which version. */
  synced_at: number | null;
  synced_version: number;
  /** Bumped on every change of the hub's sensors or mappings. */
  version: number;
  /** When the hub last said it runs on its battery (status power, or a `power` event) during the walk test. */
  battery_seen_at: number | null;
}

/** A device the gateway sees but cannot map (0013), with its latest raw payload. */
export interface UnmappedDeviceTable {
  hub_id: string;
  device: string;
  adapter: string;
  reason: string;
  payload: string;
  first_seen_at: number;
  last_seen_at: number;
  count: number;
}

/** The installer's mapping of one device (0013), sent to the gateway in the `config` command. */
export interface HubMappingTable {
  hub_id: string;
  device: string;
  sensor_id: string;
  /** JSON: field rules (gateway/src/adapters/mapping.ts FieldRuleSchema). */
  rules: string;
  created_at: number;
  created_by: string | null;
}

/** A sensor's (or, with sensor_id '', the bridge's) reachability as the gateway last reported it (0013). */
export interface SensorAvailabilityTable {
  hub_id: string;
  sensor_id: string;
  online: number;
  at: number;
  source: string;
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
  daily_summaries: DailySummaryTable;
  job_runs: JobRunTable;
  hub_presence: HubPresenceTable;
  store_outbox: StoreOutboxTable;
  store_state: StoreStateTable;
  service_reports: ServiceReportTable;
  deadlines: DeadlineTable;
  channels: ChannelTable;
  routing_rules: RoutingRuleTable;
  notifications: NotificationTable;
  notification_attempts: NotificationAttemptTable;
  checkpoints: CheckpointTable;
  hub_credential_epoch: HubCredentialEpochTable;
  home_changes: HomeChangeTable;
  detector_state: DetectorStateTable;
  resident_records: ResidentRecordTable;
  operator_shifts: OperatorShiftTable;
  hub_commissioning: HubCommissioningTable;
  unmapped_devices: UnmappedDeviceTable;
  hub_mappings: HubMappingTable;
  sensor_availability: SensorAvailabilityTable;
  plan_changes: PlanChangeTable;
  mdt_notes: MdtNoteTable;
  away_periods: AwayPeriodTable;
  coordinator_leads: CoordinatorLeadTable;
  channel_tests: ChannelTestTable;
}
