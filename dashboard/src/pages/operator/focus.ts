import { useCallback, useRef } from 'preact/hooks';

let opened: string | null = null;

/** Remember the alert whose page the operator opened from the queue. */
export function rememberOpened(alertId: string): void {
  opened = alertId;
}

/** The alert opened from the queue, once (the queue puts focus back on its row). */
export function takeOpened(): string | null {
  const id = opened;
  opened = null;
  return id;
}

/** Whether the queue is being returned to from an alert's page (it then focuses that alert's row instead). */
export function returning(): boolean {
  return opened !== null;
}

/**
 * Focus a page's main heading when it opens (after sign-in, or on navigation),
 * unless focus is already inside the page or `skip()` says another element
 * takes it; returns the ref for the heading.
 */
export function useFocusHeading(skip: () => boolean = () => false): (el: HTMLHeadingElement | null) => void {
  const done = useRef(false);
  // A callback ref: the heading may appear only after the page's data has loaded.
  return useCallback((el: HTMLHeadingElement | null) => {
    if (!el || done.current) return;
    done.current = true;
    if (skip()) return;
    const active = document.activeElement;
    const content = document.getElementById('content');
    if (!active || active === document.body || active === content || !content?.contains(active)) el.focus();
  }, []);
}
