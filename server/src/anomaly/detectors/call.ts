import { loadNum, primaryResident, refOf, whereOf, type Detector } from '../detector.ts';

/**
 * Call: a pendant, pull cord or call button is pressed. Raised at once (the
 * operator speaks to the resident). "I'm OK" ("cancelled") within the plan's
 * cancel window cancels it; later, it only records that the resident says
 * they are fine (a clear), and the operator closes the alert.
 */
export function callDetector(): Detector {
  let pressedAt: number | null = null;
  return {
    name: 'call',
    onEvent(e, ctx) {
      if (e.type !== 'call') return;
      const residentId = primaryResident(ctx.home);
      const windowMs = (ctx.home.residents[0]?.plan.callCancelSeconds ?? 120) * 1000;
      const base = { type: 'call' as const, orgId: ctx.home.orgId, hubId: e.hubId, residentId, at: ctx.now(), late: e.late };
      if (e.value === 'pressed') {
        pressedAt = e.ts;
        ctx.emit({
          ...base,
          action: 'raise',
          occurredAt: e.ts,
          cause: {
            rule: 'call-pressed',
            summary: `Call button ${e.sensor} pressed${whereOf(e.sensorInfo)}`,
            events: [refOf(e)],
            cancelWindowSeconds: windowMs / 1000,
          },
        });
        return;
      }
      // "cancelled": the resident pressed "I'm OK".
      const withinWindow = pressedAt !== null && e.ts >= pressedAt && e.ts - pressedAt <= windowMs;
      ctx.emit({
        ...base,
        action: withinWindow ? 'cancel' : 'clear',
        occurredAt: e.ts,
        cause: {
          rule: withinWindow ? 'call-cancelled-in-window' : 'call-ok-after-window',
          summary: withinWindow
            ? `Resident pressed "I'm OK" ${Math.round((e.ts - pressedAt!) / 1000)} s after the call`
            : `Resident pressed "I'm OK" after the ${windowMs / 1000} s cancel window; the operator closes the call`,
          events: [refOf(e)],
        },
      });
      if (withinWindow) pressedAt = null;
    },
    snapshot() {
      return { pressedAt };
    },
    restore(state) {
      const s = state as { pressedAt: unknown };
      pressedAt = s.pressedAt === null ? null : loadNum(s.pressedAt);
    },
  };
}
