import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertService } from '../../../server/src/alerts/alert-service.ts';
import type { AlertSignal } from '../../../server/src/anomaly/detector.ts';
import { EventBus } from '../../../server/src/bus.ts';
import { Directory } from '../../../server/src/care/directory.ts';
import type { Role } from '../../../server/src/care/model.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import { openDatabase } from '../../../server/src/db/database.ts';
import type { HearthEvents } from '../../../server/src/events.ts';
import { createRouting } from '../../../server/src/routing/routing.ts';
import { seedOrg, startHearth, tempDir } from '../../helpers/hearth.ts';
import { apiAs, type Api } from '../routing/fixture.ts';

const S = 1000;
const MIN = 60 * S;
// October 2026 in London: BST until 25 October, so the local month runs from 2026-09-30T23:00Z to 2026-11-01T00:00Z.
const OCT_FROM = Date.parse('2026-09-30T23:00:00Z');
const OCT_TO = Date.parse('2026-11-01T00:00:00Z');

type Kind = 'fall' | 'call' | 'inactivity' | 'cold-home';

/** One simulated incident, planned up front so the expected figures can be computed from the plan alone. */
interface Incident {
  at: number;
  kind: Kind;
  resident: 'a1' | 'a2' | 'b1';
  fallLagS: number;
  cancelledByResident: boolean;
  ackS: number | null;
  dispatchAfterAckS: number | null;
  onSiteAfterDispatchMin: number | null;
  /** Dispatched but never on site: stood down early (excluded) or left open past two hours (a miss). */
  noShow: 'stood-down' | 'ran-out' | null;
}

/** Deterministic pseudo-random numbers (mulberry32), so the month is the same on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function plan(): Incident[] {
  const r = rng(20261001);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const out: Incident[] = [];
  const make = (at: number, forced?: Partial<Incident>): Incident => {
    const x = r();
    const kind: Kind = x < 0.5 ? 'fall' : x < 0.75 ? 'call' : x < 0.9 ? 'inactivity' : 'cold-home';
    const resident = r() < 0.12 ? 'b1' : r() < 0.5 ? 'a1' : 'a2';
    const cancelledByResident = kind === 'call' && r() < 0.2;
    const ackS = cancelledByResident ? null : r() < 0.8 ? int(5, 55) : int(61, 300);
    const dispatch = !cancelledByResident && (kind === 'fall' || kind === 'call' ? r() < 0.7 : kind === 'inactivity' ? r() < 0.3 : false);
    const y = r();
    const noShow = dispatch && y >= 0.9 ? (y < 0.95 ? 'stood-down' : 'ran-out') : null;
    return {
      at,
      kind,
      resident,
      fallLagS: kind === 'fall' ? int(0, 110) : 0,
      cancelledByResident,
      ackS,
      dispatchAfterAckS: dispatch ? int(30, 900) : null,
      onSiteAfterDispatchMin: dispatch && !noShow ? (y < 0.75 ? int(20, 115) : int(125, 200)) : null,
      noShow,
      ...forced,
    };
  };
  // The month's edges in local time: the first in late September (local), the next just inside October (local).
  // Incidents never overlap for a resident and type (a repeat would update the open alert, not add one).
  out.push(make(Date.parse('2026-09-30T22:30:00Z'), { kind: 'cold-home', resident: 'a1', cancelledByResident: false, ackS: 30, dispatchAfterAckS: null, onSiteAfterDispatchMin: null, noShow: null }));
  out.push(make(Date.parse('2026-09-30T23:30:00Z'), { kind: 'fall', resident: 'a1', cancelledByResident: false, ackS: 60 })); // exactly 60 s counts as within
  const start = Date.parse('2026-10-01T05:00:00Z');
  for (let i = 0; i < 42; i++) {
    const at = start + i * 17 * 60 * MIN + int(0, 50) * MIN;
    // A few fixed cases so every path is taken whatever the draw: a stand-down, a response that never came, a late arrival.
    const forced: Partial<Incident> | undefined =
      i === 5
        ? { kind: 'fall', resident: 'a1', cancelledByResident: false, ackS: 20, dispatchAfterAckS: 120, onSiteAfterDispatchMin: null, noShow: 'stood-down' }
        : i === 9
          ? { kind: 'call', resident: 'a2', cancelledByResident: false, ackS: 40, dispatchAfterAckS: 300, onSiteAfterDispatchMin: null, noShow: 'ran-out' }
          : i === 13
            ? { kind: 'fall', resident: 'a2', cancelledByResident: false, ackS: 90, dispatchAfterAckS: 200, onSiteAfterDispatchMin: 150, noShow: null }
            : undefined;
    out.push(make(at, forced));
  }
  out.push(make(Date.parse('2026-10-31T23:50:00Z'), { kind: 'fall', resident: 'a2', cancelledByResident: false, ackS: 45 })); // GMT again: still October
  out.push(make(Date.parse('2026-11-01T05:00:00Z'), { kind: 'fall', resident: 'a1', cancelledByResident: false, ackS: 30 })); // November
  return out;
}

/** The q-quantile by linear interpolation between closest ranks, written here independently of the server. */
function q(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((x, y) => x - y);
  const pos = p * (v.length - 1);
  const i = Math.floor(pos);
  const frac = pos - i;
  return i + 1 < v.length ? v[i]! * (1 - frac) + v[i + 1]! * frac : v[i]!;
}

