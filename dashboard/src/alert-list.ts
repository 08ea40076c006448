// The open-alert list as pure functions: merging stream messages into it,
// ordering it, and the labels it shows. No DOM here, so it is tested alone.
import type { AlertState, AlertType, Severity } from '../../server/src/care/model.ts';
import type { AlertView, Outcome, UserInfo } from './api.ts';

/** A message of the live stream (WebSocket /api/stream). */
export type StreamMessage =
  | { type: 'hello'; user: { id: string; role: string } }
  | { type: 'alert'; change: AlertChange; alert: AlertView };

/** What happened to an alert, as the stream says. */
export type AlertChange = 'raised' | 'repeated' | 'acknowledged' | 'cleared' | 'cancelled' | 'resolved' | (string & {});

const SEVERITY_RANK: Record<Severity, number> = { urgent: 0, high: 1, routine: 2, technical: 3 };

/** Severity words shown next to the colour (colour alone is not enough). */
export const SEVERITY_LABELS: Record<Severity, string> = { urgent: 'Urgent', high: 'High', routine: 'Routine', technical: 'Technical' };

/** States in which an alert stays on the open list. */
const CLOSED: ReadonlySet<AlertState> = new Set<AlertState>(['resolved', 'cancelled']);

/** State words for the console. */
export const STATE_LABELS: Record<AlertState, string> = {
  raised: 'Raised',
  acknowledged: 'Acknowledged',
  dispatched: 'Dispatched',
  'on-site': 'On site',
  resolved: 'Resolved',
  cancelled: 'Cancelled',
};

/** Alert type names as an operator reads them; every type of the care model has one. */
export const TYPE_LABELS: Record<AlertType, string> = {
  fall: 'Fall',
  call: 'Call',
  'long-lie': 'Long lie',
  'night-exit': 'Night exit',
  smoke: 'Smoke alarm',
  water: 'Flood alarm',
  inactivity: 'Inactivity',
  'not-up': 'Not up',
  'not-home': 'Not home',
  'cold-home': 'Cold home',
  'routine-change': 'Routine change',
  'hub-offline': 'Hub offline',
  'sensor-silent': 'Sensor silent',
  'low-battery': 'Low battery',
  power: 'Power',
  tamper: 'Tamper',
};

/** Resolution outcomes with their words; every outcome the server accepts is listed. */
export const OUTCOME_LABELS: Record<Outcome, string> = {
  'no-harm': 'No harm',
  assisted: 'Assisted',
  'conveyed-to-hospital': 'Conveyed to hospital',
  'gp-informed': 'GP or district nurse informed',
  'fixed-remotely': 'Fixed remotely',
  'engineer-visit': 'Engineer visit booked',
  'equipment-replaced': 'Battery or equipment replaced',
  'false-alarm': 'False alarm',
  other: 'Other',
};

/** The label of an alert type, or the type itself for one this console does not know yet. */
export function typeLabel(type: string): string {
  return (TYPE_LABELS as Record<string, string>)[type] ?? type;
}

/** Whether an alert is still open (not resolved or cancelled). */
export function isOpen(alert: AlertView): boolean {
  return !CLOSED.has(alert.state);
}

/** Queue order: most severe first, then waiting longest (raised earliest) first; the same order as the API. */
export function compareAlerts(a: AlertView, b: AlertView): number {
  return (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) || a.raisedAt.localeCompare(b.raisedAt) || a.id.localeCompare(b.id);
}

/**
 * Merge one alert (from the stream or an action's answer) into the open list:
 * added or replaced when open, removed when closed. A copy older than the one
 * held (by updatedAt) is ignored, so a late list fetch cannot undo news.
 */
export function mergeAlert(list: readonly AlertView[], alert: AlertView): AlertView[] {
  const held = list.find((a) => a.id === alert.id);
  if (held && held.updatedAt > alert.updatedAt) return list as AlertView[];
  const rest = list.filter((a) => a.id !== alert.id);
  return isOpen(alert) ? [...rest, alert].sort(compareAlerts) : rest;
}

/** An alert needs a person now: urgent or high and nobody has acknowledged it. */
export function needsAcknowledgement(alert: AlertView): boolean {
  return (alert.severity === 'urgent' || alert.severity === 'high') && alert.acknowledgedAt === null && isOpen(alert);
}

/** The care model's acknowledgement standard: urgent and high alerts within 60 s. */
export const ACK_TARGET_MS = 60_000;

/** Where the alert happened: the room of the first event behind it, if the cause names one. */
export function roomOf(alert: AlertView): string | null {
  const events = (alert.cause as { events?: { room?: unknown }[] }).events;
  const room = Array.isArray(events) ? events.find((e) => typeof e?.room === 'string')?.room : undefined;
  return typeof room === 'string' ? room : null;
}

/** The one-sentence cause the detector gave. */
export function summaryOf(alert: AlertView): string {
  const s = (alert.cause as { summary?: unknown }).summary;
  return typeof s === 'string' ? s : 'No cause recorded';
}

/** How the console names the person behind a user id (the alert's `people` map has the names). */
export function personName(userId: string | null, me: UserInfo, people: Record<string, string> = {}): string {
  if (userId === null) return 'nobody';
  if (userId === me.id) return `${me.displayName} (you)`;
  if (userId === 'resident') return 'the resident';
  if (userId === 'sensor') return 'the sensor';
  return people[userId] ?? `user ${userId.slice(0, 8)}`;
}

/** Where a response was sent, in words. */
export function dispatchTargetLabel(target: AlertView['dispatchTarget'], me: UserInfo): string {
  if (!target) return 'nobody';
  switch (target.kind) {
    case 'team':
      return 'the urgent response team';
    case 'responder':
      return personName(target.userId, me);
    case 'out-of-hours':
      return `the out-of-hours route (${target.route || 'default'})`;
  }
}

/** The two-hour clock of a dispatched alert not yet on site: time left, or how long since the standard was breached. */
export function responseClock(alert: AlertView, now: number): { msLeft: number; warning: boolean; breached: boolean } | null {
  if (!alert.dispatchedAt || alert.onSiteAt || !alert.responseDueAt || !isOpen(alert)) return null;
  const msLeft = Date.parse(alert.responseDueAt) - now;
  // The care model warns at 90 of the 120 minutes.
  return { msLeft, warning: msLeft <= 30 * 60_000, breached: msLeft <= 0 };
}
