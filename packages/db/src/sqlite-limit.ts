/**
 * LIMITs written into the SQL text, never bound. SQLite (3.53 here) lets the value bound to a
 * LIMIT steer the query plan, so binding one marks the statement expired and every run of it
 * prepares it again: 6–15 µs per query on this machine, against 1–2 µs for the same query with
 * its LIMIT written in (a returning visitor's handshake runs several; issue 9 §3). A LIMIT value
 * is an integer from our own code or a validated request, checked here before it goes in.
 */
import { sql } from 'drizzle-orm';

/** the LIMIT as SQL text: a whole number ≥ 0, or a RangeError */
export function limitText(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`a limit must be a whole number ≥ 0, not ${String(n)}`);
  return String(n);
}

/** for drizzle's `.limit()` and `.offset()`: the value written into the query's text instead of bound */
export const lit = (n: number): number => sql.raw(limitText(n)) as unknown as number;

/**
 * A statement prepared once per LIMIT value (a handful each: the sizes our callers ask for),
 * `$limit` in the text standing for it. Past 32 values the oldest is dropped.
 */
export function perLimit<S>(prepare: (text: string) => S, text: string): (limit: number) => S {
  if (!text.includes('$limit')) throw new Error('perLimit: the text has no $limit');
  const made = new Map<number, S>();
  return (limit) => {
    let s = made.get(limit);
    if (!s) {
      if (made.size >= 32) made.delete(made.keys().next().value!);
      made.set(limit, (s = prepare(text.replaceAll('$limit', limitText(limit)))));
    }
    return s;
  };
}