/** The figures the report should show for neighbourhood A, computed from the plan. */
function expected(incidents: Incident[]) {
  const mine = incidents.filter((x) => x.resident !== 'b1' && x.at >= OCT_FROM && x.at < OCT_TO);
  const byType: Record<string, number> = {};
  for (const x of mine) byType[x.kind] = (byType[x.kind] ?? 0) + 1;
  const pressing = mine.filter((x) => x.kind !== 'cold-home' && !x.cancelledByResident);
  const dispatched = mine.filter((x) => x.dispatchAfterAckS !== null);
  const responses = dispatched.filter((x) => x.noShow !== 'stood-down');
  const onTime = responses.filter((x) => x.onSiteAfterDispatchMin !== null && x.onSiteAfterDispatchMin <= 120);
  return {
    total: mine.length,
    byType,
    ackEligible: pressing.length,
    ackWithin: pressing.filter((x) => x.ackS! <= 60).length,
    respEligible: responses.length,
    respWithin: onTime.length,
    breaches: responses.filter((x) => x.onSiteAfterDispatchMin === null || x.onSiteAfterDispatchMin > 120).length,
    fallToAck: mine.filter((x) => x.kind === 'fall').map((x) => x.ackS! + x.fallLagS),
    ackToDispatch: dispatched.map((x) => x.dispatchAfterAckS!),
    dispatchToOnSite: dispatched.filter((x) => x.onSiteAfterDispatchMin !== null).map((x) => x.onSiteAfterDispatchMin! * 60),
  };
}

