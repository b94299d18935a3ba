/**
 * What a file is, from its bytes: the name and the browser's Content-Type are only claims.
 * Images are opened by sharp (libvips): a PNG that does not decode as one is refused, SVG (a
 * document that can run script) and HTML are never accepted, whatever they are called.
 */
import type Sharp from 'sharp';
import { IMAGE_TYPES, type AttachmentType } from '@beckon/protocol';

/** sharp (libvips: ~20 MB of a server's memory) is loaded with the first image someone sends */
let loading: Promise<typeof Sharp> | null = null;
const sharpLib = () => (loading ??= import('sharp').then((m) => m.default));

export interface Inspected {
  type: AttachmentType;
  width: number | null;
  height: number | null;
  /** a small WebP preview of an image */
  thumb: Buffer | null;
}

const starts = (b: Buffer, sig: number[], at = 0) => sig.every((x, i) => b[at + i] === x);
const ascii = (b: Buffer, s: string, at = 0) => b.subarray(at, at + s.length).toString('latin1') === s;

function imageType(b: Buffer): AttachmentType | null {
  if (starts(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii(b, 'GIF87a') || ascii(b, 'GIF89a')) return 'image/gif';
  if (ascii(b, 'RIFF') && ascii(b, 'WEBP', 8)) return 'image/webp';
  return null;
}

const OFFICE: Record<string, AttachmentType> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
};

function isText(b: Buffer): boolean {
  if (b.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

/** null: not a kind of file Beckon passes on */
export async function inspect(bytes: Buffer, name: string): Promise<Inspected | null> {
  const ext = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  const image = imageType(bytes);
  if (image) {
    const sharp = await sharpLib();
    try {
      const meta = await sharp(bytes, { limitInputPixels: 50_000_000 }).metadata();
      const format = meta.format === 'jpg' ? 'jpeg' : meta.format;
      if (`image/${format}` !== image || !IMAGE_TYPES.includes(image) || !meta.width || !meta.height) return null;
      // orientation applied, at most 320 px either way; the first frame of an animation
      const thumb = await sharp(bytes, { limitInputPixels: 50_000_000, animated: false }).rotate().resize(320, 320, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 72 }).toBuffer();
      const turned = (meta.orientation ?? 1) >= 5;
      return { type: image, width: turned ? meta.height : meta.width, height: turned ? meta.width : meta.height, thumb };
    } catch {
      return null;
    }
  }
  if (ascii(bytes, '%PDF-')) return { type: 'application/pdf', width: null, height: null, thumb: null };
  // office documents are zip files; which one the name says (the content is a zip either way)
  if (starts(bytes, [0x50, 0x4b, 0x03, 0x04]) && OFFICE[ext]) return { type: OFFICE[ext]!, width: null, height: null, thumb: null };
  if ((ext === 'txt' || ext === 'csv' || ext === 'log') && isText(bytes)) return { type: ext === 'csv' ? 'text/csv' : 'text/plain', width: null, height: null, thumb: null };
  return null;
}
