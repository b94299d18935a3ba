/** A form's submit button with the outcome of the last submit beside it. */
export interface Outcome {
  ok: boolean;
  text: string;
}

export function SaveRow({ label, outcome }: { label: string; outcome: Outcome | null }) {
  return (
    <div class="save-row">
      <button class="primary" type="submit">
        {label}
      </button>
      {outcome && (
        <span class={outcome.ok ? 'ok' : 'error'} role="status">
          {outcome.text}
        </span>
      )}
    </div>
  );
}
