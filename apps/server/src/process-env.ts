import { setFlagsFromString } from 'node:v8';

/**
 * The environment Beckon's server process starts with (`pnpm start`, the local cluster, the
 * benchmarks, the systemd unit in deploy/README.md). It has to be set before the process starts:
 * glibc reads it once.
 *
 * MALLOC_MMAP_THRESHOLD_: glibc serves a large allocation with mmap and unmaps it on free, but the
 * first such free raises the threshold to that size, and from then on blocks that large come from
 * the threads' arenas and stay resident. A password hash (scrypt, 16 MiB) is such a block: after
 * a few sign-ins each of libuv's four threads kept ~16 MiB, about 65 MB of resident memory an idle
 * server never gave back (bench: servers/beckon.ts at idle, 244 MB against 178 MB with this set).
 * A fixed threshold keeps every block over 128 KiB mapped only while it is in use. V8's own heap
 * does not go through malloc, so this costs the JavaScript nothing.
 */
export const PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' };

/**
 * Two settings of V8's heap for Beckon's server process.
 *
 * No allocation-site pretenuring: V8 allocates an object literal's objects straight in the old
 * generation once most of them survived a young collection. Beckon's hot objects live a turn or
 * two longer while a group commit or a burst is under way, long enough to be judged long-lived,
 * and from then on every message, packet and evaluation of those sites was garbage in the old
 * generation: a full collection every ~3 s in the chat benchmark (every ~6.5 s without), and
 * 9 MB/s of old-generation growth under 10,000 visitors (4-5 MB/s without). Chat p99 6.4-6.6 →
 * 4.5-4.9 ms (relay 2.6-3.3) in runs of the same code.
 *
 * The old generation is collected once it has grown 40 % past what survived the last full
 * collection. V8 picks the factor itself otherwise, up to 4× on a machine with memory to spare:
 * under 10,000 visitors (~190 MB live) that let the heap reach 360-450 MB between collections,
 * and kept it committed (RSS 500-640 MB). At 40 % a full collection comes every ~15 s there and
 * costs no measurable CPU; RSS stays ~390-430 MB (bench: servers/beckon.ts). Set as the server is
 * built, in every process that runs one (`pnpm start`, cluster nodes, tests, the benchmark).
 */
export const HEAP_GROWING_PERCENT = 40;

let tuned = false;
export function tuneHeap(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  setFlagsFromString('--no-allocation-site-pretenuring');
}
