/**
 * A database that cannot answer right now (SQLite locked by another process, PostgreSQL out of
 * reach) makes every store call fail with the retryable `BUSY` rather than an internal error:
 * the widget and the console resend with the same message id, and `degrade` lets the store say
 * so on /health until it recovers.
 */
import { BeckonError } from '@beckon/protocol';
import type { Store } from './store';

const PARTS = new Set(['deadlines', 'integrations', 'quality', 'files', 'push']);

export function guardStore(store: Store, o: { transient: (e: unknown) => boolean; degrade: () => void; onClose?: () => void }): Store {
  const fail = (e: unknown): never => {
    if (!o.transient(e)) throw e;
    o.degrade();
    throw new BeckonError('BUSY');
  };
  // a promise the store hands to many callers (a trail group's) gets one guarded twin, not one per call
  const guarded = new WeakMap<Promise<unknown>, Promise<unknown>>();
  const guard = (p: Promise<unknown>) => {
    let g = guarded.get(p);
    if (!g) guarded.set(p, (g = p.catch(fail)));
    return g;
  };
  const wrap = <T extends object>(target: T): T => {
    // one wrapper per method, made on first use (not a new closure on every call)
    const made = new Map<string | symbol, unknown>();
    return new Proxy(target, {
      get(t, prop, receiver) {
        const known = made.get(prop);
        if (known !== undefined) return known;
        const v = Reflect.get(t, prop, receiver);
        if (typeof prop === 'string' && PARTS.has(prop)) {
          const part = wrap(v as object);
          made.set(prop, part);
          return part;
        }
        if (typeof v !== 'function' || prop === 'healthy' || prop === 'constructor') return v;
        const f = (...args: unknown[]) => {
          if (prop === 'close') o.onClose?.();
          try {
            const out = (v as (...a: unknown[]) => unknown).apply(t, args);
            return out instanceof Promise ? guard(out) : out;
          } catch (e) {
            return fail(e);
          }
        };
        made.set(prop, f);
        return f;
      },
    });
  };
  return wrap(store);
}
