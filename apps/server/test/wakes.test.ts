/** The wake-up heap behind the engage service's single timer (../src/lib/wakes.ts). */
import { describe, expect, it } from 'vitest';
import { fakeClock } from '../src/lib/clock';
import { Wakes } from '../src/lib/wakes';

describe('Wakes', () => {
  it('wakes each item once at its latest time, in time order, behind one timer', async () => {
    const clock = fakeClock(1_000);
    let timers = 0;
    const counted = { ...clock, setTimer: (fn: () => void, ms: number) => (timers++, clock.setTimer(fn, ms)) };
    const woke: [string, number][] = [];
    const w = new Wakes<string>(counted, (x) => woke.push([x, clock.now()]));
    // 1,000 items re-armed on every "page view": later times do not move the timer
    for (let round = 0; round < 5; round++) for (let i = 0; i < 1000; i++) w.set(`v${i}`, 2_000 + round * 10 + i);
    w.set('early', 1_500);
    w.cancel('v3');
    expect(w.size).toBe(1000);
    // 5,001 wake-ups set: the timer moved twice (the first, then 'early'), not once per set
    expect(timers).toBe(2);
    await clock.advance(5_000);
    expect(woke[0]).toEqual(['early', 1_500]);
    expect(woke.length).toBe(1000);
    expect(new Set(woke.map(([x]) => x)).size).toBe(1000);
    expect(woke.find(([x]) => x === 'v3')).toBeUndefined();
    // each at the time set last for it, never before
    for (const [x, at] of woke.slice(1)) expect(at).toBe(2_040 + Number(x.slice(1)));
    expect(woke.map(([, at]) => at)).toEqual([...woke.map(([, at]) => at)].sort((a, b) => a - b));
    // from then on one timer per distinct due time (1,000 of them here), each set as the last fired
    expect(timers).toBeLessThanOrEqual(2 + 1000);
    expect(w.size).toBe(0);
  });

  it('keeps one entry per item however often it is re-armed, earlier or later, and wakes each at its last time', async () => {
    const clock = fakeClock(0);
    const woke: [number, number][] = [];
    const w = new Wakes<number>(clock, (x) => woke.push([x, clock.now()]));
    // re-armed back and forth, as page views move a visitor's next wake-up
    let seed = 7;
    const rnd = () => (seed = (seed * 48271) % 2147483647) % 10_000;
    const last = new Map<number, number>();
    for (let round = 0; round < 50; round++)
      for (let i = 0; i < 200; i++) {
        const at = 1 + rnd();
        w.set(i, at);
        last.set(i, at);
      }
    for (let i = 0; i < 200; i += 10) {
      w.cancel(i);
      last.delete(i);
    }
    expect(w.size).toBe(180);
    expect((w as unknown as { heap: unknown[] }).heap.length).toBe(180);
    await clock.advance(20_000);
    expect(woke.length).toBe(180);
    for (const [x, at] of woke) expect(at).toBe(last.get(x));
    expect(woke.map(([, at]) => at)).toEqual([...woke.map(([, at]) => at)].sort((a, b) => a - b));
    expect(w.size).toBe(0);
  });
});
