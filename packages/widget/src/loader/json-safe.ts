/**
 * JSON as the standard says, on pages whose old libraries changed built-in prototypes
 * (Prototype.js 1.6 gives arrays and strings a `toJSON` that makes JSON.stringify encode them
 * twice, and the server then refuses every packet). The page's own prototypes are put back at once.
 */
const native = JSON.stringify;
const PROTOS = [Array.prototype, String.prototype, Object.prototype, Number.prototype, Boolean.prototype] as unknown as Record<string, unknown>[];

export function stringify(value: unknown): string {
  const saved: [Record<string, unknown>, unknown][] = [];
  for (const p of PROTOS) {
    if (Object.prototype.hasOwnProperty.call(p, 'toJSON')) {
      saved.push([p, p.toJSON]);
      delete p.toJSON;
    }
  }
  try {
    return native(value);
  } finally {
    for (const [p, f] of saved) p.toJSON = f;
  }
}
