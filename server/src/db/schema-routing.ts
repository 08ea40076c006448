// Row types of outbound routing: channels, rules, deadlines, notifications and their attempts, channel tests.
import type { Generated } from 'kysely';

/** A test send of an outbound channel and its result (0016); append-only. */
export interface ChannelTestTable {
  id: Generated<number>;
  org_id: string;
  channel_id: string;
  at: number;
  /** The user id who asked, or "cli". */
  requested_by: string;
  status: string;
  response: string | null;
  error: string | null;
}

/** A persisted alert deadline (0004): fires once, on time or at start if it passed while down. */
export interface DeadlineTable {
  id: Generated<number>;
  alert_id: string;
  kind: string;
  due_at: number;
  created_at: number;
  fired_at: number | null;
  cancelled_at: number | null;
}

/** An outbound channel (0004) of a team, route, user or resident: webhook, e-mail or SMS. */
export interface ChannelTable {
  id: string;
  org_id: string;
  /** team (neighbourhood id), route (route name), user (user id) or resident (resident id). */
  owner_type: string;
  owner_id: string;
  kind: string;
  name: string;
  /** JSON: the channel's settings, secrets included (never returned by the API). */
  config: string;
  enabled: number;
  created_at: number;
}

/** A per-neighbourhood override of the default routing table (0004). */
export interface RoutingRuleTable {
  id: string;
  org_id: string;
  neighbourhood_id: string;
  match_type: string | null;
  match_severity: string | null;
  /** in-hours, out-of-hours or any. */
  period: string;
  /** JSON: route targets. */
  targets: string;
  created_at: number;
}

/** One notification to send (0004): the job, retried with backoff until delivered or given up. */
export interface NotificationTable {
  /** Also the idempotency key sent with every attempt. */
  id: string;
  alert_id: string;
  channel_id: string;
  kind: string;
  /** Where it goes, without secrets (URL, address, number). */
  target: string;
  change: string;
  payload: string;
  /** pending, delivered or failed. */
  state: string;
  attempts: number;
  next_at: number | null;
  created_at: number;
  updated_at: number;
}

/** Every delivery attempt and its result (0004); append-only. */
export interface NotificationAttemptTable {
  id: Generated<number>;
  notification_id: string;
  alert_id: string;
  channel: string;
  target: string;
  attempt: number;
  at: number;
  status: string;
  response: string | null;
  error: string | null;
}
