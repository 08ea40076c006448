import type { PageRoute } from './page-route.ts';
import { adminRoutes } from './pages/admin/routes.tsx';
import { coordinatorRoutes } from './pages/coordinator/routes.tsx';
import { installerRoutes } from './pages/installer/routes.tsx';
import { operatorRoutes } from './pages/operator/routes.tsx';
import { responderRoutes } from './pages/responder/routes.tsx';

/** Every page of the console, in navigation order; each area keeps its own list. */
export const ROUTES: readonly PageRoute[] = [...operatorRoutes, ...responderRoutes, ...coordinatorRoutes, ...installerRoutes, ...adminRoutes];
