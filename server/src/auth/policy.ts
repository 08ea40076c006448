import type { AlertView } from '../alerts/alert-view.ts';
import type { UserInfo } from '../care/directory.ts';
import type { Role } from '../care/model.ts';

/**
 * Who may see an alert. Organisations never see each other's data; within one,
 * operators and admins see every alert, responders the urgent and high ones,
 * coordinators their own residents', installers the technical ones.
 */
export function canSeeAlert(user: UserInfo, alert: AlertView): boolean {
  if (alert.orgId !== user.orgId) return false;
  switch (user.role) {
    case 'admin':
    case 'operator':
      return true;
    case 'responder':
      return alert.severity === 'urgent' || alert.severity === 'high';
    case 'coordinator':
      return alert.coordinatorId === user.id;
    case 'installer':
      return alert.severity === 'technical';
  }
}

/** Roles that may act on (acknowledge, resolve) alerts they can see. */
export const ALERT_ACTORS: readonly Role[] = ['operator', 'admin', 'responder', 'coordinator', 'installer'];

/** Roles that may see hubs, sensors and rejected messages. */
export const HUB_VIEWERS: readonly Role[] = ['installer', 'admin', 'operator'];
