// A user as the rest of the server sees them: no password hash.
import type { UserTable } from '../db/schema.ts';
import type { Role } from './model.ts';

/** A signed-in user, without secrets. */
export interface UserInfo {
  id: string;
  orgId: string;
  username: string;
  displayName: string;
  role: Role;
  neighbourhoodId: string | null;
}

/** A users row as the rest of the server sees it (no password hash). */
export function toUser(row: UserTable): UserInfo {
  return {
    id: row.id,
    orgId: row.org_id,
    username: row.username,
    displayName: row.display_name,
    role: row.role as Role,
    neighbourhoodId: row.neighbourhood_id,
  };
}
