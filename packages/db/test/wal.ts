import { readFileSync } from 'node:fs';

/** commit records in the current generation of a SQLite WAL file (frames whose "db size" field is set) */
export function walCommits(file: string): number {
  const b = readFileSync(`${file}-wal`);
  if (b.length < 32) return 0;
  const pageSize = b.readUInt32BE(8);
  const salt = [b.readUInt32BE(16), b.readUInt32BE(20)];
  let n = 0;
  for (let off = 32; off + 24 + pageSize <= b.length; off += 24 + pageSize) {
    if (b.readUInt32BE(off + 8) !== salt[0] || b.readUInt32BE(off + 12) !== salt[1]) break;
    if (b.readUInt32BE(off + 4) !== 0) n++;
  }
  return n;
}
