import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/**
 * A modal dialog (the native <dialog>, opened with showModal): focus moves
 * into it, Escape closes it, and on close focus goes back to `returnFocus`
 * (or to what had it before). `title` names it for screen readers.
 */
export function Dialog({
  title,
  onClose,
  children,
  returnFocus,
  class: cls,
  testId,
}: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  returnFocus?: HTMLElement | null | undefined;
  class?: string;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => {
      const target = returnFocus ?? before;
      if (target && document.contains(target)) target.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class={`dialog${cls ? ` ${cls}` : ''}`}
      aria-labelledby="dialog-title"
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div class="dialog-head">
        <h2 id="dialog-title">{title}</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {children}
    </dialog>
  );
}
