import { OPEN_STATES } from '../care/model.ts';
import type { AlertTable } from '../db/schema.ts';
import type { DeadlineKind } from '../routing/table.ts';

/** Whether a deadline's condition still holds: unacknowledged for the 60 s clocks, not on site for the two-hour clock. */
export function stillDue(row: AlertTable, kind: DeadlineKind): boolean {
  if (!OPEN_STATES.includes(row.state as never)) return false;
  if (kind === 'ack-escalation' || kind === 'ack-supervisor') return row.acknowledged_at === null;
  return row.dispatched_at !== null && row.on_site_at === null;
}

type CauseLike = { events?: { id?: unknown }[]; repeats?: unknown[] };

/** Whether every event behind `next` is already behind the open alert (its first cause or a repeat). */
export function sameEvents(open: CauseLike, next: CauseLike): boolean {
  const ids = (c: CauseLike | undefined) => (c?.events ?? []).map((e) => e.id).filter((id): id is string => typeof id === 'string');
  const wanted = ids(next);
  if (!wanted.length) return false;
  const known = new Set([...ids(open), ...(open.repeats ?? []).flatMap((r) => ids(r as CauseLike))]);
  return wanted.every((id) => known.has(id));
}
