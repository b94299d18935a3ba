/**
 * The emoji both pickers offer (widget and console): the ones people send in a shop's chat,
 * grouped, no skin-tone variants. Plain Unicode text: any font shows them, nothing is fetched.
 */
export const EMOJI: { group: 'smileys' | 'hands' | 'hearts' | 'things' | 'signs'; list: string[] }[] = [
  { group: 'smileys', list: ['😀', '😃', '😄', '😁', '😊', '🙂', '😉', '😍', '🥰', '😘', '😋', '😎', '🤩', '🥳', '🤔', '🤗', '😅', '😂', '🤣', '😇', '😌', '😴', '😐', '😕', '😟', '😢', '😭', '😮', '😱', '😤', '😡', '🙄', '😬', '🤐', '🤒', '🥺'] },
  { group: 'hands', list: ['👍', '👎', '👌', '✌️', '🤞', '👏', '🙌', '🙏', '🤝', '👋', '💪', '👉', '👆', '✍️'] },
  { group: 'hearts', list: ['❤️', '🧡', '💛', '💚', '💙', '💜', '🖤', '🤍', '💔', '💕', '✨', '🔥', '⭐', '🎉'] },
  { group: 'things', list: ['☕', '🍰', '🎁', '🛒', '📦', '🚚', '💳', '💰', '🏷️', '📱', '💻', '📷', '📎', '📝', '📅', '⏰', '🔑', '🏠'] },
  { group: 'signs', list: ['✅', '❌', '❗', '❓', '⚠️', '💯', '🆗', '🆕', '➡️', '🔄', '⏳', '💬'] },
];

/** inserts `text` at the textarea's cursor; returns the new value and where the cursor goes */
export function insertAt(value: string, start: number | null, end: number | null, text: string): { value: string; cursor: number } {
  const a = start ?? value.length;
  const b = end ?? a;
  return { value: value.slice(0, a) + text + value.slice(b), cursor: a + text.length };
}
