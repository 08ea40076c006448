import type { PageRoute } from '../../page-route.ts';
import { HubDetail, HubsView } from '../../views/hubs-view.tsx';

/** Roles that may see hubs, sensors and rejected messages (the server's HUB_VIEWERS). */
export const HUB_ROLES = ['installer', 'admin', 'operator'] as const;

/** The installer's pages: hubs and one hub's sensors. */
export const installerRoutes: PageRoute[] = [
  { path: 'hubs', roles: HUB_ROLES, nav: 'Hubs', homeFor: ['installer'], render: () => <HubsView /> },
  { path: 'hubs/:hubId', roles: HUB_ROLES, render: ({ params }) => <HubDetail hubId={params.hubId!} /> },
];
