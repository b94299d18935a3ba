/** The three verdicts as faces, drawn (an emoji font is not on every machine). */
const MOUTH = { better: 'M7.5 14.2q4.5 4 9 0', as: 'M8 15.5h8', worse: 'M7.5 17.2q4.5-4 9 0' } as Record<string, string>;

export function Face({ v, size = 16 }: { v: string; size?: number }) {
  return (
    <svg class={`face ${v}`} viewBox="0 0 24 24" width={size} height={size} aria-hidden="true">
      <circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="1.8" />
      <circle cx="8.5" cy="10" r="1.3" fill="currentColor" />
      <circle cx="15.5" cy="10" r="1.3" fill="currentColor" />
      <path d={MOUTH[v]} fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
    </svg>
  );
}
