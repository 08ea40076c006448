import { loadEvent, loadNum, refOf, saveEvent, saveNum, type CoreEvent, type Detector, type EventRef } from '../detector.ts';
import { fmtDuration } from '../local-time.ts';
import { signal } from './emit.ts';

/** Degrees above the cold threshold a room must reach before the home counts as warm again. */
const WARM_HYSTERESIS_C = 0.5;

/**
 * Cold home: a room thermometer below the plan's threshold (default 16 °C) for
 * the plan's time (default 2 h) raises `cold-home` (routine, to the coordinator);
 * a reading back above it (plus 0.5 °C) clears it. Smoke and water alarms raise
 * at once (urgent) and clear when the alarm clears. None of these pause in away mode.
 */
export function environmentDetector(): Detector {
  let coldSince = NaN;
  let coldFirst: EventRef | null = null;
  let lastCold: CoreEvent | null = null;
  let coldRaised = false;
  let coldForMs = 120 * 60_000;
  const alarms = new Set<string>();
  return {
    name: 'environment',
    onEvent(e, ctx) {
      if (e.type === 'temperature') {
        const plan = ctx.home.residents[0]?.plan;
        const below = plan?.coldBelowC ?? 16;
        const t = Number(e.value);
        coldForMs = (plan?.coldForMinutes ?? 120) * 60_000;
        if (t < below) {
          if (Number.isNaN(coldSince) || e.ts < coldSince) {
            coldSince = e.ts;
            coldFirst = refOf(e);
          }
          lastCold = e;
        } else if (t >= below + WARM_HYSTERESIS_C && e.ts >= coldSince) {
          coldSince = NaN;
          coldFirst = null;
          lastCold = null;
          if (coldRaised) {
            coldRaised = false;
            signal(ctx, 'clear', 'cold-home', e.ts, e.late, { rule: 'home-warm-again', summary: `Room temperature back to ${t} °C`, events: [refOf(e)] });
          }
        }
        return;
      }
      if (e.type === 'smoke' || e.type === 'water') {
        const key = `${e.type}:${e.sensor}`;
        const what = e.type === 'smoke' ? 'Smoke alarm' : 'Flood (water) alarm';
        const where = e.sensorInfo?.room ? ` in the ${e.sensorInfo.room}` : '';
        if (e.value === true && !alarms.has(key)) {
          alarms.add(key);
          signal(ctx, 'raise', e.type, e.ts, e.late, { rule: `${e.type}-alarm`, summary: `${what} ${e.sensor}${where} is sounding`, events: [refOf(e)] });
        } else if (e.value === false && alarms.delete(key)) {
          signal(ctx, 'clear', e.type, e.ts, e.late, { rule: `${e.type}-alarm-cleared`, summary: `${what} ${e.sensor}${where} cleared`, events: [refOf(e)] });
        }
      }
    },
    onTick(now, ctx) {
      if (coldRaised || Number.isNaN(coldSince) || !lastCold) return;
      const plan = ctx.home.residents[0]?.plan;
      const forMs = (plan?.coldForMinutes ?? 120) * 60_000;
      if (now - coldSince < forMs) return;
      coldRaised = true;
      const below = plan?.coldBelowC ?? 16;
      signal(ctx, 'raise', 'cold-home', coldSince, lastCold.late, {
        rule: 'cold-home',
        summary: `Room temperature below ${below} °C for ${fmtDuration(now - coldSince)} (latest ${Number(lastCold.value)} °C); the plan allows ${fmtDuration(forMs)}`,
        events: [coldFirst!, refOf(lastCold)],
        thresholdC: below,
        latestC: Number(lastCold.value),
        coldForMinutes: Math.round((now - coldSince) / 60_000),
        allowedMinutes: forMs / 60_000,
      });
    },
    due() {
      return coldRaised || Number.isNaN(coldSince) ? Infinity : coldSince + coldForMs;
    },
    snapshot() {
      return { coldSince: saveNum(coldSince), coldFirst, lastCold: saveEvent(lastCold), coldRaised, coldForMs, alarms: [...alarms] };
    },
    restore(state) {
      const s = state as Record<string, unknown>;
      if (!Array.isArray(s.alarms) || typeof s.coldRaised !== 'boolean') throw new Error('bad environment state');
      coldSince = loadNum(s.coldSince);
      coldFirst = (s.coldFirst as EventRef | null) ?? null;
      lastCold = loadEvent(s.lastCold);
      coldRaised = s.coldRaised;
      coldForMs = loadNum(s.coldForMs);
      alarms.clear();
      for (const a of s.alarms) alarms.add(String(a));
    },
  };
}
