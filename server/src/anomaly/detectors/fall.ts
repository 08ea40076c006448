import { primaryResident, refOf, whereOf, type Detector } from '../detector.ts';

/**
 * Fall: a fall detector (or a pendant with fall detection) reports a fall with
 * confidence at or above the plan's threshold. Raised at once, never
 * auto-cancelled; a late report is still raised, marked late with its delay,
 * because the person may still be on the floor.
 */
export function fallDetector(): Detector {
  return {
    name: 'fall',
    onEvent(e, ctx) {
      if (e.type !== 'fall') return;
      const confidence = e.value === true ? 1 : Number(e.value);
      const residentId = primaryResident(ctx.home);
      const plan = ctx.home.residents[0]?.plan;
      const threshold = plan?.fallConfidenceMin ?? 0.5;
      if (confidence < threshold) return;
      const where = whereOf(e.sensorInfo);
      ctx.emit({
        action: 'raise',
        type: 'fall',
        orgId: ctx.home.orgId,
        hubId: e.hubId,
        residentId,
        occurredAt: e.ts,
        at: ctx.now(),
        late: e.late,
        cause: {
          rule: 'fall-detected',
          summary: `Fall detected by ${e.sensor}${where}${confidence < 1 ? ` (confidence ${confidence})` : ''}${e.late ? `, reported ${Math.round((e.receivedAt - e.ts) / 60000)} min late` : ''}`,
          events: [refOf(e)],
          confidence,
          threshold,
        },
      });
    },
  };
}
