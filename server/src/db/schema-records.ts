// Row types of activity history, jobs, the store's outbox and the coordinator's records.
import type { Generated } from 'kysely';

// Activity history (migration 0006-store).

/** A resident's summary of one local day (JSON), kept after raw events expire. */
export interface DailySummaryTable {
  resident_id: string;
  /** Local date, YYYY-MM-DD, in the resident's time zone. */
  day: string;
  hub_id: string;
  data: string;
  computed_at: number;
}

/** A completed period of a scheduled job (what makes jobs idempotent). */
export interface JobRunTable {
  job: string;
  key: string;
  period: string;
  done_at: number;
  detail: string;
}

/** When a hub was heard from: bit i of slots is the i-th five-minute slot of the hour. */
export interface HubPresenceTable {
  hub_id: string;
  /** Start of the hour, epoch ms. */
  hour: number;
  slots: number;
}

/** An event stored but not yet forwarded to InfluxDB. */
export interface StoreOutboxTable {
  seq: Generated<number>;
  hub_id: string;
  event_id: string;
}

/** Small persisted settings of the event store (e.g. whether the outbox was backfilled). */
export interface StoreStateTable {
  key: string;
  value: string;
}

/** A neighbourhood's monthly service report (JSON), kept when the month closed. */
export interface ServiceReportTable {
  neighbourhood_id: string;
  org_id: string;
  /** YYYY-MM, local to the neighbourhood. */
  month: string;
  data: string;
  created_at: number;
}

// The coordinator's records (migration 0012-coordinator).

/** One changed monitoring-plan setting: who, when, from what to what (JSON values; null is the default). Append-only. */
export interface PlanChangeTable {
  id: Generated<number>;
  resident_id: string;
  org_id: string;
  at: number;
  user_id: string;
  setting: string;
  old_value: string | null;
  new_value: string | null;
}

/** A note for the multidisciplinary team, kept with the resident. */
export interface MdtNoteTable {
  id: string;
  resident_id: string;
  org_id: string;
  at: number;
  author_id: string;
  text: string;
}

/** A period of away mode: from when, until which local day (inclusive), why, and who set and ended it. */
export interface AwayPeriodTable {
  id: Generated<number>;
  resident_id: string;
  org_id: string;
  from_at: number;
  until_day: string | null;
  reason: string;
  set_by: string;
  ended_at: number | null;
  ended_by: string | null;
}

/** A coordinator who leads their neighbourhood: their caseload is the whole neighbourhood. */
export interface CoordinatorLeadTable {
  user_id: string;
  org_id: string;
  set_by: string;
  set_at: number;
}
