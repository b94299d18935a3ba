/** The emoji grid beside the reply box (its own chunk: loaded when first opened). */
import { EMOJI } from '@beckon/widget/emoji';

export function EmojiPicker({ onPick, label }: { onPick: (e: string) => void; label: string }) {
  return (
    <div class="emoji-pop" role="dialog" aria-label={label}>
      {EMOJI.map((g) => (
        <div class="emoji-group">
          {g.list.map((e) => (
            <button type="button" aria-label={e} onMouseDown={(ev) => ev.preventDefault()} onClick={() => onPick(e)}>
              {e}
            </button>
          ))}
        </div>
      ))}
    </div>
  );
}
