/**
 * The rule set of a site, compiled once: rules in priority order, indexed by the facts they
 * read. A visitor's memo keeps each rule's last answer and how long it holds, so an event
 * re-evaluates only the rules that read what changed, plus those whose time has come.
 */
import type { Fact, Rule } from '@beckon/protocol';
import { compileCondition, NEVER, type Test } from './compile';
import type { JourneyState } from './state';

export interface CompiledRule {
  rule: Rule;
  test: Test;
  facts: Set<Fact>;
}

/** Per visitor; created by `engine.memo()`, kept by the caller. */
export interface Memo {
  engine: Engine;
  hit: Uint8Array;
  until: Float64Array;
  /** the last answer, returned again while no rule's answer changes */
  last: readonly Rule[] | null;
}

export interface MatchResult {
  /** matching rules, highest priority first (the same array while the answer stays the same) */
  matching: readonly Rule[];
  /** the earliest moment a match could change by the clock alone (Infinity: only events change it) */
  wakeAt: number;
}

export class Engine {
  readonly rules: CompiledRule[];
  private readonly byFact = new Map<Fact, number[]>();
  /** one per engine: a test runs to its end before the next starts */
  private readonly wake = { at: NEVER };

  constructor(rules: readonly Rule[]) {
    this.rules = rules
      .filter((r) => r.enabled)
      .sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
      .map((rule) => ({ rule, ...compileCondition(rule.when) }));
    this.rules.forEach((r, i) => {
      for (const f of r.facts) {
        let list = this.byFact.get(f);
        if (!list) this.byFact.set(f, (list = []));
        list.push(i);
      }
    });
  }

  memo(): Memo {
    const n = this.rules.length;
    // until = -Infinity: every rule is due on the first call
    return { engine: this, hit: new Uint8Array(n), until: new Float64Array(n).fill(Number.NEGATIVE_INFINITY), last: null };
  }

  /** Rules indexed under a fact (for tests and the console's explanations). */
  rulesReading(f: Fact): Rule[] {
    return (this.byFact.get(f) ?? []).map((i) => this.rules[i]!.rule);
  }

  /**
   * Evaluate for one visitor. `changed` lists the facts that changed since the last call with
   * this memo; pass `null` to evaluate every rule.
   */
  match(s: JourneyState, now: number, memo: Memo, changed: Iterable<Fact> | null): MatchResult {
    if (memo.engine !== this) memo = Object.assign(memo, this.memo());
    const { hit, until } = memo;
    const wake = this.wake;
    if (changed === null) for (let i = 0; i < this.rules.length; i++) until[i] = Number.NEGATIVE_INFINITY;
    else
      for (const f of changed) {
        const list = this.byFact.get(f);
        if (list) for (const i of list) until[i] = Number.NEGATIVE_INFINITY;
      }
    let wakeAt = NEVER;
    let moved = memo.last === null;
    for (let i = 0; i < this.rules.length; i++) {
      if (until[i]! <= now) {
        wake.at = NEVER;
        const h = this.rules[i]!.test(s, now, wake) ? 1 : 0;
        if (h !== hit[i]) (hit[i] = h), (moved = true);
        until[i] = wake.at;
      }
      if (until[i]! < wakeAt) wakeAt = until[i]!;
    }
    if (moved) {
      const matching: Rule[] = [];
      for (let i = 0; i < this.rules.length; i++) if (hit[i]) matching.push(this.rules[i]!.rule);
      memo.last = matching;
    }
    return { matching: memo.last!, wakeAt };
  }
}
