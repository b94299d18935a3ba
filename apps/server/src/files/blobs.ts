/**
 * The bytes of files sent in chats, content-addressed on disk under the data directory
 * (`files/ab/cd/<sha256>`): the same screenshot sent twice is stored once, a name never reaches
 * the file system. Behind this interface an object store (S3 and the like) can replace the disk.
 */
import { createHash } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface BlobStore {
  /** stores the bytes, returns their sha256 (hex) */
  put(bytes: Buffer): Promise<string>;
  /** a stream of the bytes, or null when they are gone */
  open(sha256: string): Promise<{ stream: ReadStream; size: number } | null>;
  /** deletes every blob not in `keep`; returns how many went */
  sweep(keep: Set<string>): Promise<number>;
}

const SHA = /^[0-9a-f]{64}$/;

export class DiskBlobs implements BlobStore {
  constructor(private readonly dir: string) {}

  private path(sha: string): string {
    return join(this.dir, sha.slice(0, 2), sha.slice(2, 4), sha);
  }

  async put(bytes: Buffer): Promise<string> {
    const sha = createHash('sha256').update(bytes).digest('hex');
    const to = this.path(sha);
    if (await stat(to).catch(() => null)) return sha;
    await mkdir(join(to, '..'), { recursive: true });
    // written whole, then renamed: a reader never sees half a file
    const tmp = `${to}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, to);
    return sha;
  }

  async open(sha: string) {
    if (!SHA.test(sha)) return null;
    const p = this.path(sha);
    const st = await stat(p).catch(() => null);
    return st ? { stream: createReadStream(p), size: st.size } : null;
  }

  async sweep(keep: Set<string>): Promise<number> {
    let gone = 0;
    for (const a of await readdir(this.dir).catch(() => [] as string[])) {
      for (const b of await readdir(join(this.dir, a)).catch(() => [] as string[])) {
        for (const f of await readdir(join(this.dir, a, b)).catch(() => [] as string[])) {
          if (SHA.test(f) && keep.has(f)) continue;
          await rm(join(this.dir, a, b, f), { force: true });
          gone++;
        }
      }
    }
    return gone;
  }
}
