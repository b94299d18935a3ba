/** The pure packages stay pure (DESIGN.md "Dependency direction"): checked by each one's purity test. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

export function purityTests(srcUrl: URL): void {
  const src = fileURLToPath(srcUrl);
  const files = readdirSync(src).filter((f) => f.endsWith('.ts'));

  it('imports only protocol and its own files', () => {
    for (const f of files) {
      const code = readFileSync(join(src, f), 'utf8');
      const specifiers = [...code.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
      for (const s of specifiers) expect(s.startsWith('./') || s === '@beckon/protocol', `${f} imports ${s}`).toBe(true);
    }
  });

  it('reads no clock, timers, randomness or environment', () => {
    for (const f of files) {
      // comments may show examples that call Date.now(); code may not
      const code = readFileSync(join(src, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      expect(code, f).not.toMatch(/Date\.now|new Date\(|setTimeout|setInterval|Math\.random|process\./);
    }
  });
}
