import type { PageRoute } from '../../page-route.ts';

/** The responder's pages. */
export const responderRoutes: PageRoute[] = [];
