/** The admin's pages, in order: one "Admin" entry in the main navigation, these tabs on each page. */
export const ADMIN_PAGES = [
  ['users', 'Users'],
  ['neighbourhoods', 'Neighbourhoods'],
  ['channels', 'Channels'],
  ['report', 'Service report'],
  ['access-log', 'Access log'],
  ['settings', 'Organisation'],
] as const;

/** A page of the admin area. */
export type AdminPage = (typeof ADMIN_PAGES)[number][0];

/** The admin area's own navigation, the current page marked. */
export function AdminNav({ current }: { current: AdminPage }) {
  return (
    <nav class="admin-nav" aria-label="Administration">
      {ADMIN_PAGES.map(([page, label]) => (
        <a key={page} href={`#/admin/${page}`} aria-current={page === current ? 'page' : undefined}>
          {label}
        </a>
      ))}
    </nav>
  );
}
