import { SENSOR_KINDS } from '../../../../protocol/index.ts';
import type { HomeInfo } from '../../care/directory.ts';
import { loadNum, refOf, saveNum, type CoreEvent, type Detector, type DetectorContext } from '../detector.ts';
import { fmtDuration } from '../local-time.ts';
import { signal } from './emit.ts';
import { HubLiveness } from './hub-liveness.ts';

// Silence thresholds (ms) by kind, read once (an imported re-export is a getter call per use).
const SILENT_MS = new Map(
  Object.entries(SENSOR_KINDS as Record<string, { silentAfterHours: number | null }>)
    .filter(([, k]) => k.silentAfterHours !== null)
    .map(([t, k]) => [t, k.silentAfterHours! * 3_600_000] as const),
);

/** Battery level (percent) at or below which a sensor is reported low. */
export const LOW_BATTERY_PERCENT = 20;
/** Level a low sensor must climb back to before it counts as fixed (hysteresis). */
export const BATTERY_OK_PERCENT = 30;

/**
 * Technical faults, with the hub as the alert's subject: hub offline (last will,
 * or missed heartbeats), sensor silent (nothing for its kind's own threshold),
 * low battery, mains power lost, tamper. Each clears when the fault ends.
 */
export function technicalDetector(home: HomeInfo): Detector {
  const live = new HubLiveness(() => home.residents[0]?.plan.heartbeatMissed ?? 3);
  const lowBattery = new Map<string, number>();
  const tampered = new Set<string>();
  let onBattery = false;
  // Sensor silence: last sensor time seen per sensor, from the first moment the home was seen.
  const lastSeen = new Map<string, number>();
  const silent = new Set<string>();
  let watchingSince = NaN;
  let nextSilentCheck = Infinity;
  // After a restart, the server's downtime is not the sensors' silence: a sensor last heard
  // before `restoredAt` is given `downtimeMs` more.
  let restoredAt = -Infinity;
  let downtimeMs = 0;
  const silentFrom = (since: number): number => (since < restoredAt ? since + downtimeMs : since);

  const thresholdMs = (type: string): number | null => {
    const ms = SILENT_MS.get(type);
    return ms === undefined ? null : ms;
  };

  const planSilentCheck = (ctx: DetectorContext): void => {
    let next = Infinity;
    for (const s of ctx.home.sensors.values()) {
      if (!s.commissioned || silent.has(s.sensorId)) continue;
      const ms = thresholdMs(s.type);
      if (ms === null) continue;
      const due = silentFrom(lastSeen.get(s.sensorId) ?? watchingSince) + ms;
      if (due < next) next = due;
    }
    nextSilentCheck = next;
  };

  const offlineCause = (ctx: DetectorContext, now: number) => ({
    rule: live.offlineBy === 'last-will' ? 'hub-last-will' : 'hub-missed-heartbeats',
    summary:
      live.offlineBy === 'last-will'
        ? `Hub ${ctx.home.hubId} went offline (its last will arrived)`
        : `Hub ${ctx.home.hubId} missed ${ctx.home.residents[0]?.plan.heartbeatMissed ?? 3} heartbeats; nothing heard for ${fmtDuration(now - live.offlineSince + 60_000)}`,
    events: [],
    offlineSince: new Date(live.offlineSince).toISOString(),
  });

  const backOnline = (ctx: DetectorContext, at: number, how: string): void => {
    signal(ctx, 'clear', 'hub-offline', at, false, { rule: 'hub-back-online', summary: `Hub ${ctx.home.hubId} is back online (${how})`, events: [] }, 'hub');
  };

  const setPower = (battery: boolean, at: number, late: boolean, ctx: DetectorContext, ref: ReturnType<typeof refOf> | null): void => {
    if (battery === onBattery) return;
    onBattery = battery;
    signal(ctx, battery ? 'raise' : 'clear', 'power', at, late, {
      rule: battery ? 'mains-lost' : 'mains-restored',
      summary: battery ? `Hub ${ctx.home.hubId} lost mains power and runs on its battery` : `Hub ${ctx.home.hubId} is back on mains power`,
      events: ref ? [ref] : [],
    }, 'hub');
  };

  return {
    name: 'technical',
    onEvent(e: CoreEvent, ctx) {
      if (Number.isNaN(watchingSince)) {
        watchingSince = e.ts;
        planSilentCheck(ctx);
      }
      if (live.onEvent(e) === 'online') backOnline(ctx, e.receivedAt, e.late ? 'draining its buffer' : 'sending events');
      // Silence is judged on sensor time, so a drained buffer fills the gap in place.
      const prev = lastSeen.get(e.sensor);
      if (prev === undefined || e.ts > prev) {
        lastSeen.set(e.sensor, e.ts);
        if (silent.delete(e.sensor)) {
          signal(ctx, 'clear', 'sensor-silent', e.ts, e.late, { rule: 'sensor-heard-again', summary: `Sensor ${e.sensor} is sending again`, events: [refOf(e)] }, 'hub');
        }
        if (prev === undefined || prev + (thresholdMs(e.type) ?? Infinity) <= nextSilentCheck) planSilentCheck(ctx);
      }

      const level = e.type === 'battery' ? Number(e.value) : e.battery;
      if (level !== null && level !== undefined && Number.isFinite(level)) {
        if (level <= LOW_BATTERY_PERCENT && !lowBattery.has(e.sensor)) {
          lowBattery.set(e.sensor, level);
          signal(ctx, 'raise', 'low-battery', e.ts, e.late, {
            rule: 'battery-low',
            summary: `Sensor ${e.sensor}${e.sensorInfo?.room ? ` (${e.sensorInfo.room})` : ''} battery at ${level}% (replace at or below ${LOW_BATTERY_PERCENT}%)`,
            events: [refOf(e)],
            level,
            threshold: LOW_BATTERY_PERCENT,
          }, 'hub');
        } else if (level >= BATTERY_OK_PERCENT && lowBattery.delete(e.sensor) && lowBattery.size === 0) {
          signal(ctx, 'clear', 'low-battery', e.ts, e.late, { rule: 'battery-replaced', summary: `Sensor ${e.sensor} battery at ${level}%`, events: [refOf(e)] }, 'hub');
        }
      }

      if (e.type === 'tamper') {
        if (e.value === true && !tampered.has(e.sensor)) {
          tampered.add(e.sensor);
          signal(ctx, 'raise', 'tamper', e.ts, e.late, { rule: 'tamper', summary: `Tamper alarm on ${e.sensor}${e.sensorInfo?.room ? ` (${e.sensorInfo.room})` : ''}`, events: [refOf(e)] }, 'hub');
        } else if (e.value === false && tampered.delete(e.sensor) && tampered.size === 0) {
          signal(ctx, 'clear', 'tamper', e.ts, e.late, { rule: 'tamper-cleared', summary: `Tamper alarm on ${e.sensor} cleared`, events: [refOf(e)] }, 'hub');
        }
      }

      if (e.type === 'power') setPower(e.value === 'battery', e.ts, e.late, ctx, refOf(e));
    },
    onHub(s, ctx) {
      const change = live.onSignal(s);
      if (change === 'offline') {
        signal(ctx, 'raise', 'hub-offline', live.offlineSince, false, offlineCause(ctx, s.at), 'hub');
      } else if (change === 'online') {
        backOnline(ctx, s.at, s.kind === 'heartbeat' ? 'heartbeat' : 'status online');
      }
      if (s.kind === 'status' && s.power) setPower(s.power === 'battery', s.at, false, ctx, null);
    },
    onTick(now, ctx) {
      if (live.check(now) === 'offline') signal(ctx, 'raise', 'hub-offline', live.offlineSince, false, offlineCause(ctx, now), 'hub');
      // A hub that is offline explains its sensors' silence: no sensor-silent alerts on top.
      if (now >= nextSilentCheck && !live.offline) {
        for (const s of ctx.home.sensors.values()) {
          if (!s.commissioned || silent.has(s.sensorId)) continue;
          const ms = thresholdMs(s.type);
          if (ms === null) continue;
          const seen = lastSeen.get(s.sensorId);
          const since = seen ?? watchingSince;
          if (now - silentFrom(since) < ms) continue;
          silent.add(s.sensorId);
          signal(ctx, 'raise', 'sensor-silent', since, false, {
            rule: 'sensor-silent',
            summary: `Sensor ${s.sensorId}${s.room ? ` (${s.room})` : ''} has sent nothing for ${fmtDuration(now - since)}${seen === undefined ? ' (never heard)' : ''}; its kind (${s.type}) is silent after ${ms / 3_600_000} h`,
            events: [],
            sensor: s.sensorId,
            silentForMinutes: Math.round((now - since) / 60_000),
            thresholdHours: ms / 3_600_000,
          }, 'hub');
        }
        planSilentCheck(ctx);
      }
    },
    due() {
      // While offline, silence checks wait for the hub to come back.
      return Math.min(live.deadline(), live.offline ? Infinity : nextSilentCheck);
    },
    snapshot() {
      return {
        live: live.snapshot(),
        lowBattery: [...lowBattery],
        tampered: [...tampered],
        onBattery,
        lastSeen: [...lastSeen],
        silent: [...silent],
        watchingSince: saveNum(watchingSince),
      };
    },
    restore(state, ctx, savedAt) {
      const s = state as Record<string, unknown>;
      const pairs = (x: unknown): [string, number][] => {
        if (!Array.isArray(x)) throw new Error('bad technical state');
        return x.map((p) => {
          if (!Array.isArray(p) || typeof p[0] !== 'string' || typeof p[1] !== 'number') throw new Error('bad technical state');
          return [p[0], p[1]];
        });
      };
      const strings = (x: unknown): string[] => {
        if (!Array.isArray(x) || x.some((v) => typeof v !== 'string')) throw new Error('bad technical state');
        return x as string[];
      };
      if (typeof s.onBattery !== 'boolean') throw new Error('bad technical state');
      live.restore(s.live, ctx.now());
      lowBattery.clear();
      for (const [k, v] of pairs(s.lowBattery)) lowBattery.set(k, v);
      tampered.clear();
      for (const k of strings(s.tampered)) tampered.add(k);
      onBattery = s.onBattery;
      lastSeen.clear();
      for (const [k, v] of pairs(s.lastSeen)) lastSeen.set(k, v);
      silent.clear();
      for (const k of strings(s.silent)) silent.add(k);
      watchingSince = loadNum(s.watchingSince);
      restoredAt = ctx.now();
      downtimeMs = Math.max(0, restoredAt - savedAt);
      if (Number.isNaN(watchingSince)) nextSilentCheck = Infinity;
      else planSilentCheck(ctx);
    },
  };
}
