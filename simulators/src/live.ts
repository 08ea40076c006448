// Live simulation for the demo: each home connects as its hub over MQTT and
// sends its resident's events at wall-clock time, following the routine for
// the current local time of day; a fall or a pendant call is injected now and
// then so the console has something to show.
import mqtt, { type MqttClient } from 'mqtt';
import { HubCommandSchema, topics, type HubEvent, type SensorDescription } from '../../protocol/index.ts';
import { generateHome } from './generate.ts';
import { PERSONA_NAMES } from './personas.ts';
import { mixSeed, mulberry32 } from './prng.ts';
import { addDays, formatDate, utcToLocal } from './tz.ts';

/** One simulated home of the live runner, as the demo seed commissions it. */
export interface LiveHome {
  hubId: string;
  secret: string;
  resident: string;
  timezone: string;
  sensors: SensorDescription[];
}

/** Options of startLiveSimulation. */
export interface LiveOptions {
  mqttUrl: string;
  homes: LiveHome[];
  seed: number;
  /** Routine time per wall-clock time (1 = real time); events are stamped when sent. */
  speed?: number;
  /** Seconds after start of the first injected incident (default 45). */
  firstIncidentSeconds?: number;
  /** Minutes between injected incidents (default 4). */
  incidentEveryMinutes?: number;
  log?: (msg: string) => void;
}

const HEARTBEAT_MS = 60_000;
const TICK_MS = 200;
const MAX_BATCH = 500;

interface Pending {
  at: number;
  sensor: string;
  type: HubEvent['type'];
  value: unknown;
}

/**
 * Start the live simulation; stop() disconnects each hub cleanly (no will,
 * so no hub-offline alert). Never logs hub secrets.
 */
