import type { PageRoute } from '../../page-route.ts';
import { JobsPage } from './jobs-page.tsx';

/** The responder's pages: their jobs, on a phone. */
export const responderRoutes: PageRoute[] = [
  {
    path: 'jobs',
    roles: ['responder'],
    nav: ({ open }) => `My jobs${open.alerts.length > 0 ? ` (${open.alerts.length})` : ''}`,
    homeFor: ['responder'],
    render: ({ user, open }) => <JobsPage me={user} open={open} />,
  },
];
