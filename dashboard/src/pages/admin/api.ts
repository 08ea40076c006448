// The admin console's API calls, on the console's shared request helper. Types come from the
// server's own modules (type-only), so they cannot drift from the API.
import { call } from '../../api.ts';
import type { NeighbourhoodInfo } from '../../../../server/src/care/directory.ts';
import type { OrgSettings } from '../../../../server/src/care/org-settings.ts';
import type { Role } from '../../../../server/src/care/model.ts';
import type { ChannelView, ChannelKind, OwnerType } from '../../../../server/src/notify/channels.ts';
import type { ServiceReport } from '../../../../server/src/reports/service-report.ts';
import type { RoutingRule } from '../../../../server/src/routing/table.ts';

export type { ChannelKind, ChannelView, NeighbourhoodInfo, OrgSettings, OwnerType, Role, RoutingRule, ServiceReport };

/** A user as the admin sees them (GET /api/admin/users). */
export interface AdminUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  neighbourhoodId: string | null;
  disabled: boolean;
  createdAt: string | null;
}

/** One delivery through a channel: an alert's attempt or a test. */
export interface Delivery {
  at: string;
  kind: 'alert' | 'test';
  alertId: string | null;
  change: string;
  attempt: number;
  status: string;
  response: string | null;
  error: string | null;
  requestedBy: string | null;
}

/** One access log entry. */
export interface AccessEntry {
  at: string;
  userId: string;
  userName: string | null;
  action: string;
  subjects: string[];
}

/** A resident as the lists need them. */
export interface ResidentBrief {
  id: string;
  name: string;
  neighbourhoodId: string;
}

/** Where each alert type goes now, and the neighbourhood's own rules over the defaults. */
export interface RoutingView {
  rules: RoutingRule[];
  defaults: RoutingRule[];
  now: { period: 'in-hours' | 'out-of-hours'; targets: Record<string, string[]> };
}

const id = (s: string) => encodeURIComponent(s);
const qs = (q: Record<string, string | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
};

/** The admin's calls. */
export const adminApi = {
  users: () => call<{ users: AdminUser[] }>('GET', '/api/admin/users'),
  addUser: (u: { username: string; password: string; role: Role; displayName?: string; neighbourhoodId?: string }) => call<{ user: AdminUser }>('POST', '/api/users', u),
  updateUser: (userId: string, patch: { role?: Role; neighbourhoodId?: string | null; displayName?: string }) => call<{ user: AdminUser }>('PATCH', `/api/users/${id(userId)}`, patch),
  setUserDisabled: (userId: string, disabled: boolean) => call<{ user: AdminUser }>('POST', `/api/users/${id(userId)}/${disabled ? 'disable' : 'enable'}`, {}),
  resetPassword: (userId: string, password: string) => call<unknown>('POST', `/api/users/${id(userId)}/password`, { password }),
  neighbourhoods: () => call<{ neighbourhoods: NeighbourhoodInfo[] }>('GET', '/api/neighbourhoods'),
  addNeighbourhood: (n: { name: string; urgentStart?: string; urgentEnd?: string }) => call<{ neighbourhood: NeighbourhoodInfo }>('POST', '/api/neighbourhoods', n),
  updateNeighbourhood: (nbId: string, patch: { urgentStart?: string; urgentEnd?: string; timezone?: string; outOfHoursRoute?: string }) =>
    call<{ neighbourhood: NeighbourhoodInfo }>('PATCH', `/api/neighbourhoods/${id(nbId)}`, patch),
  routing: (nbId: string) => call<RoutingView>('GET', `/api/neighbourhoods/${id(nbId)}/routing`),
  setRouting: (nbId: string, rules: RoutingRule[]) => call<{ rules: RoutingRule[] }>('PUT', `/api/neighbourhoods/${id(nbId)}/routing`, { rules }),
  channels: () => call<{ channels: ChannelView[] }>('GET', '/api/channels'),
  addChannel: (c: { ownerType: OwnerType; ownerId: string; kind: ChannelKind; name?: string; config: Record<string, unknown> }) => call<{ channel: ChannelView }>('POST', '/api/channels', c),
  setChannelEnabled: (chId: string, enabled: boolean) => call<{ channel: ChannelView }>('PATCH', `/api/channels/${id(chId)}`, { enabled }),
  testChannel: (chId: string) => call<{ delivery: Delivery }>('POST', `/api/channels/${id(chId)}/test`, {}),
  deliveries: (chId: string) => call<{ deliveries: Delivery[] }>('GET', `/api/channels/${id(chId)}/deliveries`),
  report: (nbId: string, month: string) => call<{ report: ServiceReport }>('GET', `/api/reports/service${qs({ neighbourhoodId: nbId, month })}`),
  reportCsvUrl: (nbId: string, month: string) => `/api/reports/service.csv${qs({ neighbourhoodId: nbId, month })}`,
  residents: () => call<{ residents: ResidentBrief[] }>('GET', '/api/residents'),
  accessLog: (f: { subject?: string; userId?: string; from?: string; to?: string }) => call<{ entries: AccessEntry[] }>('GET', `/api/audit/access${qs(f)}`),
  subjectAccessUrl: (residentId: string, format: 'json' | 'csv') => `/api/residents/${id(residentId)}/subject-access${qs({ format })}`,
  organisation: () => call<{ organisation: OrgSettings & { id: string } }>('GET', '/api/organisation'),
  updateOrganisation: (patch: Partial<OrgSettings>) => call<{ organisation: OrgSettings & { id: string } }>('PATCH', '/api/organisation', patch),
};
