import type { JSX } from 'preact';
import type { Role } from '../../server/src/care/model.ts';
import type { UserInfo } from './api.ts';
import type { OpenAlerts } from './use-open-alerts.ts';

/** What a page is given: the signed-in user, the live open alerts, and the path's parameters. */
export interface PageContext {
  user: UserInfo;
  open: OpenAlerts;
  params: Record<string, string>;
}

/**
 * One page of the console, as data: its hash path (`hubs/:hubId`), who may
 * open it, an optional main-navigation label, and what it renders. Each role's
 * area lists its pages in `pages/<area>/routes.tsx`; `routes.ts` joins them.
 */
export interface PageRoute {
  path: string;
  roles: readonly Role[];
  /** Shown in the main navigation when set (to the roles above). */
  nav?: string | ((ctx: PageContext) => string);
  /** Roles that land on this page after signing in. */
  homeFor?: readonly Role[];
  render: (ctx: PageContext) => JSX.Element;
}

/** A matched page and its parameters, or null. */
export function matchRoute(routes: readonly PageRoute[], hash: string): { route: PageRoute; params: Record<string, string> } | null {
  const parts = hash.replace(/^#\/?/, '').split('?')[0]!.split('/').filter(Boolean);
  for (const route of routes) {
    const want = route.path.split('/').filter(Boolean);
    if (want.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < want.length; i++) {
      const w = want[i]!;
      if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(parts[i]!);
      else if (w !== parts[i]) ok = false;
    }
    if (ok) return { route, params };
  }
  return null;
}

/** The query string part of a hash (`#/history?type=fall`), parsed. */
export function hashQuery(hash: string): URLSearchParams {
  const i = hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : hash.slice(i + 1));
}
