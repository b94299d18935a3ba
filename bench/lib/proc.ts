/** Child processes of a benchmark: their output and what they cost. */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** resolves with the first stdout line matching */
export function lineOf(p: ChildProcess, re: RegExp, ms: number): Promise<string> {
  return new Promise((res, rej) => {
    let buf = '';
    const t = setTimeout(() => rej(new Error(`no ${re} within ${ms} ms`)), ms);
    const on = (d: Buffer) => {
      buf += d.toString();
      for (const l of buf.split('\n')) {
        if (re.test(l)) {
          clearTimeout(t);
          p.stdout!.off('data', on);
          return res(l);
        }
      }
    };
    p.stdout!.on('data', on);
  });
}

/** CPU seconds (user + system) and resident memory of a process, from /proc */
export function usage(pid: number): { cpu: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(f[11]) + Number(f[12])) / 100;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  return { cpu, rssMb: rss };
}

/**
 * The live heap of a server of servers/ (started with --expose-gc): it collects garbage fully
 * on SIGUSR2 and prints `HEAP <bytes>`. What RSS cannot say: RSS also holds garbage not yet
 * collected, and when a full GC comes differs from one server to the other.
 */
export async function heapAfterGc(p: ChildProcess): Promise<number> {
  const line = lineOf(p, /^HEAP \d+/, 30_000);
  p.kill('SIGUSR2');
  return Number((await line).split(' ')[1]);
}

/** what servers/ call to answer heapAfterGc */
export function answerHeapAfterGc(): void {
  process.on('SIGUSR2', () => {
    (globalThis as { gc?: () => void }).gc?.();
    console.log(`HEAP ${process.memoryUsage().heapUsed}`);
  });
}
