import type { PageRoute } from '../../page-route.ts';
import { AccessLogPage } from './access-log-page.tsx';
import { ChannelsPage } from './channels-page.tsx';
import { NeighbourhoodsPage } from './neighbourhoods-page.tsx';
import { ReportPage } from './report-page.tsx';
import { SettingsPage } from './settings-page.tsx';
import { UsersPage } from './users-page.tsx';

const ADMIN = ['admin'] as const;

/** The admin's pages: running the service (users, neighbourhoods and routing, channels, report, access log, settings). */
export const adminRoutes: PageRoute[] = [
  // One entry in the main navigation (its pages have their own tabs, admin-nav.tsx).
  { path: 'admin', roles: ADMIN, nav: 'Admin', render: ({ user }) => <UsersPage meId={user.id} /> },
  { path: 'admin/users', roles: ADMIN, render: ({ user }) => <UsersPage meId={user.id} /> },
  { path: 'admin/neighbourhoods', roles: ADMIN, render: () => <NeighbourhoodsPage /> },
  { path: 'admin/channels', roles: ADMIN, render: () => <ChannelsPage /> },
  { path: 'admin/report', roles: ADMIN, render: () => <ReportPage /> },
  { path: 'admin/access-log', roles: ADMIN, render: () => <AccessLogPage /> },
  { path: 'admin/settings', roles: ADMIN, render: () => <SettingsPage /> },
];
