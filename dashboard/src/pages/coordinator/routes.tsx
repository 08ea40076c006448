import type { PageRoute } from '../../page-route.ts';
import { CaseloadPage } from './caseload-page.tsx';
import { ResidentPageView } from './resident-page.tsx';
import { SummaryPage } from './summary-page.tsx';

const READERS = ['coordinator', 'admin'] as const;

/** The coordinator's pages: the caseload (their home page), a resident's page, and its one-page summary to print. */
export const coordinatorRoutes: PageRoute[] = [
  { path: 'caseload', roles: READERS, nav: 'Caseload', homeFor: ['coordinator'], render: () => <CaseloadPage /> },
  { path: 'caseload/:id', roles: READERS, render: ({ params }) => <ResidentPageView id={params['id']!} /> },
  { path: 'caseload/:id/summary', roles: READERS, render: ({ params }) => <SummaryPage id={params['id']!} /> },
];
