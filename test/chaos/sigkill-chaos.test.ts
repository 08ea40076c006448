// Chaos: steady QoS 1 load from several simulated hubs, falls mixed in, while the server
// process is SIGKILLed and restarted at seeded random moments. Afterwards, from the
// database itself: every acknowledged event stored exactly once, every fall behind exactly
// one alert (raised once, each later fall a repeat, none twice), every clock fired once.
// Replay a run with HEARTH_CHAOS_SEED=<n> (the seed is printed); HEARTH_CHAOS_KILLS sets the kills.
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { Directory } from '../../server/src/care/directory.ts';
import { openDatabase } from '../../server/src/db/database.ts';
import type { AlertTable } from '../../server/src/db/schema.ts';
import { CLOCKS, type DeadlineKind } from '../../server/src/routing/table.ts';
import { mulberry32 } from '../../simulators/src/prng.ts';
import { tempDir } from '../helpers/hearth.ts';
import { exited, freePort, spawnTs, waitFor } from '../helpers/process.ts';
import { ChaosGateway } from './chaos-gateway.ts';
import { CHAOS_SENSORS, ChaosHub } from './chaos-hub.ts';

const SEED = Number(process.env.HEARTH_CHAOS_SEED ?? 20261201);
const KILLS = Number(process.env.HEARTH_CHAOS_KILLS ?? 5);
const HUBS = 6; // raw MQTT hubs; one more runs the real gateway (durable outbox, alarm lane)
const CLOCK_HUBS = 8;

/** What each deadline kind writes to the alert log when it fires (alert-service fireDue). */
const FIRED_AS: Record<DeadlineKind, { action: string; level?: number }> = {
  'ack-escalation': { action: 'escalated', level: 1 },
  'ack-supervisor': { action: 'escalated', level: 2 },
  'response-warning': { action: 'response-warning' },
  'response-breach': { action: 'response-breach' },
};

type Child = ReturnType<typeof spawnTs>;

/** An alert row of a home that sends nothing, whose clocks are due during the run. */
function clockAlert(id: string, orgId: string, hubId: string, residentId: string, nb: string, at: number, dispatched: boolean): AlertTable {
  return {
    id, org_id: orgId, hub_id: hubId, resident_id: residentId, subject: residentId, type: 'fall', severity: 'urgent',
    state: dispatched ? 'dispatched' : 'raised', occurred_at: at, raised_at: at, updated_at: at, repeat_count: 0,
    cause: JSON.stringify({ rule: 'fall-detected', summary: 'chaos clock alert', events: [] }), late: 0,
    acknowledged_at: dispatched ? at : null, acknowledged_by: null, cleared_at: null, cleared_by: null, closed_at: null, outcome: null,
    neighbourhood_id: nb, dispatched_at: dispatched ? at : null, dispatched_by: null,
    dispatch_target: dispatched ? JSON.stringify({ kind: 'team', neighbourhoodId: nb }) : null,
    on_site_at: null, on_site_by: null, escalated_at: null, escalation_level: 0, response_warning_at: null, response_breached_at: null,
  };
}

