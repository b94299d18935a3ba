/**
 * Files in a chat: a screenshot from the visitor, a PDF invoice from the operator. The type is
 * what the content is (checked by the server), never what the name says; what can run (SVG,
 * HTML) is not accepted at all.
 */
import { z } from 'zod';
import { Id } from './common';

/** content types accepted, by what the bytes are */
export const ATTACHMENT_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain', 'text/csv', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.oasis.opendocument.text', 'application/vnd.oasis.opendocument.spreadsheet'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];
export const IMAGE_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

/** what a message carries about its file (the bytes are at /files/<id>) */
export const AttachmentRef = z.object({
  id: Id,
  name: z.string().max(200),
  type: z.enum(ATTACHMENT_TYPES),
  size: z.number().int().min(1),
  /** images: their size in pixels (the log keeps its place before the picture loads) */
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  /** images: a small preview at /files/<id>/thumb */
  thumb: z.boolean(),
});
export type AttachmentRef = z.infer<typeof AttachmentRef>;

/** a site's rule for files in chats (Settings) */
export const AttachmentSettings = z.object({
  enabled: z.boolean().default(true),
  /** largest file, in MB */
  maxMb: z.number().int().min(1).max(25).default(10),
});
export type AttachmentSettings = z.infer<typeof AttachmentSettings>;
export const DEFAULT_ATTACHMENTS: AttachmentSettings = AttachmentSettings.parse({});

/** a file name as stored and shown: no path, no control characters, at most 120 characters */
export function cleanFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f"<>|*?:]/g, '').trim();
  return (base || 'file').slice(-120);
}
