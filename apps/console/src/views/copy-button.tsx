/** Copies a text (a snippet) and says so for a moment. */
import { useState } from 'preact/hooks';

export function CopyButton({ text, label, done, primary = false }: { text: string; label: string; done: string; primary?: boolean }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class={primary ? 'primary' : ''}
      onClick={() =>
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        })
      }
    >
      {copied ? done : label}
    </button>
  );
}
