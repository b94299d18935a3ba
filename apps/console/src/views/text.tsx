/**
 * Text a visitor wrote, shown safely (issue 8 §7): isolated from what stands next to it, so
 * a name like "\u202Egnp.exe" cannot read as "exe.png" or flip the time beside it; direction
 * controls and invisible characters in names shown as visible marks; links only for
 * http(s) and mailto, with the widget's own linkifier.
 */
import { Linkified } from '@beckon/widget/linkify';

/** bidi embeddings/overrides/isolates, zero-width and other invisible format characters */
const HIDDEN = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD]/g;

/** "Anna\u200B" → "Anna⟨U+200B⟩": what is there, made visible */
export function reveal(text: string): string {
  return text.replace(HIDDEN, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

/** a name or a short label from a visitor */
export function Name({ text }: { text: string }) {
  return <bdi>{reveal(text)}</bdi>;
}

/** a message body: isolated, its own direction, links made safe */
export function Body({ text }: { text: string }) {
  return (
    <bdi dir="auto">
      <Linkified text={text} />
    </bdi>
  );
}
