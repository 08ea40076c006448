import type { PageRoute } from '../../page-route.ts';

/** The coordinator's pages. */
export const coordinatorRoutes: PageRoute[] = [];
