import type { PageRoute } from '../../page-route.ts';

/** The admin's pages. */
export const adminRoutes: PageRoute[] = [];
