/** Who sent which file, in SQLite; the bytes live in a blob store (content-addressed, by sha256). */
import type Database from 'better-sqlite3';
import type { AttachmentRow, FileStore, NewAttachment } from './store';
import { newId } from './ids';

export interface RawFile {
  id: string;
  site_id: string;
  visitor_id: string;
  conversation_id: string | null;
  message_id: string | null;
  uploader: 'visitor' | 'operator';
  uploader_id: string;
  sha256: string;
  thumb_sha256: string | null;
  name: string;
  type: string;
  size: number;
  width: number | null;
  height: number | null;
  created_at: number;
}

export const fileRow = (r: RawFile): AttachmentRow => ({
  id: r.id,
  siteId: r.site_id,
  visitorId: r.visitor_id,
  conversationId: r.conversation_id,
  messageId: r.message_id,
  uploader: r.uploader,
  uploaderId: r.uploader_id,
  sha256: r.sha256,
  thumbSha256: r.thumb_sha256,
  name: r.name,
  type: r.type,
  size: r.size,
  width: r.width,
  height: r.height,
  createdAt: r.created_at,
});

export class SqliteFiles implements FileStore {
  constructor(private readonly db: Database.Database) {}

  async create(a: NewAttachment, now: number) {
    const r: AttachmentRow = { ...a, id: newId(), messageId: null, createdAt: now };
    this.db
      .prepare(
        `insert into attachments (id, site_id, visitor_id, conversation_id, message_id, uploader, uploader_id, sha256, thumb_sha256, name, type, size, width, height, created_at)
         values (@id, @siteId, @visitorId, @conversationId, @messageId, @uploader, @uploaderId, @sha256, @thumbSha256, @name, @type, @size, @width, @height, @createdAt)`,
      )
      .run(r);
    return r;
  }
  async get(id: string) {
    const r = this.db.prepare('select * from attachments where id = ?').get(id) as RawFile | undefined;
    return r ? fileRow(r) : null;
  }
  async dropUnsent(before: number) {
    return this.db.prepare('delete from attachments where message_id is null and created_at < ?').run(before).changes;
  }
  async blobsInUse() {
    const out = new Set<string>();
    for (const r of this.db.prepare('select sha256, thumb_sha256 from attachments').iterate() as Iterable<{ sha256: string; thumb_sha256: string | null }>) {
      out.add(r.sha256);
      if (r.thumb_sha256) out.add(r.thumb_sha256);
    }
    return out;
  }
}
