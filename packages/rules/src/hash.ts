/** Sticky, uniform choices per visitor without storing them: FNV-1a of (visitor, rule, purpose). */
export function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // a final avalanche so that near-identical inputs spread over the whole range
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** The variant a visitor sees, by weight, always the same for the same visitor and rule. */
export function pickVariant<V extends { key: string; weight: number }>(visitorId: string, ruleId: string, variants: readonly V[]): V {
  const total = variants.reduce((a, v) => a + v.weight, 0);
  let x = unitHash(`${visitorId}:${ruleId}:variant`) * total;
  for (const v of variants) {
    x -= v.weight;
    if (x < 0) return v;
  }
  return variants[variants.length - 1]!;
}

/** Whether the visitor is in the rule's holdout share. */
export function inHoldout(visitorId: string, ruleId: string, percent: number): boolean {
  return percent > 0 && unitHash(`${visitorId}:${ruleId}:holdout`) * 100 < percent;
}
