import type { PageRoute } from '../../page-route.ts';
import { AlertPage } from './alert-page.tsx';
import { HandoverPage } from './handover-page.tsx';
import { HistoryPage } from './history-page.tsx';
import { PersonPage } from './person-page.tsx';
import { QueuePage } from './queue-page.tsx';

const DESK = ['operator', 'admin'] as const;

/** The operator's pages: the live queue, one alert worked, history, a resident's record, the shift handover. */
export const operatorRoutes: PageRoute[] = [
  {
    path: 'alerts',
    roles: ['operator', 'admin', 'coordinator', 'installer'],
    nav: ({ open }) => `Alerts${open.alerts.length > 0 ? ` (${open.alerts.length})` : ''}`,
    homeFor: ['operator', 'admin'],
    render: ({ user, open }) => <QueuePage me={user} open={open} />,
  },
  { path: 'alerts/:id', roles: ['operator', 'admin', 'coordinator', 'installer', 'responder'], render: ({ user, open, params }) => <AlertPage me={user} open={open} alertId={params.id!} /> },
  { path: 'history', roles: ['operator', 'admin', 'coordinator', 'installer'], nav: 'History', render: ({ user }) => <HistoryPage me={user} /> },
  { path: 'handover', roles: DESK, nav: 'Handover', render: () => <HandoverPage /> },
  { path: 'people/:id', roles: ['operator', 'admin', 'coordinator'], render: ({ params }) => <PersonPage residentId={params.id!} /> },
];
