/** Message text as text; http(s) and mailto links become links, nothing else does. */
import type { ComponentChildren } from 'preact';

// the address of a mailto runs to its last letter: `mailto:bob@example.com.` links bob@example.com
const LINK = /\b(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]|mailto:[^\s<>"'@]+@[^\s<>"']*[^\s<>"'.,;:!?)\]])/gi;

export function Linkified({ text }: { text: string }) {
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const m of text.matchAll(LINK)) {
    const at = m.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    out.push(
      <a href={m[0]} target="_blank" rel="noopener noreferrer">
        {m[0]}
      </a>,
    );
    last = at + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return <>{out}</>;
}