export function startLiveSimulation(opts: LiveOptions): { stop(): Promise<void> } {
  const speed = opts.speed ?? 1;
  if (!(speed > 0)) throw new Error(`speed must be above 0, got ${speed}`);
  const log = opts.log ?? (() => {});
  const wall0 = Date.now();
  const simNow = (): number => wall0 + (Date.now() - wall0) * speed;
  // Ids must not repeat across runs: the server drops a (hub, id) it has seen.
  const runId = wall0.toString(36);
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;

  const homes = opts.homes.map((h, index) => {
    const rng = mulberry32(mixSeed('live', opts.seed, h.hubId));
    const persona = rng.pick(PERSONA_NAMES);
    const status = (state: 'online' | 'offline'): string => JSON.stringify({ state, ts: new Date().toISOString(), firmware: 'hearth-sim 1', power: 'mains' });
    const client: MqttClient = mqtt.connect(opts.mqttUrl, {
      clientId: h.hubId,
      username: h.hubId,
      password: h.secret,
      reconnectPeriod: 3000,
      connectTimeout: 10_000,
      will: { topic: topics.status(h.hubId), payload: Buffer.from(status('offline')), qos: 1, retain: true },
    });
    const home = { ...h, index, client, persona, queue: [] as Pending[], nextDate: '', chunk: 0, seq: 0, beat: 0 };
    client.on('connect', () => {
      client.publish(topics.status(h.hubId), status('online'), { qos: 1, retain: true });
      client.subscribe(topics.commands(h.hubId), { qos: 1 });
      log(`simulated hub ${h.hubId} (${h.resident}, ${persona}) online`);
    });
    // A refused CONNACK (wrong secret) is not retried by MQTT.js; lost connections are.
    client.on('error', (err) => log(`simulated hub ${h.hubId}: ${err.message}`));
    client.on('message', (_topic, payload) => {
      // Answer the server's commands as a hub would; there is nothing to blink.
      let raw: unknown;
      try {
        raw = JSON.parse(payload.toString('utf8'));
      } catch {
        return;
      }
      const cmd = HubCommandSchema.safeParse(raw);
      const id = cmd.success ? cmd.data.id : typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : undefined;
      if (!id) return;
      client.publish(topics.replies(h.hubId), JSON.stringify(cmd.success ? { id, ok: true } : { id, ok: false, error: 'unknown command' }), { qos: 1 });
    });
    return home;
  });
  type Home = (typeof homes)[number];

  /** Plan the next two local days of the resident's routine. */
  const refill = (home: Home, now: number): void => {
    const start = home.nextDate || formatDate(utcToLocal(home.timezone, now).date);
    const g = generateHome({
      hubId: home.hubId,
      seed: mixSeed(opts.seed, home.index, home.chunk++),
      start,
      days: 2,
      timezone: home.timezone,
      sensors: home.sensors,
      persona: home.persona,
      resident: home.resident,
      // Three times the PIR activity of the evaluation data: a newcomer to the demo sees motion
      // about every minute per home by day (about 45 motion events an hour, against about 25).
      motionScale: 3,
    });
    const [y, m, d] = start.split('-').map(Number) as [number, number, number];
    home.nextDate = formatDate(addDays({ y, m, d }, 2));
    for (const e of g.events) {
      const at = Date.parse(e.ts);
      // Live, the hub sends its battery reports but the routine is what matters; skip the past.
      if (at >= now) home.queue.push({ at, sensor: e.sensor, type: e.type, value: e.value });
    }
  };

  const publishEvents = (home: Home, items: { sensor: string; type: HubEvent['type']; value: unknown }[]): void => {
    const ts = new Date().toISOString();
    const events = items.map((e) => ({ id: `${runId}-${(home.seq++).toString(36)}`, ts, sensor: e.sensor, type: e.type, value: e.value }));
    for (let i = 0; i < events.length; i += MAX_BATCH) {
      const part = events.slice(i, i + MAX_BATCH);
      home.client.publish(topics.events(home.hubId), JSON.stringify(part.length === 1 ? part[0] : { events: part }), { qos: 1 });
    }
  };

  const tick = (): void => {
    const now = simNow();
    for (const home of homes) {
      if (home.queue.length === 0 || home.queue[home.queue.length - 1]!.at < now + 3_600_000) refill(home, now);
      let n = 0;
      while (n < home.queue.length && home.queue[n]!.at <= now) n++;
      if (n > 0) publishEvents(home, home.queue.splice(0, n));
    }
  };

  let incident = 0;
  const inject = (): void => {
    if (stopped || homes.length === 0) return;
    const home = homes[incident % homes.length]!;
    const wantFall = incident % 2 === 0;
    incident++;
    const fall = home.sensors.find((s) => s.type === 'fall');
    const call = home.sensors.find((s) => s.type === 'call');
    if (wantFall && fall) {
      publishEvents(home, [{ sensor: fall.sensor, type: 'fall', value: true }]);
      log(`demo incident: fall reported by ${fall.sensor} in ${home.hubId} (${home.resident})`);
    } else if (call) {
      publishEvents(home, [{ sensor: call.sensor, type: 'call', value: 'pressed' }]);
      log(`demo incident: pendant call from ${call.sensor} in ${home.hubId} (${home.resident})`);
    } else if (fall) {
      publishEvents(home, [{ sensor: fall.sensor, type: 'fall', value: true }]);
      log(`demo incident: fall reported by ${fall.sensor} in ${home.hubId} (${home.resident})`);
    }
  };

  tick();
  timers.push(setInterval(tick, TICK_MS));
  timers.push(
    setInterval(() => {
      for (const home of homes) home.client.publish(topics.heartbeat(home.hubId), JSON.stringify({ ts: new Date().toISOString(), seq: home.beat++ }), { qos: 1 });
    }, HEARTBEAT_MS),
  );
  timers.push(
    setTimeout(() => {
      inject();
      timers.push(setInterval(inject, (opts.incidentEveryMinutes ?? 4) * 60_000));
    }, (opts.firstIncidentSeconds ?? 45) * 1000),
  );

  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await Promise.all(
        homes.map(async (home) => {
          try {
            // A clean MQTT DISCONNECT: the broker discards the will. An offline status (the protocol's
            // last-will message) would tell the server the home went dark, a fault; stopping the demo is not one.
            if (home.client.connected) await home.client.endAsync();
            else await home.client.endAsync(true);
          } catch (err) {
            log(`simulated hub ${home.hubId}: stop: ${(err as Error).message}`);
            home.client.end(true);
          }
        }),
      );
    },
  };
}