describe('the service report over a simulated month', () => {
  const incidents = plan();
  const data = tempDir('hearth-report-');
  let h: Awaited<ReturnType<typeof startHearth>>;
  let nbA: string;
  let nbB: string;
  let users: { admin: { username: string; password: string }; responder: { username: string; password: string } };
  let admin: Api;

  beforeAll(async () => {
    // The month runs through the alert service and routing alone (with their persisted deadlines) on a
    // virtual clock: a whole server would also tick its per-minute housekeeping through 31 days.
    const clock = new VirtualClock(incidents[0]!.at - MIN);
    const { db } = await openDatabase(path.join(data.dir, 'hearth.sqlite'));
    const log = pino({ level: 'silent' });
    const alerts = new AlertService(db, new EventBus<HearthEvents>(log), clock, log);
    const routing = createRouting({ db, clock, log, alerts });
    await routing.start();
    const d = new Directory(db, () => clock.now());
    const org = await d.addOrganisation('Report Alliance');
    nbA = (await d.addNeighbourhood({ orgId: org.id, name: 'Riverside', timezone: 'Europe/London' })).id;
    nbB = (await d.addNeighbourhood({ orgId: org.id, name: 'Hillside', timezone: 'Europe/London' })).id;
    const mk = async (role: Role) => {
      const u = { username: `${role}@report`, password: `Kettle-${role}-report-lantern-7Qv` };
      return { ...u, id: (await d.addUser({ orgId: org.id, ...u, role, neighbourhoodId: nbA })).id };
    };
    const operatorUser = await mk('operator');
    const coordinator = await mk('coordinator');
    users = { admin: await mk('admin'), responder: await mk('responder') };
    const residents = {
      a1: (await d.addResident({ orgId: org.id, neighbourhoodId: nbA, name: 'A One', coordinatorId: coordinator.id })).id,
      a2: (await d.addResident({ orgId: org.id, neighbourhoodId: nbA, name: 'A Two', coordinatorId: coordinator.id })).id,
      b1: (await d.addResident({ orgId: org.id, neighbourhoodId: nbB, name: 'B One', coordinatorId: coordinator.id })).id,
    };
    const actor = { id: operatorUser.id, orgId: org.id };
    const settle = async () => {
      await routing.settle();
    };
    const advanceTo = async (at: number) => {
      clock.advanceTo(at);
      await settle();
    };
    const signal = (x: Incident, action: AlertSignal['action']): AlertSignal => ({
      action,
      type: x.kind,
      orgId: org.id,
      hubId: `hub-of-${x.resident}`,
      residentId: residents[x.resident],
      occurredAt: x.at - x.fallLagS * S,
      at: clock.now(),
      late: false,
      cause: { rule: 'simulated', summary: `simulated ${x.kind}`, events: [] },
    });

    for (const x of incidents) {
      await advanceTo(x.at);
      const alert = (await alerts.handleSignal(signal(x, 'raise')))!;
      if (x.cancelledByResident) {
        await advanceTo(x.at + 30 * S);
        await alerts.handleSignal(signal(x, 'cancel'));
        continue;
      }
      await advanceTo(x.at + x.ackS! * S);
      await alerts.acknowledge(alert.id, actor);
      if (x.dispatchAfterAckS === null) {
        await advanceTo(clock.now() + 5 * MIN);
        await alerts.resolve(alert.id, actor, 'no-harm');
        continue;
      }
      await advanceTo(clock.now() + x.dispatchAfterAckS * S);
      const dispatched = await alerts.dispatch(alert.id, actor, { to: 'team' });
      const d0 = Date.parse(dispatched.dispatchedAt!);
      if (x.noShow === 'stood-down') {
        await advanceTo(d0 + 30 * MIN);
        await alerts.cancel(alert.id, actor, 'family arrived');
        continue;
      }
      if (x.noShow === 'ran-out') {
        await advanceTo(d0 + 150 * MIN);
        await alerts.resolve(alert.id, actor, 'other', 'no response arrived');
        continue;
      }
      await advanceTo(d0 + x.onSiteAfterDispatchMin! * MIN);
      await alerts.onSite(alert.id, actor);
      await advanceTo(clock.now() + 20 * MIN);
      await alerts.resolve(alert.id, actor, 'assisted');
    }
    await advanceTo(Date.parse('2026-11-02T09:00:00Z'));
    await routing.stop();
    await db.destroy();

    // The report through the API of a server on the same data folder.
    h = await startHearth({ clock: new VirtualClock(Date.parse('2026-11-02T09:00:00Z')), dataDir: data.dir });
    admin = await apiAs(h.hearth, users.admin);
  }, 60_000);
  afterAll(async () => {
    await h.close();
    data.remove();
  });

  it('matches figures computed independently from the simulated month', async () => {
    const want = expected(incidents);
    // The plan exercises what it claims to: misses on both standards, breaches and stand-downs.
    expect(want.ackWithin).toBeLessThan(want.ackEligible);
    expect(want.respWithin).toBeLessThan(want.respEligible);
    expect(incidents.some((x) => x.noShow === 'stood-down' && x.resident !== 'b1')).toBe(true);

    const res = await admin.call('GET', `/api/reports/service?neighbourhoodId=${nbA}&month=2026-10`);
    expect(res.status, res.body).toBe(200);
    const r = res.json.report;
    expect(r).toMatchObject({ neighbourhood: { id: nbA, name: 'Riverside' }, month: '2026-10', from: new Date(OCT_FROM).toISOString(), to: new Date(OCT_TO).toISOString() });
    expect(r.alerts).toEqual({ total: want.total, byType: want.byType });
    // Each planned incident became its own alert (none folded into another as a repeat).
    const repeats = await h.hearth.services.db.selectFrom('alerts').select('id').where('repeat_count', '>', 0).execute();
    expect(repeats).toEqual([]);
    expect(r.acknowledgement).toMatchObject({ eligible: want.ackEligible, within60s: want.ackWithin, standard: 0.985 });
    expect(r.acknowledgement.share).toBeCloseTo(want.ackWithin / want.ackEligible, 10);
    expect(r.acknowledgement.met).toBe(want.ackWithin / want.ackEligible >= 0.985);
    expect(r.urgentResponse).toMatchObject({ eligible: want.respEligible, onSiteWithin2h: want.respWithin, standard: 0.7, breaches: want.breaches });
    expect(r.urgentResponse.share).toBeCloseTo(want.respWithin / want.respEligible, 10);
    expect(r.urgentResponse.met).toBe(want.respWithin / want.respEligible >= 0.7);
    for (const [key, values] of [
      ['fallToAcknowledge', want.fallToAck],
      ['acknowledgeToDispatch', want.ackToDispatch],
      ['dispatchToOnSite', want.dispatchToOnSite],
    ] as const) {
      expect(r.intervals[key].count, key).toBe(values.length);
      expect(r.intervals[key].medianSeconds, key).toBeCloseTo(q(values, 0.5)!, 6);
      expect(r.intervals[key].p90Seconds, key).toBeCloseTo(q(values, 0.9)!, 6);
    }
  });

  it('gives the same report as CSV', async () => {
    const json = (await admin.call('GET', `/api/reports/service?neighbourhoodId=${nbA}&month=2026-10`)).json.report;
    const res = await admin.call('GET', `/api/reports/service.csv?neighbourhoodId=${nbA}&month=2026-10`);
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^text\/csv/);
    const lines = res.body.trim().split(/\r\n/);
    expect(lines[0]).toBe('metric,value');
    const csv = Object.fromEntries(lines.slice(1).map((l) => l.split(',') as [string, string]));
    expect(csv.neighbourhood).toBe('Riverside');
    expect(Number(csv.alerts_total)).toBe(json.alerts.total);
    expect(Number(csv.alerts_fall)).toBe(json.alerts.byType.fall);
    expect(Number(csv.ack_within_60s_share)).toBeCloseTo(json.acknowledgement.share, 10);
    expect(Number(csv.response_on_site_within_2h)).toBe(json.urgentResponse.onSiteWithin2h);
    expect(Number(csv.dispatch_to_on_site_p90_s)).toBeCloseTo(json.intervals.dispatchToOnSite.p90Seconds, 6);
  });

  it("keeps neighbourhoods and organisations apart, and validates the month", async () => {
    const b = (await admin.call('GET', `/api/reports/service?neighbourhoodId=${nbB}&month=2026-10`)).json.report;
    expect(b.alerts.total).toBe(incidents.filter((x) => x.resident === 'b1' && x.at >= OCT_FROM && x.at < OCT_TO).length);
    const other = await seedOrg(h.hearth, 'Elsewhere', 'hub-report-x');
    const stranger = await apiAs(h.hearth, other.users.admin);
    expect((await stranger.call('GET', `/api/reports/service?neighbourhoodId=${other.neighbourhoodId}&month=2026-10`)).json.report.alerts.total).toBe(0);
    expect((await stranger.call('GET', `/api/reports/service?neighbourhoodId=${nbA}&month=2026-10`)).status).toBe(404);
    expect((await admin.call('GET', `/api/reports/service?neighbourhoodId=${nbA}&month=2026-13`)).status).toBe(400);
    const responder = await apiAs(h.hearth, users.responder);
    expect((await responder.call('GET', `/api/reports/service?neighbourhoodId=${nbA}&month=2026-10`)).status).toBe(403);
  });
});
