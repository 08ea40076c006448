import type { AlertView } from '../alerts/alert-view.ts';
import type { UserInfo } from '../care/directory.ts';
import { mayDo, type AlertAction } from '../care/alert-permissions.ts';
import type { Role } from '../care/model.ts';
import { HearthError } from '../errors.ts';

/**
 * Who may see an alert: the care model's permission table
 * (server/src/care/alert-permissions.ts). Organisations never see each other's
 * data; within one, operators and admins see every alert, responders what was
 * dispatched to them or their team, coordinators their own residents',
 * installers the technical ones.
 */
export function canSeeAlert(user: UserInfo, alert: AlertView): boolean {
  return mayDo(user, 'see', alert);
}

/**
 * Refuse an action the user may not take on an alert they can see (403);
 * an alert they cannot see at all is "not found" (404), so its existence is
 * not disclosed.
 */
export function assertMay(user: UserInfo, action: AlertAction, alert: AlertView): void {
  if (!canSeeAlert(user, alert)) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such alert');
  if (!mayDo(user, action, alert)) throw new HearthError('HEARTH_ERR_FORBIDDEN', `your role (${user.role}) may not ${action.replace(/-/g, ' ')} this alert`);
}

/** Roles that may see hubs, sensors and rejected messages. */
export const HUB_VIEWERS: readonly Role[] = ['installer', 'admin', 'operator'];
