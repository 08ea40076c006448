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
  { path: 'admin/users', roles: ADMIN, nav: 'Users', render: ({ user }) => <UsersPage meId={user.id} /> },
  { path: 'admin/neighbourhoods', roles: ADMIN, nav: 'Neighbourhoods', render: () => <NeighbourhoodsPage /> },
  { path: 'admin/channels', roles: ADMIN, nav: 'Channels', render: () => <ChannelsPage /> },
  { path: 'admin/report', roles: ADMIN, nav: 'Service report', render: () => <ReportPage /> },
  { path: 'admin/access-log', roles: ADMIN, nav: 'Access log', render: () => <AccessLogPage /> },
  { path: 'admin/settings', roles: ADMIN, nav: 'Organisation', render: () => <SettingsPage /> },
];
