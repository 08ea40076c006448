// One moment of ingest as it is gathered (events, rejections, statuses, heartbeats and who waits
// for it), and how its submitters are answered. Used by Ingest (ingest.ts).
import type { Logger } from 'pino';
import { SENSOR_KINDS, type HubEvent, type HubStatus, type RejectReason } from '../../../protocol/index.ts';

/** Characters of a rejected payload kept with its rejection. */
export const PAYLOAD_KEEP = 4096;

/** A message set aside, before it is written. */
export interface PendingRejection {
  hubId: string;
  topic: string;
  reason: RejectReason;
  detail: string;
  payload: string;
}

/**
 * How a submitter is answered, once: with null after its moment is committed, or with the error
 * that stopped it. The broker passes its PUBACK callback straight in: a promise and its reactions
 * per message were a measurable share of the hot path's allocations.
 */
export type Answer = (err: Error | null) => void;

/** One moment's work, gathered in one turn (or one microtask, for the alarm lane). */
export interface PendingWork {
  events: { hubId: string; event: HubEvent; receivedAt: number }[];
  rejections: PendingRejection[];
  statuses: { hubId: string; status: HubStatus; at: number }[];
  heartbeats: { hubId: string; seq: number; at: number }[];
  waiters: Answer[];
  /** When the moment was taken to be written (a counter): moments are written in this order, but for alarms. */
  taken: number;
}

/** An empty moment. */
export function emptyWork(): PendingWork {
  return { events: [], rejections: [], statuses: [], heartbeats: [], waiters: [], taken: 0 };
}

/** A promise answered through the moment's `waiters`. */
export function promised(work: PendingWork): Promise<void> {
  return new Promise<void>((resolve, reject) => work.waiters.push((err) => (err ? reject(err) : resolve())));
}

/** Answer a moment's submitters; one that throws is logged, and the others are still answered. */
export function answerAll(work: PendingWork, err: Error | null, log: Logger): void {
  for (const w of work.waiters) {
    try {
      w(err);
    } catch (e) {
      log.error({ err: e }, 'answering an ingest submitter failed');
    }
  }
}

/** Whether an event is an alarm (fall, call, smoke, water: the sensor-kind table's `alarm` priority). */
export function isAlarm(event: HubEvent): boolean {
  return SENSOR_KINDS[event.type].priority === 'alarm';
}

/**
 * The payload kept with a rejection, at most PAYLOAD_KEEP characters. Raw text
 * is kept as it came; only values that passed the depth guard are serialised,
 * and a serialiser failure still never throws.
 */
export function clip(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = '(not serialisable)';
    }
  }
  return text.length > PAYLOAD_KEEP ? `${text.slice(0, PAYLOAD_KEEP)}…(${text.length} chars)` : text;
}
