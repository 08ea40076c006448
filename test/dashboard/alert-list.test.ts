import { describe, expect, it } from 'vitest';
import { compareAlerts, mergeAlert, needsAcknowledgement, personName, responseClock, roomOf } from '../../dashboard/src/alert-list.ts';
import { elapsed } from '../../dashboard/src/format.ts';
import { backoffDelay } from '../../dashboard/src/live-stream.ts';
import type { AlertView } from '../../server/src/alerts/alert-view.ts';

const T0 = Date.parse('2026-11-26T08:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function alert(over: Partial<AlertView>): AlertView {
  return {
    id: 'a1', orgId: 'o', type: 'fall', severity: 'urgent', state: 'raised', hubId: 'hub-1', residentId: 'r', residentName: 'Edith',
    coordinatorId: null, occurredAt: at(0), raisedAt: at(0), updatedAt: at(0), repeatCount: 0, late: false,
    cause: { rule: 'fall-detected', summary: 'Fall', events: [{ id: 'e', room: 'hall' }] },
    acknowledgedAt: null, acknowledgedBy: null, clearedAt: null, clearedBy: null, closedAt: null, outcome: null,
    neighbourhoodId: null, escalatedAt: null, escalationLevel: 0, dispatchedAt: null, dispatchedBy: null, dispatchTarget: null,
    responseDueAt: null, onSiteAt: null, onSiteBy: null, responseWarningAt: null, responseBreachedAt: null,
    ...over,
  };
}

describe('the open-alert list', () => {
  it('orders most severe first, then waiting longest first (issue 11: an urgent fall waiting 8 minutes is above one raised now)', () => {
    const list = [
      alert({ id: 'tech', severity: 'technical', raisedAt: at(50) }),
      alert({ id: 'old-urgent', raisedAt: at(1) }),
      alert({ id: 'high', severity: 'high', raisedAt: at(40) }),
      alert({ id: 'new-urgent', raisedAt: at(2) }),
    ].sort(compareAlerts);
    expect(list.map((a) => a.id)).toEqual(['old-urgent', 'new-urgent', 'high', 'tech']);
  });

  it('adds, updates and removes by state, and ignores a copy older than the one held', () => {
    let list = mergeAlert([], alert({ id: 'a' }));
    list = mergeAlert(list, alert({ id: 'b', severity: 'high' }));
    expect(list.map((a) => a.id)).toEqual(['a', 'b']);
    list = mergeAlert(list, alert({ id: 'a', state: 'acknowledged', updatedAt: at(5), acknowledgedAt: at(5) }));
    expect(list.find((a) => a.id === 'a')?.state).toBe('acknowledged');
    // A stale copy (from a list fetched before the acknowledgement) does not undo it.
    list = mergeAlert(list, alert({ id: 'a', updatedAt: at(1) }));
    expect(list.find((a) => a.id === 'a')?.state).toBe('acknowledged');
    list = mergeAlert(list, alert({ id: 'a', state: 'resolved', updatedAt: at(9), outcome: 'assisted' }));
    list = mergeAlert(list, alert({ id: 'b', severity: 'high', state: 'cancelled', updatedAt: at(9) }));
    expect(list).toEqual([]);
  });

  it('knows which alerts wait for a person, where they happened, and who acted', () => {
    expect(needsAcknowledgement(alert({}))).toBe(true);
    expect(needsAcknowledgement(alert({ acknowledgedAt: at(3) }))).toBe(false);
    expect(needsAcknowledgement(alert({ severity: 'technical' }))).toBe(false);
    expect(roomOf(alert({}))).toBe('hall');
    expect(roomOf(alert({ cause: { summary: 'x' } }))).toBeNull();
    const me = { id: 'u1', orgId: 'o', username: 'op', displayName: 'Olive', role: 'operator' as const, neighbourhoodId: null };
    expect(personName('u1', me)).toBe('Olive (you)');
    expect(personName('resident', me)).toBe('the resident');
  });

  it('runs the two-hour clock from dispatch until on site', () => {
    const dispatched = alert({ state: 'dispatched', dispatchedAt: at(0), responseDueAt: at(7200) });
    expect(responseClock(dispatched, T0 + 60 * 60_000)).toEqual({ msLeft: 60 * 60_000, warning: false, breached: false });
    expect(responseClock(dispatched, T0 + 95 * 60_000)?.warning).toBe(true);
    expect(responseClock(dispatched, T0 + 121 * 60_000)?.breached).toBe(true);
    expect(responseClock({ ...dispatched, state: 'on-site', onSiteAt: at(3000) }, T0 + 121 * 60_000)).toBeNull();
    expect(responseClock(alert({}), T0)).toBeNull();
  });

  it('counts elapsed time to the second', () => {
    expect(elapsed(at(0), T0 + 45_000)).toBe('45 s');
    expect(elapsed(at(0), T0 + 187_000)).toBe('3 min 07 s');
    expect(elapsed(at(0), T0 + (2 * 3600 + 5 * 60) * 1000)).toBe('2 h 05 min');
    expect(elapsed(at(10), T0)).toBe('0 s');
  });

  it('backs off reconnection by doubling, with jitter, up to the ceiling', () => {
    const opts = { minMs: 1000, maxMs: 30_000 };
    expect(backoffDelay(0, opts, () => 0.5)).toBe(1000);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(8000);
    expect(backoffDelay(10, opts, () => 0.5)).toBe(30_000);
    expect(backoffDelay(0, opts, () => 0)).toBe(800);
    expect(backoffDelay(0, opts, () => 1)).toBe(1200);
  });
});
