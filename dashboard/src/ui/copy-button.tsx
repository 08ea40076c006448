import { useState } from 'preact/hooks';

/** A button that copies `text` to the clipboard and says so (or says to copy by hand where the browser refuses). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [said, setSaid] = useState<string | null>(null);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setSaid('Copied.');
    } catch {
      setSaid('The browser did not allow copying: select the text and copy it by hand.');
    }
  };
  return (
    <span class="copy-button">
      <button type="button" onClick={() => void copy()}>
        {label}
      </button>{' '}
      <span role="status">{said}</span>
    </span>
  );
}
