import type { Db } from '../db/database.ts';
import type { UserTable } from '../db/schema.ts';
import { toUser, type UserInfo } from '../care/directory.ts';
import { ROLES, type Role } from '../care/model.ts';
import { HearthError } from '../errors.ts';
import { hashPassword, verifyPassword } from './crypto.ts';
import { assertStrongPassword } from './password-policy.ts';

/** A user as the user-management API shows it: the directory's view (no password hash) and whether they are disabled. */
export interface ManagedUser extends UserInfo {
  disabled: boolean;
}

function view(row: UserTable): ManagedUser {
  return { ...toUser(row), disabled: row.disabled === 1 };
}

/** The users table behind the user-management API: edit, disable and enable, passwords. Always within one organisation. */
export class UserAdmin {
  constructor(private readonly db: Db) {}

  /** A user of the organisation, or HEARTH_ERR_NOT_FOUND (also for another organisation's user). */
  async get(orgId: string, id: string): Promise<ManagedUser> {
    return view(await this.row(orgId, id));
  }

  /** Change a user's role, neighbourhood or display name. */
  async update(orgId: string, id: string, patch: { role?: Role; neighbourhoodId?: string | null; displayName?: string }): Promise<ManagedUser> {
    await this.row(orgId, id);
    if (patch.role !== undefined && !ROLES.includes(patch.role)) throw new HearthError('HEARTH_ERR_VALIDATION', `role must be one of ${ROLES.join(', ')}`);
    if (patch.neighbourhoodId) {
      const nb = await this.db.selectFrom('neighbourhoods').select('id').where('id', '=', patch.neighbourhoodId).where('org_id', '=', orgId).executeTakeFirst();
      if (!nb) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such neighbourhood');
    }
    const set: Partial<UserTable> = {};
    if (patch.role !== undefined) set.role = patch.role;
    if (patch.neighbourhoodId !== undefined) set.neighbourhood_id = patch.neighbourhoodId;
    if (patch.displayName !== undefined) set.display_name = patch.displayName;
    if (Object.keys(set).length) await this.db.updateTable('users').set(set).where('id', '=', id).where('org_id', '=', orgId).execute();
    return this.get(orgId, id);
  }

  /** Disable or enable a user; the caller ends a disabled user's sessions. */
  async setDisabled(orgId: string, id: string, disabled: boolean): Promise<ManagedUser> {
    await this.row(orgId, id);
    await this.db.updateTable('users').set({ disabled: disabled ? 1 : 0 }).where('id', '=', id).where('org_id', '=', orgId).execute();
    return this.get(orgId, id);
  }

  /** Set a new password (checked against the password rules); the caller ends sessions. */
  async setPassword(orgId: string, id: string, password: string): Promise<void> {
    const row = await this.row(orgId, id);
    const org = await this.db.selectFrom('organisations').select('name').where('id', '=', orgId).executeTakeFirst();
    assertStrongPassword(password, [row.username, row.display_name, org?.name ?? '']);
    await this.db.updateTable('users').set({ password_hash: hashPassword(password) }).where('id', '=', id).where('org_id', '=', orgId).execute();
  }

  /** Change one's own password: the current one must be right, and the new one differ from it. */
  async changeOwnPassword(orgId: string, id: string, current: string, next: string): Promise<void> {
    const row = await this.row(orgId, id);
    if (!verifyPassword(current, row.password_hash)) throw new HearthError('HEARTH_ERR_FORBIDDEN', 'The current password is wrong');
    if (current === next) throw new HearthError('HEARTH_ERR_PASSWORD_WEAK', 'the new password must differ from the current one');
    await this.setPassword(orgId, id, next);
  }

  private async row(orgId: string, id: string): Promise<UserTable> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
    if (!row) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such user');
    return row;
  }
}
