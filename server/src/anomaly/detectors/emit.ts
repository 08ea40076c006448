import type { AlertType } from '../../care/model.ts';
import { primaryResident, type AlertCause, type DetectorContext } from '../detector.ts';

/** Who an alert is about: the resident, or (technical faults) the hub itself. */
export type Subject = 'resident' | 'hub';

/** Emit one signal with the home's organisation and subject filled in. */
export function signal(
  ctx: DetectorContext,
  action: 'raise' | 'cancel' | 'clear',
  type: AlertType,
  occurredAt: number,
  late: boolean,
  cause: AlertCause,
  subject: Subject = 'resident',
): void {
  const home = ctx.home;
  ctx.emit({
    action,
    type,
    orgId: home.orgId,
    hubId: home.hubId,
    residentId: subject === 'hub' ? null : primaryResident(home),
    occurredAt,
    at: ctx.now(),
    late,
    cause,
  });
}
