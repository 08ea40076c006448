import type { PageRoute } from '../../page-route.ts';
import { CommissionPage } from './commission-page.tsx';
import { HealthPage } from './health-page.tsx';
import { HubPage } from './hub-page.tsx';
import { HubsPage } from './hubs-page.tsx';

/** Roles that may see hubs, sensors and rejected messages (the server's HUB_VIEWERS). */
export const HUB_ROLES = ['installer', 'admin', 'operator'] as const;
/** Roles that may register hubs, place sensors, walk-test and put homes live. */
const COMMISSIONERS = ['installer', 'admin'] as const;
const canCommission = (role: string): boolean => (COMMISSIONERS as readonly string[]).includes(role);

/** The installer's pages: hubs (and registering one), a hub, commissioning a home, and hub health. */
export const installerRoutes: PageRoute[] = [
  { path: 'hubs', roles: HUB_ROLES, nav: 'Hubs', homeFor: ['installer'], render: ({ user }) => <HubsPage canRegister={canCommission(user.role)} /> },
  { path: 'hub-health', roles: HUB_ROLES, nav: 'Hub health', render: () => <HealthPage /> },
  { path: 'hubs/:hubId', roles: HUB_ROLES, render: ({ params, user }) => <HubPage hubId={params.hubId!} canEdit={canCommission(user.role)} /> },
  { path: 'hubs/:hubId/commission', roles: COMMISSIONERS, render: ({ params }) => <CommissionPage hubId={params.hubId!} /> },
];
