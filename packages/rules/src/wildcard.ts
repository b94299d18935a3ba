/**
 * URL patterns: `*` stands for any run of characters, everything else is literal. Matching is
 * greedy-leftmost over the literal parts with indexOf, which is exact for `*`-only patterns
 * and never backtracks: at most one pass per part over the input, whatever the pattern.
 */
export function compileWildcard(pattern: string): (input: string) => boolean {
  const parts = pattern.toLowerCase().split('*');
  if (parts.length === 1) return (s) => s === parts[0];
  const head = parts[0]!;
  const tail = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((p) => p.length > 0);
  const minLength = head.length + tail.length;
  return (s) => {
    if (s.length < minLength || !s.startsWith(head) || !s.endsWith(tail)) return false;
    let at = head.length;
    const end = s.length - tail.length;
    for (const p of middle) {
      const i = s.indexOf(p, at);
      if (i < 0 || i + p.length > end) return false;
      at = i + p.length;
    }
    return true;
  };
}
