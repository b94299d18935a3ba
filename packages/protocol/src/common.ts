import { z } from 'zod';
import { LIMITS } from './limits';

/** Ids that leave the server: random, url-safe, at least 128 bits (22+ base64url chars). */
export const Id = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'not an id');
export const ClientId = z.string().min(1).max(LIMITS.clientIdLength).regex(/^[A-Za-z0-9_:.-]+$/, 'not a client id');
export const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const Lang = z.enum(['en', 'ru']);
export type Lang = z.infer<typeof Lang>;
export const LANGS = Lang.options;

/** Message text: trimmed, non-empty, bounded. */
export const MessageBody = z
  .string()
  .max(LIMITS.messageLength * 2)
  .transform((s) => s.replace(/\r\n?/g, '\n').trim())
  .pipe(z.string().min(1, 'empty message').max(LIMITS.messageLength, 'message too long'));

export const Role = z.enum(['admin', 'supervisor', 'operator']);
export type Role = z.infer<typeof Role>;

export const OperatorStatus = z.enum(['online', 'away', 'offline']);
export type OperatorStatus = z.infer<typeof OperatorStatus>;
