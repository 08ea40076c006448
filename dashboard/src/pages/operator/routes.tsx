import type { PageRoute } from '../../page-route.ts';
import { AlertsView } from '../../views/alerts-view.tsx';

/** The operator's pages: the live alert queue (and, from there, an alert's details). */
export const operatorRoutes: PageRoute[] = [
  {
    path: 'alerts',
    roles: ['operator', 'admin', 'responder', 'coordinator', 'installer'],
    nav: ({ open }) => `Alerts${open.alerts.length > 0 ? ` (${open.alerts.length})` : ''}`,
    homeFor: ['operator', 'admin', 'responder', 'coordinator'],
    render: ({ user, open }) => <AlertsView me={user} open={open} />,
  },
];