describe('chaos: the server SIGKILLed and restarted at random under load', () => {
  const tmp = tempDir('hearth-chaos-');
  const children: Child[] = [];
  const hubs: (ChaosHub | ChaosGateway)[] = [];
  afterAll(async () => {
    for (const h of hubs) await h.close();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    tmp.remove();
  });

  it(`keeps every acknowledged event once, every fall one alert, every clock fired once (seed ${SEED})`, async () => {
    const rng = mulberry32(SEED);
    const dbFile = path.join(tmp.dir, 'hearth.sqlite');
    const t0 = Date.now();

    // The organisation, the hubs under load, and homes whose alerts' clocks fall due during the run.
    const seeded = await openDatabase(dbFile);
    const d = new Directory(seeded.db, () => Date.now());
    const org = await d.addOrganisation('Chaos Trust');
    const nb = await d.addNeighbourhood({ orgId: org.id, name: 'Chaos North' });
    const loadHubs: { hubId: string; secret: string }[] = [];
    for (let i = 0; i <= HUBS; i++) {
      const hub = await d.addHub({ orgId: org.id, hubId: i < HUBS ? `chaos-hub-${i}` : 'chaos-hub-gateway' });
      for (const s of CHAOS_SENSORS) await d.commissionSensor({ hubId: hub.hubId, sensorId: s.sensorId, type: s.type, room: s.sensorId });
      await d.addResident({ orgId: org.id, neighbourhoodId: nb.id, name: `Resident ${i}`, hubId: hub.hubId });
      loadHubs.push(hub);
    }
    // Half the clock homes have an unacknowledged urgent fall (60 s and 120 s acknowledgement clocks),
    // half one dispatched to the team (the two-hour response clocks); each due between 6 and 45 s from now.
    for (let i = 0; i < CLOCK_HUBS; i++) {
      const hub = await d.addHub({ orgId: org.id, hubId: `chaos-clock-${i}` });
      const r = await d.addResident({ orgId: org.id, neighbourhoodId: nb.id, name: `Clock resident ${i}`, hubId: hub.hubId });
      const dispatched = i % 2 === 1;
      const due = t0 + 6000 + rng.int(0, 39_000);
      const kinds: [DeadlineKind, number][] = dispatched
        ? [['response-warning', due], ['response-breach', due + (CLOCKS.responseBreachMs - CLOCKS.responseWarningMs) / 1800]]
        : [['ack-escalation', due], ['ack-supervisor', due + (CLOCKS.ackSupervisorMs - CLOCKS.ackEscalationMs) / 20]];
      const alertId = `chaos-clock-alert-${i}`;
      await seeded.db.insertInto('alerts').values(clockAlert(alertId, org.id, hub.hubId, r.id, nb.id, t0, dispatched)).execute();
      for (const [kind, dueAt] of kinds) await seeded.db.insertInto('deadlines').values({ alert_id: alertId, kind, due_at: dueAt, created_at: t0, fired_at: null, cancelled_at: null }).execute();
    }
    await seeded.db.destroy();

    const httpPort = String(await freePort());
    const mqttPort = await freePort();
    const env = { HEARTH_DATA_DIR: tmp.dir, HEARTH_HTTP_PORT: httpPort, HEARTH_MQTT_PORT: String(mqttPort), HEARTH_DEMO: 'off', HEARTH_LOG_LEVEL: 'warn' };
    const start = async (): Promise<Child> => {
      const child = spawnTs('server/src/main.ts', [], env);
      children.push(child);
      await waitFor(async () => child.exitCode === null && (await fetch(`http://127.0.0.1:${httpPort}/api/health`)).ok, 45_000, 'server up').catch((err: Error) => {
        throw new Error(`${err.message}\n${child.output()}`);
      });
      return child;
    };
    let server = await start();
    for (const h of loadHubs) {
      const url = `mqtt://127.0.0.1:${mqttPort}`;
      const hubRng = mulberry32(rng.int(1, 2 ** 31));
      const hub = h.hubId.endsWith('gateway')
        ? new ChaosGateway({ url, ...h, dataDir: path.join(tmp.dir, 'gateway'), rng: hubRng, tickMs: 100, fallChance: 0.02 })
        : new ChaosHub({ url, ...h, rng: hubRng, tickMs: 80, window: 20, fallChance: 0.02 });
      hubs.push(hub);
      hub.start();
    }

    // Kill -9 at seeded random moments, each after 1.5 to 5 s of load. About a third land right as a hub
    // receives a PUBACK (where an acknowledgement sent before its commit would be lost), a third
    // 0 to 30 ms after the PUBACK of a fall (while its alert is being raised and the detectors'
    // checkpoint written, where a restart could raise it twice). Restart at once on the same ports.
    let kills = 0;
    let killsAtPuback = 0;
    let killsAfterFall = 0;
    let restarts = 0;
    const downtimes: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, rng.int(1500, 5000)));
      const victim = server;
      const how = rng.int(0, 2);
      if (how > 0) {
        const afterFall = how === 2;
        const delay = afterFall ? rng.int(0, 30) : 0;
        if (afterFall) killsAfterFall++;
        else killsAtPuback++;
        await new Promise<void>((resolve) => {
          for (const h of hubs)
            h.onAck = (events) => {
              if (afterFall && !events.some((e) => e.type === 'fall')) return;
              for (const x of hubs) x.onAck = undefined;
              if (delay === 0) victim.kill('SIGKILL');
              setTimeout(resolve, delay);
            };
        });
      }
      victim.kill('SIGKILL');
      expect(await exited(server)).toBe('SIGKILL'); // killed by us, not crashed before
      kills++;
      const down = Date.now();
      server = await start();
      downtimes.push(Date.now() - down);
      restarts++;
    }
    // Load a little longer on the last server, then let every hub empty its window.
    await new Promise((r) => setTimeout(r, 2000));
    for (const h of hubs) h.stopMaking();
    await waitFor(() => hubs.every((h) => h.unacknowledged() === 0), 30_000, 'every hub acknowledged');
    // Wait for every seeded clock to come due and every clock due by then to fire (the server's
    // own timers, or its start-up catch-up for those that came due while it was dead).
    const look = new SQLite(dbFile, { readonly: true, fileMustExist: true });
    const unfired = (where: string) => look.prepare(`SELECT count(*) FROM deadlines WHERE fired_at IS NULL AND cancelled_at IS NULL AND ${where}`).pluck();
    await waitFor(() => (unfired("alert_id LIKE 'chaos-clock-alert-%'").get() as number) === 0 && (unfired('due_at <= ?').get(Date.now() - 1000) as number) === 0, 60_000, 'due clocks fired');
    look.close();
    server.kill('SIGTERM');
    expect(await exited(server)).toBe(0);
    const serverLog = children.map((c) => c.output()).join('');

    // The books, from the database the server left.
    const db = new SQLite(dbFile, { readonly: true, fileMustExist: true });
    try {
      const made = hubs.flatMap((h) => h.made);
      const acked = new Set(hubs.flatMap((h) => [...h.acked]));
      const stored = db.prepare("SELECT event_id AS id, type FROM events WHERE hub_id LIKE 'chaos-hub-%'").all() as { id: string; type: string }[];
      const storedCount = new Map<string, number>();
      for (const r of stored) storedCount.set(r.id, (storedCount.get(r.id) ?? 0) + 1);
      const lost = [...acked].filter((id) => !storedCount.has(id));
      const twice = [...storedCount].filter(([, n]) => n > 1).length;

      // Falls: each stored fall is behind exactly one alert, as its first cause or as one repeat in the log.
      const falls = stored.filter((r) => r.type === 'fall').map((r) => r.id);
      const alerts = db.prepare("SELECT id, subject, cause FROM alerts WHERE type = 'fall' AND hub_id LIKE 'chaos-hub-%'").all() as { id: string; subject: string; cause: string }[];
      const logRows = db.prepare('SELECT alert_id, action, detail FROM alert_log').all() as { alert_id: string; action: string; detail: string }[];
      const behind = new Map<string, number>();
      const count = (id: string) => behind.set(id, (behind.get(id) ?? 0) + 1);
      for (const a of alerts) for (const e of (JSON.parse(a.cause) as { events: { id: string }[] }).events) count(e.id);
      for (const l of logRows) if (l.action === 'repeated' && alerts.some((a) => a.id === l.alert_id)) for (const e of (JSON.parse(l.detail) as { events?: { id: string }[] }).events ?? []) count(e.id);
      const fallsWithoutAlert = falls.filter((id) => !behind.has(id));
      const fallsTwice = [...behind].filter(([, n]) => n > 1);
      const raisedTwice = alerts.length - new Set(alerts.map((a) => a.subject)).size;

      // Clocks: every deadline due has fired, each exactly once in the alert log.
      const deadlines = db.prepare('SELECT alert_id, kind, due_at, fired_at, cancelled_at FROM deadlines').all() as { alert_id: string; kind: DeadlineKind; due_at: number; fired_at: number | null; cancelled_at: number | null }[];
      const fired = deadlines.filter((x) => x.fired_at !== null);
      const firings = (x: { alert_id: string; kind: DeadlineKind }) =>
        logRows.filter((l) => l.alert_id === x.alert_id && l.action === FIRED_AS[x.kind].action && (FIRED_AS[x.kind].level === undefined || (JSON.parse(l.detail) as { level?: number }).level === FIRED_AS[x.kind].level)).length;
      const clockLog = fired.map((x) => ({ alert: x.alert_id, kind: x.kind, firings: firings(x) }));
      const seededClocks = deadlines.filter((x) => x.alert_id.startsWith('chaos-clock-alert-'));

      const figures = {
        seed: SEED, hubs: hubs.length, kills, killsAtPuback, killsAfterFall, restarts, restartMs: downtimes, seconds: Math.round((Date.now() - t0) / 1000),
        eventsMade: made.length, eventsAcknowledged: acked.size, eventsStored: storedCount.size, lost: lost.length, storedTwice: twice,
        messagesResent: hubs.reduce((n, h) => n + h.resent, 0), connections: hubs.reduce((n, h) => n + h.connections, 0),
        falls: falls.length, fallAlerts: alerts.length, fallsWithoutAlert: fallsWithoutAlert.length, fallsBehindTwoAlertsOrRepeats: fallsTwice.length,
        clocksDue: deadlines.filter((x) => x.due_at <= Date.now() && x.cancelled_at === null).length, clocksFired: fired.length,
        clocksFiredTwice: clockLog.filter((c) => c.firings > 1).length, clocksFiredWithoutLog: clockLog.filter((c) => c.firings === 0).length,
      };
      process.stdout.write(`\nchaos figures: ${JSON.stringify(figures)}\n`);

      expect(kills).toBe(KILLS);
      expect(restarts).toBe(KILLS);
      expect(lost).toEqual([]);
      expect(twice).toBe(0);
      expect(storedCount.size).toBe(made.length); // every hub's books balanced: everything it made was acknowledged
      expect(acked.size).toBe(made.length);
      expect(falls.length).toBeGreaterThan(0);
      expect(fallsWithoutAlert).toEqual([]);
      expect(fallsTwice).toEqual([]);
      expect(raisedTwice).toBe(0);
      expect(seededClocks.every((x) => x.fired_at !== null)).toBe(true);
      expect(clockLog.filter((c) => c.firings !== 1)).toEqual([]);
      expect(serverLog).not.toMatch(/uncaught|unhandled/i);
    } finally {
      db.close();
    }
  }, 240_000);
});
