/**
 * Storage that never throws: sites and browsers block it (Safari private mode, sandboxed
 * iframes, cookie settings). Falls back to memory and says so once.
 */
export interface SafeStorage {
  get(key: string): string | null;
  set(key: string, value: string | null): void;
  persistent: boolean;
}

export function safeStorage(kind: 'localStorage' | 'sessionStorage', warn: (msg: string) => void): SafeStorage {
  const mem = new Map<string, string>();
  let store: Storage | null = null;
  try {
    store = window[kind];
    const probe = '__beckon_probe';
    store.setItem(probe, '1');
    store.removeItem(probe);
  } catch {
    store = null;
    warn(`${kind} is blocked on this page; the chat will not survive a page load.`);
  }
  return {
    persistent: !!store,
    get(key) {
      try {
        return store ? store.getItem(key) : (mem.get(key) ?? null);
      } catch {
        return mem.get(key) ?? null;
      }
    },
    set(key, value) {
      try {
        if (store) value === null ? store.removeItem(key) : store.setItem(key, value);
      } catch {
        /* full or blocked mid-session: memory keeps working */
      }
      value === null ? mem.delete(key) : mem.set(key, value);
    },
  };
}
